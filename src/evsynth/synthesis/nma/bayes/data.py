r"""From a DataFrame to the arrays of the normal-likelihood model: contrasts, covariances, design.

Three layouts are read, all ending as NICE DSU TSD2's contrast data (Dias et al. 2011, TSD2
section on normal likelihoods with multi-arm trials): for study :math:`i` with arms
:math:`1, \dots, a_i` (arm 1 its baseline), the contrasts :math:`y_{ik}` of arm :math:`k` versus
arm 1 and their covariance

.. math::

    V_i = \begin{pmatrix} s_{i2}^2 & v_{i1} & \cdots \\ v_{i1} & s_{i3}^2 & \\
    \vdots & & \ddots \end{pmatrix},

with :math:`s_{ik}` the standard error of contrast :math:`k` and :math:`v_{i1}` the variance of
the baseline arm's mean (shared by every contrast of the study).

``contrast``
    TSD's contrast layout, one row per arm: the baseline row has a missing effect and the
    baseline arm's standard error; the other rows the contrast and its standard error.
``arm``
    One row per arm with the arm's mean (or change) and its standard error; the contrasts are
    differences from the first arm listed, :math:`s_{ik}^2 = \text{se}_k^2 + \text{se}_1^2` and
    :math:`v_{i1} = \text{se}_1^2`. The model does not depend on which arm is the baseline.
``pairwise``
    netmeta's layout (``studlab, treat1, treat2, TE, seTE``: treat1 versus treat2). A two-arm
    study is one row. A multi-arm study needs all :math:`a(a-1)/2` comparisons; the arm
    variances are recovered from :math:`\operatorname{Var}(TE_{jk}) = v_j + v_k` by least
    squares (exact for consistent input; netmeta's reverse calculation), and input
    consistent within netmeta's ``tol.multiarm`` (contrasts rounded for publication) is
    replaced by the closest consistent set.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation, choice_error

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
Layout = Literal["auto", "contrast", "arm", "pairwise"]
LAYOUTS: tuple[str, ...] = ("auto", "contrast", "arm", "pairwise")
PAIRWISE_COLUMNS = ("studlab", "treat1", "treat2", "TE", "seTE")
# Consistency of a multi-arm study given as pairwise contrasts: TE_jk = TE_j - TE_k within
# netmeta's tol.multiarm (0.001, here scaled by max(|TE|, 1)), so that published contrasts
# rounded to a few decimals are read as the frequentist analysis reads them; the arm variances
# must reproduce seTE^2 within 1% relative (seTE rounded to 4 decimals moves seTE^2 by under
# 0.2%; netmeta does not check seTE by default). Least squares then gives the closest
# consistent arm means and variances.
PAIRWISE_TOL = 1e-3
PAIRWISE_TOL_VARIANCE = 1e-2


@dataclass(frozen=True, slots=True)
class StudyData:
    """One study as contrasts of its arms versus its baseline arm."""

    label: str
    treatments: tuple[str, ...]  # baseline first
    effect: FloatArray  # (m,) contrasts versus the baseline
    covariance: FloatArray  # (m, m)


@dataclass(frozen=True, slots=True)
class StudyBlock:
    """Studies with the same number of contrasts ``m``, stacked for batched linear algebra.

    ``x`` maps the basic parameters :math:`d_2, \\dots, d_T` (the reference's effect is 0) to
    each contrast: row :math:`k` of study :math:`i` is :math:`e_{t_{ik}} - e_{t_{i1}}`.
    """

    index: IntArray  # (S,) positions in NormalNetwork.studies
    y: FloatArray  # (S, m)
    v: FloatArray  # (S, m, m)
    x: FloatArray  # (S, m, p)
    # Outer products x_ia x_ib', x_ia y_ib, y_ia y_ib flattened over (s, a, b): the sums over
    # studies of X'W^-1 X, X'W^-1 y and y'W^-1 y are then one matrix product with W^-1.
    xx: FloatArray  # (S*m*m, p*p)
    xy: FloatArray  # (S*m*m, p)
    yy: FloatArray  # (S*m*m,)

    @property
    def m(self) -> int:
        return int(self.y.shape[1])


@dataclass(frozen=True, slots=True)
class NormalNetwork:
    """A connected network of studies with normally distributed contrasts."""

    treatments: tuple[str, ...]  # the reference first
    studies: tuple[StudyData, ...]
    blocks: tuple[StudyBlock, ...]
    layout: str

    @property
    def reference(self) -> str:
        return self.treatments[0]

    @property
    def n_treatments(self) -> int:
        return len(self.treatments)

    @property
    def n_datapoints(self) -> int:
        return sum(len(s.effect) for s in self.studies)


def natural_key(label: str) -> tuple[tuple[int, float | str], ...]:
    """Sort key that puts "2" before "10"."""
    return tuple(
        (0, float(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", label)
    )


def label_text(value: object) -> str:
    """A treatment or study label as text: 2.0 read from a spreadsheet is "2"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _numbers(data: pd.DataFrame, column: str) -> FloatArray:
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    raw_missing = data[column].isna().to_numpy()
    bad = np.flatnonzero(np.isnan(values) & ~raw_missing)
    if bad.size:
        row = int(bad[0])
        raise DataError(
            f"{data[column].iloc[row]!r} is not a number",
            location=InputLocation(row=row + 1, field=column),
            hint="Give numbers, or leave the cell empty where TSD's layout expects a gap",
        )
    return np.asarray(values, dtype=np.float64)


def _require(data: pd.DataFrame, columns: Sequence[str], layout: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataError(
            f"the {layout} layout needs columns {', '.join(columns)}; missing: "
            f"{', '.join(missing)}; the data have: {', '.join(map(str, data.columns))}",
            location=InputLocation(field=missing[0]),
            hint="Name the columns with study=, treatment=, effect=, se=",
        )


def detect_layout(
    data: pd.DataFrame, study: str, effect: str, layout: Layout
) -> Literal["contrast", "arm", "pairwise"]:
    """The layout to read: as given, or from the columns and the gaps in ``effect``."""
    if layout not in LAYOUTS:
        raise choice_error("layout", layout, LAYOUTS)
    if layout != "auto":
        return layout
    if all(c in data.columns for c in PAIRWISE_COLUMNS):
        return "pairwise"
    _require(data, [study, effect], "contrast or arm")
    codes, _ = pd.factorize(data[study])
    keep = codes >= 0
    missing = np.bincount(codes[keep], weights=data[effect].isna().to_numpy()[keep])
    if (missing == 1).all():
        return "contrast"
    if (missing == 0).all():
        return "arm"
    raise DataError(
        f"cannot tell the layout from column '{effect}': some studies have one missing effect "
        "(TSD's contrast layout) and others none or several (arm layout)",
        location=InputLocation(field=effect),
        hint="Pass layout='contrast' or layout='arm'",
    )


def _check_labels(data: pd.DataFrame, columns: Sequence[str]) -> None:
    for column in columns:
        missing = np.flatnonzero(data[column].isna().to_numpy())
        if missing.size:
            raise DataError(
                "a label is missing",
                location=InputLocation(row=int(missing[0]) + 1, field=column),
                hint="Every row needs its study and treatment",
            )


def _check_se(se: FloatArray, column: str, rows: Sequence[int] | IntArray) -> None:
    bad = np.flatnonzero(~(np.isfinite(se) & (se > 0)))
    if bad.size:
        raise DataError(
            f"standard error {se[bad[0]]} is not a positive number",
            location=InputLocation(row=int(rows[int(bad[0])]) + 1, field=column),
            hint="Every standard error must be positive; check for a data-entry error",
        )


def _read_arms(
    data: pd.DataFrame, study: str, treatment: str, effect: str, se: str, contrast: bool
) -> list[StudyData]:
    layout = "contrast" if contrast else "arm"
    _require(data, [study, treatment, effect, se], layout)
    _check_labels(data, [study, treatment])
    y_all = _numbers(data, effect)
    se_all = _numbers(data, se)
    labels = [label_text(t) for t in data[treatment].tolist()]
    # Standard errors checked at once where every row needs one (the arm layout, and the
    # non-baseline rows of the contrast layout); the study loop checks the rest.
    needed = ~np.isnan(y_all) if contrast else np.ones(len(se_all), dtype=bool)
    _check_se(se_all[needed], se, np.flatnonzero(needed))
    out: list[StudyData] = []
    # Plain Python lists in the loop: studies have two to four arms, and NumPy's per-call
    # overhead on arrays that small would dominate the whole exact fit.
    y_list, s_list = y_all.tolist(), se_all.tolist()
    for label, index in data.groupby(study, sort=False).indices.items():
        rows = [int(r) for r in index]
        name = label_text(label)
        if len(rows) < 2:
            raise DataError(
                f"study {name!r} has a single arm",
                location=InputLocation(row=rows[0] + 1, field=study),
                hint="Each study needs at least two arms to contribute a contrast",
            )
        missing = [r for r in rows if math.isnan(y_list[r])]
        if contrast:
            if len(missing) != 1:
                raise DataError(
                    f"study {name!r} has {len(missing)} rows with a missing effect; TSD's "
                    "contrast layout has exactly one (the baseline arm)",
                    location=InputLocation(row=rows[0] + 1, field=effect),
                )
            rows = [missing[0], *[r for r in rows if r != missing[0]]]
        elif missing:
            raise DataError(
                f"study {name!r} has a missing arm effect",
                location=InputLocation(row=missing[0] + 1, field=effect),
            )
        trts = [labels[r] for r in rows]
        if len(set(trts)) < len(trts):
            raise DataError(
                f"study {name!r} has the same treatment in two arms",
                location=InputLocation(row=rows[0] + 1, field=treatment),
                hint="Pool arms of the same treatment before the analysis",
            )
        m = len(rows) - 1
        var = [s_list[r] ** 2 for r in rows]
        if contrast:
            # The baseline's se is only needed for the covariance of a multi-arm study.
            if m > 1:
                _check_se(se_all[rows[:1]], se, rows[:1])
            base_var = var[0] if m > 1 else 0.0
            effect_k = [y_list[r] for r in rows[1:]]
            diagonal = var[1:]
        else:
            base_var = var[0]
            effect_k = [y_list[r] - y_list[rows[0]] for r in rows[1:]]
            diagonal = [v + base_var for v in var[1:]]
        if m == 1:
            cov = np.array([diagonal])
        else:
            cov = np.full((m, m), base_var)
            np.fill_diagonal(cov, diagonal)
        _check_covariance(name, cov, rows[0], se)
        out.append(StudyData(name, tuple(trts), np.array(effect_k), cov))
    return out


def _check_covariance(name: str, cov: FloatArray, row: int, column: str) -> None:
    # A single contrast has a positive variance already (its se was checked).
    if cov.shape[0] > 1 and np.linalg.eigvalsh(cov).min() <= 0:
        raise DataError(
            f"the contrasts of study {name!r} have a covariance matrix that is not positive "
            "definite (a contrast's variance must exceed the baseline arm's variance)",
            location=InputLocation(row=row + 1, field=column),
            hint="Check the standard errors of the study's arms",
        )


def _read_pairwise(data: pd.DataFrame) -> list[StudyData]:
    _require(data, PAIRWISE_COLUMNS, "pairwise")
    _check_labels(data, ["studlab", "treat1", "treat2"])
    te = _numbers(data, "TE")
    se = _numbers(data, "seTE")
    treat1 = [label_text(t) for t in data["treat1"].tolist()]
    treat2 = [label_text(t) for t in data["treat2"].tolist()]
    out: list[StudyData] = []
    for label, rows in data.groupby("studlab", sort=False).indices.items():
        rows = np.asarray(rows)
        name = label_text(label)
        for r in rows:
            if not np.isfinite(te[r]):
                raise DataError(
                    f"study {name!r} has a missing TE",
                    location=InputLocation(row=int(r) + 1, field="TE"),
                    hint="Drop the comparison or give its estimate",
                )
        _check_se(se[rows], "seTE", list(rows))
        t1 = [treat1[r] for r in rows]
        t2 = [treat2[r] for r in rows]
        arms = list(dict.fromkeys(a for pair in zip(t2, t1, strict=True) for a in pair))
        a = len(arms)
        pairs = {frozenset(p) for p in zip(t1, t2, strict=True)}
        if any(len(p) < 2 for p in pairs) or len(pairs) != len(rows):
            raise DataError(
                f"study {name!r} repeats a comparison or compares a treatment with itself",
                location=InputLocation(row=int(rows[0]) + 1, field="treat1"),
            )
        if len(rows) != a * (a - 1) // 2:
            raise DataError(
                f"multi-arm study {name!r} gives {len(rows)} of its {a * (a - 1) // 2} "
                "comparisons; the covariance of its contrasts cannot be recovered",
                location=InputLocation(row=int(rows[0]) + 1, field="studlab"),
                hint="Give all pairwise comparisons of the study, or use the arm or TSD "
                "contrast layout",
            )
        pos = {t: i for i, t in enumerate(arms)}
        design = np.zeros((len(rows), a))
        signed = np.zeros((len(rows), a))
        for j, (p, q) in enumerate(zip(t1, t2, strict=True)):
            design[j, [pos[p], pos[q]]] = 1.0
            signed[j, pos[p]], signed[j, pos[q]] = 1.0, -1.0
        arm_var = np.linalg.lstsq(design, se[rows] ** 2, rcond=None)[0]
        # Arm means up to a constant: TE = mean(treat1) - mean(treat2).
        means = np.linalg.lstsq(signed, te[rows], rcond=None)[0]
        scale = max(float(np.max(np.abs(te[rows]))), 1.0)
        if (
            np.any(arm_var <= 0)
            or not np.allclose(design @ arm_var, se[rows] ** 2, rtol=PAIRWISE_TOL_VARIANCE, atol=0)
            or not np.allclose(signed @ means, te[rows], rtol=0, atol=PAIRWISE_TOL * scale)
        ):
            raise DataError(
                f"the comparisons of multi-arm study {name!r} are not consistent with one set "
                "of arms (TE_jk must equal TE_j - TE_k, and seTE^2 the sum of two arm variances)",
                location=InputLocation(row=int(rows[0]) + 1, field="TE"),
                hint="Use the arm-level or TSD contrast layout for this study",
            )
        m = a - 1
        cov = np.full((m, m), float(arm_var[0]))
        np.fill_diagonal(cov, arm_var[1:] + arm_var[0])
        out.append(StudyData(name, tuple(arms), np.asarray(means[1:] - means[0]), cov))
    return out


def _check_connected(studies: Sequence[StudyData], treatments: Sequence[str]) -> None:
    parent = {t: t for t in treatments}

    def find(t: str) -> str:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for s in studies:
        for t in s.treatments[1:]:
            parent[find(t)] = find(s.treatments[0])
    groups: dict[str, list[str]] = {}
    for t in treatments:
        groups.setdefault(find(t), []).append(t)
    if len(groups) > 1:
        parts = "; ".join("{" + ", ".join(g) + "}" for g in groups.values())
        raise EvsynthError(
            f"the network is disconnected: {parts}",
            hint="Analyse each connected part separately, or add studies that link them",
        )


def build_blocks(studies: Sequence[StudyData], treatments: Sequence[str]) -> tuple[StudyBlock, ...]:
    """Group studies by their number of contrasts and stack their arrays."""
    col = {t: i - 1 for i, t in enumerate(treatments)}  # the reference has no column
    p = len(treatments) - 1
    by_m: dict[int, list[int]] = {}
    for i, s in enumerate(studies):
        by_m.setdefault(len(s.effect), []).append(i)
    blocks = []
    for m, idx in sorted(by_m.items()):
        x = np.zeros((len(idx), m, p))
        for row, i in enumerate(idx):
            s = studies[i]
            for k, t in enumerate(s.treatments[1:]):
                if col[t] >= 0:
                    x[row, k, col[t]] += 1.0
                if col[s.treatments[0]] >= 0:
                    x[row, k, col[s.treatments[0]]] -= 1.0
        y = np.stack([studies[i].effect for i in idx])
        size = len(idx) * m * m
        blocks.append(
            StudyBlock(
                index=np.asarray(idx, dtype=np.intp),
                y=y,
                v=np.stack([studies[i].covariance for i in idx]),
                x=x,
                xx=np.einsum("sap,sbq->sabpq", x, x).reshape(size, p * p),
                xy=np.einsum("sap,sb->sabp", x, y).reshape(size, p),
                yy=np.einsum("sa,sb->sab", y, y).reshape(size),
            )
        )
    return tuple(blocks)


def read_network(
    data: pd.DataFrame,
    *,
    study: str,
    treatment: str,
    effect: str,
    se: str,
    reference: str,
    layout: Layout = "auto",
) -> NormalNetwork:
    """Read a DataFrame in any of the three layouts into a :class:`NormalNetwork`."""
    if not isinstance(data, pd.DataFrame):
        raise EvsynthError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if len(data) == 0:
        raise DataError("the data have no rows", hint="Give at least one study")
    data = data.reset_index(drop=True)
    kind = detect_layout(data, study, effect, layout)
    if kind == "pairwise":
        studies = _read_pairwise(data)
    else:
        studies = _read_arms(data, study, treatment, effect, se, contrast=kind == "contrast")
    names = sorted({t for s in studies for t in s.treatments}, key=natural_key)
    reference = label_text(reference)
    if reference not in names:
        raise EvsynthError(
            f"reference={reference!r} is not a treatment in the data",
            hint=f"Choose one of {', '.join(names)}",
        )
    treatments = (reference, *[t for t in names if t != reference])
    _check_connected(studies, treatments)
    return NormalNetwork(treatments, tuple(studies), build_blocks(studies, treatments), kind)


def pair_index(n: int) -> list[tuple[int, int]]:
    """All pairs ``(j, k)`` with ``j < k``: the contrast :math:`d_k - d_j` (k versus j)."""
    return list(itertools.combinations(range(n), 2))
