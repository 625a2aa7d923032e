r"""The network: contrasts, studies, treatments and designs, with the checks netmeta makes.

:func:`build_network` turns contrast-level arrays (netmeta's ``studlab, treat1, treat2, TE,
seTE``) into a :class:`Network` and refuses data that no analysis can use, saying where and
what to do.

Policy
------
Orientation
    Treatments are ordered (sorted labels unless ``treatments`` gives the order). Each contrast
    is stored as "earlier minus later" treatment; a contrast given the other way round has
    its effect negated (netmeta does the same).
Multi-arm studies
    A study with ``p`` arms must give all ``p (p - 1) / 2`` contrasts, each once. Its effects
    must be consistent, :math:`y_{AC} = y_{AB} + y_{BC}` (largest residual at most
    ``tol_multiarm``, netmeta's default 0.001), and its variances must come from independent
    arms: the arm variances implied by the contrast variances (:func:`~.graph.arm_variances`)
    must not be negative, which for three arms is the triangle condition
    :math:`v_{BC} \le v_{AB} + v_{AC}`. With four or more arms the variances are over-determined;
    their largest residual is checked against ``tol_multiarm_se`` (a standard-error scale, as
    netmeta's ``tol.multiarm.se``) when that is given, and otherwise reported in a note.
    Violations raise :class:`~evsynth._core.errors.DataError` naming the study.
The same treatment twice in a study
    Contrast-level data cannot be repaired: the contrast between two arms of one treatment is
    refused. Give arm-level data instead (:func:`~evsynth.synthesis.nma.pairwise` pools the
    arms with a note) or combine the arms first.
Disconnected networks
    Refused with the sub-networks named (their treatments and studies); analyse one with
    ``subnetwork=``. :func:`find_subnetworks` lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth.synthesis.nma.graph import (
    FloatArray,
    IntArray,
    arm_variances,
    connected_components,
    multiarm_effect_residual,
)

#: Relative residual of multi-arm variances above which a note is written (no tolerance given).
VARIANCE_NOTE_THRESHOLD = 1e-8


@dataclass(frozen=True, slots=True)
class SubNetwork:
    """A connected part of a network: its treatments and the studies that compare them."""

    number: int
    treatments: tuple[str, ...]
    studies: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"sub-network {self.number}: treatments {', '.join(self.treatments)} "
            f"(studies {', '.join(self.studies)})"
        )


@dataclass(frozen=True, slots=True)
class MultiArmGroup:
    """The multi-arm studies with ``p`` arms, stacked.

    ``rows[s]`` are study ``studies[s]``'s contrast rows in :func:`~.graph.complete_pairs`
    order of its arms ``arms[s]`` (treatment indices, ascending).
    """

    p: int
    studies: IntArray
    rows: IntArray
    arms: IntArray


@dataclass(frozen=True, slots=True)
class Network:
    """Contrasts of a connected network, oriented and checked.

    Contrast ``e`` compares ``treatments[treat1[e]]`` with ``treatments[treat2[e]]``
    (``treat1[e] < treat2[e]``); ``effect[e]`` is the first minus the second and ``variance[e]``
    its sampling variance. ``rows`` holds the 1-based input rows.
    """

    treatments: tuple[str, ...]
    studies: tuple[str, ...]
    study: IntArray
    treat1: IntArray
    treat2: IntArray
    effect: FloatArray
    variance: FloatArray
    rows: IntArray
    narms: IntArray
    arms: tuple[tuple[int, ...], ...]
    multiarm: tuple[MultiArmGroup, ...]
    design: IntArray
    designs: tuple[tuple[int, ...], ...]
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        """Number of treatments."""
        return len(self.treatments)

    @property
    def m(self) -> int:
        """Number of pairwise contrasts."""
        return int(self.effect.shape[0])

    @property
    def k(self) -> int:
        """Number of studies."""
        return len(self.studies)

    @property
    def df(self) -> int:
        r"""Degrees of freedom of Q: :math:`\sum_s (p_s - 1) - (n - 1)`."""
        return int(np.sum(self.narms - 1)) - (self.n - 1)

    def design_label(self, index: int, sep: str = ":") -> str:
        """A design's name: its treatments in network order joined by ``sep``."""
        return sep.join(self.treatments[t] for t in self.designs[index])


def find_subnetworks(
    studlab: Sequence[str], treat1: Sequence[str], treat2: Sequence[str]
) -> tuple[SubNetwork, ...]:
    """The connected sub-networks, largest first (most studies, then most treatments).

    Two treatments belong to the same sub-network when a chain of contrasts links them.
    """
    labels = sorted(set(treat1) | set(treat2))
    index = {t: i for i, t in enumerate(labels)}
    t1 = np.array([index[t] for t in treat1], dtype=np.intp)
    t2 = np.array([index[t] for t in treat2], dtype=np.intp)
    comp = connected_components(t1, t2, len(labels))
    parts = []
    for c in range(int(comp.max()) + 1 if comp.size else 0):
        trts = tuple(t for t in labels if comp[index[t]] == c)
        studies = tuple(dict.fromkeys(s for s, a in zip(studlab, t1, strict=True) if comp[a] == c))
        parts.append((trts, studies))
    parts.sort(key=lambda p: (-len(p[1]), -len(p[0]), p[0]))
    return tuple(SubNetwork(i + 1, trts, studies) for i, (trts, studies) in enumerate(parts))


