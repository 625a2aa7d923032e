"""Field normalisation for duplicate detection (evsynth.records.dedup.normalise).

The raw values are taken from the McKeown & Mir (2021) stroke and haematology sets as
prepared in CoLRev-Environment/bib-dedupe (MIT), copied to tests/data/dedup/; the record id
each example comes from is named beside it.
"""

from __future__ import annotations

import math

import pytest

from evsynth.records.dedup import normalise as nz


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # stroke id_0000001: language tag and trailing period
        (
            "Efficacy observation of batroxobin for treatment of vascular cognitive impairment. "
            "[Chinese]",
            "efficacy observation of batroxobin for treatment of vascular cognitive impairment",
        ),
        # haematology id_0000025: MEDLINE's brackets round a translated title
        (
            "[Clinical aspects of the complement system]. [Japanese]",
            "clinical aspects of the complement system",
        ),
        # haematology id_0000075: en dash between words
        ("Atypical Hemolytic–Uremic Syndrome", "atypical hemolytic uremic syndrome"),
        # haematology id_0000019: erratum note cut off by the export's field limit
        (
            "Severe deficiency of ADAMTS 13 activity.[Erratum appears in J Pediatr. 2003 Jun",
            "severe deficiency of adamts 13 activity",
        ),
        # haematology id_0000008: Embase's letter markers
        (
            "Atypical hemolytic uremic syndrome associated with group A beta hemolytic "
            "streptococcus (multiple letters) [1]",
            "atypical hemolytic uremic syndrome associated with group a beta hemolytic "
            "streptococcus",
        ),
        ("Diabetes &amp; <i>Metabolism</i>.", "diabetes metabolism"),
        ("Effets de l’hypothermie thérapeutique", "effets de l hypothermie therapeutique"),
        ('Gro{\\ss}e {\\"U}bersicht', "grosse ubersicht"),  # BibTeX escapes
        ("", ""),
        (None, ""),
        (math.nan, ""),
    ],
)
def test_normalise_title(raw: object, expected: str) -> None:
    assert nz.normalise_title(raw) == expected


def test_translated_title_in_brackets_is_not_taken_for_a_note() -> None:
    # "[Update on ...]" opens a translated title; only notes after the title are dropped.
    assert nz.normalise_title("[Update on paroxysmal nocturnal hemoglobinuria].") == (
        "update on paroxysmal nocturnal hemoglobinuria"
    )


def test_erratum_titles_lose_their_citations_but_keep_their_kind() -> None:
    # haematology id_0000020 and id_0000021: one erratum as Embase and as Web of Science give it.
    embase = (
        "Erratum: Severe deficiency of the specific von Willebrand factor-cleaving protease "
        "(ADAMTS 13) activity in a subgroup of children (The Journal of Pediatrics (M"
    )
    wos = (
        "Severe deficiency of the specific von Willebrand factor-cleaving protease (ADAMTS 13) "
        "activity in a subgroup of children (vol 142, pg 310, 2003)"
    )
    assert nz.normalise_title(embase) == nz.normalise_title(wos)
    assert nz.record_kind(embase) == nz.record_kind(wos) == "erratum"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("Erratum: Gain-of-function mutations in complement factor B", "erratum"),
        ("Corrigendum to: A trial of X", "erratum"),
        ("Eculizumab for aHUS (New England Journal of Medicine (2009) 360 (542-544))", "erratum"),
        ("Long-term effect of eculizumab (vol 85, pg 553, 2010)", "erratum"),
        ("Eculizumab for aHUS.[Erratum appears in N Engl J Med. 2009 Jun 4;360(23):2487]", ""),
        ("Atypical hemolytic uremic syndrome - Reply", "reply"),
        ("Atypical hemolytic uremic syndrome - Reply [French]", "reply"),
        ("Reply to: Comment on the effect of X", "reply"),
        ("Comment on: The effect of X", "comment"),
        ("Retraction notice: The effect of X", "retraction"),
        ("Responsiveness of the FIM in stroke", ""),
        ("The effect of X on Y", ""),
    ],
)
def test_record_kind(raw: str, kind: str) -> None:
    assert nz.record_kind(raw) == kind


