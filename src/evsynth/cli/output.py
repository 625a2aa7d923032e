"""Shared output options (``--json``, ``--csv``, ``--table``) and rendering, for every command.

JSON and CSV go to stdout; messages and progress go to stderr, so scripts can pipe results.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from evsynth._core.summary import Summary, format_number

stderr = Console(stderr=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object to stdout.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print a CSV table to stdout.")]
TableOption = Annotated[
    bool, typer.Option("--table", help="Print a plain-text table (the default).")
]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            return _clean(value.item())
        except (ValueError, AttributeError):
            return value
    return value


def print_json(payload: dict[str, Any]) -> None:
    """Write one JSON object to stdout; NaN and infinities become null."""
    sys.stdout.write(json.dumps(_clean(payload), indent=2, allow_nan=False) + "\n")


def print_csv(frame: pd.DataFrame) -> None:
    frame.to_csv(sys.stdout, index=False, lineterminator="\n")


def print_summary(summary: Summary) -> None:
    """Render a Summary as a rich table on stdout."""
    console = Console()
    table = Table(title=summary.title, title_justify="left")
    for i, col in enumerate(summary.columns):
        table.add_column(str(col), justify="left" if i == 0 else "right")
    for row in summary.rows:
        table.add_row(*[format_number(v) for v in row])
    console.print(table)
    for note in summary.notes:
        console.print(note, highlight=False)
