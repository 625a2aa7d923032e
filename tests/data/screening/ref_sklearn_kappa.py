"""Regenerate tests/data/screening/ref_sklearn_kappa.json: scikit-learn's point estimate of kappa.

scikit-learn is not an evsynth dependency; run this in a separate environment:

    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python tests/data/screening/ref_sklearn_kappa.py

The tables are those of ref_r_kappa.json (rows: first reviewer, columns: second); each is expanded
into two label vectors and passed to ``sklearn.metrics.cohen_kappa_score(a, b)``, which reports
no standard error.
"""

import json
import platform
from pathlib import Path

import numpy as np
import sklearn
from sklearn.metrics import cohen_kappa_score

HERE = Path(__file__).parent
tables = json.loads((HERE / "ref_r_kappa.json").read_text(encoding="utf-8"))["tables"]
out = {}
for name, entry in tables.items():
    counts = np.asarray(entry["table"], dtype=int)
    a, b = [], []
    for i, row in enumerate(counts):
        for j, n in enumerate(row):
            a += [i] * int(n)
            b += [j] * int(n)
    out[name] = {"kappa": float(cohen_kappa_score(a, b)), "n": len(a)}
meta = {
    "generated_by": "tests/data/screening/ref_sklearn_kappa.py",
    "call": "sklearn.metrics.cohen_kappa_score(a, b)",
    "versions": {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    },
}
(HERE / "ref_sklearn_kappa.json").write_text(
    json.dumps({"meta": meta, "tables": out}, indent=2) + "\n", encoding="utf-8"
)
