"""Which programme areas a text names and whether a project covers a row (TXT-10's logic)."""

from __future__ import annotations

import pytest

from kpiscore.relatedness import Mismatch, Topics, contradicted, covered, foreign


def test_longest_word_wins():
    # 城乡居民低保 is social assistance, not the population 城乡居民 plus something
    assert Topics.of("城乡居民低保保障准确率").areas == {"社会救助"}
    assert Topics.of("城乡居民低保保障准确率").populations == {"城乡居民"}
    assert Topics.of("城乡居民基本养老保险补助").areas == {"养老保险", "补贴发放"}


def test_a_word_may_name_several_areas():
    assert {"就业创业", "社会保险"} <= Topics.of("村、社区四级公共服务平台网络运维经费").areas


def test_office_running_describes_projects_only():
    assert "机关运转" in Topics.of("用于保障日常办公需要").areas
    assert not Topics.of("保障日常办公需要", row=True)


@pytest.mark.parametrize("area,project,expected", [
    ("养老金领取", {"养老保险"}, True),               # a pension project covers retirees
    ("养老保险", {"养老金领取"}, True),               # a row about the whole, a project about a part
    ("养老金领取", {"养老保险", "养老保险缴费"}, False),  # a contribution subsidy does not
    ("社会救助", {"养老保险"}, False),
])
def test_covered(area, project, expected):
    assert covered(area, frozenset(project)) is expected


def test_contradicted_needs_another_part_of_the_same_whole():
    assert contradicted("养老金领取", frozenset({"养老保险缴费"}))
    assert not contradicted("社会救助", frozenset({"养老保险"}))  # foreign, but not a sibling
    assert not contradicted("补贴发放", frozenset({"养老保险"}))


def test_outputs_are_judged_by_programme_outcomes_also_by_population():
    office = Topics.of("城乡居民业务费 用于保障日常办公需要，维持单位正常运转")
    satisfaction = Topics.of("城乡居民退休人员满意度", row=True)
    assert foreign(satisfaction, office, outcome=True) is None
    assert foreign(satisfaction, office, outcome=False) == Mismatch(["养老金领取"], "running")


def test_a_payment_is_foreign_only_to_money_that_runs_a_service():
    payment = Topics.of("补贴实际发放人数占应享受补贴人数的比率", row=True)
    assert foreign(payment, Topics.of("用于保障日常办公需要"), outcome=False) == Mismatch(["补贴发放"], "running")
    assert foreign(payment, Topics.of("城乡居民保险代办员补助"), outcome=False) == Mismatch(["补贴发放"], "running")
    assert foreign(payment, Topics.of("确保城乡居民养老保险工作的顺利进行"), outcome=False) is None
    # the agents' own subsidy is paid (发放) by this money
    assert foreign(payment, Topics.of("用于发放城乡居民保险代办员补贴"), outcome=False) is None


def test_the_people_a_service_serves_are_its_outcome_not_its_output():
    agents = Topics.of("用于发放城乡居民保险代办员补贴")
    retirees = Topics.of("城乡居民养老保险退休人数", row=True)
    assert foreign(retirees, agents, outcome=False) == Mismatch(["养老金领取"], "running")
    assert foreign(Topics.of("城乡居民退休人员满意度", row=True), agents, outcome=True) is None


def test_a_population_alone_is_judged_against_the_projects():
    enterprises = Topics.of("企业满意度", row=True)
    assert foreign(enterprises, Topics.of("财政代缴城乡居民养老保险补助"), outcome=True) == Mismatch(["企业"], "area")
    assert foreign(enterprises, Topics.of("国有企业退休人员社会化管理"), outcome=True) is None


def test_another_part_of_the_programme():
    contribution = Topics.of("用于城乡居民保险个人缴费补贴")
    retirees = Topics.of("城乡居民退休人员满意度", row=True)
    assert foreign(retirees, contribution, outcome=True) == Mismatch(["养老金领取"], "part")


def test_nothing_named_is_not_judged():
    assert foreign(Topics.of("覆盖率", row=True), Topics.of("社保卡制卡经费"), outcome=False) is None
    assert foreign(Topics.of("退休人数", row=True), Topics.of("流动人员档案管理"), outcome=False) is None
