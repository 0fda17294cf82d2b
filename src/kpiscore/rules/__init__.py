"""The rules: every check kpiscore runs, and how to select and run them.

Each rule is a small class with a code, a category, a severity, the field its findings
are about and a check; its texts (title, what it flags, why, the fix, examples) are in
lexicons/rule_docs.toml (see `kpiscore rules`). The modules group them by what they look at.
"""

from __future__ import annotations

from collections.abc import Iterable
from kpiscore.findings import Finding, in_order
from kpiscore.messages import text
from kpiscore.rules import (basis_rules, category_rules, cost_rules, placeholder_rules, table_rules,
                            text_rules, value_rules)
from kpiscore.rules.base import Context, Example, Rule

RULES: tuple[Rule, ...] = (*placeholder_rules.RULES, *value_rules.RULES, *text_rules.RULES,
                           *category_rules.RULES, *basis_rules.RULES, *cost_rules.RULES,
                           *table_rules.RULES)
BY_CODE = {rule.code: rule for rule in RULES}

__all__ = ["BY_CODE", "RULES", "Context", "Example", "Rule", "run", "select"]


def _matches(code: str, category: str, selectors: Iterable[str]) -> bool:
    """A selector is a code ("TXT-01"), a code prefix ("TXT", "VAL-1", "ML") or a category."""
    return any(code.startswith(s.upper()) or category == s.upper() for s in selectors)


def select(include: Iterable[str] | None = None, exclude: Iterable[str] = (),
           model_codes: Iterable[tuple[str, str]] = ()) -> tuple[list[Rule], set[str]]:
    """The rules matching `include` (all when empty) and not `exclude`, and the categories
    whose model findings are wanted, of the model's (code, category) pairs (ML-ECHO, ECHO)."""
    include, exclude, model_codes = list(include or []), list(exclude), list(model_codes)
    known = [(rule.code, rule.category) for rule in RULES] + model_codes
    for selector in include + exclude:
        if not any(_matches(code, category, [selector]) for code, category in known):
            raise ValueError(text("rules", "unknown", selector=selector))
    wanted = lambda code, category: ((not include or _matches(code, category, include))
                                     and not _matches(code, category, exclude))
    return ([rule for rule in RULES if wanted(rule.code, rule.category)],
            {category for code, category in model_codes if wanted(code, category)})


def run(context: Context, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """All findings of `rules` on the context's document, in document order."""
    return in_order(finding for rule in rules for finding in rule.findings(context))


