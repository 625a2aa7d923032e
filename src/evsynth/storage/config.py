"""The review project's ``evsynth.toml``: read with tomllib, validated by one pydantic model.

Unknown keys are refused (a typo would otherwise be ignored silently); every error names the
file, the key and what is expected.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


class Protocol(_Strict):
    """PICOS criteria as the protocol states them (shown to reviewers while screening)."""

    population: str = ""
    intervention: str = ""
    comparator: str = ""
    outcomes: str = ""
    study_design: str = ""
    setting: str = ""
    exclusion_criteria: list[str] = Field(default_factory=list)


class Reviewer(_Strict):
    name: str = Field(min_length=1)
    role: Literal["lead", "screener", "arbiter"] = "screener"


class ScreeningConfig(_Strict):
    """Screening rules: who screens, how much is screened twice, and the agreement required."""

    reviewers: list[Reviewer] = Field(default_factory=list)
    double_screening: float | Literal["all"] = 0.2
    double_screening_seed: int = 0
    kappa_threshold: float = Field(default=0.7, ge=-1, le=1)
    blind: bool = True
    reason_required_title_abstract: bool = False
    reasons_title_abstract: list[str] = Field(default_factory=list)
    reasons_full_text: list[str] = Field(default_factory=list)


class StorageConfig(_Strict):
    """``url``: a SQLAlchemy URL (e.g. postgresql+psycopg://...) instead of evsynth.db."""

    url: str | None = None


class Analyses(_Strict):
    meta: list[MetaAnalysisSpec] = Field(default_factory=list)


class ProjectConfig(_Strict):
    project: ProjectInfo
    protocol: Protocol = Field(default_factory=Protocol)
    screening: ScreeningConfig = Field(default_factory=ScreeningConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
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
