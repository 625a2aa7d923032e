"""The economics reference files are the pinned ones, and every reference value is tested.

Source: tests/data/economics/README.md (hashes) and reference_values.json (its keys): the set
of reference values checked by tests/validation/test_brazier_sf6d.py, test_dampack_herc_icers.py,
test_bcea_vaccine.py and test_toy_qaly_auc.py must not shrink silently.
"""

from __future__ import annotations

import hashlib
import re

from tests.conftest import DATA, load_json

HASHES = {
    "sf6d_tables.json": "6ea6f2910477d50b56ccad8d30a66ecbcd4858e3e17b6798f5d5f06d11fc1d04",
    "reference_values.json": "5a8c574af4daeae40868bc677db137cedc3afd6713a2536286a2e95ed23a0564",
    "vaccine_eff_cost.csv": "7e451b47da473e50420c73c96f95a43a082c6794ad35e36be746aa86542fd04d",
    "synthetic_trial_utilities.csv": (
        "f47f4720954e52d9e57bd620f835441894919e6a2031bee98455d0f75b8f293c"
    ),
    "synthetic_trial_costs.csv": "7e4d99edbfe23b1c8c441067c662e82257facc193732d6ae9bfc4fe50ba93397",
    "ref_r_trial_lm.R": "3af4fa95075066eea301540c596018200bbd4c161c02372561db99f8b90cef3b",
    "ref_r_trial_lm.json": "ca2c331468341e4858ed6b15b885f50a31c0f8f22ae6fdf62edc4b0a3fd1e776",
}
TESTS = (
    "test_brazier_sf6d.py",
    "test_dampack_herc_icers.py",
    "test_bcea_vaccine.py",
    "test_toy_qaly_auc.py",
)


def test_pinned_files_are_unchanged() -> None:
    readme = (DATA / "economics" / "README.md").read_text(encoding="utf-8")
    for name, digest in HASHES.items():
        assert hashlib.sha256((DATA / "economics" / name).read_bytes()).hexdigest() == digest
        assert digest in readme, name


def test_every_reference_value_is_used_by_a_test() -> None:
    here = DATA.parent / "validation"
    text = "\n".join((here / name).read_text(encoding="utf-8") for name in TESTS)
    keys = set(load_json("economics/reference_values.json"))
    assert len(keys) == 11
    missing = sorted(k for k in keys if not re.search(rf'"{re.escape(k)}"', text))
    assert not missing, f"reference values no test reads: {missing}"