@pytest.mark.parametrize(
    ("raw", "numbers"),
    [
        ("part 1 methods", (1,)),
        ("part ii results", (2,)),
        ("a phase iii trial", (3,)),
        ("a phase ii trial", (2,)),
        ("i think therefore i am", ()),
        ("study v of the series", (5,)),
        ("covid 19 in 2020", (19, 2020)),
    ],
)
def test_title_numbers(raw: str, numbers: tuple[int, ...]) -> None:
    assert nz.title_numbers(raw) == numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("73-76", (73, 76)),
        ("73-6", (73, 76)),  # MEDLINE abbreviates the end page
        ("1844-59", (1844, 1859)),
        ("e123", (123, None)),
        ("e8-e9", (8, 9)),
        ("C219-C235", (219, 235)),
        ("c37-c42", (37, 42)),
        ("499–711", (499, 711)),
        ("532, 534-536, 538-540", (532, None)),
        ("945", (945, None)),
        (945.0, (945, None)),
        ("215 p", (None, None)),  # a thesis's page count, not a page
        ("2297-2108", (2297, 2108)),  # a typo in one of the two; both kept
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_pages(raw: object, expected: tuple[int | None, int | None]) -> None:
    assert nz.parse_pages(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Seminars in Thrombosis & Hemostasis", "seminars thrombosis hemostasis"),
        ("Seminars in Thrombosis and Hemostasis.", "seminars thrombosis hemostasis"),
        ("Stroke; a journal of cerebral circulation", "stroke"),
        ("Stroke (00392499)", "stroke"),
        ("Journal of applied physiology (Bethesda, Md. : 1985)", "journal applied physiology"),
        (
            "Pediatric Nephrology.Conference: 44th Annual Scientific Meeting of the ESPN",
            "pediatric nephrology",
        ),
        ("J. Thromb. Haemost. Conference: 23rd Congress of the ISTH", "j thromb haemost"),
        (
            "[Rinsho ketsueki] The Japanese journal of clinical hematology.",
            "rinsho ketsueki japanese journal clinical hematology",
        ),
        (None, ""),
    ],
)
def test_normalise_journal(raw: object, expected: str) -> None:
    assert nz.normalise_journal(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zuber, J and Le Quintrec, M", ("zuber", "le quintrec")),
        ("Zipfel, P. F. and Skerka, C.", ("zipfel", "skerka")),
        ("Zhai QJ; Yue XY", ("zhai", "yue")),
        ("Zhai, Q.J., Yue, X.Y.", ("zhai", "yue")),
        ("Nürnberger, Jens and Philipp, Thomas", ("nurnberger", "philipp")),
        ("Jens Nuernberger", ("nuernberger",)),
        ("Fremeaux-Bacchi, V.", ("fremeaux bacchi",)),
        ("", ()),
        (None, ()),
    ],
)
def test_author_surnames(raw: object, expected: tuple[str, ...]) -> None:
    assert nz.author_surnames(raw) == expected


def test_first_surname_key_ignores_particles() -> None:
    assert nz.first_surname_key(("le quintrec", "zuber")) == "quintrec"
    assert nz.first_surname_key(()) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.1080/1097198X.2004.10856384", "10.1080/1097198x.2004.10856384"),
        ("https://doi.org/10.1080/1097198X.2004.10856384.", "10.1080/1097198x.2004.10856384"),
        ("doi:10.1057/EJIS.2012.58", "10.1057/ejis.2012.58"),
        ("not a doi", ""),
        (None, ""),
    ],
)
def test_normalise_doi(raw: object, expected: str) -> None:
    assert nz.normalise_doi(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12345678", "12345678"), (12345678.0, "12345678"), ("PMID: 123", "123"), (None, "")],
)
def test_normalise_pmid(raw: object, expected: str) -> None:
    assert nz.normalise_pmid(raw) == expected


@pytest.mark.parametrize(
    ("raw", "year", "volume"),
    [("2011", 2011, 2011), (2011.0, 2011, 2011), ("2011 Jan 5", 2011, 2011), (None, None, None)],
)
def test_year_and_volume(raw: object, year: int | None, volume: int | None) -> None:
    assert nz.parse_year(raw) == year
    assert nz.parse_volume(raw) == volume


def test_volume_takes_the_first_number() -> None:
    assert nz.parse_volume("77-78") == 77
    assert nz.parse_volume("Suppl 2") == 2
    assert nz.parse_volume("Ph.D.") is None  # a thesis record's degree in the volume field


