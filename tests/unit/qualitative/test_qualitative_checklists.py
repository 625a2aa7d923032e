"""Checklists as data: the built-in files, a review's own file, and clear errors for bad ones."""

from __future__ import annotations

import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.appraisal import (
    Appraisal,
    appraise,
    builtin_checklists,
    load_checklist,
    normalise_answer,
    parse_checklist,
)

TINY = """
id = "tiny"
name = "Tiny checklist"
answers = ["Yes", "Partly", "No"]
ratings = ["Good", "Fair", "Poor"]

[[questions]]
id = "1"
text = "Are the aims clear?"

[[questions]]
id = "2"
text = "Is the analysis described?"

[[questions]]
id = "3"
text = "Anything else?"
answers = []

[rule]
kind = "count"
met = ["Yes", "Partly"]
levels = [{ not_met_at_most = 0, rating = "Good" }, { not_met_at_most = 1, rating = "Fair" }, { rating = "Poor" }]
"""


def test_builtin_checklists_are_complete() -> None:
    found = builtin_checklists()
    assert list(found) == ["casp-qualitative-scope2021", "casp-qualitative", "rob2"]
    scope = found["casp-qualitative-scope2021"]
    assert [q.id for q in scope.questions] == ["1", "2", "3", "4", "5", "6", "7"]
    assert scope.questions[0].options == ("Yes", "Somewhat", "No", "Can't tell")
    assert scope.ratings == ("High", "Moderate", "Low")
    casp = found["casp-qualitative"]
    assert len(casp.questions) == 10
    assert casp.question("10").free_text  # "How valuable is the research?" is answered in words
    assert casp.rule is not None and casp.rule.kind == "count"
    assert casp.rule.questions == tuple(str(i) for i in range(1, 10))
    rob2 = found["rob2"]
    assert [d.id for d in rob2.domains] == ["D1", "D2", "D3", "D4", "D5"]
    per_domain = {d.id: sum(q.domain == d.id for q in rob2.questions) for d in rob2.domains}
    assert per_domain == {"D1": 3, "D2": 7, "D3": 4, "D4": 5, "D5": 3}
    assert rob2.ratings == ("Low", "Some concerns", "High")


def test_the_seed_rule_is_written_down() -> None:
    text = load_checklist("casp-qualitative-scope2021").describe_rule()
    assert "counts as met when answered 'Yes'" in text
    assert "all criteria met: High" in text and "at most 1 not met: Moderate" in text
    assert "otherwise Low" in text


def test_answers_match_whatever_the_case_spacing_and_apostrophe() -> None:
    scope = load_checklist("casp-qualitative-scope2021")
    assert scope.answer("3", "  can’t   TELL ") == "Can't tell"
    assert normalise_answer("Can’t tell") == normalise_answer("can't tell")


def test_a_review_adds_its_own_checklist_without_code() -> None:
    tiny = parse_checklist(TINY, file="tiny.toml")
    answers = {"1": "Partly", "2": "No", "3": "Useful for local services"}
    result = appraise(Appraisal(study="S1", checklist="tiny", reviewer="A", answers=answers), tiny)
    # "Partly" counts as met under this rule; the free-text question is never counted.
    assert result.rule is not None and result.rule.not_met == ("2",)
    assert result.rule_rating == "Fair"
    assert load_checklist("tiny", {"tiny": tiny}) is tiny


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("ratings =", "colour = 1\nratings ="), "unknown key(s) colour"),
        (('met = ["Yes", "Partly"]', 'met = ["Yes", "Maybe"]'), "'Maybe', which is not an answer"),
        (('{ rating = "Poor" }', '{ not_met_at_most = 2, rating = "Poor" }'), "the last level"),
        (('rating = "Fair" }', 'rating = "Average" }'), "each level needs a rating"),
        (('kind = "count"', 'kind = "score"'), "rule kind 'score' is not known"),
        (('id = "2"', 'id = "1"'), "question id '1' repeats"),
    ],
)
def test_a_bad_checklist_file_is_refused_with_its_location(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(DataError, match=r"tiny\.toml") as info:
        parse_checklist(TINY.replace(*change, 1), file="tiny.toml")
    assert message in str(info.value)


def test_an_algorithm_that_loops_or_jumps_nowhere_is_refused() -> None:
    base = """
id = "loop"
name = "Loop"
answers = ["Y", "N"]
ratings = ["Low", "High"]
domains = [{ id = "D1", name = "One" }]
[[questions]]
id = "1"
domain = "D1"
text = "?"
[rule]
kind = "algorithm"
[[rule.parts]]
domain = "D1"
start = "a"
[[rule.nodes]]
id = "a"
ask = ["1"]
branches = [{ any = ["Y"], next = "b" }, { any = ["N"], judgement = "High" }]
[[rule.nodes]]
id = "b"
ask = ["1"]
branches = [{ any = ["Y"], next = "a" }, { any = ["N"], judgement = "Low" }]
"""
    with pytest.raises(DataError, match="the algorithm loops: a -> b -> a"):
        parse_checklist(base, file="loop.toml")
    with pytest.raises(DataError, match="unknown node 'c'"):
        parse_checklist(base.replace('next = "a"', 'next = "c"'), file="loop.toml")
    with pytest.raises(DataError, match="branch answers Maybe are not answers"):
        parse_checklist(
            base.replace('any = ["N"], judgement = "Low"', 'any = ["Maybe"], judgement = "Low"'),
            file="loop.toml",
        )


def test_an_unknown_checklist_lists_the_known_ones() -> None:
    with pytest.raises(
        EvsynthError, match="choose one of casp-qualitative-scope2021, casp-qualitative, rob2"
    ):
        load_checklist("jbi-qualitative")
