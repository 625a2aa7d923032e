"""The screening protocol: stages, reviewers and their roles, exclusion reasons, double screening.

A :class:`ScreeningProtocol` is what the review's protocol fixes before screening starts, as the
Cochrane Handbook (chapter 4) and PRISMA 2020 item 8 ask: who screens, who resolves
disagreements, which exclusion reasons are allowed at each stage, what share of records two
reviewers screen independently (with the seed of the random sample), and the agreement (Cohen's
kappa) that must be reached before single screening is accepted. The CLI builds it from the
project's ``evsynth.toml`` with :meth:`ScreeningProtocol.from_mapping`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from evsynth._core.errors import EvsynthError, choice_error
from evsynth.screening.sampling import Fraction, check_fraction, double_screening_sample

Stage = Literal["title_abstract", "full_text"]
STAGES: tuple[Stage, ...] = ("title_abstract", "full_text")

ReviewerRole = Literal["lead", "screener", "arbiter"]
REVIEWER_ROLES: tuple[ReviewerRole, ...] = ("lead", "screener", "arbiter")


def check_stage(stage: object) -> Stage:
    """``stage`` as a :data:`Stage`, or an error listing the stages."""
    if stage not in STAGES:
        raise choice_error("stage", stage, STAGES)
    return stage


@dataclass(frozen=True, slots=True)
class Reviewer:
    """A member of the review team and the roles they hold.

    Parameters
    ----------
    name : str
        The name or initials used in decision events (``"ASc"``).
    roles : tuple of {"lead", "screener", "arbiter"}
        ``screener`` screens records; ``arbiter`` is the third reviewer who resolves a
        conflict between screeners; ``lead`` reveals blinded decisions. One person may hold
        several roles (a lead who also screens).
    """

    name: str
    roles: tuple[ReviewerRole, ...] = ("screener",)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise EvsynthError(f"reviewer name {self.name!r} must be a non-empty string")
        if isinstance(self.roles, str):
            object.__setattr__(self, "roles", (self.roles,))
        for role in self.roles:
            if role not in REVIEWER_ROLES:
                raise choice_error(f"role of reviewer {self.name!r}", role, REVIEWER_ROLES)
        if not self.roles:
            raise EvsynthError(
                f"reviewer {self.name!r} has no role", hint="give one of lead, screener, arbiter"
            )
        object.__setattr__(self, "roles", tuple(dict.fromkeys(self.roles)))

    def has_role(self, role: ReviewerRole) -> bool:
        return role in self.roles


def _freeze_reasons(reasons: Mapping[Any, Iterable[str]]) -> Mapping[Stage, tuple[str, ...]]:
    out: dict[Stage, tuple[str, ...]] = {}
    for stage, values in reasons.items():
        if isinstance(values, str):
            raise EvsynthError(
                f"exclusion reasons for {stage!r} must be a list of strings, not one string",
                hint=f'write {stage} = ["{values}"]',
            )
        cleaned = tuple(str(v).strip() for v in values)
        if any(not v for v in cleaned):
            raise EvsynthError(f"an exclusion reason for {stage!r} is empty")
        if len(set(cleaned)) != len(cleaned):
            raise EvsynthError(f"exclusion reasons for {stage!r} repeat a reason: {cleaned}")
        out[check_stage(stage)] = cleaned
    return MappingProxyType(out)


def _freeze_fractions(value: Fraction | Mapping[Any, Fraction]) -> Mapping[Stage, Fraction]:
    if isinstance(value, Mapping):
        given = {check_stage(stage): check_fraction(f) for stage, f in value.items()}
        return MappingProxyType({stage: given.get(stage, "all") for stage in STAGES})
    fraction = check_fraction(value)
    return MappingProxyType(dict.fromkeys(STAGES, fraction))


def _roles(value: object) -> tuple[ReviewerRole, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, Iterable):
        raise EvsynthError(f'reviewer roles {value!r} must be a list such as ["screener"]')
    roles: list[ReviewerRole] = []
    for role in values:
        if role not in REVIEWER_ROLES:
            raise choice_error("reviewer role", role, REVIEWER_ROLES)
        roles.append(role)
    return tuple(roles)


@dataclass(frozen=True, slots=True)
class ScreeningProtocol:
    """What the protocol fixes about screening; every decision event is checked against it.

    Parameters
    ----------
    reviewers : tuple of Reviewer
        The team. At least one screener; the double rule also needs an arbiter to resolve
        conflicts.
    stages : tuple of {"title_abstract", "full_text"}, optional
        The screening stages in order; both by default.
    exclusion_reasons : mapping of stage to tuple of str, optional
        The allowed exclusion reasons per stage, in priority order: when two reviewers give
        different reasons, the one listed first is counted (a common convention that keeps the
        counts independent of who screened). A stage without a list accepts any reason.
    double_screening : "all", float or mapping of stage to either, optional
        The share of records that two reviewers screen independently at each stage: ``"all"``
        or a fraction in (0, 1], e.g. 0.2 for 20% at title/abstract. A single value applies to
        every stage; a mapping leaves unnamed stages at ``"all"``.
    seed : int, optional
        Seed of the random double-screening sample (:func:`double_screening_sample`).
    kappa_threshold : float, optional
        The Cohen's kappa the double-screened sample must reach (0.7 in the seed review); None
        when the protocol sets none.
    reason_required_title_abstract : bool, optional
        Whether an exclusion at title/abstract needs a reason. A full-text exclusion always
        does (PRISMA 2020 item 16a reports them).
    """

    reviewers: tuple[Reviewer, ...]
    stages: tuple[Stage, ...] = STAGES
    exclusion_reasons: Mapping[Stage, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    double_screening: Mapping[Stage, Fraction] = field(
        default_factory=lambda: MappingProxyType(dict.fromkeys(STAGES, "all"))
    )
    seed: int = 0
    kappa_threshold: float | None = None
    reason_required_title_abstract: bool = False

    def __post_init__(self) -> None:
        reviewers = tuple(self.reviewers)
        if not reviewers:
            raise EvsynthError("the screening protocol names no reviewers")
        names = [r.name for r in reviewers]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise EvsynthError(f"reviewer names must be unique; repeated: {', '.join(repeated)}")
        if not any(r.has_role("screener") for r in reviewers):
            raise EvsynthError(
                "the screening protocol has no screener",
                hint="give at least one reviewer the role 'screener'",
            )
        object.__setattr__(self, "reviewers", reviewers)
        stages = tuple(check_stage(s) for s in self.stages)
        if not stages or len(set(stages)) != len(stages):
            raise EvsynthError(f"stages {stages} must be one or both of {', '.join(STAGES)}")
        object.__setattr__(self, "stages", tuple(s for s in STAGES if s in stages))
        object.__setattr__(self, "exclusion_reasons", _freeze_reasons(self.exclusion_reasons))
        object.__setattr__(self, "double_screening", _freeze_fractions(self.double_screening))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise EvsynthError(f"seed={self.seed!r} must be an integer")
        threshold = self.kappa_threshold
        if threshold is not None and (
            isinstance(threshold, bool) or not isinstance(threshold, int | float)
        ):
            raise EvsynthError(f"kappa_threshold={threshold!r} must be a number such as 0.7")
        if threshold is not None and not -1.0 <= threshold <= 1.0:
            raise EvsynthError(
                f"kappa_threshold={self.kappa_threshold!r} must lie between -1 and 1",
                hint="0.6 or 0.7 are usual",
            )

    # -- reviewers -----------------------------------------------------------------------
    def reviewer(self, name: str) -> Reviewer:
        """The reviewer called ``name``; an error lists the team if there is none."""
        for reviewer in self.reviewers:
            if reviewer.name == name:
                return reviewer
        raise EvsynthError(
            f"reviewer {name!r} is not in the screening protocol; "
            f"known reviewers: {', '.join(r.name for r in self.reviewers)}",
            hint="add them to [screening.reviewers] in evsynth.toml",
        )

    def with_role(self, role: ReviewerRole) -> tuple[str, ...]:
        """Names of the reviewers holding ``role``."""
        return tuple(r.name for r in self.reviewers if r.has_role(role))

    # -- reasons -------------------------------------------------------------------------
    def reasons(self, stage: Stage) -> tuple[str, ...]:
        """The allowed exclusion reasons at ``stage`` (empty: any reason is accepted)."""
        return self.exclusion_reasons.get(check_stage(stage), ())

    def requires_reason(self, stage: Stage) -> bool:
        """Whether an exclusion at ``stage`` must give a reason."""
        return check_stage(stage) == "full_text" or self.reason_required_title_abstract

    # -- double screening ----------------------------------------------------------------
    def double_screened(self, stage: Stage, record_ids: Collection[str]) -> frozenset[str]:
        """The records two reviewers screen at ``stage``: the protocol's seeded sample."""
        return double_screening_sample(
            record_ids, self.double_screening[check_stage(stage)], self.seed
        )

    # -- configuration -------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> ScreeningProtocol:
        """Build the protocol from the ``[screening]`` table of ``evsynth.toml``.

        Parameters
        ----------
        config : mapping
            Keys ``reviewers`` (a table of name to a list of roles), and optionally
            ``stages``, ``exclusion_reasons`` (a table of stage to a list of reasons),
            ``double_screening`` ("all", a fraction, or a table of stage to either), ``seed``,
            ``kappa_threshold`` and ``reason_required_title_abstract``.

        Examples
        --------
        >>> protocol = ScreeningProtocol.from_mapping({
        ...     "reviewers": {"ASc": ["lead", "screener"], "AB": ["screener"], "JL": ["arbiter"]},
        ...     "exclusion_reasons": {"full_text": ["population", "study design"]},
        ...     "double_screening": {"title_abstract": 0.2, "full_text": "all"},
        ...     "seed": 2019,
        ...     "kappa_threshold": 0.7,
        ... })
        >>> protocol.with_role("screener")
        ('ASc', 'AB')
        """
        known = {
            "reviewers",
            "stages",
            "exclusion_reasons",
            "double_screening",
            "seed",
            "kappa_threshold",
            "reason_required_title_abstract",
        }
        unknown = sorted(set(config) - known)
        if unknown:
            raise EvsynthError(
                f"unknown screening setting(s): {', '.join(unknown)}; "
                f"choose from {', '.join(sorted(known))}"
            )
        raw_reviewers = config.get("reviewers")
        if not isinstance(raw_reviewers, Mapping) or not raw_reviewers:
            raise EvsynthError(
                "[screening] needs a 'reviewers' table of name = [roles]",
                hint='e.g. reviewers = { ASc = ["lead", "screener"], AB = ["screener"] }',
            )
        reviewers = tuple(
            Reviewer(str(name), _roles(roles)) for name, roles in raw_reviewers.items()
        )
        options: dict[str, Any] = {}
        for key in ("stages", "exclusion_reasons", "double_screening", "seed", "kappa_threshold"):
            if key in config:
                options[key] = config[key]
        if "stages" in options:
            options["stages"] = tuple(options["stages"])
        if "reason_required_title_abstract" in config:
            options["reason_required_title_abstract"] = bool(
                config["reason_required_title_abstract"]
            )
        return cls(reviewers=reviewers, **options)