def test_a_second_note_cut_off_after_its_first_word_is_dropped() -> None:
    # haematology id_0000117
    raw = (
        "Anti-Factor H autoantibodies in a fifth renal transplant recipient.[Erratum appears "
        "in Am J Transplant. 2009 Sep;9(9):2205 Note: Niauif, P [added]].[Erratum"
    )
    assert (
        nz.normalise_title(raw)
        == "anti factor h autoantibodies in a fifth renal transplant recipient"
    )


@pytest.mark.parametrize(
    "raw",
    [
        # haematology id_0000039: a reply keeps the title of the letter it answers
        "Atypical hemolytic uremic syndrome associated with group A beta hemolytic "
        "streptococcus - Reply",
        "In reply: Atypical hemolytic uremic syndrome associated with group A beta hemolytic "
        "streptococcus",
        "Comment on: Atypical hemolytic uremic syndrome associated with group A beta "
        "hemolytic streptococcus",
        "Re: Atypical hemolytic uremic syndrome associated with group A beta hemolytic "
        "streptococcus",
        "Retraction notice: Atypical hemolytic uremic syndrome associated with group A beta "
        "hemolytic streptococcus",
    ],
)
def test_notice_titles_lose_their_markers_but_keep_their_kind(raw: str) -> None:
    expected = (
        "atypical hemolytic uremic syndrome associated with group a beta hemolytic streptococcus"
    )
    assert nz.normalise_title(raw) == expected
    assert nz.record_kind(raw) in {"reply", "comment", "retraction"}


def test_response_opening_an_ordinary_reply_title_is_kept() -> None:
    assert nz.normalise_title("Responsiveness of the FIM in stroke - Reply") == (
        "responsiveness of the fim in stroke"
    )


@pytest.mark.parametrize(
    ("raw", "cited"),
    [
        # haematology id_0000161, id_0000175 and stroke id_0000078
        (
            "Long-term effect.[Erratum appears in Am J Hematol. 2010 Nov;85(11):911]",
            (("erratum", 85, 11, 911),),
        ),
        (
            "Gain-of-function mutations.[Erratum appears in Proc Natl Acad Sci U S A. 2007 Jun "
            "19;104(25):10749]",
            (("erratum", 104, 25, 10749),),
        ),
        (
            "Memory... [corrected][published erratum appears in Brain Inj. 2013 Mar;27(3):377]",
            (("erratum", 27, 3, 377),),
        ),
        ("A trial.[Retraction in: J Clin Oncol. 2012;30(2):150]", (("retraction", 30, 2, 150),)),
        # haematology id_0000019: cut off before the placement
        ("Severe deficiency.[Erratum appears in J Pediatr. 2003 Jun", ()),
        ("Eculizumab for aHUS (vol 360, pg 542, 2009)", ()),
        (None, ()),
    ],
)
def test_cited_notices(raw: object, cited: tuple[tuple[str, int, int | None, int], ...]) -> None:
    assert nz.cited_notices(raw) == cited


@pytest.mark.parametrize(
    ("journal", "volume", "number", "pages", "expected"),
    [
        ("British Journal of Haematology", "145", "Suppl. 1", "23", True),  # id_0000134
        ("Molecular Immunology", "48", "14, Sp. Iss. SI", "1684", True),  # id_0000327
        ("Canadian Journal of Neurological Sciences", "37", "3", "S42", True),  # stroke 428
        ("Pediatric Transplantation.Conference: 6th Congress of the IPTA", "15", None, "22", True),
        ("Dissertation Abstracts International: Section B", "73", "3-B", "1524", True),
        ("Pediatric Nephrology", "25", "12", "2539-2542", False),
        ("Stroke", "41", "7", "e505", False),
    ],
)
def test_is_meeting_abstract(
    journal: str, volume: str, number: str | None, pages: str, expected: bool
) -> None:
    assert nz.is_meeting_abstract(journal, volume, number, pages) is expected


def test_thesis_and_dissertation_abstract_markers() -> None:
    # stroke id_0000010 and id_0000009
    assert nz.is_thesis("Ph.D.", None, "215 p")
    assert not nz.is_thesis("73", "3-B", "1524")
    assert nz.is_dissertation_abstract("Dissertation Abstracts International: Section B")
    assert not nz.is_dissertation_abstract("Stroke")
