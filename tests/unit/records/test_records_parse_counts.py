"""Record counts for every real export file listed in tests/data/formats/parse_counts.json.

The JSON (from /work/shared/datasets/formats/) records what a *naive* call gives: for its
``"parser": "rispy"`` entries, ``rispy.load(path, encoding="utf-8-sig")`` with rispy's
default mapping, counting a record as having a title when ``title`` or ``primary_title``
(TI/T1) is set, an abstract when ``abstract`` (AB, not N2) is set and a DOI when ``doi`` (DO)
is set; ``test_json_records_a_naive_rispy_call`` reproduces every such number. evsynth reads
these files correctly, so where the naive call is wrong the test asserts evsynth's number,
with the reason, in ``CORRECTIONS``. The ``"parser": "nbib"`` entries have no
``with_title``; evsynth's is asserted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rispy

from evsynth.records import read_records

FORMATS = Path(__file__).resolve().parents[2] / "data" / "formats"
COUNTS = json.loads((FORMATS / "parse_counts.json").read_text(encoding="utf-8"))

# file -> {count: (evsynth's value, why it differs from the naive value in the JSON)}
CORRECTIONS: dict[str, dict[str, tuple[int, str]]] = {
    "asreview/baseline_empty_values.ris": {
        "with_abstract": (
            2,
            "records 2 and 4 have their abstract in N2, which rispy maps to "
            "notes_abstract, not abstract",
        ),
    },
    "asreview/embase.ris": {
        "with_abstract": (6, "Embase puts every abstract in N2"),
    },
    "asreview/ovid_psycinfo.ris": {
        "with_abstract": (6, "Ovid puts every abstract in N2"),
    },
    "rispy/example_empty_tag.ris": {
        "with_abstract": (1, "the abstract is in N2 (continued on the next line)"),
    },
    "rispy/example_extraneous_data.ris": {
        "with_abstract": (2, "both abstracts are in N2"),
    },
    "rispy/example_full.ris": {"with_abstract": (2, "both abstracts are in N2")},
    "rispy/example_full_without_whitespace.ris": {
        "with_abstract": (2, "both abstracts are in N2"),
    },
    "rispy/example_full_write.ris": {"with_abstract": (2, "both abstracts are in N2")},
    "rispy/example_multiline.ris": {
        "with_abstract": (3, "each of the 3 records has a multi-line N2"),
    },
    "rispy/example_utf_chars.ris": {
        "with_title": (
            1,
            "the record has no TI/T1 but a short title (ST); evsynth falls back "
            "to ST rather than leave a record without a title for screening",
        ),
    },
    "rispy/example_wos.ris": {
        "n": (
            2,
            "a Web of Science plain-text file (FN/PT ... ER): a RIS parser finds no "
            "TY line, so rispy.load returns []; evsynth detects the format and reads 2 "
            "records with rispy's WokParser",
        ),
        "with_title": (2, "TI in both records"),
        "with_abstract": (2, "AB in both records"),
        "with_doi": (2, "DI in both records"),
    },
}

# evsynth's title counts where the JSON gives none (nbib entries): every PubMed record has TI.
NBIB_TITLES = {"nbib/pubmed-balloongui-set.nbib": 75, "nbib/single.nbib": 1}


def expected(entry: dict[str, object], count: str) -> int | None:
    file = str(entry["file"])
    if count in CORRECTIONS.get(file, {}):
        return CORRECTIONS[file][count][0]
    if count == "with_title" and count not in entry:
        return NBIB_TITLES[file]
    value = entry.get(count)
    return int(value) if isinstance(value, int) else None


@pytest.mark.parametrize("entry", COUNTS, ids=[str(e["file"]) for e in COUNTS])
def test_counts_match_parse_counts_json(entry: dict[str, object]) -> None:
    path = FORMATS / str(entry["file"])
    assert path.stat().st_size == entry["bytes"], "the pinned file changed"
    result = read_records(path)
    records = result.records
    got = {
        "n": len(records),
        "with_title": sum(r.title is not None for r in records),
        "with_abstract": sum(r.abstract is not None for r in records),
        "with_doi": sum(r.doi is not None for r in records),
    }
    for count, value in got.items():
        assert value == expected(entry, count), f"{entry['file']}: {count}"
    assert result.n_skipped == 0


def test_corrections_name_only_listed_files_and_counts() -> None:
    listed = {str(e["file"]): e for e in COUNTS}
    for file, counts in CORRECTIONS.items():
        assert file in listed, file
        for count, (value, why) in counts.items():
            assert value != listed[file].get(count), f"{file} {count} agrees; drop it"
            assert why


def test_every_ris_and_nbib_file_in_the_folder_is_counted() -> None:
    # parse_counts.json must not quietly lose a file; pmc_medlars.txt is the one it omits,
    # counted in test_records_nbib.py.
    listed = {str(e["file"]) for e in COUNTS}
    on_disk = {
        str(p.relative_to(FORMATS))
        for folder in ("asreview", "rispy", "nbib")
        for p in (FORMATS / folder).iterdir()
        if p.suffix in (".ris", ".txt", ".nbib")
    }
    assert on_disk - listed == {"nbib/pmc_medlars.txt"}


RISPY_ENTRIES = [e for e in COUNTS if e["parser"] == "rispy"]


@pytest.mark.parametrize("entry", RISPY_ENTRIES, ids=[str(e["file"]) for e in RISPY_ENTRIES])
def test_json_records_a_naive_rispy_call(entry: dict[str, object]) -> None:
    # Pins the reading of the JSON that CORRECTIONS rests on.
    entries = rispy.load(FORMATS / str(entry["file"]), encoding="utf-8-sig")
    naive = {
        "n": len(entries),
        "with_title": sum(bool(e.get("title") or e.get("primary_title")) for e in entries),
        "with_abstract": sum(bool(e.get("abstract")) for e in entries),
        "with_doi": sum(bool(e.get("doi")) for e in entries),
    }
    assert naive == {k: entry[k] for k in naive}
