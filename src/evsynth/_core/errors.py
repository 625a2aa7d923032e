"""Errors that say what was wrong, where, and what to do next.

Every error a user can cause derives from :class:`EvsynthError`. The CLI and the
web app catch it and print its message (one line, exit status 2) instead of a
traceback; anything else reaching them is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InputLocation:
    """Where a problem sits in the user's input: file, line or row, and field."""

    file: str | None = None
    line: int | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"column '{self.field}'")
        return ", ".join(parts)


class EvsynthError(Exception):
    """A problem the user can fix; the message says what and how."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}. {self.hint}"
        return self.message


class DataError(EvsynthError, ValueError):
    """Input data are unusable: a missing column, a negative variance, text in a number column.

    Parameters
    ----------
    message : str
        What is wrong, e.g. ``"variance is negative (-0.2)"``.
    location : InputLocation, optional
        Where: file, line or row, column.
    hint : str, optional
        What to do next.
    """

    def __init__(
        self,
        message: str,
        *,
        location: InputLocation | None = None,
        hint: str | None = None,
    ) -> None:
        self.location = location
        super().__init__(message, hint=hint)

    def __str__(self) -> str:
        where = str(self.location) if self.location else ""
        head = f"{where}: {self.message}" if where else self.message
        if self.hint:
            return f"{head}. {self.hint}"
        return head


def choice_error(name: str, value: object, choices: list[str] | tuple[str, ...]) -> EvsynthError:
    """An error for an unknown option value that lists the valid choices."""
    return EvsynthError(
        f"{name}={value!r} is not known; choose one of {', '.join(map(str, choices))}"
    )
