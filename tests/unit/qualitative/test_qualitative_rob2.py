"""RoB 2's algorithms (Sterne et al. 2019; guidance of 22 August 2019), path by path.

Each case gives the signalling-question answers and the judgement the tool's "Algorithm for
suggested judgement" figure gives for the domain; the overall judgement is the worst domain.
"""

from __future__ import annotations

import pytest

from evsynth.appraisal import Appraisal, appraise, load_checklist

ROB2 = load_checklist("rob2")
LOW_ALL = {
    "1.1": "Y", "1.2": "Y", "1.3": "N",
    "2.1": "N", "2.2": "N", "2.6": "Y",
    "3.1": "Y",
    "4.1": "N", "4.2": "N", "4.3": "N",
    "5.1": "Y", "5.2": "N", "5.3": "N",
}  # fmt: skip


def domains(answers: dict[str, str]) -> dict[str, str]:
    assert ROB2.rule is not None
    return dict(ROB2.rule.rate(answers).domains)


@pytest.mark.parametrize(
    ("answers", "judgement"),
    [
        ({"1.2": "Y", "1.1": "Y", "1.3": "N"}, "Low"),
        ({"1.2": "PY", "1.1": "NI", "1.3": "NI"}, "Low"),
        ({"1.2": "Y", "1.1": "Y", "1.3": "PY"}, "Some concerns"),
        ({"1.2": "Y", "1.1": "N", "1.3": "N"}, "Some concerns"),
        ({"1.2": "NI", "1.1": "Y", "1.3": "N"}, "Some concerns"),
        ({"1.2": "NI", "1.1": "Y", "1.3": "Y"}, "High"),
        ({"1.2": "N", "1.1": "Y", "1.3": "N"}, "High"),
        ({"1.2": "PN"}, "High"),  # 1.1 and 1.3 are not reached
    ],
)
def test_domain_1_randomisation(answers: dict[str, str], judgement: str) -> None:
    assert domains(LOW_ALL | answers)["D1"] == judgement


@pytest.mark.parametrize(
    ("answers", "judgement"),
    [
        ({"2.1": "N", "2.2": "PN", "2.6": "Y"}, "Low"),
        ({"2.1": "Y", "2.2": "N", "2.3": "N", "2.6": "Y"}, "Low"),
        ({"2.1": "NI", "2.2": "N", "2.3": "NI", "2.6": "Y"}, "Some concerns"),
        ({"2.1": "Y", "2.2": "N", "2.3": "Y", "2.4": "N", "2.6": "Y"}, "Some concerns"),
        ({"2.1": "N", "2.2": "Y", "2.3": "Y", "2.4": "Y", "2.5": "Y", "2.6": "Y"}, "Some concerns"),
        ({"2.1": "Y", "2.2": "Y", "2.3": "PY", "2.4": "NI", "2.5": "N", "2.6": "Y"}, "High"),
        ({"2.1": "N", "2.2": "N", "2.6": "N", "2.7": "N"}, "Some concerns"),
        ({"2.1": "N", "2.2": "N", "2.6": "NI", "2.7": "Y"}, "High"),
        # Part 1 some concerns, part 2 low: the domain takes the worse part.
        ({"2.1": "Y", "2.2": "NI", "2.3": "NI", "2.6": "PY"}, "Some concerns"),
    ],
)
def test_domain_2_deviations_effect_of_assignment(answers: dict[str, str], judgement: str) -> None:
    given = {k: v for k, v in LOW_ALL.items() if not k.startswith("2.")} | answers
    assert domains(given)["D2"] == judgement


@pytest.mark.parametrize(
    ("answers", "judgement"),
    [
        ({"3.1": "PY"}, "Low"),
        ({"3.1": "N", "3.2": "Y"}, "Low"),
        ({"3.1": "NI", "3.2": "N", "3.3": "PN"}, "Low"),
        ({"3.1": "N", "3.2": "N", "3.3": "Y", "3.4": "N"}, "Some concerns"),
        ({"3.1": "N", "3.2": "PN", "3.3": "NI", "3.4": "NI"}, "High"),
    ],
)
def test_domain_3_missing_outcome_data(answers: dict[str, str], judgement: str) -> None:
    assert domains(LOW_ALL | answers)["D3"] == judgement


