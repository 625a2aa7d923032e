"""GRADE-CERQual: confidence in the findings of a qualitative evidence synthesis.

GRADE-CERQual (Lewin et al. 2015, doi:10.1371/journal.pmed.1001895; Lewin et al. 2018,
Implementation Science 13(Suppl 1):2, doi:10.1186/s13012-017-0688-3) judges each review finding
on four components, each with a level of concern and an explanation:

* methodological limitations of the contributing studies (Munthe-Kaas et al. 2018),
* coherence, adequacy of data, and relevance,

and then the overall confidence: high, moderate, low or very low, starting from high. CERQual
gives no algorithm for the overall judgement; evsynth suggests one that the reviewers may
override only with an explanation (:func:`suggest_confidence`), and pre-fills methodological
limitations from the appraisal of the contributing studies
(:func:`prefill_methodological_limitations`), marked as pre-filled for the reviewers to check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from evsynth._core.errors import EvsynthError
from evsynth._core.summary import Summary
from evsynth.appraisal import UnitRating
from evsynth.extraction import StudySet

Concern = Literal["no or very minor", "minor", "moderate", "serious"]
CONCERNS: tuple[Concern, ...] = ("no or very minor", "minor", "moderate", "serious")
Confidence = Literal["high", "moderate", "low", "very low"]
CONFIDENCE: tuple[Confidence, ...] = ("high", "moderate", "low", "very low")
COMPONENTS: tuple[str, ...] = ("methodological_limitations", "coherence", "adequacy", "relevance")
COMPONENT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "methodological_limitations": "Methodological limitations",
        "coherence": "Coherence",
        "adequacy": "Adequacy",
        "relevance": "Relevance",
    }
)


def _fold(value: str) -> str:
    return " ".join(str(value).replace("_", " ").replace("-", " ").split()).casefold()


def as_concern(value: str) -> Concern:
    """A level of concern from its name ("minor", "Minor concerns", "no or very minor")."""
    folded = _fold(value).removesuffix(" concerns").removesuffix(" concern")
    for level in CONCERNS:
        if folded == level:
            return level
    raise EvsynthError(
        f"level of concern {value!r} is not known; choose one of {', '.join(CONCERNS)}"
    )


def as_confidence(value: str) -> Confidence:
    """A confidence level from its name ("High", "very low", "Moderate confidence")."""
    folded = _fold(value).removesuffix(" confidence")
    for level in CONFIDENCE:
        if folded == level:
            return level
    raise EvsynthError(f"confidence {value!r} is not known; choose one of {', '.join(CONFIDENCE)}")


def concern_label(level: Concern) -> str:
    return {"no or very minor": "No or very minor concerns"}.get(
        level, f"{level.capitalize()} concerns"
    )


def confidence_label(level: Confidence) -> str:
    return f"{level.capitalize()} confidence"


@dataclass(frozen=True, slots=True)
class ComponentAssessment:
    """One CERQual component: a level of concern and the reviewers' explanation.

    ``prefilled`` marks a judgement evsynth wrote from the data (methodological limitations
    from the appraisals) and the reviewers have not replaced.
    """

    concern: Concern
    explanation: str
    prefilled: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "concern", as_concern(self.concern))
        if not isinstance(self.explanation, str) or not self.explanation.strip():
            raise EvsynthError(
                f"a judgement of {self.concern} concerns needs an explanation",
                hint="CERQual asks for the reason behind every component judgement",
            )

    def __str__(self) -> str:
        return f"{concern_label(self.concern)}: {self.explanation}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """A review finding: its summary, contributing studies and CERQual judgements.

    Parameters
    ----------
    id : str
        A unique id.
    summary : str
        The finding as the review states it.
    studies : tuple of str
        The contributing studies (at least one).
    reports : tuple of str, optional
        The reports cited for it, when it names reports rather than whole studies.
    perspective, sub_theme : str, optional
        Whose views it reports, and the sub-theme of the thematic synthesis it summarises.
    methodological_limitations, coherence, adequacy, relevance : ComponentAssessment, optional
        The four components; methodological limitations is pre-filled from the appraisals when
        left out.
    confidence : {"high", "moderate", "low", "very low"}, optional
        The reviewers' overall confidence. When it differs from the suggestion, or no
        suggestion is possible (a component is not judged), ``confidence_explanation`` is
        required.
    confidence_explanation : str, optional
        Why the reviewers' confidence is what it is.
    source, note : str, optional
        Where the finding is reported; a note.
    """

    id: str
    summary: str
    studies: tuple[str, ...]
    reports: tuple[str, ...] = ()
    perspective: str | None = None
    sub_theme: str | None = None
    methodological_limitations: ComponentAssessment | None = None
    coherence: ComponentAssessment | None = None
    adequacy: ComponentAssessment | None = None
    relevance: ComponentAssessment | None = None
    confidence: Confidence | None = None
    confidence_explanation: str | None = None
    source: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if not self.id.strip() or not self.summary.strip():
            raise EvsynthError(f"a review finding needs an id and a summary ({self.id!r})")
        object.__setattr__(self, "studies", tuple(dict.fromkeys(self.studies)))
        if not self.studies:
            raise EvsynthError(
                f"finding {self.id!r} has no contributing studies",
                hint="list the studies (or reports) whose data support it",
            )
        if self.confidence is not None:
            object.__setattr__(self, "confidence", as_confidence(self.confidence))
        text = self.confidence_explanation
        object.__setattr__(
            self, "confidence_explanation", text.strip() if text and text.strip() else None
        )

    def component(self, name: str) -> ComponentAssessment | None:
        if name not in COMPONENTS:
            raise EvsynthError(
                f"component {name!r} is not known; choose one of {', '.join(COMPONENTS)}"
            )
        value: ComponentAssessment | None = getattr(self, name)
        return value


def suggest_confidence(concerns: Mapping[str, Concern]) -> Confidence:
    """evsynth's suggested overall confidence from the four components' levels of concern.

    Start at high; go down one level for each component with serious concerns, and one level
    for two or more components with minor or moderate concerns; never below very low.

    .. math::

        d = n_{\\text{serious}} + [\\,n_{\\text{minor}} + n_{\\text{moderate}} \\ge 2\\,],
        \\qquad \\text{confidence} = (\\text{high}, \\text{moderate}, \\text{low},
        \\text{very low})_{\\min(d, 3)}

    CERQual itself asks for a judgement, not a score (Lewin et al. 2018, paper 2); this is a
    starting point the reviewers accept or override with an explanation.

    Examples
    --------
    >>> suggest_confidence({"methodological_limitations": "minor", "coherence": "minor",
    ...                     "adequacy": "no or very minor", "relevance": "serious"})
    'low'
    """
    missing = [c for c in COMPONENTS if c not in concerns]
    if missing:
        raise EvsynthError(f"a suggestion needs all four components; missing {', '.join(missing)}")
    levels = [as_concern(concerns[c]) for c in COMPONENTS]
    steps = levels.count("serious") + (
        1 if levels.count("minor") + levels.count("moderate") >= 2 else 0
    )
    return CONFIDENCE[min(steps, len(CONFIDENCE) - 1)]


@dataclass(frozen=True, slots=True)
class Contribution:
    """One contributing study (or report group) and the rating its appraisal stands at."""

    label: str
    rating: str | None
    rule_rating: str | None
    order: tuple[str, ...]
    note: str = ""


def prefill_methodological_limitations(
    contributions: Sequence[Contribution],
) -> ComponentAssessment | None:
    """Methodological limitations pre-filled from the contributing studies' appraisals.

    With ``order`` the appraisal's ratings from best to worst:

    * every contributing study at the best rating: no or very minor concerns;
    * none at the worst rating: minor concerns;
    * fewer than half at the worst rating: moderate concerns;
    * half or more at the worst rating: serious concerns.

    Studies without a rating are named in the explanation and left out of the count; with
    none rated, nothing is pre-filled. This is evsynth's written-down starting point, not a
    CERQual rule: Munthe-Kaas et al. (2018, doi:10.1186/s13012-017-0690-9) ask reviewers to
    judge how much the limitations matter for the finding.

    Examples
    --------
    >>> order = ("High", "Moderate", "Low")
    >>> prefill_methodological_limitations([Contribution("A", "Moderate", "Moderate", order),
    ...                                     Contribution("B", "Low", "Low", order)]).concern
    'serious'
    """
    rated = [c for c in contributions if c.rating is not None]
    if not rated:
        return None
    worst = [c for c in rated if c.rating == c.order[-1]]
    best = [c for c in rated if c.rating == c.order[0]]
    if len(best) == len(rated):
        level: Concern = "no or very minor"
    elif not worst:
        level = "minor"
    elif 2 * len(worst) < len(rated):
        level = "moderate"
    else:
        level = "serious"
    parts = []
    for c in contributions:
        if c.rating is None:
            parts.append(f"{c.label}: not rated{f' ({c.note})' if c.note else ''}")
        elif c.rule_rating is not None and c.rule_rating != c.rating:
            parts.append(f"{c.label}: {c.rating} (the rule gives {c.rule_rating})")
        else:
            parts.append(f"{c.label}: {c.rating}")
    explanation = (
        f"Pre-filled from the appraisals: {len(worst)} of {len(rated)} rated contributing "
        f"studies at the lowest rating ({'; '.join(parts)})."
    )
    return ComponentAssessment(concern=level, explanation=explanation, prefilled=True)


@dataclass(frozen=True, slots=True)
class CerqualAssessment:
    """A finding's components (pre-filled where needed), suggestion and overall confidence.

    Attributes
    ----------
    finding : Finding
        The finding.
    components : mapping of str to ComponentAssessment or None
        The four components; ``None`` where not judged.
    suggested : str or None
        :func:`suggest_confidence`, when all four components are judged.
    confidence : str or None
        The reviewers' confidence if given, else the suggestion.
    explanation : str
        The explanation of the overall assessment.
    overridden : bool
        True when the reviewers' confidence differs from the suggestion.
    notes : tuple of str
        Anything the reader should know (e.g. a study whose data support the finding but is
        not listed among its contributing studies).
    """

    finding: Finding
    components: Mapping[str, ComponentAssessment | None]
    suggested: Confidence | None
    confidence: Confidence | None
    explanation: str
    overridden: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """One row per component: level of concern, explanation, pre-filled or not."""
        return pd.DataFrame(
            {
                "component": [COMPONENT_LABELS[c] for c in COMPONENTS],
                "concern": [
                    None if (v := self.components[c]) is None else v.concern for c in COMPONENTS
                ],
                "explanation": [
                    None if (v := self.components[c]) is None else v.explanation for c in COMPONENTS
                ],
                "prefilled": [
                    bool(v is not None and v.prefilled)
                    for c in COMPONENTS
                    for v in (self.components[c],)
                ],
            }
        )

    def summary(self) -> Summary:
        """The components, then the suggested and the overall confidence."""
        rows = tuple(
            (COMPONENT_LABELS[c], "not judged" if v is None else concern_label(v.concern))
            for c in COMPONENTS
            for v in (self.components[c],)
        )
        return Summary(
            title=f"{self.finding.id}: {self.finding.summary}",
            columns=("Component", "Concern"),
            rows=rows,
            notes=(
                f"Suggested: {self.suggested or '-'}; confidence: {self.confidence or '-'}"
                + (" (overridden)" if self.overridden else ""),
                self.explanation,
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        f = self.finding
        return {
            "id": f.id,
            "summary": f.summary,
            "perspective": f.perspective,
            "sub_theme": f.sub_theme,
            "studies": list(f.studies),
            "reports": list(f.reports),
            "components": {
                name: None
                if c is None
                else {"concern": c.concern, "explanation": c.explanation, "prefilled": c.prefilled}
                for name, c in self.components.items()
            },
            "suggested": self.suggested,
            "confidence": self.confidence,
            "explanation": self.explanation,
            "overridden": self.overridden,
            "source": f.source,
            "notes": list(self.notes),
        }


def _contributions(
    finding: Finding, studies: StudySet | None, ratings: Sequence[UnitRating]
) -> list[Contribution]:
    out = []
    for study in finding.studies:
        units = [u for u in ratings if u.study == study]
        cited = set(finding.reports)
        if cited and studies is not None:
            own = {r.id for r in studies.study(study).reports}
            if own & cited:
                units = [u for u in units if not u.reports or set(u.reports) & cited]
        label = study if studies is None else studies.study(study).label
        if not units:
            out.append(Contribution(label, None, None, ("",), "not appraised"))
        for u in units:
            name = label if studies is None else studies.label(u.study, u.reports)
            out.append(Contribution(name, u.rating, u.rule_rating, u.order, u.note))
    return out


def assess_finding(
    finding: Finding,
    *,
    studies: StudySet | None = None,
    ratings: Sequence[UnitRating] = (),
) -> CerqualAssessment:
    """Pre-fill, suggest and check the overall confidence of one finding.

    Raises
    ------
    EvsynthError
        When a contributing study is not included, or the reviewers' confidence overrides
        the suggestion (or stands without one) and has no explanation.
    """
    if studies is not None:
        studies.resolve(finding.studies, finding.reports, context=f"finding {finding.id!r}")
    components: dict[str, ComponentAssessment | None] = {
        c: finding.component(c) for c in COMPONENTS
    }
    if components["methodological_limitations"] is None and ratings:
        components["methodological_limitations"] = prefill_methodological_limitations(
            _contributions(finding, studies, ratings)
        )
    judged = {c: v.concern for c, v in components.items() if v is not None}
    suggested = suggest_confidence(judged) if len(judged) == len(COMPONENTS) else None
    given = finding.confidence
    overridden = given is not None and suggested is not None and given != suggested
    if given is not None and given != suggested and finding.confidence_explanation is None:
        if suggested is None:
            missing = ", ".join(COMPONENT_LABELS[c].lower() for c in COMPONENTS if c not in judged)
            raise EvsynthError(
                f"finding {finding.id!r}: confidence '{given}' is given but cannot be checked "
                f"against a suggestion ({missing} not judged) and has no explanation",
                hint="give confidence_explanation, or judge every component",
            )
        raise EvsynthError(
            f"finding {finding.id!r}: the reviewers' confidence '{given}' overrides the "
            f"suggested '{suggested}' without an explanation",
            hint="give confidence_explanation saying why",
        )
    confidence = given if given is not None else suggested
    if finding.confidence_explanation is not None:
        explanation = finding.confidence_explanation
    elif suggested is not None:
        explanation = _suggestion_text(judged, suggested)
    else:
        explanation = (
            "Not yet assessed: "
            + ", ".join(COMPONENT_LABELS[c].lower() for c in COMPONENTS if c not in judged)
            + " not judged."
        )
    return CerqualAssessment(
        finding=finding,
        components=MappingProxyType(components),
        suggested=suggested,
        confidence=confidence,
        explanation=explanation,
        overridden=overridden,
    )


def _suggestion_text(judged: Mapping[str, Concern], suggested: Confidence) -> str:
    serious = [COMPONENT_LABELS[c].lower() for c, v in judged.items() if v == "serious"]
    some = [COMPONENT_LABELS[c].lower() for c, v in judged.items() if v in ("minor", "moderate")]
    parts = []
    if serious:
        parts.append(f"serious concerns about {', '.join(serious)}")
    if len(some) >= 2:
        parts.append(f"minor or moderate concerns about {', '.join(some)}")
    reason = "; ".join(parts) if parts else "no serious concerns and at most one minor or moderate"
    return f"Suggested {confidence_label(suggested).lower()} from the components ({reason})."


def assess_findings(
    findings: Iterable[Finding],
    *,
    studies: StudySet | None = None,
    ratings: Sequence[UnitRating] = (),
    supported_by: Mapping[str, Sequence[str]] | None = None,
) -> tuple[CerqualAssessment, ...]:
    """:func:`assess_finding` for each finding, with cross-checks against the coding.

    Parameters
    ----------
    findings : iterable of Finding
        The review findings; ids must be unique.
    studies : StudySet, optional
        The included studies; every contributing study must be one of them.
    ratings : sequence of UnitRating
        The appraisal ratings that stand (see :func:`evsynth.appraisal.unit_ratings`).
    supported_by : mapping of str to sequence of str, optional
        For each sub-theme, the studies whose coded excerpts support it; a finding on that
        sub-theme that does not list such a study gets a note.
    """
    out = []
    seen: set[str] = set()
    for finding in findings:
        if finding.id in seen:
            raise EvsynthError(f"finding id {finding.id!r} repeats")
        seen.add(finding.id)
        assessment = assess_finding(finding, studies=studies, ratings=ratings)
        if supported_by is not None and finding.sub_theme is not None:
            extra = [s for s in supported_by.get(finding.sub_theme, ()) if s not in finding.studies]
            if extra:
                assessment = CerqualAssessment(
                    finding=assessment.finding,
                    components=assessment.components,
                    suggested=assessment.suggested,
                    confidence=assessment.confidence,
                    explanation=assessment.explanation,
                    overridden=assessment.overridden,
                    notes=(
                        f"excerpts from {', '.join(extra)} are coded under its sub-theme but "
                        "those studies are not listed as contributing",
                    ),
                )
        out.append(assessment)
    return tuple(out)
