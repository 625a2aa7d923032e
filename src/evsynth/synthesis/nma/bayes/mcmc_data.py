r"""Data for the MCMC engine: arm-level reading, model plans, the arrays of each model, deviance.

Arm-level data (one row per arm) are read here: events and sample sizes for the binomial model,
or arm means and standard errors for the normal model. Contrast-level data are read by
:func:`.data.read_network` (TSD's contrast layout or netmeta's pairwise layout). In every study
the arms are ordered as the treatments (reference first, then natural order), so the baseline
arm is the study's lowest-ordered treatment, as in TSD2's data layout.

A *plan* says how each study enters a model: its *units* (usually the study itself), their arms
(baseline first), which arms enter the likelihood, and the row of the design matrix :math:`X`
that gives each contrast's mean :math:`X\theta`:

consistency
    :math:`\theta = (d_2, \dots, d_T)`, contrast :math:`k` versus baseline :math:`b` has mean
    :math:`d_{t_k} - d_{t_b}` (:math:`d_1 = 0`).
unrelated mean effects (``ume``; Dias S, Welton NJ, Sutton AJ, Caldwell DM, Lu G, Ades AE 2013,
Med Decis Making 33:641-656, doi:10.1177/0272989X12455847, NICE DSU TSD4)
    one parameter :math:`d_{bk}` per comparison of a study's baseline with another of its arms.
node-splitting (Dias S, Welton NJ, Caldwell DM, Ades AE 2010, Stat Med 29:932-944,
doi:10.1002/sim.3767; as gemtc 1.0, van Valkenhoef G, Dias S, Ades AE, Welton NJ 2016, Res Synth
Methods 7:80-93, doi:10.1002/jrsm.1167)
    for the split comparison :math:`(t_1, t_2)`, every study with both arms gets baseline
    :math:`t_1` and the contrast :math:`t_2` versus :math:`t_1` has mean :math:`d_{\text{dir}}`;
    a three-arm study keeps only those two arms in the likelihood (the third arm's random
    effect has its prior alone, which integrates it out: the same model as gemtc's dropping
    it), and a study of four or more arms is split into two units, the split pair and the
    other arms. The basic parameters are then informed by the other studies only, and
    :math:`d_{t_2} - d_{t_1}` is the indirect estimate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import linalg

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth.synthesis.nma.bayes.data import StudyData, label_text, natural_key

FloatArray = npt.NDArray[np.float64]
# Model data: float and integer arrays by name.
Arrays = dict[str, npt.NDArray[Any]]
IntArray = npt.NDArray[np.intp]
PlanKind = Literal["consistency", "ume", "nodesplit"]


@dataclass(frozen=True, slots=True)
class ArmStudy:
    """One study's arms, baseline first: events and sizes (binomial) or means and SEs (normal)."""

    label: str
    treatments: tuple[str, ...]
    first: FloatArray  # events, or arm means
    second: FloatArray  # sample sizes, or standard errors


@dataclass(frozen=True, slots=True)
class McmcNetwork:
    """The studies of one analysis: arm-level (``ArmStudy``) or contrast-level (``StudyData``)."""

    likelihood: Literal["binomial", "normal"]
    layout: str
    treatments: tuple[str, ...]  # reference first
    studies: tuple[ArmStudy | StudyData, ...]

    @property
    def reference(self) -> str:
        return self.treatments[0]


def _numbers(data: pd.DataFrame, column: str) -> FloatArray:
    if column not in data.columns:
        raise DataError(
            f"column '{column}' is missing; the data have: {', '.join(map(str, data.columns))}",
            location=InputLocation(field=column),
            hint="Name the columns with study=, treatment=, events=, n= (binomial) or effect=, "
            "se= (normal)",
        )
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise DataError(
            f"{data[column].iloc[int(bad[0])]!r} is not a number",
            location=InputLocation(row=int(bad[0]) + 1, field=column),
            hint="Every arm needs a value",
        )
    return np.asarray(values, dtype=np.float64)


def _check_connected(studies: Sequence[tuple[str, ...]], treatments: Sequence[str]) -> bool:
    parent = {t: t for t in treatments}

    def find(t: str) -> str:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for arms in studies:
        for t in arms[1:]:
            parent[find(t)] = find(arms[0])
    return len({find(t) for t in treatments}) == 1


