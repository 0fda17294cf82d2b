"""Scores: the formula of docs/scores.md on real tables."""

from __future__ import annotations

from kpiscore.findings import Finding, Severity
from kpiscore.review import review
from kpiscore.scores import WITHHELD, grade, indicator_score


def _finding(category: str, severity: Severity, row: int | None = 1) -> Finding:
    return Finding("X-01", category, severity, "m", "s", project=1, row=row)


def test_points_are_lost_once_per_category_at_the_worst_severity():
    assert indicator_score([]) == 100
    assert indicator_score([_finding("ECHO", Severity.low), _finding("ECHO", Severity.high)]) == 60
    assert indicator_score([_finding("ECHO", Severity.high), _finding("VAGUE_VALUE", Severity.high),
                            _finding("WEAK_BASIS", Severity.medium)]) == 0


def test_a_high_finding_caps_the_grade_at_middle():
    assert grade(95, []) == ("优", None)
    assert grade(95, [_finding("ECHO", Severity.high)]) == ("中", "有高严重度问题，等级封顶")
    assert grade(50, [_finding("ECHO", Severity.high)]) == ("差", None)  # no cap reached
    assert grade(50, [_finding("ECHO", Severity.low)]) == ("差", None)


def test_withheld_table_is_not_scored_and_is_marked(seeds):
    result = review(seeds["000"])
    secret = result.scores[3]
    assert (secret.score, secret.grade) == (None, WITHHELD)
    assert result.summary()["withheld_projects"] == 1
    assert all(s.score is not None for index, s in result.scores.items() if index != 3)


def test_echo_tables_score_below_clean_ones(seeds):
    """001#1 (every value '≥90 …的程度') must score well below 000#5 (quantified rows)."""
    echo = review(seeds["001"]).scores[1]
    clean = review(seeds["000"]).scores[5]
    assert echo.score < 60 <= clean.score
    assert echo.grade == "差"
    assert all(0 <= s <= 100 for s in echo.indicator_scores)
