"""Exceptions raised by patrolplan's library code.

Only :func:`patrolplan.cli.main` turns these into a message and an exit code; anything else
that escapes is a bug.
"""

from __future__ import annotations


class PatrolPlanError(Exception):
    """Base class of every error patrolplan raises on purpose."""


class DataError(PatrolPlanError):
    """Bad input: a config or table that cannot be used as it is (exit code 2).

    ``problems`` holds one line per problem found, each naming the file, the row or id, the
    column and the fix. All problems of a file are collected before raising.
    """

    def __init__(self, problems: list[str] | str, *, source: str | None = None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        if len(self.problems) == 1:
            message = head + self.problems[0]
        else:
            message = head + f"{len(self.problems)} problems:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(message)


class UsageError(PatrolPlanError):
    """Bad use of the command line or API (exit code 2)."""