def read_arms(
    data: pd.DataFrame,
    *,
    likelihood: Literal["binomial", "normal"],
    study: str,
    treatment: str,
    first: str,
    second: str,
    reference: str,
) -> McmcNetwork:
    """Read arm-level rows: ``first, second`` are events and n, or mean and se."""
    if not isinstance(data, pd.DataFrame):
        raise EvsynthError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    data = data.reset_index(drop=True)
    if len(data) == 0:
        raise DataError("the data have no rows", hint="Give at least one study")
    for column in (study, treatment):
        if column not in data.columns:
            raise DataError(f"column '{column}' is missing", location=InputLocation(field=column))
        missing = np.flatnonzero(data[column].isna().to_numpy())
        if missing.size:
            raise DataError(
                "a label is missing",
                location=InputLocation(row=int(missing[0]) + 1, field=column),
                hint="Every row needs its study and treatment",
            )
    a, b = _numbers(data, first), _numbers(data, second)
    labels = [label_text(t) for t in data[treatment].tolist()]
    names = sorted(set(labels), key=natural_key)
    reference = label_text(reference)
    if reference not in names:
        raise EvsynthError(
            f"reference={reference!r} is not a treatment in the data",
            hint=f"Choose one of {', '.join(names)}",
        )
    order = {t: i for i, t in enumerate([reference, *[t for t in names if t != reference]])}
    studies: list[ArmStudy] = []
    for label, rows in data.groupby(study, sort=False).indices.items():
        rows = np.asarray(rows)
        name = label_text(label)
        trts = [labels[r] for r in rows]
        if len(rows) < 2:
            raise DataError(
                f"study {name!r} has a single arm",
                location=InputLocation(row=int(rows[0]) + 1, field=study),
                hint="Each study needs at least two arms",
            )
        if len(set(trts)) < len(trts):
            raise DataError(
                f"study {name!r} has the same treatment in two arms",
                location=InputLocation(row=int(rows[0]) + 1, field=treatment),
                hint="Pool arms of the same treatment before the analysis",
            )
        for r in rows:
            if likelihood == "binomial" and not (
                0 <= a[r] <= b[r] and b[r] > 0 and float(a[r]).is_integer()
            ):
                raise DataError(
                    f"events {a[r]:g} of {b[r]:g} is not a count between 0 and the sample size",
                    location=InputLocation(row=int(r) + 1, field=first),
                )
            if likelihood == "normal" and not b[r] > 0:
                raise DataError(
                    f"standard error {b[r]:g} is not positive",
                    location=InputLocation(row=int(r) + 1, field=second),
                )
        arm_order = sorted(range(len(rows)), key=lambda k: order[trts[k]])
        picked = rows[arm_order]
        studies.append(
            ArmStudy(name, tuple(trts[k] for k in arm_order), a[picked].copy(), b[picked].copy())
        )
    treatments = tuple(sorted(order, key=order.__getitem__))
    if not _check_connected([s.treatments for s in studies], treatments):
        raise EvsynthError(
            "the network is disconnected",
            hint="Analyse each connected part separately, or add studies that link them",
        )
    return McmcNetwork(likelihood, "arm", treatments, tuple(studies))


@dataclass(frozen=True, slots=True)
class Unit:
    """A study, or part of one, as the model sees it: arms (baseline first) and their use."""

    study: int
    arms: tuple[int, ...]  # positions in the study's treatments
    used: tuple[bool, ...]
    design: FloatArray  # (len(arms) - 1, P): contrast means are design @ theta


@dataclass(frozen=True, slots=True)
class Plan:
    """How the network enters one model: units, parameter labels, the split comparison."""

    kind: PlanKind
    units: tuple[Unit, ...]
    parameters: tuple[str, ...]
    comparisons: tuple[tuple[int, int], ...]  # UME: (baseline, arm) treatment indices
    split: tuple[int, int] | None = None

    @property
    def n_parameters(self) -> int:
        return len(self.parameters)


def _index(net: McmcNetwork) -> dict[str, int]:
    return {t: i for i, t in enumerate(net.treatments)}


def _row(p: int, index: dict[str, int], base: str, arm: str) -> FloatArray:
    row = np.zeros(p)
    if index[arm] > 0:
        row[index[arm] - 1] += 1.0
    if index[base] > 0:
        row[index[base] - 1] -= 1.0
    return row


def _sorted_arms(net: McmcNetwork, s: int) -> tuple[int, ...]:
    index = _index(net)
    trts = net.studies[s].treatments
    return tuple(sorted(range(len(trts)), key=lambda k: index[trts[k]]))


