"""The one error kpiscore reports about an input file."""

from __future__ import annotations


class InputError(Exception):
    """A file kpiscore cannot read; the message says what is wrong in one line."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem
