"""``evsynth init``, ``import``, ``records``, ``dedupe``, ``status`` and ``export``: contracts.

Inputs: the synthetic test searches in tests/data/project/searches (see its README) and the
bib-dedupe special cases in tests/data/dedup/bibdedupe_special_cases (gold clusters in
merged_record_ids.csv; provenance in tests/data/dedup/README.md).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tomllib
import zipfile
from pathlib import Path

import pandas as pd

from tests.integration.conftest import (
    ROOT,
    SEARCHES,
    Cli,
    count,
    kept_ids,
    new_project,
    query,
    record_id,
)

IMPORT_KEYS = {
    "import_id",
    "file",
    "format",
    "source_database",
    "sha256",
    "n_records",
    "n_skipped",
    "warnings",
}
SPECIAL_CASES = ROOT / "tests" / "data" / "dedup" / "bibdedupe_special_cases"


# --- init ---------------------------------------------------------------------------------


def _head() -> str:
    """The newest shipped migration (0002 added appraisal events)."""
    from alembic.script import ScriptDirectory

    from evsynth.storage.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_init_creates_protocol_database_and_folders(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "new"
    out = cli("init", folder, "--title", "Pain review", "--registration", "CRD42", "--json").json()
    assert out == {"folder": str(folder), "database": f"sqlite:///{folder / 'evsynth.db'}"}
    assert (folder / "files").is_dir() and (folder / "exports").is_dir()
    config = tomllib.loads((folder / "evsynth.toml").read_text(encoding="utf-8"))
    assert config["project"] == {"title": "Pain review", "registration": "CRD42"}
    assert config["screening"]["reviewers"] == {"lead": ["lead", "screener"]}
    # The schema comes from the shipped migration, at its head revision.
    assert query(folder, "SELECT version_num FROM alembic_version") == [(_head(),)]
    assert count(folder, "records") == 0


def test_init_keeps_quotes_and_backslashes_in_title_and_lead(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    title = 'Pain\\fatigue: "persistent" symptoms'
    cli("init", folder, "--title", title, "--lead", 'A\\"B')
    config = tomllib.loads((folder / "evsynth.toml").read_text(encoding="utf-8"))
    assert config["project"]["title"] == title
    assert config["screening"]["reviewers"] == {'A\\"B': ["lead", "screener"]}
    cli("status", "-p", folder)  # the project opens


def test_init_refuses_an_existing_project(cli: Cli, project: Path) -> None:
    before = (project / "evsynth.toml").read_bytes()
    result = cli("init", project, "--title", "Again", ok=False)
    assert result.code == 2
    assert str(project) in result.error_line and "already holds a project" in result.error_line
    assert (project / "evsynth.toml").read_bytes() == before
    assert count(project, "records") == 10


# --- import -------------------------------------------------------------------------------


def test_import_counts_json_keys_and_provenance(cli: Cli, tmp_path: Path) -> None:
    folder = new_project(cli, tmp_path / "p")
    out = cli(
        "import",
        SEARCHES / "embase.ris",
        SEARCHES / "medline.nbib",
        "-p",
        folder,
        "--search-date",
        "2016-07-19",
        "--by",
        "Lee",
        "--json",
    ).json()
    imports = out["imports"]
    assert [set(i) for i in imports] == [IMPORT_KEYS, IMPORT_KEYS]
    assert [(i["file"], i["format"], i["n_records"], i["n_skipped"]) for i in imports] == [
        ("embase.ris", "ris", 6, 0),
        ("medline.nbib", "nbib", 4, 0),
    ]
    assert imports[0]["source_database"] == "Embase"
    assert (
        imports[0]["sha256"] == hashlib.sha256((SEARCHES / "embase.ris").read_bytes()).hexdigest()
    )
    assert count(folder, "records") == 10
    rows = query(
        folder, "SELECT file_name, search_date, imported_by, method, n_records FROM imports"
    )
    assert rows == [
        ("embase.ris", "2016-07-19", "Lee", "database", 6),
        ("medline.nbib", "2016-07-19", "Lee", "database", 4),
    ]
    # Each record keeps its export identifier and every original field.
    assert query(folder, "SELECT title, doi FROM records WHERE source_key = 'EMB001'") == [
        (
            "Cognitive behavioural therapy for irritable bowel syndrome in primary care: "
            "a randomised trial",
            "10.5555/evsynth-test.1",
        )
    ]


def test_import_database_option_overrides_detected_source(cli: Cli, tmp_path: Path) -> None:
    folder = new_project(cli, tmp_path / "p")
    out = cli("import", SEARCHES / "medline.nbib", "-p", folder, "--database", "MEDLINE", "--json")
    assert out.json()["imports"][0]["source_database"] == "MEDLINE"
    status = cli("status", "-p", folder, "--json").json()
    assert status["prisma"]["identified_by_source"] == {"MEDLINE": 4}


def test_import_same_file_twice_is_refused_and_adds_nothing(cli: Cli, project: Path) -> None:
    result = cli("import", SEARCHES / "embase.ris", "-p", project, ok=False)
    assert result.code == 2
    assert "embase.ris" in result.error_line and "already imported" in result.error_line
    assert count(project, "records") == 10
    assert count(project, "imports") == 2


def test_import_same_content_under_another_name_is_refused(
    cli: Cli, project: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "renamed.ris"
    shutil.copyfile(SEARCHES / "embase.ris", copy)
    assert cli("import", copy, "-p", project, ok=False).code == 2
    assert count(project, "records") == 10


def test_import_allow_repeat_adds_the_file_again(cli: Cli, project: Path) -> None:
    out = cli("import", SEARCHES / "embase.ris", "-p", project, "--allow-repeat", "--json").json()
    assert out["imports"][0]["n_records"] == 6
    assert count(project, "records") == 16
    assert count(project, "imports") == 3
    # The repeated records are duplicates of the first import: dedupe links all six.
    assert cli("dedupe", "-p", project, "--json").json()["n_new_links"] == 6
    assert len(kept_ids(project)) == 8


def _truncated_ris(tmp_path: Path) -> Path:
    """embase.ris without its final ``ER  -`` line: the last record is cut off."""
    text = (SEARCHES / "embase.ris").read_text(encoding="utf-8")
    path = tmp_path / "truncated.ris"
    path.write_text(text.rstrip().removesuffix("ER  -").rstrip() + "\n", encoding="utf-8")
    return path


def test_import_of_several_files_stops_at_the_bad_one(cli: Cli, tmp_path: Path) -> None:
    """Each file is one transaction: files before the bad one stay imported, none after."""
    folder = new_project(cli, tmp_path / "p")
    bad = _truncated_ris(tmp_path)
    result = cli(
        "import", SEARCHES / "embase.ris", bad, SEARCHES / "medline.nbib", "-p", folder, ok=False
    )
    assert result.code == 2 and "truncated.ris" in result.error_line
    assert query(folder, "SELECT file_name, n_records FROM imports") == [("embase.ris", 6)]
    assert count(folder, "records") == 6


def test_import_on_error_skip_leaves_the_bad_record_out(cli: Cli, tmp_path: Path) -> None:
    folder = new_project(cli, tmp_path / "p")
    bad = _truncated_ris(tmp_path)
    refused = cli("import", bad, "-p", folder, ok=False)
    assert refused.code == 2 and "truncated.ris" in refused.error_line
    assert count(folder, "records") == 0 and count(folder, "imports") == 0

    out = cli("import", bad, "-p", folder, "--on-error", "skip", "--json").json()["imports"][0]
    assert (out["n_records"], out["n_skipped"]) == (5, 1)
    assert any("line" in w and "ER" in w for w in out["warnings"])
    assert count(folder, "records") == 5
    assert query(folder, "SELECT n_records, n_skipped FROM imports") == [(5, 1)]


def test_import_unknown_options_are_refused(cli: Cli, project: Path) -> None:
    for option, value in (("--on-error", "ignore"), ("--method", "guess")):
        result = cli(
            "import", SEARCHES / "update_embase.ris", "-p", project, option, value, ok=False
        )
        assert result.code == 2 and value in result.error_line
    assert count(project, "records") == 10


def test_import_other_methods_appear_in_the_other_pathway(cli: Cli, project: Path) -> None:
    cli(
        "import",
        SEARCHES / "update_embase.ris",
        "-p",
        project,
        "--method",
        "other",
        "--database",
        "citation_searching",
    )
    cli("dedupe", "-p", project)
    counts = cli("status", "-p", project, "--json").json()["prisma"]
    assert counts["identified"] == 10  # the database pathway is unchanged
    # Two of the four were already found in the databases; the two new ones count here.
    assert counts["other_identified_by_method"] == {"citation_searching": 2}
    assert counts["records_screened"] == 8 and count(project, "records") == 14


def test_import_other_method_needs_a_prisma_method_name(cli: Cli, project: Path) -> None:
    result = cli(
        "import", SEARCHES / "update_embase.ris", "-p", project, "--method", "other", ok=False
    )
    assert result.code == 2 and "citation_searching" in result.error_line
    assert count(project, "records") == 10


# --- records ------------------------------------------------------------------------------


def test_records_json_prints_normalised_records(cli: Cli) -> None:
    out = cli("records", SEARCHES / "medline.nbib", "--json").json()
    assert out["n"] == 4 and out["format"] == "nbib"
    assert [set(r) for r in out["records"]] == [
        {"title", "abstract", "authors", "year", "journal", "doi", "pmid", "source"}
    ] * 4
    first = out["records"][0]
    assert first["title"] == (
        "Cognitive behavioural therapy for irritable bowel syndrome in primary care: "
        "a randomised trial."
    )
    assert first["authors"] == ["Smith, John", "Jones, Kate"]
    assert (first["year"], first["doi"], first["pmid"]) == (
        2015,
        "10.5555/evsynth-test.1",
        "99900001",
    )
    assert out["records"][1]["doi"] is None


def test_records_of_a_missing_file_is_a_one_line_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("records", tmp_path / "nowhere.ris", ok=False)
    assert result.code == 2 and "nowhere.ris" in result.error_line


# --- dedupe -------------------------------------------------------------------------------


def _gold_clusters() -> set[frozenset[str]]:
    gold = pd.read_csv(SPECIAL_CASES / "merged_record_ids.csv")
    return {frozenset(ids.split(";")) for ids in gold["merged_ids"]}


def test_dedupe_csv_prints_clusters_of_input_ids(cli: Cli) -> None:
    out = cli("dedupe", SPECIAL_CASES / "records_pre_merged.csv", "--json").json()
    assert set(out) == {"n_records", "n_duplicates", "clusters", "uncertain"}
    assert out["n_records"] == 12
    assert {frozenset(c) for c in out["clusters"]} == _gold_clusters()
    assert out["n_duplicates"] == sum(len(c) - 1 for c in out["clusters"])
    ids = set(pd.read_csv(SPECIAL_CASES / "records_pre_merged.csv")["ID"])
    assert all(a in ids and b in ids for a, b in out["uncertain"])


def test_dedupe_csv_keeps_numeric_ids_and_lowercase_id_column(cli: Cli, tmp_path: Path) -> None:
    frame = pd.read_csv(SPECIAL_CASES / "records_pre_merged.csv")
    frame["id"] = frame.pop("ID").str.removeprefix("id_").astype(int) + 1000
    path = tmp_path / "numeric.csv"
    frame.to_csv(path, index=False)
    out = cli("dedupe", path, "--json").json()
    gold = {frozenset(int(i.removeprefix("id_")) + 1000 for i in c) for c in _gold_clusters()}
    assert {frozenset(c) for c in out["clusters"]} == gold


def test_dedupe_csv_without_id_column_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "noid.csv"
    pd.read_csv(SPECIAL_CASES / "records_pre_merged.csv").drop(columns="ID").to_csv(
        path, index=False
    )
    result = cli("dedupe", path, ok=False)
    assert result.code == 2 and "noid.csv" in result.error_line and "ID" in result.error_line


def test_dedupe_project_links_manual_unlink_and_link(cli: Cli, tmp_path: Path) -> None:
    folder = new_project(cli, tmp_path / "p")
    cli("import", SEARCHES / "embase.ris", SEARCHES / "medline.nbib", "-p", folder)
    out = cli("dedupe", "-p", folder, "--json").json()
    assert set(out) == {"n_records", "n_new_links", "n_duplicates", "n_unique", "uncertain"}
    assert (out["n_records"], out["n_new_links"], out["n_duplicates"], out["n_unique"]) == (
        10,
        2,
        2,
        8,
    )
    pairs = {
        frozenset(p) for p in query(folder, "SELECT record_id, duplicate_of FROM duplicate_links")
    }
    cbt = frozenset({record_id(folder, "EMB001"), record_id(folder, "99900001")})
    mindful = frozenset({record_id(folder, "EMB004"), record_id(folder, "99900002")})
    assert pairs == {cbt, mindful}
    # Running it again adds nothing.
    assert cli("dedupe", "-p", folder, "--json").json()["n_new_links"] == 0

    linked, kept = query(folder, "SELECT record_id, duplicate_of FROM duplicate_links LIMIT 1")[0]
    cli("dedupe", "-p", folder, "--unlink", linked, "--by", "Ann")
    assert linked in kept_ids(folder) and len(kept_ids(folder)) == 9
    # An automatic run never overrides a reviewer's unlink.
    assert cli("dedupe", "-p", folder, "--json").json()["n_duplicates"] == 1
    assert linked in kept_ids(folder)

    cli("dedupe", "-p", folder, "--link", linked, kept, "--by", "Ann")
    assert linked not in kept_ids(folder) and len(kept_ids(folder)) == 8
    events = query(folder, "SELECT record_id, action, decided_by FROM duplicate_links ORDER BY id")
    assert events[-2:] == [(linked, "unlink", "Ann"), (linked, "link", "Ann")]
    assert count(folder, "records") == 10  # nothing was ever deleted


def test_dedupe_link_refuses_unknown_or_self_links(cli: Cli, project: Path) -> None:
    before = count(project, "duplicate_links")
    kept = kept_ids(project)[0]
    for args in (("--link", 99, kept), ("--link", kept, kept), ("--unlink", 12345)):
        result = cli("dedupe", "-p", project, *args, ok=False)
        assert result.code == 2, args
        result.error_line  # noqa: B018 - asserts one error line
    assert count(project, "duplicate_links") == before


# --- status and export ----------------------------------------------------------------------


def test_status_json(cli: Cli, project: Path) -> None:
    st = cli("status", "-p", project, "--json").json()
    assert st["title"] == "Integration test review"
    assert st["database"] == f"sqlite:///{project / 'evsynth.db'}"
    assert [(i["file"], i["n_records"]) for i in st["imports"]] == [
        ("embase.ris", 6),
        ("medline.nbib", 4),
    ]
    assert (st["records"], st["duplicates"], st["unique_records"]) == (10, 2, 8)
    assert st["decisions_by_stage_and_reviewer"] == {}
    assert st["conflicts"] == {"title_abstract": 0, "full_text": 0}
    assert st["prisma"]["records_screened"] == 8
    assert st["prisma"]["records_pending"] == 8


def test_export_zip_holds_config_and_a_readable_database_snapshot(
    cli: Cli, project: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "review.zip"
    out = cli("export", "-p", project, "--out", target, "--json").json()
    assert out["archive"] == str(target) and out["bytes"] == target.stat().st_size
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        assert {"evsynth.toml", "evsynth.db"} <= names
        assert zf.read("evsynth.toml") == (project / "evsynth.toml").read_bytes()
        snapshot = tmp_path / "snapshot.db"
        snapshot.write_bytes(zf.read("evsynth.db"))
    con = sqlite3.connect(snapshot)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("SELECT count(*) FROM records").fetchone()[0] == count(
            project, "records"
        )
        links = con.execute("SELECT count(*) FROM duplicate_links").fetchone()[0]
    finally:
        con.close()
    assert links == count(project, "duplicate_links")
    # The default target is PROJECT/exports/<folder>.evsynth.zip.
    default = cli("export", "-p", project, "--json").json()["archive"]
    assert Path(default) == project / "exports" / "review.evsynth.zip"
