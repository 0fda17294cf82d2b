"""Amounts of money in free text (资金用途, 项目说明), and a project's budget in 万元."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kpiscore import lexicon
from kpiscore.memo import nfkc, per_document
from kpiscore.model import Project

_AMOUNT = re.compile(r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>亿元|万元|元|万)(?![/每])")
TO_WAN = {"元": 1e-4, "万": 1.0, "万元": 1.0, "亿元": 1e4}  # 万元 per unit of money
_FORMULA = re.compile(
    r"(?P<expression>\d+(?:[.,]\d+)*(?:\s*[×xX*+＋\-]\s*\d+(?:[.,]\d+)*)+)\s*[=＝]\s*"
    r"(?P<result>\d+(?:,\d{3})*(?:\.\d+)?)")


def _halfwidth(text: str | None) -> str:
    """Full-width digits and points as ASCII (NFKC): "４．４万元" is 4.4 万元, where `\\d`
    alone would match the "４" and stop at the full-width point."""
    return nfkc(text or "")


@dataclass(frozen=True)
class Amount:
    wan: float
    text: str


def amounts(text: str | None) -> list[Amount]:
    """Every "40000 元", "16.7万元", "171万" in the text, in 万元 — but not unit amounts
    ("每人1500元", "人均2000元"), which are no part of a total."""
    text = _halfwidth(text)
    return [Amount(float(m["number"].replace(",", "")) * TO_WAN[m["unit"]], m[0])
            for m in _AMOUNT.finditer(text) if not is_per_unit(text[max(0, m.start() - 3):m.start()])]


def is_per_unit(text: str) -> bool:
    """Whether words say an amount is per person, per item … (money.toml `per_unit`)."""
    return any(word in text for word in lexicon.table("money.toml")["per_unit"])


@per_document  # budget() asks it of the project's texts for every money row
def stated_total(text: str | None) -> Amount | None:
    """The amount that follows a total word (项目资金, 合计, 需经费 …), if the text has one."""
    text = _halfwidth(text)
    for word in lexicon.table("money.toml")["totals"]:
        for position in (m.end() for m in re.finditer(re.escape(word), text)):
            found = _AMOUNT.search(text, position, position + 12)
            if found:
                return amounts(found[0])[0]
    return None


def _evaluate(expression: str) -> float:
    """Sum of products: "10458×10+72×15" (only × + - appear in the documents)."""
    expression = re.sub(r"\s", "", expression).replace(",", "")
    total = 0.0
    for sign, term in re.findall(r"([+＋\-]?)([^+＋\-]+)", expression):
        product = 1.0
        for factor in re.split(r"[×xX*]", term):
            product *= float(factor)
        total += -product if sign == "-" else product
    return total


def formula_errors(text: str | None) -> list[str]:
    """Written sums whose stated result is wrong: "100×33+180×50=12300" is right."""
    wrong = []
    for match in _FORMULA.finditer(_halfwidth(text)):
        stated = float(match["result"].replace(",", ""))
        if abs(_evaluate(match["expression"]) - stated) > max(0.005 * stated, 0.01):
            wrong.append(match[0])
    return wrong


_HEADER_AMOUNT = re.compile(r"(?P<number>-?\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>亿元|万元|万|元)?")


def header_amount(text: str | None, unit: str) -> float | None:
    """A header-block amount in 万元: "250万", "164万元", "1,030,700.00" (in `unit`, the
    label's or table's 元 / 万元, when the cell names none); None when it has no number."""
    found = _HEADER_AMOUNT.search(_halfwidth(text))
    if not found:
        return None
    wan = float(found["number"].replace(",", "")) * TO_WAN[found["unit"] or unit]
    return round(wan, 6)


def budget(project: Project) -> float | None:
    """预算数 in 万元; without one, the total stated in 项目说明 or 资金用途."""
    if project.budget_wan:
        return project.budget_wan
    for text in (project.explanation, project.purpose):
        total = stated_total(text)
        if total:
            return total.wan
    return None


def wan_text(value: float | None) -> str:
    """An amount in 万元 as tables print it: 1,234.50, or empty when unknown."""
    return "" if value is None else f"{value:,.2f}"
