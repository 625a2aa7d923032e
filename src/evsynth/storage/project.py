"""A review project is a folder: ``evsynth.toml`` + ``evsynth.db`` + ``files/`` + ``exports/``.

The database URL defaults to the SQLite file in the folder; ``[storage] url`` in evsynth.toml
(or the ``EVSYNTH_DATABASE_URL`` environment variable) points a team at PostgreSQL instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from evsynth._core.errors import EvsynthError
from evsynth.screening import ScreeningProtocol
from evsynth.storage.config import CONFIG_NAME, ProjectConfig, load_config
from evsynth.storage.db import open_database, sqlite_url

DB_NAME = "evsynth.db"

TEMPLATE = """# evsynth review project: protocol and analyses.
[project]
title = {title}
{registration}
[protocol]
# PICOS inclusion and exclusion criteria, as the protocol states them.
population = ""
intervention = ""
comparator = ""
outcomes = ""
study_design = ""
exclusion_criteria = []

[screening]
reviewers = {{ {lead} = ["lead", "screener"] }}
double_screening = {{ title_abstract = 0.2, full_text = "all" }}
seed = 2019
kappa_threshold = 0.7
blind = true
reason_required_title_abstract = false

[screening.exclusion_reasons]
title_abstract = ["Population", "Intervention", "Comparator", "Outcome", "Study design"]
full_text = ["Population", "Intervention", "Comparator", "Outcome", "Study design", "Setting"]
"""


@dataclass(frozen=True, slots=True)
class Project:
    """An open review project."""

    folder: Path
    config: ProjectConfig
    url: str
    sessions: sessionmaker[Session]

    def protocol(self) -> ScreeningProtocol:
        """The screening protocol from the ``[screening]`` table."""
        table = {k: v for k, v in self.config.screening.items() if k != "blind"}
        if not table:
            raise EvsynthError(
                f"{self.folder / CONFIG_NAME} has no [screening] table",
                hint="Add reviewers and exclusion reasons; `evsynth init` writes a template",
            )
        return ScreeningProtocol.from_mapping(table)

    @property
    def blind(self) -> bool:
        return bool(self.config.screening.get("blind", True))

    @property
    def files(self) -> Path:
        return self.folder / "files"

    @property
    def exports(self) -> Path:
        return self.folder / "exports"


def database_url(folder: Path, config: ProjectConfig) -> str:
    env = os.environ.get("EVSYNTH_DATABASE_URL")
    if env:
        return env
    if config.storage.url:
        return config.storage.url
    return sqlite_url(folder / DB_NAME)


def init_project(
    folder: Path, *, title: str, lead: str, registration: str | None = None
) -> Project:
    """Create a project folder with a protocol template and an empty, migrated database."""
    if (folder / CONFIG_NAME).exists():
        raise EvsynthError(
            f"{folder} already holds a project ({CONFIG_NAME} exists)",
            hint="Open it instead, or choose another folder",
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "files").mkdir(exist_ok=True)
    (folder / "exports").mkdir(exist_ok=True)
    reg = f"registration = {_toml_string(registration)}\n" if registration else ""
    text = TEMPLATE.format(title=_toml_string(title), registration=reg, lead=_toml_string(lead))
    (folder / CONFIG_NAME).write_text(text, encoding="utf-8")
    return open_project(folder)


def _toml_string(value: str) -> str:
    """``value`` as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = ['"']
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def open_project(folder: Path) -> Project:
    """Open an existing project folder (migrating its database to the current schema)."""
    config = load_config(folder)
    url = database_url(folder, config)
    return Project(folder=folder, config=config, url=url, sessions=open_database(url))
