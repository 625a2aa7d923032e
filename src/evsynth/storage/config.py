"""The review project's ``evsynth.toml``: read with tomllib, validated by one pydantic model.

Unknown keys are refused (a typo would otherwise be ignored silently); every error names the
file, the key and what is expected.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

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
    and ``timepoints`` fix the order of the grid (and list cells that have no data). With
    ``bayes = true`` the Bayesian NMA of the same data (``model`` random, or fixed effect for
    common) is shown beside the frequentist one; ``seed`` (default 2024) makes it reproducible.
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
    # bayes = true: also the Bayesian NMA (NICE DSU TSD2; exact for normal likelihoods, MCMC
    # for binomial), shown beside the frequentist results; seed for its Monte Carlo parts.
    bayes: bool = False
    seed: int = Field(default=2024, ge=0)

    @model_validator(mode="after")
    def _one_direction_unless_grid(self) -> NmaSpec:
        if isinstance(self.higher_is_better, dict) and not self.grid:
            raise ValueError(
                "higher_is_better takes one value per outcome only with grid = true; give "
                "true or false"
            )
        return self


class EconomicsSpec(_Strict):
    """One economic evaluation: a within-trial cost-utility analysis, or PSA draws.

    Within-trial: ``responses`` (a CSV, one row per patient and assessment: ``patient``,
    ``arm``, ``time`` and the SF-36 or SF-12 items) and ``costs`` (one row per patient:
    ``patient``, ``cost``); SF-6D utilities, QALYs by area under the curve (discounted), the
    baseline-utility adjustment and a seeded bootstrap (``n_boot``, ``seed``).
    ``sf12_sensitivity = true`` repeats the analysis with the SF-12 items inside the SF-36.
    PSA: ``draws`` (a CSV: ``draw, strategy, cost, effect``). Either way ``reference`` is the
    strategy evaluated and ``thresholds`` the willingness to pay per QALY.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    reference: str
    responses: str | None = None
    costs: str | None = None
    draws: str | None = None
    source: str | None = None
    description: str | None = None
    instrument: Literal["sf36", "sf12"] = "sf36"
    version: Literal[1, 2] = 1
    sf12_most_vitality: Literal[4, 5] = 4
    sf12_sensitivity: bool = False
    patient: str = "patient"
    arm: str = "arm"
    time: str = "time"
    time_unit: Literal["months", "years", "weeks", "days"] = "months"
    cost: str = "cost"
    discount_rate: float = Field(default=0.035, ge=0, lt=1)
    discounting: Literal["annual", "continuous"] = "annual"
    adjust_baseline: bool = True
    n_boot: int = Field(default=10000, ge=100)
    seed: int = Field(default=2024, ge=0)
    thresholds: list[float] = Field(default_factory=lambda: [20000.0, 30000.0], min_length=1)
    currency: str = "£"

    @model_validator(mode="after")
    def _trial_or_draws(self) -> EconomicsSpec:
        trial = self.responses is not None or self.costs is not None
        if trial == (self.draws is not None):
            raise ValueError(
                "give either responses and costs (a within-trial analysis) or draws (PSA), "
                "not both or neither"
            )
        if trial and (self.responses is None or self.costs is None):
            raise ValueError("a within-trial analysis needs both responses and costs")
        if self.sf12_sensitivity and self.instrument != "sf36":
            raise ValueError('sf12_sensitivity needs instrument = "sf36"')
        if any(k < 0 for k in self.thresholds):
            raise ValueError("thresholds must be amounts of at least 0")
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
    # [[analyses.economics]] (a list); one [analyses.economics] table is accepted as a list of one.
    economics: list[EconomicsSpec] = Field(default_factory=list)

    @field_validator("economics", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value


class StudyTableSpec(_Strict):
    """A study-characteristics table: a CSV with a ``study`` column (an included study id)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    file: str
    source: str | None = None
    note: str | None = None
    # Columns kept as data but not shown (e.g. numbers behind a "Sample" column).
    hidden: list[str] = Field(default_factory=list)


class QualitativeSpec(_Strict):
    """``[qualitative]``: the files of the appraisal, extraction and qualitative synthesis.

    ``studies`` lists the included studies and their reports (TOML); ``framework`` is a
    built-in extraction framework or a TOML file; ``checklists`` adds the project's own
    checklist files; ``appraisals`` are appraisal files (TOML); ``excerpts`` a CSV of verbatim
    excerpts; ``coding`` a TOML of codes, codings, sub-themes and themes; ``findings`` a TOML
    of GRADE-CERQual review findings; ``tables`` study-characteristics tables.
    """

    studies: str
    title: str = "Qualitative evidence synthesis"
    framework: str | None = None
    checklists: list[str] = Field(default_factory=list)
    appraisals: list[str] = Field(default_factory=list)
    excerpts: str | None = None
    coding: str | None = None
    findings: str | None = None
    tables: list[StudyTableSpec] = Field(default_factory=list)
    note: str | None = None


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
    qualitative: QualitativeSpec | None = None


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
