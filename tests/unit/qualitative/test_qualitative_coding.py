"""Thematic synthesis: codes on spans of excerpts, sub-themes, themes and the matrices."""

from __future__ import annotations

import pytest

from evsynth._core.errors import EvsynthError
from evsynth.extraction import Excerpt
from evsynth.synthesis.qualitative import Code, Coding, SubTheme, Theme, thematic_synthesis

EXCERPTS = [
    Excerpt(
        id="E1", study="S2", perspective="patients", text="It was just an understanding from her"
    ),
    Excerpt(
        id="E2",
        study="S8",
        perspective="patients",
        text="I felt as if Dr. D was maybe thinking I was getting a bit lazy",
    ),
    Excerpt(
        id="E3",
        study="S2",
        perspective="health_professionals",
        text="it was lovely watching her just blossom",
    ),
]
CODES = [Code("C1", "Being understood"), Code("C2", "Feeling blamed"), Code("C3", "Rewarding")]
CODINGS = [
    Coding("E1", "C1", start=12, end=37),
    Coding("E2", "C2"),
    Coding("E3", "C3"),
    Coding("E1", "C2", start=0, end=6),
]
SUBS = [
    SubTheme("P1", "Support", ("C1",), perspective="patients"),
    SubTheme("P2", "Lack of understanding", ("C2",), perspective="patients"),
    SubTheme("H1", "Rewarding", ("C3",), perspective="health_professionals"),
]
THEMES = [
    Theme("T1", "Gaining support", ("P1",), perspective="patients", group="Valuable results"),
    Theme("T2", "Conflicts", ("P2",), perspective="patients", group="Adverse effects"),
    Theme(
        "T3",
        "Rewarding when patients engaged",
        ("H1",),
        perspective="health_professionals",
        group="Valuable results",
    ),
]


def build(**kw: object):  # type: ignore[no-untyped-def]
    parts: dict[str, object] = {
        "excerpts": EXCERPTS,
        "codes": CODES,
        "codings": CODINGS,
        "sub_themes": SUBS,
        "themes": THEMES,
    }
    return thematic_synthesis(**(parts | kw), perspectives=["patients", "health_professionals"])  # type: ignore[arg-type]


def test_code_by_study_counts_codings_and_keeps_every_study_column() -> None:
    matrix = build().code_by_study(["S1", "S2", "S8"])
    assert matrix.loc["Being understood"].tolist() == [0, 1, 0]
    assert matrix.loc["Feeling blamed"].tolist() == [0, 1, 1]
    assert matrix["S1"].sum() == 0


def test_each_theme_lists_its_supporting_excerpts_with_the_coded_span() -> None:
    s = build()
    (support,) = s.supporting_excerpts("T1")
    assert support.text == "an understanding from her"
    assert (support.excerpt.id, support.code.id, support.sub_theme.id) == ("E1", "C1", "P1")
    assert [x.text for x in s.supporting_excerpts("T2")] == [EXCERPTS[1].text, "It was"]
    assert s.studies_of_sub_theme("P2") == ("S8", "S2")


def test_the_key_findings_matrix_has_groups_down_and_perspectives_across() -> None:
    matrix = build().key_findings(
        ["Valuable results", "Facilitators", "Adverse effects"],
        ["patients", "health_professionals"],
    )
    assert matrix.loc["Valuable results", "patients"] == ("Gaining support",)
    assert matrix.loc["Valuable results", "health_professionals"] == (
        "Rewarding when patients engaged",
    )
    assert matrix.loc["Facilitators", "patients"] == ()
    assert matrix.loc["Adverse effects", "patients"] == ("Conflicts",)


def test_summary_and_frame() -> None:
    s = build()
    assert [row[0] for row in s.summary().rows] == [
        "Gaining support",
        "Conflicts",
        "Rewarding when patients engaged",
    ]
    frame = s.to_frame()
    assert (
        frame.loc[0, "theme"] == "Gaining support"
        and frame.loc[0, "text"] == "an understanding from her"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"codings": [*CODINGS, Coding("E9", "C1")]}, "excerpt 'E9' does not exist"),
        ({"codings": [*CODINGS, Coding("E1", "C9")]}, "code 'C9' is not defined"),
        (
            {"codings": [Coding("E1", "C1", start=10, end=99)]},
            "span 10-99 is outside the excerpt's text",
        ),
        ({"codings": [Coding("E1", "C1", start=5, end=5)]}, "or empty"),
        (
            {"sub_themes": [*SUBS, SubTheme("P9", "Again", ("C1",))]},
            "code 'C1' is in two sub-themes",
        ),
        (
            {"sub_themes": [SubTheme("P1", "Support", ("C7",))]},
            "lists code 'C7', which is not defined",
        ),
        ({"themes": [Theme("T1", "Gaining support", ("P7",))]}, "lists sub-theme 'P7'"),
        ({"themes": [Theme("T1", "X", ("P1",), perspective="carers")]}, "perspective 'carers'"),
        ({"codes": [*CODES, Code("C1", "Again")]}, "code id 'C1' repeats"),
    ],
)
def test_broken_references_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(EvsynthError, match=message):
        build(**change)
