"""kpiscore's own errors: each one line a reviewer can read, naming what it is about.

Everything kpiscore reports to a user is one of these; the CLI prints `kpiscore: LINE` and
exits 2. Anything else that escapes is a bug.
"""

from __future__ import annotations


class KpiscoreError(Exception):
    """An error with a one-line message naming its subject (a file, an option)."""

    def __init__(self, subject: str, problem: str) -> None:
        super().__init__(f"{subject}: {problem}" if subject else problem)
        self.subject = subject
        self.problem = problem

    @property
    def line(self) -> str:
        """The message on one line (a newline inside a problem text is folded)."""
        return " ".join(str(self).split())


class InputError(KpiscoreError):
    """A file kpiscore cannot read: damaged, too large, of no known format, or holding no
    performance table; also a settings or template file that is not valid."""

    @property
    def source(self) -> str:
        return self.subject


class UsageError(KpiscoreError):
    """Options that do not fit together, an unknown rule or format."""


class ModelError(KpiscoreError):
    """A classifier file that is missing, damaged or made by another version."""


class OutputError(KpiscoreError):
    """A file kpiscore cannot write, or may not (it would overwrite an input)."""