def disconnected_error(parts: Sequence[SubNetwork]) -> DataError:
    """The error for a network of several sub-networks, naming each."""
    listing = "; ".join(str(p) for p in parts)
    return DataError(
        f"the network is not connected: it has {len(parts)} sub-networks ({listing})",
        hint="Analyse one of them with subnetwork=<number> or subnetwork=<treatment>, "
        "or add studies that link them",
    )


def _treatment_order(
    treat1: Sequence[str], treat2: Sequence[str], treatments: Sequence[str] | None
) -> tuple[str, ...]:
    present = set(treat1) | set(treat2)
    if treatments is None:
        return tuple(sorted(present))
    order = tuple(dict.fromkeys(str(t) for t in treatments))
    missing = sorted(present - set(order))
    if missing:
        raise EvsynthError(
            f"treatments= does not list {', '.join(missing)}",
            hint="List every treatment of the network, or leave treatments= out",
        )
    return tuple(t for t in order if t in present)


def build_network(
    studlab: Sequence[str],
    treat1: Sequence[str],
    treat2: Sequence[str],
    effect: FloatArray,
    se: FloatArray,
    *,
    rows: IntArray | None = None,
    treatments: Sequence[str] | None = None,
    tol_multiarm: float = 0.001,
    tol_multiarm_se: float | None = None,
    notes: Sequence[str] = (),
) -> Network:
    """Check and orient contrast-level data (see the module docstring for the policy).

    Parameters
    ----------
    studlab, treat1, treat2 : sequence of str
        Study and the two treatments of each contrast.
    effect, se : numpy.ndarray
        Effect of ``treat1`` versus ``treat2`` and its standard error (finite, ``se > 0``).
    rows : numpy.ndarray, optional
        1-based input rows, for messages.
    treatments : sequence of str, optional
        Order of the treatments (sorted labels by default).
    tol_multiarm, tol_multiarm_se : float
        Consistency tolerances for multi-arm studies, as netmeta's ``tol.multiarm`` and
        ``tol.multiarm.se``.
    """
    m = len(studlab)
    rows = np.arange(1, m + 1, dtype=np.intp) if rows is None else rows
    for e in range(m):
        if treat1[e] == treat2[e]:
            raise DataError(
                f"study {studlab[e]!r} compares {treat1[e]!r} with itself",
                location=InputLocation(row=int(rows[e])),
                hint="A contrast between two arms of the same treatment cannot be used; give "
                "arm-level data (evsynth.synthesis.nma.pairwise pools such arms with a note) "
                "or combine the arms before computing contrasts",
            )
    order = _treatment_order(treat1, treat2, treatments)
    index = {t: i for i, t in enumerate(order)}
    a = np.array([index[t] for t in treat1], dtype=np.intp)
    b = np.array([index[t] for t in treat2], dtype=np.intp)
    y = np.asarray(effect, dtype=np.float64).copy()
    swap = a > b
    y[swap] = -y[swap]
    t1 = np.where(swap, b, a)
    t2 = np.where(swap, a, b)

    studies = tuple(dict.fromkeys(studlab))
    sindex = {s: i for i, s in enumerate(studies)}
    study = np.array([sindex[s] for s in studlab], dtype=np.intp)
    variance = np.asarray(se, dtype=np.float64) ** 2

    comp = connected_components(t1, t2, len(order))
    if comp.max() > 0:
        raise disconnected_error(
            find_subnetworks(list(studlab), [order[t] for t in t1], [order[t] for t in t2])
        )
    all_notes = list(notes)
    count = np.bincount(study, minlength=len(studies))
    arms: list[tuple[int, ...]] = [()] * len(studies)
    single = np.flatnonzero(count[study] == 1)
    for e in single.tolist():
        arms[study[e]] = (int(t1[e]), int(t2[e]))
    groups: dict[int, list[tuple[int, IntArray, tuple[int, ...]]]] = {}
    for s_ in np.flatnonzero(count > 1).tolist():
        members = np.flatnonzero(study == s_)
        study_arms = tuple(sorted(set(t1[members].tolist()) | set(t2[members].tolist())))
        _check_complete(studies[s_], members, t1, t2, study_arms, rows, order)
        p = len(study_arms)
        pos = {t: i for i, t in enumerate(study_arms)}
        first = np.array([pos[int(t)] for t in t1[members]])
        second = np.array([pos[int(t)] for t in t2[members]])
        # Canonical (upper-triangle, row-wise) order of the study's pairs.
        canonical = first * p - first * (first + 1) // 2 + second - first - 1
        arms[s_] = study_arms
        groups.setdefault(p, []).append((s_, members[np.argsort(canonical)], study_arms))
    multi = tuple(
        MultiArmGroup(
            p=p,
            studies=np.array([g[0] for g in entries], dtype=np.intp),
            rows=np.stack([g[1] for g in entries]).astype(np.intp),
            arms=np.array([g[2] for g in entries], dtype=np.intp),
        )
        for p, entries in sorted(groups.items())
    )
    for group in multi:
        _check_multiarm(
            group, studies, y, variance, tol_multiarm, tol_multiarm_se, all_notes, order
        )

    designs = tuple(sorted(set(arms), key=lambda d: (len(d), d)))
    dindex = {d: i for i, d in enumerate(designs)}
    design = np.array([dindex[key] for key in arms], dtype=np.intp)
    return Network(
        treatments=order,
        studies=studies,
        study=study,
        treat1=t1,
        treat2=t2,
        effect=y,
        variance=variance,
        rows=rows,
        narms=np.array([len(a) for a in arms], dtype=np.intp),
        arms=tuple(arms),
        multiarm=multi,
        design=design,
        designs=designs,
        notes=tuple(all_notes),
    )