def consistency_plan(net: McmcNetwork) -> Plan:
    """Every study as one unit; contrast means :math:`d_{t_k} - d_{t_b}`."""
    index, p = _index(net), len(net.treatments) - 1
    units = []
    for s, study in enumerate(net.studies):
        arms = _sorted_arms(net, s)
        trts = [study.treatments[k] for k in arms]
        design = np.array([_row(p, index, trts[0], t) for t in trts[1:]])
        units.append(Unit(s, arms, (True,) * len(arms), design))
    return Plan("consistency", tuple(units), net.treatments[1:], ())


def ume_plan(net: McmcNetwork) -> Plan:
    """Unrelated mean effects: one parameter per (baseline, arm) comparison (TSD4)."""
    index = _index(net)
    pairs: set[tuple[int, int]] = set()
    ordered = [_sorted_arms(net, s) for s in range(len(net.studies))]
    for s, arms in enumerate(ordered):
        trts = net.studies[s].treatments
        pairs.update((index[trts[arms[0]]], index[trts[k]]) for k in arms[1:])
    comparisons = tuple(sorted(pairs))
    column = {c: i for i, c in enumerate(comparisons)}
    units = []
    for s, arms in enumerate(ordered):
        trts = net.studies[s].treatments
        design = np.zeros((len(arms) - 1, len(comparisons)))
        for row, k in enumerate(arms[1:]):
            design[row, column[(index[trts[arms[0]]], index[trts[k]])]] = 1.0
        units.append(Unit(s, arms, (True,) * len(arms), design))
    # "k vs j" is d_k - d_j, the effect of arm k against the baseline j (as elsewhere).
    labels = tuple(f"{net.treatments[k]} vs {net.treatments[j]}" for j, k in comparisons)
    return Plan("ume", tuple(units), labels, comparisons)


def direct_comparisons(net: McmcNetwork) -> list[tuple[int, int]]:
    """Pairs of treatment indices (j < k) compared directly in at least one study."""
    index = _index(net)
    pairs: set[tuple[int, int]] = set()
    for study in net.studies:
        idx = sorted(index[t] for t in study.treatments)
        pairs.update((a, b) for i, a in enumerate(idx) for b in idx[i + 1 :])
    return sorted(pairs)


def _connected(groups: Sequence[tuple[str, ...]], a: str, b: str) -> bool:
    parent: dict[str, str] = {}

    def find(t: str) -> str:
        parent.setdefault(t, t)
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for g in groups:
        for t in g[1:]:
            parent[find(t)] = find(g[0])
    return find(a) == find(b)


def split_problem(net: McmcNetwork, pair: tuple[int, int]) -> str | None:
    """Why comparison ``pair`` cannot be split, or None.

    The studies without both treatments (and the other arms of studies of four or more arms)
    must connect the two treatments (gemtc's ``has.indirect.evidence``) and every other
    treatment, whose basic parameter would otherwise have no data.
    """
    t1, t2 = net.treatments[pair[0]], net.treatments[pair[1]]
    groups = []
    for s in net.studies:
        if not {t1, t2} <= set(s.treatments):
            groups.append(tuple(s.treatments))
        elif len(s.treatments) > 3:
            groups.append(tuple(t for t in s.treatments if t not in (t1, t2)))
    if not _connected(groups, t1, t2):
        return (
            f"{t2} vs {t1} has no indirect evidence: without the studies comparing them the two "
            "treatments are not connected"
        )
    lost = [t for t in net.treatments if not _connected(groups, t1, t)]
    if lost:
        return (
            f"splitting {t2} vs {t1} leaves {', '.join(lost)} without evidence outside the "
            "split comparison"
        )
    return None


