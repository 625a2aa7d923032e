"""Public entry points: network meta-analysis from contrast-level or arm-level DataFrames."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation, choice_error
from evsynth._core.provenance import Manifest, hash_bytes, make_manifest
from evsynth.synthesis.nma._dist import chi2_pvalue, t_quantile
from evsynth.synthesis.nma.arms import pairwise
from evsynth.synthesis.nma.heterogeneity import decompose_designs, i2_interval
from evsynth.synthesis.nma.model import GraphFit, fit_graph
from evsynth.synthesis.nma.netsplit import (
    TOL_DIRECT,
    Netsplit,
    comparison_order,
    direct_evidence,
    split_evidence,
)
from evsynth.synthesis.nma.network import (
    Network,
    SubNetwork,
    build_network,
    disconnected_error,
    find_subnetworks,
)
from evsynth.synthesis.nma.result import NmaEstimates, NmaResult
from evsynth.synthesis.nma.tau2 import TAU2_METHODS, contrast_model, tau2_dl, tau2_reml

CONTRAST_ROLES: dict[str, str] = {
    "studlab": "studlab",
    "treat1": "treat1",
    "treat2": "treat2",
    "TE": "TE",
    "seTE": "seTE",
}
ARM_ROLES = ("study", "treatment", "events", "n", "mean", "sd")


def _split_roles(columns: Mapping[str, str] | None) -> tuple[dict[str, str], dict[str, str]]:
    given = dict(columns or {})
    unknown = sorted(set(given) - set(CONTRAST_ROLES) - set(ARM_ROLES))
    if unknown:
        raise EvsynthError(
            f"unknown column role(s) {', '.join(unknown)}",
            hint=f"Roles: {', '.join([*CONTRAST_ROLES, *ARM_ROLES])}",
        )
    contrast = {role: given.get(role, name) for role, name in CONTRAST_ROLES.items()}
    arm = {role: given[role] for role in ARM_ROLES if role in given}
    return contrast, arm


def _text(values: pd.Series) -> list[str]:
    return [str(v).strip() for v in values.tolist()]


def _contrast_arrays(
    data: pd.DataFrame, roles: Mapping[str, str], drop_missing: bool, notes: list[str]
) -> tuple[list[str], list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    missing = [name for name in roles.values() if name not in data.columns]
    if missing:
        raise DataError(
            f"contrast-level data need columns {', '.join(roles.values())}; missing: "
            f"{', '.join(missing)}; the data have: {', '.join(map(str, data.columns))}",
            location=InputLocation(field=missing[0]),
            hint="Rename or map the columns (columns={'TE': 'effect', ...}); arm-level data "
            "need a 'treatment' column and measure=",
        )
    if len(data) == 0:
        raise DataError("the data have no rows", hint="Give at least one comparison")
    te = pd.to_numeric(data[roles["TE"]], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    se = pd.to_numeric(data[roles["seTE"]], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = ~np.isfinite(te) | ~np.isfinite(se) | ~(se > 0)
    rows = np.arange(1, len(data) + 1, dtype=np.intp)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        if not drop_missing:
            field = roles["TE"] if not np.isfinite(te[first]) else roles["seTE"]
            raise DataError(
                "the effect or its standard error is missing, not a number, or the standard "
                "error is not positive",
                location=InputLocation(row=first + 1, field=field),
                hint="Correct the value, or pass drop_missing=True to leave such comparisons "
                "out (netmeta does so with a warning)",
            )
        studlab_all = _text(data[roles["studlab"]])
        listed = ", ".join(f"row {r} ({studlab_all[r - 1]!r})" for r in rows[bad])
        notes.append(f"Comparisons without a usable effect or SE are left out: {listed}")
    keep = ~bad
    sub = data.loc[keep]
    return (
        _text(sub[roles["studlab"]]),
        _text(sub[roles["treat1"]]),
        _text(sub[roles["treat2"]]),
        te[keep],
        se[keep],
        rows[keep],
    )


def _select_subnetwork(
    parts: Sequence[SubNetwork], subnetwork: int | str | None
) -> SubNetwork | None:
    if subnetwork is None:
        if len(parts) > 1:
            raise disconnected_error(parts)
        return None
    if isinstance(subnetwork, bool) or not isinstance(subnetwork, int | str):
        raise EvsynthError("subnetwork= takes a sub-network number or a treatment name")
    if isinstance(subnetwork, int):
        if not 1 <= subnetwork <= len(parts):
            raise EvsynthError(
                f"subnetwork={subnetwork} does not exist; the network has {len(parts)} "
                f"sub-network(s): {'; '.join(map(str, parts))}"
            )
        return parts[subnetwork - 1]
    for part in parts:
        if subnetwork in part.treatments:
            return part
    names = sorted({t for p in parts for t in p.treatments})
    raise choice_error("subnetwork", subnetwork, names)


def subnetworks(
    data: pd.DataFrame, *, columns: Mapping[str, str] | None = None
) -> tuple[SubNetwork, ...]:
    """The connected sub-networks of contrast-level (or arm-level) data, largest first.

    Arm-level data (a ``treatment`` column) are linked by study: all arms of a study belong
    to one sub-network.
    """
    roles, arm_roles = _split_roles(columns)
    treatment = arm_roles.get("treatment", "treatment")
    if roles["treat1"] not in data.columns and treatment in data.columns:
        study = _text(data[arm_roles.get("study", "study")])
        trt = _text(data[treatment])
        first: dict[str, str] = {}
        s1, t1, t2 = [], [], []
        for s, t in zip(study, trt, strict=True):
            if s in first and first[s] != t:
                s1.append(s)
                t1.append(first[s])
                t2.append(t)
            first.setdefault(s, t)
        return find_subnetworks(s1, t1, t2)
    studlab, treat1, treat2, _, _, _ = _contrast_arrays(data, roles, True, [])
    return find_subnetworks(studlab, treat1, treat2)


@functools.lru_cache(maxsize=1)
def _base_manifest() -> Manifest:
    return make_manifest("evsynth.network_meta_analysis", {})


def _manifest(options: dict[str, object], inputs: bytes) -> Manifest:
    """The call's manifest; package versions are read once per process (importlib.metadata
    takes milliseconds, longer than the fit itself)."""
    return dataclasses.replace(
        _base_manifest(),
        options=options,
        input_hash=hash_bytes(inputs),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _predictions(
    fit: GraphFit, tau2: float, df: int, level: float
) -> tuple[np.ndarray, np.ndarray, int | None]:
    r"""Prediction intervals of the random-effects model, as netmeta 3.3-1 computes them.

    .. math::

        \hat\theta_{ij} \pm t_{\mathrm{df},\,(1+\text{level})/2}
            \sqrt{\mathrm{SE}(\hat\theta_{ij})^2 + \hat\tau^2},
        \qquad \mathrm{df} = \sum_s (p_s - 1) - (n - 1)

    (Higgins, Thompson & Spiegelhalter 2009, JRSS A 172:137-159,
    doi:10.1111/j.1467-985X.2008.00552.x, with the degrees of freedom of Q that netmeta uses);
    NaN when df = 0.
    """
    n = fit.estimate.shape[0]
    if df < 1:
        nan = np.full((n, n), np.nan)
        return nan, nan.copy(), None
    half = t_quantile(level, df) * np.sqrt(fit.se**2 + tau2)
    low, high = fit.estimate - half, fit.estimate + half
    np.fill_diagonal(low, np.nan)
    np.fill_diagonal(high, np.nan)
    return low, high, df


def _estimates(
    net: Network,
    fit: GraphFit,
    model: str,
    level: float,
    predict: tuple[np.ndarray, np.ndarray, int | None],
) -> NmaEstimates:
    return NmaEstimates(
        model=model,
        treatments=net.treatments,
        level=level,
        tau2=fit.tau2,
        estimate=fit.estimate,
        se=fit.se,
        pi_low=predict[0],
        pi_high=predict[1],
        pi_df=predict[2],
        direct=direct_evidence(net, fit),
        adjusted_variance=fit.adjusted_variance,
    )


def network_meta_analysis(
    data: pd.DataFrame,
    *,
    measure: str | None = None,
    method: str = "DL",
    reference: str | None = None,
    level: float = 0.95,
    higher_is_better: bool | None = None,
    tau2: float | None = None,
    subnetwork: int | str | None = None,
    treatments: Sequence[str] | None = None,
    drop_missing: bool = False,
    tol_multiarm: float = 0.001,
    tol_multiarm_se: float | None = None,
    columns: Mapping[str, str] | None = None,
    add: float = 0.5,
    to: str = "only0",
    vtype: str = "LS",
) -> NmaResult:
    """Frequentist network meta-analysis by Rücker's graph-theoretical method, as netmeta 3.3-1.

    Parameters
    ----------
    data : pandas.DataFrame
        Contrast level, netmeta's names: ``studlab, treat1, treat2, TE, seTE`` (``TE`` is
        ``treat1`` versus ``treat2``; a multi-arm study gives all its pairwise contrasts), or
        arm level: ``study, treatment`` and ``events, n`` (OR, RR, RD) or ``mean, sd, n`` (MD,
        SMD), turned into contrasts by :func:`~evsynth.synthesis.nma.pairwise`.
    measure : str, optional
        Required for arm-level data (``"OR"``, ``"RR"``, ``"RD"``, ``"MD"``, ``"SMD"``); a
        label for contrast-level data (taken from ``pairwise()`` output when present).
    method : {"DL", "REML"}
        tau^2 estimator: netmeta's generalised DerSimonian-Laird (Jackson, White & Riley
        2012), or REML in the contrast-based model of metafor's ``rma.mv`` (Viechtbauer
        2005), as netmeta's ``method.tau``. See :mod:`evsynth.synthesis.nma.tau2`.
    reference : str, optional
        Reference treatment for ``to_frame()`` and summaries; the first treatment by default
        (as netmeta).
    level : float
        Level of confidence and prediction intervals (0.95).
    higher_is_better : bool, optional
        Direction for P-scores: True when higher effects are better. netmeta's default
        ``small.values = "desirable"`` is False. Without it P-scores are not computed.
    tau2 : float, optional
        Fix tau^2 instead of estimating it (netmeta's ``tau.preset``, squared).
    subnetwork : int or str, optional
        Analyse one sub-network of a disconnected network: its number (see
        :func:`subnetworks`) or one of its treatments.
    treatments : sequence of str, optional
        Treatment order (sorted labels by default).
    drop_missing : bool
        Leave out contrasts with a missing effect or a missing or non-positive SE, with a
        note (netmeta's behaviour); by default they raise a DataError naming the row.
    tol_multiarm, tol_multiarm_se : float
        Consistency tolerances of multi-arm studies (see :mod:`evsynth.synthesis.nma.network`).
    columns : mapping, optional
        Column names by role: ``studlab, treat1, treat2, TE, seTE`` or ``study, treatment,
        events, n, mean, sd``.
    add, to, vtype
        Arm-level data only: zero-cell correction and variance estimator (see
        :func:`~evsynth.synthesis.nma.pairwise`).

    Returns
    -------
    NmaResult
        Both models, heterogeneity, the design-based decomposition of Q, node-splitting and
        direct-evidence proportions, with a provenance manifest.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({
    ...     "studlab": ["s1", "s2", "s3"],
    ...     "treat1": ["B", "C", "C"],
    ...     "treat2": ["A", "A", "B"],
    ...     "TE": [0.5, 0.8, 0.4],
    ...     "seTE": [0.2, 0.25, 0.3],
    ... })
    >>> res = network_meta_analysis(data, reference="A")
    >>> res.to_frame("common")[["treatment", "estimate", "se"]].round(4)
      treatment  estimate      se
    0         B    0.4792  0.1780
    1         C    0.8325  0.2054
    >>> round(res.q, 4), res.q_df
    (0.0519, 1)

    References
    ----------
    Rücker G (2012). Research Synthesis Methods 3:312-324. doi:10.1002/jrsm.1058
    Rücker G, Schwarzer G (2014). Statistics in Medicine 33:4353-4369. doi:10.1002/sim.6236
    Krahn U, Binder H, König J (2013). BMC Medical Research Methodology 13:35.
    doi:10.1186/1471-2288-13-35
    König J, Krahn U, Binder H (2013). Statistics in Medicine 32:5414-5429. doi:10.1002/sim.6001
    Dias S et al. (2010). Statistics in Medicine 29:932-944. doi:10.1002/sim.3767
    Rücker G, Schwarzer G (2015). BMC Medical Research Methodology 15:58.
    doi:10.1186/s12874-015-0060-8
    """
    if not isinstance(data, pd.DataFrame):
        raise EvsynthError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if method not in TAU2_METHODS:
        raise choice_error("method", method, TAU2_METHODS)
    if not 0 < level < 1:
        raise EvsynthError(f"level={level} must lie between 0 and 1, e.g. 0.95")
    if tau2 is not None and not (np.isfinite(tau2) and tau2 >= 0):
        raise EvsynthError(f"tau2={tau2!r} must be a number >= 0")
    roles, arm_roles = _split_roles(columns)
    notes: list[str] = []
    if (
        roles["treat1"] not in data.columns
        and arm_roles.get("treatment", "treatment") in data.columns
    ):
        if measure is None:
            raise EvsynthError(
                "arm-level data need measure=",
                hint="Choose one of OR, RR, RD, MD, SMD",
            )
        data = pairwise(data, measure, columns=arm_roles, add=add, to=to, vtype=vtype)
    measure = measure or str(data.attrs.get("measure", "GEN"))
    notes.extend(str(x) for x in data.attrs.get("notes", ()))
    studlab, treat1, treat2, te, se, rows = _contrast_arrays(data, roles, drop_missing, notes)

    # A disconnected network without subnetwork= is refused by build_network, naming the parts.
    part = None
    if subnetwork is not None:
        part = _select_subnetwork(find_subnetworks(studlab, treat1, treat2), subnetwork)
    if part is not None:
        chosen = set(part.studies)
        keep = np.array([s in chosen for s in studlab])
        studlab = [s for s, k in zip(studlab, keep, strict=True) if k]
        treat1 = [t for t, k in zip(treat1, keep, strict=True) if k]
        treat2 = [t for t, k in zip(treat2, keep, strict=True) if k]
        te, se, rows = te[keep], se[keep], rows[keep]
        notes.append(f"Analysed {part}")
        if treatments is not None:
            treatments = [t for t in treatments if t in part.treatments]

    net = build_network(
        studlab,
        treat1,
        treat2,
        te,
        se,
        rows=rows,
        treatments=treatments,
        tol_multiarm=tol_multiarm,
        tol_multiarm_se=tol_multiarm_se,
        notes=notes,
    )
    ref = net.treatments[0] if reference is None else str(reference)
    if ref not in net.treatments:
        raise choice_error("reference", ref, net.treatments)
    r = net.treatments.index(ref)
    options: dict[str, object] = {
        "method": method,
        "measure": measure,
        "reference": ref,
        "level": level,
        "higher_is_better": higher_is_better,
        "tau2": tau2,
        "subnetwork": subnetwork,
        "treatments": list(net.treatments),
        "drop_missing": drop_missing,
        "tol_multiarm": tol_multiarm,
        "tol_multiarm_se": tol_multiarm_se,
        "columns": dict(columns or {}),
        "add": add,
        "to": to,
        "vtype": vtype,
    }
    return _analyse(net, measure, method, r, level, higher_is_better, tau2, options)


def _analyse(
    net: Network,
    measure: str,
    method: str,
    r: int,
    level: float,
    higher_is_better: bool | None,
    tau2_fixed: float | None,
    options: dict[str, object],
) -> NmaResult:
    notes = list(net.notes)
    common = fit_graph(net, 0.0)
    df = net.df
    model = contrast_model(net, r, "first")
    se_tau2: float | None = None
    iterations, converged, log_lik = 0, True, None
    if tau2_fixed is not None:
        tau2, method = float(tau2_fixed), "fixed"
    else:
        dl = tau2_dl(net, common)
        if method == "DL":
            tau2 = dl
            if not np.isfinite(tau2):
                tau2 = 0.0
                notes.append("Q has no degrees of freedom, so tau^2 cannot be estimated; set to 0")
        else:
            reml_model = model
            if np.any(net.narms > 3):
                reml_model = contrast_model(net, r, "last")
            est = tau2_reml(reml_model, r, start=dl)
            tau2, se_tau2 = est.tau2, est.se
            iterations, converged, log_lik = est.iterations, est.converged, est.log_lik
            if not converged:
                notes.append(f"REML did not converge in {iterations} iterations")
            if not np.isfinite(dl):
                notes.append("Q has no degrees of freedom, so tau^2 cannot be estimated; set to 0")
    random = fit_graph(net, tau2)
    i2, i2_low, i2_high = i2_interval(common.q, df, level)
    design = decompose_designs(net, model, r)
    predict_none = (np.full((net.n, net.n), np.nan), np.full((net.n, net.n), np.nan), None)
    est_common = _estimates(net, common, "common", level, predict_none)
    est_random = _estimates(net, random, "random", level, _predictions(random, tau2, df, level))
    first, second = comparison_order(net.n, r)
    split = Netsplit(
        comparisons=tuple(
            f"{net.treatments[a]}:{net.treatments[b]}" for a, b in zip(first, second, strict=True)
        ),
        treatment1=tuple(net.treatments[a] for a in first),
        treatment2=tuple(net.treatments[b] for b in second),
        k=est_common.direct.k[first, second],
        level=level,
        common=split_evidence(common, est_common.direct, first, second, tol_direct=TOL_DIRECT),
        random=split_evidence(random, est_random.direct, first, second, tol_direct=TOL_DIRECT),
    )
    return NmaResult(
        measure=measure,
        method=method,
        level=level,
        reference=net.treatments[r],
        treatments=net.treatments,
        studies=net.studies,
        designs=tuple(net.design_label(d) for d in range(len(net.designs))),
        common=est_common,
        random=est_random,
        tau2=tau2,
        se_tau2=se_tau2,
        tau2_iterations=iterations,
        tau2_converged=converged,
        log_lik=log_lik,
        q=common.q,
        q_df=df,
        q_pvalue=chi2_pvalue(common.q, df),
        i2=i2,
        i2_ci_low=i2_low,
        i2_ci_high=i2_high,
        q_heterogeneity=design.q_within,
        q_heterogeneity_df=design.df_within,
        q_heterogeneity_pvalue=design.pvalue_within,
        q_inconsistency=design.q_between,
        q_inconsistency_df=design.df_between,
        q_inconsistency_pvalue=design.pvalue_between,
        design=design,
        netsplit=split,
        network=net,
        higher_is_better=higher_is_better,
        notes=tuple(notes),
        manifest=_manifest(
            options,
            np.concatenate([net.effect, net.variance]).tobytes(),
        ),
    )
