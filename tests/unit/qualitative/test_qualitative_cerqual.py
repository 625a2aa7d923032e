"""GRADE-CERQual: components, the suggested confidence, overrides, pre-filling, tables."""

from __future__ import annotations

import itertools

import pytest

from evsynth._core.errors import EvsynthError
from evsynth.appraisal import UnitRating
from evsynth.extraction import IncludedStudy, StudyReport, StudySet
from evsynth.synthesis.qualitative import (
    COMPONENTS,
    CONCERNS,
    ComponentAssessment,
    Contribution,
    Finding,
    as_concern,
    as_confidence,
    assess_finding,
    assess_findings,
    confidence_counts,
    evidence_profile,
    prefill_methodological_limitations,
    suggest_confidence,
    summary_of_findings,
)

ORDER = ("High", "Moderate", "Low")
STUDIES = StudySet(
    (
        IncludedStudy(
            "S1", "Burton et al. (2012)", (StudyReport("burton2012", "Burton et al. (2012)"),)
        ),
        IncludedStudy(
            "S4",
            "Dowrick et al. (2008); Peters et al. (2009)",
            (
                StudyReport("dowrick2008", "Dowrick et al. (2008)"),
                StudyReport("peters2009", "Peters et al. (2009)"),
            ),
        ),
        IncludedStudy("S7", "Lewis (2013)", (StudyReport("lewis2013", "Lewis (2013)"),)),
    )
)


def component(level: str) -> ComponentAssessment:
    return ComponentAssessment(concern=level, explanation=f"{level} because ...")  # type: ignore[arg-type]


def finding(**kw: object) -> Finding:
    base: dict[str, object] = {
        "id": "F1",
        "summary": "Patients valued support.",
        "studies": ("S1", "S7"),
    }
    return Finding(**(base | kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (("no or very minor",) * 4, "high"),
        (("minor", "no or very minor", "no or very minor", "no or very minor"), "high"),
        (("moderate", "no or very minor", "no or very minor", "no or very minor"), "high"),
        (("minor", "moderate", "no or very minor", "no or very minor"), "moderate"),
        (("serious", "no or very minor", "no or very minor", "no or very minor"), "moderate"),
        (("serious", "minor", "no or very minor", "no or very minor"), "moderate"),
        (("serious", "minor", "minor", "no or very minor"), "low"),
        (("serious", "serious", "no or very minor", "no or very minor"), "low"),
        (("serious", "serious", "serious", "no or very minor"), "very low"),
        (("serious", "serious", "minor", "moderate"), "very low"),
        (("serious",) * 4, "very low"),  # four steps down, but never below very low
    ],
)
def test_suggested_confidence(levels: tuple[str, ...], expected: str) -> None:
    assert suggest_confidence(dict(zip(COMPONENTS, levels, strict=True))) == expected  # type: ignore[arg-type]


def test_every_combination_follows_the_written_rule() -> None:
    steps = {"high": 0, "moderate": 1, "low": 2, "very low": 3}
    for levels in itertools.product(CONCERNS, repeat=4):
        serious = levels.count("serious")
        some = sum(level in ("minor", "moderate") for level in levels)
        expected = min(3, serious + (some >= 2))
        assert steps[suggest_confidence(dict(zip(COMPONENTS, levels, strict=True)))] == expected


def test_level_names_are_read_leniently_and_refused_clearly() -> None:
    assert as_concern("Minor concerns") == "minor"
    assert as_concern("No or very minor concerns") == "no or very minor"
    assert as_confidence("Very low confidence") == "very low"
    with pytest.raises(
        EvsynthError, match="choose one of no or very minor, minor, moderate, serious"
    ):
        as_concern("small")
    with pytest.raises(EvsynthError, match="needs an explanation"):
        ComponentAssessment(concern="minor", explanation=" ")


def test_a_finding_without_studies_is_an_error() -> None:
    with pytest.raises(EvsynthError, match="finding 'F1' has no contributing studies"):
        finding(studies=())


def test_an_override_needs_an_explanation() -> None:
    judged = {c: component("no or very minor") for c in COMPONENTS} | {
        "relevance": component("serious")
    }
    assert assess_finding(finding(**judged)).confidence == "moderate"
    with pytest.raises(
        EvsynthError,
        match="the reviewers' confidence 'high' overrides the suggested 'moderate' without an explanation",
    ):
        assess_finding(finding(**judged, confidence="high"))
    over = assess_finding(
        finding(
            **judged,
            confidence="high",
            confidence_explanation="The relevance concern is about one small study.",
        )
    )
    assert (over.suggested, over.confidence, over.overridden) == ("moderate", "high", True)
    assert over.explanation.startswith("The relevance concern")
    same = assess_finding(finding(**judged, confidence="moderate"))
    assert not same.overridden and same.explanation.startswith("Suggested moderate confidence")


def test_a_confidence_that_cannot_be_checked_needs_an_explanation_too() -> None:
    with pytest.raises(
        EvsynthError,
        match="cannot be checked against a suggestion \\(methodological limitations, coherence, adequacy, relevance not judged\\)",
    ):
        assess_finding(finding(confidence="low"))
    ok = assess_finding(
        finding(confidence="low", confidence_explanation="As the review reports it.")
    )
    assert ok.suggested is None and ok.confidence == "low"
    pending = assess_finding(finding())
    assert pending.confidence is None and pending.explanation.startswith("Not yet assessed")