def nodesplit_plan(net: McmcNetwork, pair: tuple[int, int]) -> Plan:
    """Node-splitting of comparison ``pair`` (treatment indices, first before second)."""
    j, k = sorted(pair)
    t1, t2 = net.treatments[j], net.treatments[k]
    problem = split_problem(net, (j, k))
    if problem:
        raise EvsynthError(problem, hint="Split a comparison that belongs to a loop of the network")
    index, p = _index(net), len(net.treatments)
    units: list[Unit] = []
    for s, study in enumerate(net.studies):
        trts = study.treatments
        arms = _sorted_arms(net, s)
        if not {t1, t2} <= set(trts):
            ordered = [trts[a] for a in arms]
            design = np.array([_row(p, index, ordered[0], t) for t in ordered[1:]])
            units.append(Unit(s, arms, (True,) * len(arms), design))
            continue
        pos1, pos2 = trts.index(t1), trts.index(t2)
        others = tuple(a for a in arms if a not in (pos1, pos2))
        direct = np.zeros((1, p))
        direct[0, p - 1] = 1.0
        if len(trts) <= 3:
            rows = [direct[0]] + [_row(p, index, t1, trts[a]) for a in others]
            used = (True, True) + (False,) * len(others)
            units.append(Unit(s, (pos1, pos2, *others), used, np.array(rows)))
        else:
            units.append(Unit(s, (pos1, pos2), (True, True), direct))
            ordered = [trts[a] for a in others]
            design = np.array([_row(p, index, ordered[0], t) for t in ordered[1:]])
            units.append(Unit(s, others, (True,) * len(others), design))
    parameters = (*net.treatments[1:], f"{t2} vs {t1} (direct)")
    return Plan("nodesplit", tuple(units), parameters, (), (j, k))


def _structure(m: int) -> FloatArray:
    return np.asarray(0.5 * (np.eye(m) + np.ones((m, m))), dtype=np.float64)


def _binomial_arrays(net: McmcNetwork, plan: Plan, tau_ref: float | None) -> tuple[Arrays, Arrays]:
    arm_unit: list[int] = []
    arm_study: list[int] = []
    events: list[float] = []
    sizes: list[float] = []
    weight: list[float] = []
    con_arm: list[int] = []
    con_unit: list[int] = []
    con_pos: list[int] = []
    design: list[FloatArray] = []
    s2: list[float] = []
    baseline: list[int] = []
    for u, unit in enumerate(plan.units):
        study = net.studies[unit.study]
        assert isinstance(study, ArmStudy)
        r, n = study.first[list(unit.arms)], study.second[list(unit.arms)]
        start = len(arm_unit)
        baseline.append(start)
        arm_unit += [u] * len(r)
        arm_study += [unit.study] * len(r)
        events += list(r)
        sizes += list(n)
        weight += [1.0 if x else 0.0 for x in unit.used]
        var = 1.0 / (r + 0.5) + 1.0 / (n - r + 0.5)
        for k in range(1, len(r)):
            con_arm.append(start + k)
            con_unit.append(u)
            con_pos.append(k - 1)
            design.append(unit.design[k - 1])
            s2.append(var[k] + var[0] if unit.used[k] else math.inf)
    m = max(con_pos) + 1
    chol = np.linalg.cholesky(_structure(m))
    n_con = len(con_arm)
    same_unit = np.full((n_con, m), n_con, dtype=np.int32)
    starts = np.flatnonzero(np.r_[True, np.diff(con_unit) != 0])
    for c in range(n_con):
        first = starts[np.searchsorted(starts, c, side="right") - 1]
        for j in range(first, n_con):
            if con_unit[j] != con_unit[c]:
                break
            same_unit[c, con_pos[j]] = j
    arm_con = np.full(len(arm_unit), n_con, dtype=np.int32)
    arm_con[con_arm] = np.arange(n_con)
    s2a = np.asarray(s2)
    lam = np.zeros(len(s2)) if tau_ref is None else tau_ref**2 / (tau_ref**2 + s2a)
    arrays = {
        "arm_unit": np.asarray(arm_unit, dtype=np.int32),
        "events": np.asarray(events),
        "sizes": np.asarray(sizes),
        "weight": np.asarray(weight),
        "baseline_arm": np.asarray(baseline, dtype=np.int32),
        "con_arm": np.asarray(con_arm, dtype=np.int32),
        "con_unit": np.asarray(con_unit, dtype=np.int32),
        "con_pos": np.asarray(con_pos, dtype=np.int32),
        "design": np.asarray(design).reshape(len(con_arm), plan.n_parameters),
        "lam": np.asarray(np.nan_to_num(lam), dtype=np.float64),
        "chol": chol,
        "chol_inv": np.linalg.inv(chol),
        "same_unit": same_unit,
        "arm_con": arm_con,
    }
    extra = {"arm_study": np.asarray(arm_study, dtype=np.intp)}
    return arrays, extra


