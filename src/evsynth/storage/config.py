"""The review project's ``evsynth.toml``: read with tomllib, validated by one pydantic model.

Unknown keys are refused (a typo would otherwise be ignored silently); every error names the
file, the key and what is expected.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evsynth._core.errors import DataError, EvsynthError, InputLocation

CONFIG_NAME = "evsynth.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProjectInfo(_Strict):
    title: str
    registration: str | None = None
    description: str | None = None


class MetaAnalysisSpec(_Strict):
    """One pairwise meta-analysis: a CSV of study data and the model options."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    data: str
    source: str | None = None
    outcome: str | None = None
    measure: Literal["SMD", "MD", "OR", "RR", "RD", "GEN"] = "GEN"
    method: Literal["FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"] = "REML"
    test: Literal["z", "knha"] = "z"
    prediction: Literal["metafor", "hts"] = "metafor"
    lower_is_better: bool = False
    level: float = Field(default=0.95, gt=0, lt=1)
    effect_label: str | None = None
    favours: tuple[str, str] = ("Favours control", "Favours intervention")


class NmaSpec(_Strict):
    """One frequentist network meta-analysis, or a grid of them (one per outcome and time point).

    ``data`` is a CSV of contrasts (``studlab, treat1, treat2, TE, seTE``) or arms (``study,
    treatment`` and ``events, n`` or ``mean, sd, n``, with ``measure``). ``higher_is_better``
    sets the direction of the P-scores: one value, or (for a grid) one per outcome. With
    ``grid = true`` the CSV also has ``outcome_column`` and ``timepoint_column``; ``outcomes``
    and ``timepoints`` fix the order of the grid (and list cells that have no data).
    """

    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    data: str
    reference: str
    higher_is_better: bool | dict[str, bool]
    source: str | None = None
    outcome: str | None = None
    measure: Literal["SMD", "MD", "OR", "RR", "RD", "GEN"] = "GEN"
    model: Literal["common", "random"] = "random"
    method: Literal["DL", "REML"] = "DL"
    level: float = Field(default=0.95, gt=0, lt=1)
    effect_label: str | None = None
    grid: bool = False
    outcome_column: str = "outcome"
    timepoint_column: str = "timepoint"
    outcomes: list[str] | None = None
    timepoints: list[str] | None = None

    @model_validator(mode="after")
    def _one_direction_unless_grid(self) -> NmaSpec:
        if isinstance(self.higher_is_better, dict) and not self.grid:
            raise ValueError(
                "higher_is_better takes one value per outcome only with grid = true; give "
                "true or false"
            )
        return self


class Protocol(_Strict):
    """PICOS criteria as the protocol states them (shown to reviewers while screening)."""

    population: str = ""
    intervention: str = ""
    comparator: str = ""
    outcomes: str = ""
    study_design: str = ""
    setting: str = ""
    exclusion_criteria: list[str] = Field(default_factory=list)


class SearchSpec(_Strict):
    """One database export to import (``evsynth run`` imports each file once)."""

    file: str
    database: str | None = None
    date: str | None = None
    method: Literal["database", "register", "other"] = "database"
    format: str | None = None


class DecisionLogSpec(_Strict):
    file: str
    stage: Literal["title_abstract", "full_text"]


class HistorySpec(_Strict):
    """Recorded review work to replay (a screening history, e.g. moved from another tool).

    ``duplicates``: reviewer decisions on duplicate pairs (record_key, database,
    duplicate_of_key, duplicate_of_database, reviewer); ``decisions``: decision-event tables;
    ``studies``: report-to-study links (report_key, database, study_id).
    """

    duplicates: str | None = None
    decisions: list[DecisionLogSpec] = Field(default_factory=list)
    studies: str | None = None


class StorageConfig(_Strict):
    """``url``: a SQLAlchemy URL (e.g. postgresql+psycopg://...) instead of evsynth.db."""

    url: str | None = None


class Analyses(_Strict):
    meta: list[MetaAnalysisSpec] = Field(default_factory=list)
    nma: list[NmaSpec] = Field(default_factory=list)


class ProjectConfig(_Strict):
    project: ProjectInfo
    protocol: Protocol = Field(default_factory=Protocol)
    # The [screening] table is validated by ScreeningProtocol.from_mapping (screening layer),
    # plus ``blind`` (default true), which the storage layer enforces.
    screening: dict[str, Any] = Field(default_factory=dict)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    searches: list[SearchSpec] = Field(default_factory=list)
    history: HistorySpec = Field(default_factory=HistorySpec)
    analyses: Analyses = Field(default_factory=Analyses)


def load_config(folder: Path) -> ProjectConfig:
    """Read and validate ``folder/evsynth.toml``."""
    path = folder / CONFIG_NAME
    if not path.is_file():
        raise EvsynthError(
            f"{folder} has no {CONFIG_NAME}",
            hint="A review project is a folder with an evsynth.toml; see examples/pps-review",
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML ({exc})", location=InputLocation(file=str(path))) from None
    try:
        return ProjectConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise DataError(
            f"{first['msg']}",
            location=InputLocation(file=str(path), field=key),
            hint=f"{exc.error_count()} problem(s) in all; fix the key named here first",
        ) from None
