"""A display table for ``summary()``: text for terminals, HTML for notebooks and reports."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field


def format_number(value: object, digits: int = 4) -> str:
    """Format a cell: floats to ``digits`` significant places, missing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value != 0 and (abs(value) < 1e-4 or abs(value) >= 1e6):
            return f"{value:.{digits - 1}e}"
        return f"{value:.{digits}f}"
    return str(value)


@dataclass(frozen=True, slots=True)
class Summary:
    """A titled table with notes; what ``summary()`` returns everywhere in evsynth."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    notes: Sequence[str] = field(default_factory=tuple)

    def as_text(self) -> str:
        cells = [[format_number(v) for v in r] for r in self.rows]
        widths = [
            max([len(str(c))] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)
        ]
        line = "  ".join(str(c).rjust(w) for c, w in zip(self.columns, widths, strict=True))
        out = [self.title, "=" * max(len(self.title), len(line)), line, "-" * len(line)]
        for r in cells:
            out.append("  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)))
        out.extend(self.notes)
        return "\n".join(out)

    def as_html(self) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(format_number(v))}</td>" for v in r) + "</tr>"
            for r in self.rows
        )
        notes = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in self.notes)
        return (
            f"<table class='evsynth-summary'><caption>{html.escape(self.title)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}"
        )

    def _repr_html_(self) -> str:
        return self.as_html()

    def __str__(self) -> str:
        return self.as_text()