def _check_complete(
    name: str,
    members: IntArray,
    t1: IntArray,
    t2: IntArray,
    study_arms: tuple[int, ...],
    rows: IntArray,
    order: tuple[str, ...],
) -> None:
    p = len(study_arms)
    pairs = list(zip(t1[members].tolist(), t2[members].tolist(), strict=True))
    seen: set[tuple[int, int]] = set()
    for pair, row in zip(pairs, rows[members].tolist(), strict=True):
        if pair in seen:
            raise DataError(
                f"study {name!r} gives the comparison {order[pair[0]]} vs {order[pair[1]]} "
                "more than once",
                location=InputLocation(row=int(row)),
                hint="Each study gives each comparison once; if the study has two arms of one "
                "treatment, pool them from arm-level data (evsynth.synthesis.nma.pairwise)",
            )
        seen.add(pair)
    if len(pairs) != p * (p - 1) // 2:
        need = {(i, j) for i in study_arms for j in study_arms if i < j}
        missing = sorted(need - seen)
        listing = ", ".join(f"{order[i]} vs {order[j]}" for i, j in missing)
        raise DataError(
            f"study {name!r} has {p} arms but lacks the comparison(s) {listing}",
            location=InputLocation(row=int(rows[members][0])),
            hint=f"A {p}-arm study needs all {p * (p - 1) // 2} pairwise comparisons (netmeta's "
            "pairwise() gives them); evsynth.synthesis.nma.pairwise computes them from arm data",
        )


def _check_multiarm(
    group: MultiArmGroup,
    studies: tuple[str, ...],
    y: FloatArray,
    variance: FloatArray,
    tol_multiarm: float,
    tol_multiarm_se: float | None,
    notes: list[str],
    order: tuple[str, ...],
) -> None:
    p = group.p
    resid = multiarm_effect_residual(y[group.rows], p)
    for s, r in zip(group.studies.tolist(), resid.tolist(), strict=True):
        if r > tol_multiarm:
            raise DataError(
                f"multi-arm study {studies[s]!r} has inconsistent effects: its contrasts are "
                f"not differences of arm means (largest residual {r:.4g} > tol_multiarm="
                f"{tol_multiarm:g})",
                hint="Check the study's effects; standardised mean differences computed pair "
                "by pair are not consistent (use one SD for all arms), or relax tol_multiarm",
            )
    v = variance[group.rows]
    sigma2, residual = arm_variances(v, p)
    for idx, s in enumerate(group.studies.tolist()):
        if np.any(sigma2[idx] < 0):
            worst = int(np.argmin(sigma2[idx]))
            raise DataError(
                f"multi-arm study {studies[s]!r} has inconsistent variances: they imply a "
                f"negative variance ({sigma2[idx, worst]:.4g}) for arm "
                f"{order[group.arms[idx, worst]]!r}, i.e. one contrast's variance exceeds the "
                "sum of two others (triangle condition)",
                hint="Contrasts of one study share arms, so Var(B vs C) <= Var(A vs B) + "
                "Var(A vs C); check the standard errors or give arm-level data",
            )
        if p <= 3:
            continue
        if tol_multiarm_se is not None and residual[idx] > tol_multiarm_se**2:
            raise DataError(
                f"multi-arm study {studies[s]!r} has inconsistent variances: no arm variances "
                f"reproduce them (largest residual {residual[idx]:.4g} > tol_multiarm_se^2)",
                hint="Check the standard errors, give arm-level data, or relax tol_multiarm_se",
            )
        if residual[idx] > VARIANCE_NOTE_THRESHOLD * float(np.max(v[idx])):
            notes.append(
                f"Multi-arm study {studies[s]!r}: its contrast variances are not exactly those "
                f"of independent arms (largest residual {residual[idx]:.3g}); netmeta's "
                "reduction of weights is applied to them as given"
            )