@pytest.mark.parametrize(
    ("ratings", "level"),
    [
        (("High", "High"), "no or very minor"),
        (("High", "Moderate"), "minor"),
        (("Moderate", "Moderate", "Low"), "moderate"),
        (("Moderate", "Low"), "serious"),
        (("Low", "Low", "High"), "serious"),
    ],
)
def test_methodological_limitations_are_prefilled_from_the_appraisals(
    ratings: tuple[str, ...], level: str
) -> None:
    made = prefill_methodological_limitations(
        [Contribution(f"Study {i}", r, r, ORDER) for i, r in enumerate(ratings)]
    )
    assert made is not None and made.concern == level and made.prefilled


def test_prefill_names_unrated_studies_and_rule_differences() -> None:
    made = prefill_methodological_limitations(
        [
            Contribution("Morton", "Moderate", "Low", ORDER),
            Contribution("Lewis", None, None, ORDER, "not appraised"),
        ]
    )
    assert made is not None and made.concern == "minor"
    assert "Morton: Moderate (the rule gives Low)" in made.explanation
    assert "Lewis: not rated (not appraised)" in made.explanation
    assert prefill_methodological_limitations([Contribution("Lewis", None, None, ORDER)]) is None


def test_assessment_uses_the_appraisal_of_the_cited_report() -> None:
    ratings = [
        UnitRating("S4", ("dowrick2008",), "casp", "Low", "Low", ORDER),
        UnitRating("S4", ("peters2009",), "casp", "High", "High", ORDER),
        UnitRating("S1", (), "casp", "High", "High", ORDER),
    ]
    f = finding(studies=("S1", "S4"), reports=("burton2012", "peters2009"))
    a = assess_finding(f, studies=STUDIES, ratings=ratings)
    ml = a.components["methodological_limitations"]
    assert ml is not None and ml.concern == "no or very minor"  # Dowrick's low rating is not used
    assert "Peters et al. (2009): High" in ml.explanation
    with pytest.raises(
        EvsynthError, match="finding 'F1': study 'S9' is referenced but not included"
    ):
        assess_finding(finding(studies=("S9",)), studies=STUDIES)


def test_findings_on_a_sub_theme_note_studies_coded_there_but_not_listed() -> None:
    (a,) = assess_findings([finding(sub_theme="P1")], supported_by={"P1": ("S1", "S4")})
    assert a.notes == (
        "excerpts from S4 are coded under its sub-theme but those studies are not listed as contributing",
    )
    with pytest.raises(EvsynthError, match="finding id 'F1' repeats"):
        assess_findings([finding(), finding()])


def test_the_evidence_profile_and_summary_of_findings_tables() -> None:
    judged = {c: component("minor") for c in COMPONENTS}
    assessments = assess_findings(
        [
            finding(**judged, perspective="patients"),
            finding(id="F2", studies=("S4",), reports=("peters2009",), perspective="patients"),
        ],
        studies=STUDIES,
    )
    profile = evidence_profile(assessments, STUDIES)
    assert list(profile.columns) == [
        "Finding", "Summary of review finding", "Studies contributing to the review finding",
        "Methodological limitations", "Coherence", "Adequacy", "Relevance",
        "CERQual assessment of confidence", "Explanation of CERQual assessment",
    ]  # fmt: skip
    assert profile.loc[0, "Coherence"] == "Minor concerns: minor because ..."
    assert profile.loc[0, "CERQual assessment of confidence"] == "Moderate confidence"
    assert profile.loc[1, "Studies contributing to the review finding"] == "Peters et al. (2009)"
    assert profile.loc[1, "Coherence"] == "Not assessed"
    assert profile.loc[1, "CERQual assessment of confidence"] == "Not assessed"
    (given,) = assess_findings([finding(confidence_explanation="The source does not state it.")])
    assert summary_of_findings([given]).loc[0, "CERQual assessment of confidence"] == "Not given"
    soqf = summary_of_findings(assessments, STUDIES)
    assert (
        soqf.loc[0, "Studies contributing to the review finding"]
        == "Burton et al. (2012); Lewis (2013)"
    )
    counts = confidence_counts(assessments)
    assert counts.loc["patients", "moderate"] == 1 and counts.loc["patients", "not assessed"] == 1
    assert counts.loc["patients", "findings"] == 2


def test_an_assessment_prints_and_converts_to_a_frame() -> None:
    judged = {c: component("no or very minor") for c in COMPONENTS} | {
        "adequacy": component("serious")
    }
    a = assess_finding(finding(**judged))
    frame = a.to_frame()
    assert frame["concern"].tolist() == [
        "no or very minor",
        "no or very minor",
        "serious",
        "no or very minor",
    ]
    assert not frame["prefilled"].any()
    text = a.summary().as_text()
    assert "Serious concerns" in text and "Suggested: moderate; confidence: moderate" in text
