"""Documentation coverage: every CLI command and every public name appears in the docs."""

from __future__ import annotations

from pathlib import Path

import evsynth
from evsynth.cli.app import app

ROOT = Path(__file__).resolve().parents[2]


def test_every_cli_command_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    names = [c.name for c in app.registered_commands]
    assert names, "no commands registered"
    for name in names:
        assert f"`evsynth {name}" in text, f"docs/cli.md does not document `evsynth {name}`"


def test_every_public_name_is_in_the_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for name in evsynth.__all__:
        if name.startswith("_") or name in ("DataError", "EvsynthError"):
            continue
        assert name in text, f"CHANGELOG.md does not mention {name}"
