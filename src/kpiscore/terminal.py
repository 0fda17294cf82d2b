"""`kpiscore check` in the terminal: one line per finding, like a linter, then the scores.

Every word comes from lexicons/messages.toml [check]. Text from the documents (cell text,
titles, file names) is printed literally, never read as rich markup. Lines are printed as
each review arrives, so a long batch shows its first results at once; the totals come at
the end (`close`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kpiscore.findings import Finding, Severity, categories
from kpiscore.messages import catalogue, text
from kpiscore.model import Location
from kpiscore.money import wan_text
from kpiscore.review import Review
from kpiscore.scores import score_text

_STYLE = {Severity.high: "bold red", Severity.medium: "yellow", Severity.low: "cyan"}


def where(location: Location) -> str:
    """A location in words: 表2 第5行, 第12行, 工作表「项目」 第4行."""
    words = catalogue()["where"]
    parts = [words[name].format(value=value) for name, value in location.to_dict().items()
             if name in words]
    return words["separator"].join(parts) or words["unknown"]


@dataclass
class TextReport:
    """Prints reviews as they come and the totals at the end."""

    console: Console
    severity: Severity = Severity.low  # findings below this are counted, not printed
    show_fixes: bool = False  # print each finding's suggestion under it
    statistics: bool = False  # only the counts by rule, instead of the lines and scores
    by_category: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[tuple[str, str, Severity]] = field(default_factory=Counter)
    hidden: int = 0

    def add(self, review: Review) -> None:
        comparison = review.baseline
        listed = review.open_findings
        shown = [f for f in listed if f.severity >= self.severity]
        self.hidden += len(listed) - len(shown)
        self.by_category.update(f.category for f in shown)
        self.by_rule.update((f.rule, f.category, f.severity) for f in shown)
        if self.statistics:
            return
        for finding in shown:
            self._line(review, finding)
        if comparison is not None:
            self.console.print(text("check", "baseline", source=comparison.source,
                                    new=comparison.count("new"), open=comparison.count("open"),
                                    fixed=comparison.fixed, accepted=comparison.count("accepted")),
                               markup=False, highlight=False)
        self._scores(review)

    def close(self) -> None:
        if self.statistics:
            self._statistics()
        else:
            self._categories()
        if self.hidden:
            self.console.print(text("check", "shown", shown=sum(self.by_category.values()),
                                    severity=self.severity.label, hidden=self.hidden),
                               markup=False, highlight=False)

    def _line(self, review: Review, finding: Finding) -> None:
        comparison = review.baseline
        project, indicator = review.where(finding)
        words = catalogue()["check"]
        tag = words["baseline_tag"].get(comparison.status[finding], "") if comparison else ""
        line = Text(tag)
        head, _, tail = words["line"].partition("[{severity}]")
        values = dict(source=review.document.source, where=where((indicator or project).location),
                      project=project.index,
                      row=words["row"].format(row=finding.row) if finding.row else "",
                      rule=finding.rule, category=finding.category,
                      title=categories().get(finding.category, {}).get("title", ""),
                      message=finding.message)
        severity = f"[{finding.severity.label}]"
        fix = words["fix"].format(suggestion=finding.suggestion) \
            if self.show_fixes and finding.suggestion else None
        if not self.console.is_terminal:  # a file or a pipe gets no colour: plain writes, as
            # rich costs ~0.2 ms a line, a third of a batch's time
            self.console.file.write(tag + head.format(**values) + severity + tail.format(**values)
                                    + "\n" + (fix + "\n" if fix else ""))
            return
        line.append(head.format(**values))
        line.append(severity, style=_STYLE[finding.severity])
        line.append(tail.format(**values))
        self.console.print(line, highlight=False, soft_wrap=True)
        if fix:
            self.console.print(fix, markup=False, highlight=False, soft_wrap=True)

    def _scores(self, review: Review) -> None:
        info = review.summary()
        words = catalogue()["check"]
        table = Table(title=Text(words["scores_title"].format(
            heading=review.document.heading, score=score_text(info["score"]),
            findings=info["findings"])))
        for number, column in enumerate(words["scores_columns"]):  # the grade kept whole
            table.add_column(column, justify="left" if number == 1 else "right", no_wrap=number == 4)
        counts = Counter(f.project for f in review.findings)
        for project in review.document.projects:
            score = review.scores[project.index]
            table.add_row(str(project.index), Text(project.title), wan_text(project.budget_wan),
                          score_text(score.score), Text(score.grade_text), str(counts[project.index]))
        self.console.print(table)

    def _categories(self) -> None:
        words = catalogue()["check"]
        table = Table(title=words["categories_title"])
        for column in words["categories_columns"]:
            table.add_column(column)
        for name, entry in categories().items():
            table.add_row(name, entry["title"], str(self.by_category[name]))
        self.console.print(table)

    def _statistics(self) -> None:
        from kpiscore.rules import BY_CODE

        words = catalogue()["check"]
        table = Table(title=words["statistics_title"])
        for number, column in enumerate(words["statistics_columns"]):
            table.add_column(column, justify="right" if number == 0 else "left")
        for (rule, category, severity), count in self.by_rule.most_common():
            title = BY_CODE[rule].title if rule in BY_CODE else categories()[category]["title"]
            table.add_row(str(count), rule, category, severity.label, Text(title))
        self.console.print(table)

