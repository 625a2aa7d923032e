"""The bundled example reproduces Scope et al. (2021): its Tables 2-9, its rule and its findings.

Source: Scope A, Leaviss J, Booth A, et al. (2021), British Journal of Health Psychology
26(4):1069-1094 (CC BY), pinned as ``tests/data/scope2021/scope2021_seed.txt``. The text has no
page numbers, so each assertion names the table or the section of the paper. Expected values
are transcribed here from the paper, and each transcribed cell is also looked up in the pinned
text (white space folded), so that neither the example nor this test can drift from the paper.
What the paper does not give (its Tables S1 and S2, the component judgements of GRADE-CERQual,
its line-by-line codes) is not asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.appraisal import load_checklist
from evsynth.extraction import load_framework
from evsynth.storage.qualitative_repo import QualitativeProject, load_qualitative
from tests.unit.qualitative.conftest import EXAMPLE, example_spec

SEED = (
    Path(__file__).resolve().parents[1] / "data" / "scope2021" / "scope2021_seed.txt"
).read_text(encoding="utf-8")
FLAT = " ".join(SEED.split())


def in_seed(text: str) -> bool:
    return " ".join(text.split()) in FLAT


@pytest.fixture(scope="module")
def example() -> QualitativeProject:
    return load_qualitative(EXAMPLE, example_spec())


def rows(example: QualitativeProject, name: str) -> list[dict[str, str]]:
    table = next(t for t in example.tables if t.name == name)
    return table.to_frame().to_dict(orient="records")  # type: ignore[return-value]


def test_table2_quality_assessment_questions() -> None:
    # Table 2, "The Quality Assessment Questions applied to included studies" (Methods).
    expected = [
        "Is the study qualitative research or does it provide qualitative data",
        "Is the study context and aims clearly described?",
        "Is there evidence of research reflexivity?",
        "Are the sampling methods clearly described and appropriate for the research question?",
        "Are the methods of data collection clearly described and appropriate to the research question?",
        "Is the method of analysis clearly described and appropriate to the research question?",
        "Are the claims made supported by sufficient evidence (i.e., Did the data provide sufficient depth detail and richness)?",
    ]
    checklist = load_checklist("casp-qualitative-scope2021")
    assert [q.text for q in checklist.questions] == expected
    assert all(in_seed(q) for q in expected)
    # Table 8's header gives "Question (Yes/No/Can't tell)"; its cells also answer "Somewhat".
    assert checklist.questions[0].options == ("Yes", "Somewhat", "No", "Can't tell")
    assert in_seed("Question (Yes/No/Can't tell)")


def test_the_rule_of_the_quality_appraisal() -> None:
    # Results, "Quality of the included studies": all criteria met, high; any one not met,
    # moderate; more than one not met, neither high nor moderate (low).
    # (The sentence is split by Tables 5 and 6 in the text.)
    assert in_seed("The reviewing team made a judgement that a study must meet all criteria to")
    assert in_seed(
        "be regarded as high quality. If any criterion was not fulfilled, the study was regarded as moderate quality"
    )
    assert in_seed("if more than one criterion had not been achieved")
    rule = load_checklist("casp-qualitative-scope2021").rule
    assert rule is not None and rule.kind == "count"
    assert rule.met == ("Yes",)
    assert rule.levels == ((0, "High"), (1, "Moderate"), (None, "Low"))


def test_table3_framework_for_data_extraction() -> None:
    # Table 3, "Framework for data extraction" (Methods, Data extraction strategy).
    patients = [
        "Positive factors relating to behavioural interventions as reported by patients / What did you gain from being referred to a behavioural intervention",
        "Factors reported as important, wanted or expected in behavioural interventions",
        "What patients didn't like about (being referred to) behavioural interventions",
        "Barriers – why patients didn't want behavioural interventions / or couldn't engage with them",
        "Neutral effects (neither benefits or harms)",
    ]
    professionals = [
        "Positive factors relating to behavioural interventions as reported by health professionals / What did you gain from being trained to and/or delivering a behavioural intervention",
        "Factors reported as important, wanted or expected for training in and delivery of behavioural interventions",
        "What did not help or was detrimental to the patients or delivery of the intervention",
        "Barriers – from the perspective of health professionals as to why patients didn't want behavioural interventions/or couldn't engage with them, or barriers to delivery of the intervention",
        "Neutral effects (neither benefits or harms)",
    ]
    framework = load_framework("acceptability-scope2021")
    assert [p.label for p in framework.perspectives] == [
        "Data from patients",
        "Data from health professionals",
    ]
    assert [c.prompt for c in framework.perspectives[0].categories] == patients
    assert [c.prompt for c in framework.perspectives[1].categories] == professionals
    assert all(
        in_seed(t)
        for t in [*patients, *professionals, "Data from patients", "Data from health professionals"]
    )


def test_nine_studies_in_twelve_reports(example: QualitativeProject) -> None:
    # Results: "Twelve full papers reporting evidence from nine studies were included".
    assert in_seed("Twelve full papers reporting evidence from nine studies were included")
    assert len(example.studies) == 9
    assert sum(len(s.reports) for s in example.studies) == 12


TABLE4 = [
    (
        "Burton et al. (2012)",
        "11 patients",
        "MUS",
        "Interview",
        "GP with special interest 'symptoms' clinic",
    ),
    (
        "Chew-Graham et al. (2011); Peters et al. (2011)",
        "Three nurse therapists, three supervisors (psychiatry, clinical psychology, counselling), 46 patients",
        "CFS/ME",
        "Semi-structured interviews",
        "Pragmatic rehabilitation and supportive listening",
    ),
    (
        "Cowell et al. (2018a, 2018b)",
        "10 physiotherapists",
        "Non-specific chronic low back pain",
        "Semi-structured interview",
        "Cognitive functional therapy",
    ),
    (
        "Dowrick et al. (2008); Peters et al. (2009) (report different data from the study above)",
        "24 general practitioners 23 patients",
        "MUS",
        "Semi-structured interviews",
        "Reattribution (by trained GPs)",
    ),
    (
        "Gerskowitch et al. (2015)",
        "11 patients",
        "MUPS",
        "Semi-structured interviews",
        "CBT and mindfulness-based stress reduction",
    ),
    (
        "Graham et al. (2007)",
        "Six patients",
        "MUS",
        "Self-reports – a series of open questions put to each patient in writing",
        "Group counselling (humanistic)",
    ),
    ("Lewis (2013)", "Eight CBT therapists", "MUS", "Semi-structured interviews", "Individual CBT"),
    (
        "Morton et al. (2016)",
        "17 patients",
        "MUS",
        "Semi-structured interviews",
        "GP with special interest 'symptoms' clinic",
    ),
    (
        "Payne (2015)",
        "16 patients",
        "MUS",
        "Case studies; qualitative data from a survey",
        "The BodyMind Approach (TBMA) group intervention",
    ),
]


def test_table4_included_studies(example: QualitativeProject) -> None:
    # Table 4, "Summary of the included studies and their sample and study characteristics".
    got = [tuple(r.values()) for r in rows(example, "table4")]
    assert got == TABLE4
    # The text gives Chew-Graham/Peters (2011) on two lines of its own.
    for row in TABLE4:
        cells = row[1:] if row[0].startswith("Chew-Graham") else row
        assert all(in_seed(c) for c in cells), row


def test_study_respondents_130_patients_and_48_practitioners(example: QualitativeProject) -> None:
    # Results, "Study respondents": "qualitative data from 130 patients and from 48 HPs ...
    # 24 general practitioners (GPs), 10 physiotherapists, eight CBT therapists, three nurse
    # therapists, and three nurse therapist supervisors"; "Respondent characteristics": MUS or
    # MUPS n = 84, CFS/ME 46.
    table = next(t for t in example.tables if t.name == "table4")
    patients = [int(n) for n in table.column("n_patients")]
    practitioners = [int(n) for n in table.column("n_health_professionals")]
    assert sum(patients) == 130 and in_seed("data from 130 patients and from 48 HPs")
    assert sum(practitioners) == 48 == 24 + 10 + 8 + 3 + 3
    population = table.column("Population being treated as described in the study")
    assert sum(n for n, p in zip(patients, population, strict=True) if p in ("MUS", "MUPS")) == 84
    assert sum(n for n, p in zip(patients, population, strict=True) if p == "CFS/ME") == 46
    assert in_seed("n = 84$) with the remaining 46 patients diagnosed with CFS/ME")
    # Four studies with practitioners' views, as the text says; seven (not "Eight", as the
    # text says) with patients' views: Table 5 lists seven.
    assert sum(n > 0 for n in practitioners) == 4
    assert sum(n > 0 for n in patients) == 7 == len(rows(example, "table5"))
    assert in_seed(
        "Eight studies provided evidence about patients' attitudes and four studies provided evidence about HP attitudes"
    )


def test_table5_patient_characteristics(example: QualitativeProject) -> None:
    # Table 5, "Summary of patient characteristics".
    expected = [
        ("Burton et al. (2012)", "11 patients", "MUS", "NR", "NR"),
        (
            "Chew-Graham et al. (2011); Peters et al. (2011)",
            "46 patients.",
            "CFS/ME",
            "33 female; 13 male",
            "Patients = Mean age 46.11 years (range 20–73)",
        ),
        (
            "Gerskowitch et al. (2015)",
            "11 patients",
            "MUPS",
            "Eight female; three male",
            "Median age 50 years (range 19–60)",
        ),
        ("Graham et al. (2007)", "Six patients", "MUPS", "NR", "NR"),
        ("Morton et al. (2016)", "17 patients", "MUS", "NR", "NR"),
        ("Payne (2015)", "16 patients", "MUS", "10 female; six male", "Range 19–80 years"),
        (
            "Peters et al. (2009)",
            "23 patients",
            "MUS",
            "20 female; three male",
            "Mean age = 53 years (range 32–84 years)",
        ),
    ]
    assert [tuple(r.values()) for r in rows(example, "table5")] == expected
    assert all(in_seed(" ".join(row)) for row in expected)
    # Graham et al. is "MUS" in Table 4 and "MUPS" in Tables 5 and 7: each table as printed.


def test_table6_practitioner_characteristics(example: QualitativeProject) -> None:
    # Table 6, "Summary of health practitioner characteristics".
    expected = [
        (
            "Cowell et al. (2018a); Cowell et al. (2018b)",
            "10 physiotherapists",
            "Non-specific chronic low back pain",
            "Seven male; three female",
            "Not reported (years working in MSK range 3–14 years)",
        ),
        (
            "Peters et al. (2011)",
            "Three nurse therapists, three supervisors",
            "CFS/ME",
            "Nurses = 3 women; NR for supervisors",
            "NR for nurses and supervisors",
        ),
        (
            "Dowrick et al. (2008)",
            "24 general practitioners",
            "MUS",
            "16 female; eight male",
            "Three aged under 35 years; 14 between 35 and 50 years, and 7 over 50 years",
        ),
        (
            "Lewis (2013)",
            "Eight CBT therapists",
            "MUS",
            "Five female; three male",
            "Mean age 43.5 (SD = 9.04) years (range 30–60 years)",
        ),
    ]
    assert [tuple(r.values()) for r in rows(example, "table6")] == expected
    assert all(in_seed(" ".join(row)) for row in expected)


def test_table7_interventions(example: QualitativeProject) -> None:
    # Table 7, "Description of the interventions delivered in the included studies".
    got = rows(example, "table7")
    assert [r["Author (date)"] for r in got] == [
        "Burton et al. (2012)",
        "Chew-Graham et al. (2011); Peters et al. (2011)",
        "Cowell et al. (2018a, 2018b)",
        "Dowrick et al. (2008); Peters et al. (2009)",
        *["Gerskowitch et al. (2015)"] * 3,
        "Graham et al. (2007)",
        "Lewis (2013)",
        "Morton et al. (2016)",
        "Payne (2015)",
    ]
    assert [r["Intervention provider"] for r in got] == [
        "GP",
        "Primary care nurses trained to deliver the interventions",
        "Physiotherapists",
        "GP",
        "HI-CBT therapist",
        "Psychological well-being practitioner (PWP)",  # from the text; see the table's note
        "Trained MBSR facilitator",
        "Group counsellor",
        "CBT therapists with a postgraduate diploma in CBT",
        "GP",
        "Clinical psychologist/facilitators (psychotherapists or art therapists)",
    ]
    assert in_seed(
        "A psychological well-being practitioner (PWP) delivered a low-intensity CBT intervention"
    )
    # "three interventions were delivered in a group setting, that is, MBSR, humanistic
    # counselling, and the BodyMind approach" (Results, Intervention description).
    group = [r["Intervention"] for r in got if r["Individual or group"] == "Group"]
    assert group == [
        "Mindfulness-based stress reduction",
        "Group counselling (humanistic)",
        "The BodyMind Approach (TBMA), based on a biopsychosocial model derived from dance movement psychotherapy",
    ]
    for r in got:
        for column in ("Intervention", "Intervention setting", "Intervention duration"):
            # Table 7's flattened text splits Dowrick/Peters's intervention across a page.
            if not (r["Author (date)"].startswith("Dowrick") and column == "Intervention"):
                assert in_seed(r[column]), (r["Author (date)"], column)


TABLE8 = {
    # Table 8, "Quality assessment results for the included studies": the answers to the
    # seven questions, then "Assessment of quality".
    "Burton et al. (2012)": ("Yes", "Yes", "No", "Yes", "Yes", "No", "No", "Low"),
    "Chew-Graham et al. (2011); Peters et al. (2011)": (
        "Yes",
        "Yes",
        "No",
        "Yes",
        "Yes",
        "Yes",
        "Yes",
        "Moderate",
    ),
    "Cowell et al. (2018a, 2018b)": (
        "Yes",
        "Yes",
        "Somewhat",
        "Yes",
        "Yes",
        "Yes",
        "Yes",
        "Moderate",
    ),
    "Dowrick et al. (2008)": ("Yes", "Yes", "No", "Yes", "Yes", "Yes", "Yes", "Moderate"),
    "Gerskowitch et al. (2015)": ("Yes", "Yes", "No", "Yes", "Yes", "Yes", "Yes", "Moderate"),
    "Graham et al. (2007)": ("Yes", "Somewhat", "Yes", "Yes", "Somewhat", "No", "No", "Low"),
    "Lewis (2013)": ("Yes", "Yes", "Yes", "Yes", "Yes", "Yes", "Yes", "High"),
    "Morton et al. (2016)": ("Yes", "Yes", "No", "Yes", "Yes", "Yes", "No", "Moderate"),
    "Payne (2015)": ("Yes", "Somewhat", "Yes", "No", "No", "No", "No", "Low"),
    "Peters et al. (2009)": ("Yes", "Yes", "No", "Yes", "Yes", "Yes", "Yes", "Moderate"),
}


def test_table8_answers_and_ratings(example: QualitativeProject) -> None:
    got = {
        example.studies.label(r.appraisal.study, r.appraisal.reports): (
            *(r.appraisal.answers[str(q)].answer for q in range(1, 8)),
            r.recorded_rating,
        )
        for r in example.results
    }
    assert list(got) == list(TABLE8)  # Table 8's column order
    assert got == TABLE8
    assert in_seed(
        "Assessment of quality Low Moderate Moderate Moderate Moderate Low High Moderate Low Moderate"
    )
    # Cowell et al.'s answer to question 3 is a comment only; the example codes it Somewhat.
    cowell = next(r for r in example.results if r.appraisal.study == "S3")
    assert (
        cowell.appraisal.answers["3"].comment
        == "Reflexivity mentioned in the methods but not obviously applied in the analysis."
    )
    assert in_seed(cowell.appraisal.answers["3"].comment or "")


def test_table8_comments_are_the_seeds_words(example: QualitativeProject) -> None:
    cells = [
        str(a)
        for r in example.results
        for q, a in r.appraisal.answers.items()
        if a.comment and not (r.appraisal.study == "S3" and q == "3")
    ]
    assert len(cells) == 13
    for cell in cells:
        # Table 8 writes "No – ...", "No, ..." and "No not ..."; the example keeps the words.
        answer, comment = cell.split(" – ", 1)
        assert any(in_seed(f"{answer}{sep}{comment}") for sep in (" – ", ", ", " ")), cell


def test_rule_ratings_and_the_morton_flag(example: QualitativeProject) -> None:
    # Table 8: every recorded rating follows the rule but one. Morton et al. (2016) answers
    # No to reflexivity (3) and to sufficient evidence (7), two criteria not met, which the
    # rule rates low; Table 8 rates it moderate.
    rule = {
        example.studies.label(r.appraisal.study, r.appraisal.reports): r.rule_rating
        for r in example.results
    }
    expected = {k: v[-1] for k, v in TABLE8.items()} | {"Morton et al. (2016)": "Low"}
    assert rule == expected
    flagged = [r for r in example.results if r.disagrees]
    assert len(flagged) == 1
    morton = flagged[0]
    assert morton.appraisal.study == "S8"
    assert morton.rule is not None and morton.rule.not_met == ("3", "7")
    assert (morton.rule_rating, morton.recorded_rating) == ("Low", "Moderate")


TABLE9 = {
    # Table 9, "Summary of the key findings": row, then the Patients and the Health
    # practitioners cells as the text prints them (items run together).
    "Valuable results from intervention participation or training": (
        "Gaining support being validated Explanation Support for self-management",
        "Developing knowledge and skills around PPS Rewarding when patients engaged",
    ),
    "Facilitators": (
        "Good relationships between patients and HPs",
        "Training and supervision Primary care or community setting",
    ),
    "Barriers": (
        "Patient attitudes and beliefs Poor relationship with HPs",
        "Lack of confidence in their own skills and abilities to deal with PPS Patient attitudes and beliefs HP attitudes and beliefs Resources constraints",
    ),
    "Adverse effects": (
        "It ended Conflicts between HPs and patients, and HP lack of understanding",
        "Detrimental intervention consequences for patients Patient and health practitioner emotions",
    ),
}


def test_table9_key_findings(example: QualitativeProject) -> None:
    assert example.synthesis is not None
    matrix = example.synthesis.key_findings(example.groups, ["patients", "health_professionals"])
    got = {
        g: (" ".join(matrix.loc[g, "patients"]), " ".join(matrix.loc[g, "health_professionals"]))
        for g in matrix.index
    }
    assert got == TABLE9
    for group, (patients, practitioners) in TABLE9.items():
        assert in_seed(f"{group} {patients} {practitioners}"), group


def test_every_excerpt_is_a_quotation_in_the_seed(example: QualitativeProject) -> None:
    # Results: the quotations the paper gives from the primary studies, word for word.
    assert example.synthesis is not None
    assert len(example.synthesis.excerpts) == 13
    for e in example.synthesis.excerpts:
        assert in_seed(e.text), e.id
        citation = example.studies.report(e.report or "").citation.replace(" (", ", ").rstrip(")")
        if e.speaker:
            assert in_seed(f"{e.speaker}, {citation}") or in_seed(f"{e.speaker}; {citation}"), e.id


STATED = {
    # Results: the findings whose confidence the text states, with the words that state it.
    "P01": (
        "high",
        "This need for support was identified across diverse intervention types with high confidence in this finding",
    ),
    "P02": ("moderate", "with moderate confidence assessed in this finding"),
    "P06": (
        "moderate",
        "with data contributing to this finding across four studies with moderate confidence",
    ),
    "P10": ("low", "with low confidence in this finding"),
    "H01": ("high", "Across four studies, and with high confidence in this finding"),
    "H02": ("high", "In three studies, contributing to a finding of high confidence"),
    "H04": (
        "high",
        "Across four studies, a finding with high confidence emerged around HPs' perceptions about patient beliefs",
    ),
}


def test_findings_and_the_confidence_the_text_states(example: QualitativeProject) -> None:
    by_id = {a.finding.id: a for a in example.assessments}
    stated = {i: a.confidence for i, a in by_id.items() if a.confidence is not None}
    assert stated == {i: level for i, (level, _) in STATED.items()}
    for i, (_, words) in STATED.items():
        assert in_seed(words), i
        assert words in by_id[i].explanation
    # Results, "Certainty of the review findings": 22 patient findings (1 high, 6 moderate, 13
    # low, 2 very low) and 16 practitioner findings (4 high, 8 moderate, 4 low). What the
    # example encodes must fit inside those totals.
    assert in_seed("The synthesis of evidence from patients yielded 22 review findings")
    assert in_seed(
        "Four findings were assessed as high confidence, eight as moderate confidence, and four as low confidence"
    )
    totals = {
        "patients": {"findings": 22, "high": 1, "moderate": 6, "low": 13, "very low": 2},
        "health_professionals": {"findings": 16, "high": 4, "moderate": 8, "low": 4, "very low": 0},
    }
    for perspective, limits in totals.items():
        mine = [a for a in example.assessments if a.finding.perspective == perspective]
        assert len(mine) <= limits["findings"]
        for level in ("high", "moderate", "low", "very low"):
            assert sum(a.confidence == level for a in mine) <= limits[level], (perspective, level)
    # The single high-confidence patient finding is support.
    assert [
        a.finding.id
        for a in example.assessments
        if a.finding.perspective == "patients" and a.confidence == "high"
    ] == ["P01"]


def test_support_rests_on_the_seven_reports_the_text_cites(example: QualitativeProject) -> None:
    # Results, "Support": "(Chew-Graham, Brooks, Wearden, Dowrick, & Peters, 2011; Gerskowitch
    # et al., 2015; Graham et al., 2007; Morton et al., 2016; Payne, 2015; Peters et al., 2009;
    # Peters et al., 2011;)", six studies.
    support = next(a for a in example.assessments if a.finding.id == "P01")
    assert len(support.finding.reports) == 7
    assert support.finding.studies == ("S2", "S4", "S5", "S6", "S8", "S9")
    ml = support.components["methodological_limitations"]
    assert ml is not None and ml.prefilled
    assert "Morton et al. (2016): Moderate (the rule gives Low)" in ml.explanation
