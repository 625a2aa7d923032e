"""Appraisals as events: the rule beside the reviewer, two reviewers, consensus, tables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evsynth._core.errors import EvsynthError
from evsynth.appraisal import (
    Answer,
    Appraisal,
    appraisal_matrix,
    appraisal_summary,
    appraise,
    appraise_all,
    latest_appraisals,
    reviewer_disagreements,
    unit_ratings,
)

SCOPE = "casp-qualitative-scope2021"
ALL_YES = {str(q): "Yes" for q in range(1, 8)}


def event(reviewer: str, answers: dict[str, str], **kw: object) -> Appraisal:
    return Appraisal(
        study=kw.pop("study", "S1"), checklist=SCOPE, reviewer=reviewer, answers=answers, **kw
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("not_met", "answer", "rating"),
    [
        ((), "No", "High"),
        (("3",), "No", "Moderate"),
        (("3",), "Somewhat", "Moderate"),
        (("3",), "Can't tell", "Moderate"),
        (("3", "7"), "No", "Low"),
        (("2", "3", "5", "6"), "Somewhat", "Low"),
    ],
)
def test_the_seed_rule(not_met: tuple[str, ...], answer: str, rating: str) -> None:
    result = appraise(event("A", ALL_YES | dict.fromkeys(not_met, answer)))
    assert result.rule_rating == rating
    assert result.rule is not None and result.rule.not_met == not_met


def test_an_unknown_answer_is_refused_and_lists_the_answers() -> None:
    with pytest.raises(EvsynthError) as info:
        appraise(event("AB", ALL_YES | {"4": "Mostly"}))
    message = str(info.value)
    assert "AB's appraisal of study S1" in message
    assert "'Mostly' is not an answer to question 4" in message
    assert "choose one of Yes, Somewhat, No, Can't tell" in message
    with pytest.raises(EvsynthError, match="no question '8'"):
        appraise(event("AB", ALL_YES | {"8": "Yes"}))
    with pytest.raises(EvsynthError, match="recorded rating 'Good' is not a rating"):
        appraise(event("AB", ALL_YES, rating="Good"))


def test_a_partial_appraisal_has_no_rating_until_every_question_is_answered() -> None:
    result = appraise(event("A", {"1": "Yes", "2": "No"}))
    assert result.rule_rating is None
    assert result.rule is not None and "not answered" in result.rule.explanation
    assert not result.disagrees


def test_the_recorded_rating_is_kept_beside_the_rule_and_a_difference_is_flagged() -> None:
    # Scope et al. (2021), Table 8: Morton et al. (2016), questions 3 and 7 not met, rated moderate.
    morton = appraise(event("team", ALL_YES | {"3": "No", "7": "No"}, rating="moderate"))
    assert (morton.rule_rating, morton.recorded_rating, morton.rating) == (
        "Low",
        "Moderate",
        "Moderate",
    )
    assert morton.disagrees
    assert morton.flag().startswith("recorded Moderate but the rule gives Low")
    agreed = appraise(event("team", ALL_YES | {"3": "No"}, rating="Moderate"))
    assert not agreed.disagrees and agreed.flag() == ""


def test_the_latest_event_of_each_reviewer_counts() -> None:
    t = [datetime(2019, 3, d, tzinfo=UTC) for d in (1, 2)]
    first = event("AB", ALL_YES | {"3": "No"}, timestamp=t[0])
    second = event("AB", ALL_YES, timestamp=t[1])
    history = event("AB", ALL_YES | {"6": "No"})  # no timestamp: recorded history comes first
    assert latest_appraisals([second, first, history]) == [second]
    with pytest.raises(EvsynthError, match="has no time zone"):
        event("AB", ALL_YES, timestamp=datetime(2019, 3, 1))


def test_two_reviewers_disagreements_are_listed_until_a_consensus_is_recorded() -> None:
    a = event("ASc", ALL_YES | {"3": "No"})
    b = event("AB", ALL_YES | {"3": "Somewhat", "7": "No"}, rating="Low")
    found = reviewer_disagreements(appraise_all([a, b]))
    assert len(found) == 1
    d = found[0]
    assert d.reviewers == ("ASc", "AB")
    assert d.questions == (("3", "No", "Somewhat"), ("7", "Yes", "No"))
    assert d.ratings == ("Moderate", "Low") and not d.resolved
    ratings = unit_ratings(appraise_all([a, b]))
    assert ratings[0].rating is None and "reviewers disagree" in ratings[0].note
    agreed = event("ASc", ALL_YES | {"3": "No"}, role="consensus", rating="Moderate")
    results = appraise_all([a, b, agreed])
    assert reviewer_disagreements(results)[0].resolved
    (unit,) = unit_ratings(results)
    assert (unit.rating, unit.rule_rating) == ("Moderate", "Moderate")


def test_reports_appraised_apart_are_separate_units() -> None:
    dowrick = event("team", ALL_YES | {"3": "No"}, study="S4", reports=("dowrick2008",))
    peters = event("team", ALL_YES, study="S4", reports=("peters2009",))
    units = unit_ratings(appraise_all([dowrick, peters]))
    assert [(u.reports, u.rating) for u in units] == [
        (("dowrick2008",), "Moderate"),
        (("peters2009",), "High"),
    ]


def test_the_matrix_and_summary_show_answers_comments_and_both_ratings() -> None:
    a = event("team", ALL_YES | {"6": "No"}, study="S1")
    b = Appraisal(
        study="S8",
        checklist=SCOPE,
        reviewer="team",
        answers=ALL_YES
        | {"3": Answer("No"), "7": Answer("No", "only examples of the data were presented")},
        rating="Moderate",
    )
    results = appraise_all([a, b])
    matrix = appraisal_matrix(
        results, label=lambda study, reports: {"S1": "Burton", "S8": "Morton"}[study]
    )
    assert list(matrix.columns) == ["Burton", "Morton"]
    assert (
        matrix.loc[
            "Are the claims made supported by sufficient evidence (i.e., Did the data provide sufficient depth detail and richness)?",
            "Morton",
        ]
        == "No – only examples of the data were presented"
    )
    assert matrix.loc["Rating by the rule"].tolist() == ["Moderate", "Low"]
    assert matrix.loc["Recorded rating"].tolist() == ["", "Moderate"]
    assert matrix.loc["Rule and recorded rating"].tolist() == ["", "disagrees"]
    summary = appraisal_summary(results)
    assert summary.rows[1][-1] == "DISAGREES" and "S8: recorded Moderate" in summary.notes[0]


def test_an_appraisal_needs_a_study_a_checklist_and_a_reviewer() -> None:
    with pytest.raises(EvsynthError, match="appraisal reviewer ''"):
        event("", ALL_YES)
    with pytest.raises(
        EvsynthError, match="appraisal role='lead' is not known; choose one of appraiser, consensus"
    ):
        event("A", ALL_YES, role="lead")


def test_a_result_prints_and_converts_to_a_frame() -> None:
    result = appraise(
        event("team", ALL_YES | {"3": "No", "7": Answer("No", "thin")}, rating="Moderate")
    )  # type: ignore[dict-item]
    frame = result.to_frame()
    assert frame["not_met"].tolist() == [False, False, True, False, False, False, True]
    assert frame.loc[6, "comment"] == "thin"
    text = result.summary().as_text()
    assert "No – thin" in text and "Rule: Low" in text and "Recorded: Moderate" in text
    assert "disagree" in text
