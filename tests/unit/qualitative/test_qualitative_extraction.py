"""Included studies, study tables, the framework and verbatim excerpts with their checks."""

from __future__ import annotations

import pandas as pd
import pytest

from evsynth._core.errors import EvsynthError
from evsynth.extraction import (
    Excerpt,
    IncludedStudy,
    StudyReport,
    StudySet,
    check_excerpts,
    extraction_counts,
    load_framework,
    parse_framework,
    study_table,
)

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
    )
)
FRAMEWORK = load_framework("acceptability-scope2021")


def excerpt(**kw: object) -> Excerpt:
    base: dict[str, object] = {
        "id": "E1",
        "study": "S4",
        "report": "peters2009",
        "perspective": "patients",
        "category": "wanted",
        "text": "  He knows  me.  ",
    }
    return Excerpt(**(base | kw))  # type: ignore[arg-type]


def test_studies_resolve_reports_and_refuse_what_is_not_included() -> None:
    assert STUDIES.resolve(reports=["peters2009"], studies=["S1"]) == ("S1", "S4")
    assert STUDIES.label("S4", ("dowrick2008",)) == "Dowrick et al. (2008)"
    with pytest.raises(
        EvsynthError,
        match="study 'S9' is referenced but not included; the included studies are S1, S4",
    ):
        STUDIES.resolve(studies=["S9"])
    with pytest.raises(
        EvsynthError,
        match="report 'morton2016' is referenced but is not a report of an included study",
    ):
        STUDIES.resolve(reports=["morton2016"], context="finding 'P10'")
    with pytest.raises(EvsynthError, match="study ids repeat"):
        StudySet((STUDIES.studies[0], STUDIES.studies[0]))


def test_a_study_table_keeps_cells_as_given_and_hides_data_columns() -> None:
    frame = pd.DataFrame(
        {
            "study": ["S1", "S4"],
            "Sample": ["11 patients", "24 general practitioners 23 patients"],
            "n_patients": ["11", "23"],
        }
    )
    table = study_table(frame, STUDIES, name="t4", title="Studies", hidden=["n_patients"])
    assert table.columns == ("Sample",)
    assert table.column("n_patients") == ("11", "23")
    assert table.to_frame()["Sample"].tolist() == [
        "11 patients",
        "24 general practitioners 23 patients",
    ]
    with pytest.raises(
        EvsynthError, match="table 't4', row 2: study 'S7' is referenced but not included"
    ):
        study_table(frame.assign(study=["S1", "S7"]), STUDIES, name="t4", title="Studies")


def test_excerpts_are_kept_verbatim_and_checked_against_framework_and_studies() -> None:
    (e,) = check_excerpts([excerpt()], FRAMEWORK, STUDIES)
    assert e.text == "  He knows  me.  "
    assert e.location == "peters2009"
    with pytest.raises(
        EvsynthError, match="excerpt 'E1': report 'peters2009' belongs to study S4, not S1"
    ):
        check_excerpts([excerpt(study="S1")], FRAMEWORK, STUDIES)
    with pytest.raises(EvsynthError, match="category 'likes' is not in perspective 'patients'"):
        check_excerpts([excerpt(category="likes")], FRAMEWORK, STUDIES)
    with pytest.raises(EvsynthError, match="perspective 'carers' is not in framework"):
        check_excerpts([excerpt(perspective="carers")], FRAMEWORK, STUDIES)
    with pytest.raises(EvsynthError, match="excerpt ids repeat: E1"):
        check_excerpts([excerpt(), excerpt()], FRAMEWORK, STUDIES)


def test_the_second_reviewers_check() -> None:
    assert excerpt(checked_by="AB", check="agreed").check == "agreed"
    with pytest.raises(EvsynthError, match="has a check \\(queried\\) but no checked_by"):
        excerpt(check="queried")
    with pytest.raises(EvsynthError, match="check of excerpt 'E1'='done' is not known"):
        excerpt(checked_by="AB", check="done")
    with pytest.raises(EvsynthError, match="has no text"):
        excerpt(text="   ")


def test_extraction_counts_by_category_and_study() -> None:
    counts = extraction_counts([excerpt(), excerpt(id="E2", category="barriers")], FRAMEWORK)
    assert counts.loc[("patients", "wanted"), "S4"] == 1
    assert counts.loc[("patients", "barriers"), "S4"] == 1
    assert int(counts.to_numpy().sum()) == 2


def test_a_review_writes_its_own_framework() -> None:
    text = """
id = "mine"
name = "My framework"
[[perspectives]]
id = "carers"
label = "Data from carers"
[[perspectives.categories]]
id = "burden"
label = "Burden"
prompt = "What was hard for carers"
"""
    framework = parse_framework(text, file="mine.toml")
    assert framework.perspective("carers").category("burden").label == "Burden"
    with pytest.raises(EvsynthError, match="a perspective needs"):
        parse_framework(text.split("[[perspectives.categories]]")[0], file="mine.toml")