@pytest.mark.parametrize(
    ("answers", "judgement"),
    [
        ({"4.1": "Y"}, "High"),
        ({"4.1": "N", "4.2": "PY"}, "High"),
        ({"4.1": "N", "4.2": "N", "4.3": "N"}, "Low"),
        ({"4.1": "N", "4.2": "N", "4.3": "Y", "4.4": "N"}, "Low"),
        ({"4.1": "N", "4.2": "N", "4.3": "Y", "4.4": "Y", "4.5": "N"}, "Some concerns"),
        ({"4.1": "N", "4.2": "N", "4.3": "Y", "4.4": "Y", "4.5": "PY"}, "High"),
        ({"4.1": "NI", "4.2": "NI", "4.3": "N"}, "Some concerns"),
        ({"4.1": "N", "4.2": "NI", "4.3": "Y", "4.4": "N"}, "Some concerns"),
        ({"4.1": "N", "4.2": "NI", "4.3": "Y", "4.4": "Y", "4.5": "NI"}, "High"),
    ],
)
def test_domain_4_measurement_of_the_outcome(answers: dict[str, str], judgement: str) -> None:
    assert domains(LOW_ALL | answers)["D4"] == judgement


@pytest.mark.parametrize(
    ("answers", "judgement"),
    [
        ({"5.2": "N", "5.3": "PN", "5.1": "Y"}, "Low"),
        ({"5.2": "N", "5.3": "N", "5.1": "NI"}, "Some concerns"),
        ({"5.2": "NI", "5.3": "N"}, "Some concerns"),
        ({"5.2": "NI", "5.3": "PY"}, "High"),
        ({"5.2": "Y", "5.3": "N"}, "High"),
    ],
)
def test_domain_5_selection_of_the_reported_result(answers: dict[str, str], judgement: str) -> None:
    given = {k: v for k, v in LOW_ALL.items() if not k.startswith("5.")} | answers
    assert domains(given)["D5"] == judgement


def test_overall_is_the_worst_domain_and_recorded_judgements_are_compared() -> None:
    low = appraise(Appraisal(study="T1", checklist="rob2", reviewer="A", answers=LOW_ALL))
    assert low.rule_rating == "Low" and set(low.rule.domains.values()) == {"Low"}  # type: ignore[union-attr]
    some = LOW_ALL | {"3.1": "N", "3.2": "N", "3.3": "Y", "3.4": "N"}
    high = some | {"1.2": "N"}
    assert (
        appraise(Appraisal(study="T1", checklist="rob2", reviewer="A", answers=some)).rule_rating
        == "Some concerns"
    )
    result = appraise(
        Appraisal(
            study="T1",
            checklist="rob2",
            reviewer="A",
            answers=high,
            rating="Some concerns",
            domain_ratings={"D1": "Some concerns"},
        )
    )
    assert result.rule_rating == "High" and result.disagrees
    assert result.domain_disagreements == {"D1": ("Some concerns", "High")}


def test_unanswered_or_not_applicable_reached_questions_give_no_judgement() -> None:
    missing = {k: v for k, v in LOW_ALL.items() if k != "1.3"}
    rating = ROB2.rule.rate(missing)  # type: ignore[union-attr]
    assert rating.rating is None and "D1: question(s) 1.3 not answered" in rating.explanation
    assert "D1" not in rating.domains and rating.domains["D2"] == "Low"
    na = ROB2.rule.rate(LOW_ALL | {"2.1": "Y", "2.2": "N", "2.3": "NA"})  # type: ignore[union-attr]
    assert na.rating is None and "2.3 = NA match no branch" in na.explanation