def _gaussian_unit(
    net: McmcNetwork, unit: Unit, baseline_sd: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """One unit's data vector, its covariance V, W0, the tau^2 structure Q and the design."""
    study = net.studies[unit.study]
    used = [k for k, flag in enumerate(unit.used) if flag]
    if isinstance(study, ArmStudy):
        arms = [unit.arms[k] for k in used]
        y = study.first[arms]
        v = np.diag(study.second[arms] ** 2)
        w0 = v + baseline_sd**2 * np.ones((len(arms), len(arms)))
        q = np.zeros_like(v)
        q[1:, 1:] = _structure(len(arms) - 1)
        design = np.vstack([np.zeros(unit.design.shape[1]), unit.design[[k - 1 for k in used[1:]]]])
        return y, v, w0, q, design
    # Contrast data: change of baseline (gemtc's cob.matrix) to the unit's first arm.
    effect = np.concatenate([[0.0], study.effect])
    m = len(study.effect)
    arms = [unit.arms[k] for k in used]
    b = np.zeros((len(arms) - 1, m))
    for row, a in enumerate(arms[1:]):
        if a > 0:
            b[row, a - 1] += 1.0
        if arms[0] > 0:
            b[row, arms[0] - 1] -= 1.0
    y = effect[arms[1:]] - effect[arms[0]]
    v = b @ study.covariance @ b.T
    q = _structure(len(arms) - 1)
    return y, v, v.copy(), q, unit.design[[k - 1 for k in used[1:]]]


def _gaussian_arrays(
    net: McmcNetwork, plan: Plan, baseline_sd: float, size: int
) -> tuple[Arrays, Arrays]:
    s, p = len(plan.units), plan.n_parameters
    y = np.zeros((s, size))
    v = np.tile(np.eye(size), (s, 1, 1))
    w0, q = v.copy(), np.zeros((s, size, size))
    design = np.zeros((s, size, p))
    mask = np.zeros((s, size))
    for u, unit in enumerate(plan.units):
        yu, vu, w0u, qu, xu = _gaussian_unit(net, unit, baseline_sd)
        k = len(yu)
        y[u, :k], v[u, :k, :k], w0[u, :k, :k], q[u, :k, :k] = yu, vu, w0u, qu
        design[u, :k] = xu
        mask[u, :k] = 1.0
    # Simultaneous diagonalisation (generalised symmetric eigenproblem Q u = lambda W0 u, with
    # U' W0 U = I): W(tau) = W0 + tau^2 Q = U^-T (I + tau^2 Lambda) U^-1, so the sampler needs
    # only z = U' (y - X theta) and lambda:
    #   r' W^-1 r = sum_j z_j^2 / (1 + tau^2 lambda_j),
    #   log|W| = log|W0| + sum_j log(1 + tau^2 lambda_j).
    # No matrix is factorised while sampling; U'y and U'X are computed once here.
    eig = np.zeros((s, size))
    ut = np.zeros((s, size, size))
    for u in range(s):
        eig[u], vectors = linalg.eigh(q[u], w0[u])
        ut[u] = vectors.T
    arrays = {
        "uy": np.einsum("skl,sl->sk", ut, y),
        "ux": np.einsum("skl,slp->skp", ut, design),
        "eig": np.clip(eig, 0.0, None),  # Q is positive semi-definite: rounding below 0
    }
    extra = {
        "y": y,
        "v": v,
        "w0": w0,
        "q": q,
        "design": design,
        "mask": mask,
        "ut": ut,
        "unit_study": np.array([u.study for u in plan.units]),
    }
    return arrays, extra


def block_size(net: McmcNetwork) -> int:
    """Largest data vector of a study: arms (arm layout) or contrasts (contrast layout)."""
    arms = max(len(s.treatments) for s in net.studies)
    return arms if isinstance(net.studies[0], ArmStudy) else arms - 1


def model_arrays(
    net: McmcNetwork,
    plan: Plan,
    *,
    prior_d_sd: float,
    prior_baseline_sd: float,
    prior_tau: FloatArray | None,
    tau_ref: float | None,
) -> tuple[Arrays, Arrays]:
    """The model's data dict (sent to the sampler) and NumPy-only extras (for deviance)."""
    if net.likelihood == "binomial":
        arrays, extra = _binomial_arrays(net, plan, tau_ref)
        arrays["prior_mu_sd"] = np.asarray(prior_baseline_sd)
    else:
        arrays, extra = _gaussian_arrays(net, plan, prior_baseline_sd, block_size(net))
    arrays["prior_d_sd"] = np.asarray(prior_d_sd)
    arrays["prior_tau"] = np.zeros(3) if prior_tau is None else np.asarray(prior_tau)
    return arrays, extra
