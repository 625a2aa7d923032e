"""Field normalisation: DOIs, years, author names, ISSNs, pages, database names."""

from __future__ import annotations

import pytest

from evsynth.records.normalise import (
    doi_from_url,
    join_pages,
    normalise_author,
    normalise_database,
    normalise_doi,
    normalise_issn,
    parse_year,
    split_authors,
)


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("10.1002/cpp.2398", "10.1002/cpp.2398"),
        ("10.1002/CPP.2398", "10.1002/cpp.2398"),
        ("https://doi.org/10.1002/CPP.2398", "10.1002/cpp.2398"),
        ("http://dx.doi.org/10.1002/cpp.2398", "10.1002/cpp.2398"),  # Ovid DO
        ("doi:10.1002/cpp.2398", "10.1002/cpp.2398"),
        ("DOI: 10.1002/cpp.2398.", "10.1002/cpp.2398"),  # PubMed SO ends with "."
        ("  10.1136/neurintsurg-2017-013179 [doi]", "10.1136/neurintsurg-2017-013179"),
        ("10.15598%2faeee.v16i3.2698", "10.15598/aeee.v16i3.2698"),  # URL-encoded slash
        ("10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
        (
            "10.1002/(SICI)1097-4636(199601)30:1<1::AID-JBM1>3.0.CO;2-Y",
            "10.1002/(sici)1097-4636(199601)30:1<1::aid-jbm1>3.0.co;2-y",
        ),
        ("10.1", None),  # asreview's placeholder
        ("", None),
        (None, None),
        ("n/a", None),
    ],
)
def test_normalise_doi(raw: str | None, doi: str | None) -> None:
    assert normalise_doi(raw) == doi


def test_doi_from_url_only_reads_resolver_links() -> None:
    assert doi_from_url("https://doi.org/10.1000/ABC") == "10.1000/abc"
    assert doi_from_url("http://dx.doi.org/10.1000/abc") == "10.1000/abc"
    # A DOI inside a query string is not the link's DOI.
    assert doi_from_url("https://www.scopus.com/record.uri?doi=10.1000%2fabc&x=1") is None


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        ("2014//", 2014),
        ("1948/07//", 1948),
        ("2018 Apr", 2018),
        ("2019.0", 2019),
        ("Published 2020-03-01", 2020),
        ("10 15", None),  # asreview faulty_year.ris
        ("20170728", None),  # not a year on its own
        ("in press", None),
        ("0999", None),
        (None, None),
    ],
)
def test_parse_year(raw: str | None, year: int | None) -> None:
    assert parse_year(raw) == year


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Shannon,Claude E.", "Shannon, Claude E."),
        ("Liu R.", "Liu, R."),  # Embase A1
        ("Adler D.G.", "Adler, D.G."),
        ("Pereira VM", "Pereira, VM"),  # PubMed AU
        ("van der Berg JH", "van der Berg, JH"),
        ("Legrand J.-P.", "Legrand, J.-P."),
        ("Brinjikji,   Waleed ", "Brinjikji, Waleed"),
        ("WHO Study Group", "WHO Study Group"),
        ("Cochrane", "Cochrane"),
        ("Smith,", "Smith"),
        ("  ", None),
    ],
)
def test_normalise_author(raw: str, name: str | None) -> None:
    assert normalise_author(raw) == name


def test_split_authors() -> None:
    assert split_authors("Liu R., Adler D.G.") == ["Liu R.", "Adler D.G."]
    assert split_authors("Smith, John") == ["Smith, John"]
    assert split_authors("Smith, J; Lee, K") == ["Smith, J", "Lee, K"]
    assert split_authors("Smith, J\nLee, K") == ["Smith, J", "Lee, K"]
    assert split_authors("") == []


def test_issn_pages_and_databases() -> None:
    assert normalise_issn("1759-8486 (Electronic)") == "1759-8486"
    assert normalise_issn("13361376") == "1336-1376"
    assert normalise_issn("0008-543x") == "0008-543X"
    assert normalise_issn("9783030581671") is None  # an ISBN
    assert join_pages("152", "160") == "152-160"
    assert join_pages("1-5", "5") == "1-5"
    assert join_pages("335--339") == "335-339"
    assert join_pages("e0815", None) == "e0815"
    assert join_pages("No", "Specified") is None
    assert normalise_database("Medline") == "MEDLINE"
    assert normalise_database("NLM") == "PubMed"
    assert normalise_database("PTSDpubs") == "PTSDpubs"
