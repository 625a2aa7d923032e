"""A 100,000-record RIS file, generated here, is read in well under a minute."""

from __future__ import annotations

import time

import pytest

from evsynth.records import read_records

RECORD = (
    "TY  - JOUR\n"
    "AU  - Smith, John\n"
    "AU  - Lee K.\n"
    "TI  - Effect of intervention {i} on outcomes: a randomised trial\n"
    "T2  - Journal of Trials\n"
    "PY  - {year}\n"
    "VL  - 12\n"
    "IS  - 3\n"
    "SP  - 100\n"
    "EP  - 110\n"
    "DO  - https://doi.org/10.1000/TRIAL.{i}\n"
    "N2  - Background: the abstract of record {i}, long enough to look like one, with\n"
    "      a continuation line.\n"
    "KW  - trial\n"
    "KW  - outcome\n"
    "DB  - Embase\n"
    "ER  - \n"
    "\n"
)
N = 100_000


@pytest.mark.slow
def test_100k_record_ris_file() -> None:
    data = "".join(RECORD.format(i=i, year=1990 + i % 35) for i in range(N)).encode()
    start = time.perf_counter()
    result = read_records(data, name="big.ris")
    elapsed = time.perf_counter() - start
    # About 10 s on a 2-core CI machine; the bound is loose so only a regression fails it.
    assert elapsed < 60, f"reading {N} records took {elapsed:.1f} s"
    assert len(result.records) == N
    assert result.n_skipped == 0 and result.warnings == ()
    last = result.records[-1]
    assert last.doi == f"10.1000/trial.{N - 1}"
    assert last.location.line == (N - 1) * RECORD.count("\n") + 1
    assert last.authors == ("Smith, John", "Lee, K.")
    assert result.source_database == "Embase"
