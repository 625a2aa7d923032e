"""``evsynth nma --bayes``: Bayesian network meta-analysis of a CSV file (or a grid of them).

The inputs are the frequentist command's (netmeta's contrast columns, or arm-level rows), plus
NICE DSU TSD2's own layouts: ``study, trt, diff, se_diff`` (contrasts with the baseline row's
``diff`` empty) and ``study, trt, y, se`` (arm means). Normal likelihoods use the exact engine;
the binomial likelihood (``study, treatment, r, n``) uses the MCMC engine.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth.cli._io import locate
from evsynth.cli.output import print_csv, print_json, print_summary, stderr

if TYPE_CHECKING:
    from evsynth.report.nma_section import NmaSection
    from evsynth.storage.config import NmaSpec
    from evsynth.synthesis.nma.bayes.grid import BayesNmaGridResult

PAIRWISE = ("studlab", "treat1", "treat2", "TE", "seTE")
STUDY_COLUMNS = ("study", "studyn", "studlab")
TREATMENT_COLUMNS = ("treatment", "trt", "trtc", "trtn")
EVENT_COLUMNS = ("r", "events")
DIC_PLUGIN = "posterior mean of the linear predictor (NICE DSU TSD2)"
DEFAULT_DIRECTION_NOTE = (
    "SUCRA and P(better than reference) take lower values as better (as multinma and netmeta "
    "do by default); pass --higher-is-better if higher values are better"
)


@dataclass(frozen=True, slots=True)
class BayesInput:
    """How to read a file for the Bayesian models: the likelihood, columns and layout."""

    likelihood: str
    frame: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)
    layout: str = "auto"

    @property
    def study(self) -> str:
        return self.columns.get("study", "studlab")


def _first(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((c for c in names if c in frame.columns), None)


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _treatment_column(frame: pd.DataFrame, reference: str | None) -> str | None:
    """The treatment column; with codes and names both present, the one holding the reference."""
    present = [c for c in TREATMENT_COLUMNS if c in frame.columns]
    if reference is not None:
        for column in present:
            if reference in {_label(v) for v in frame[column].dropna()}:
                return column
    return present[0] if present else None


def bayes_input(
    frame: pd.DataFrame,
    *,
    likelihood: str | None,
    measure: str,
    reference: str | None,
    file: Path | str,
) -> BayesInput:
    """Choose the likelihood and the columns from the file's columns (one clear error if none fit).

    Binomial: arm rows with events (``r`` or ``events``) and ``n``. Normal: netmeta's contrast
    columns; TSD's contrast layout (``diff`` with ``se_diff`` or ``se``); arm means (``y, se``);
    or arm-level ``mean, sd, n`` with ``--measure MD`` (se = sd / sqrt(n)).
    """
    where = InputLocation(file=str(file))
    have = ", ".join(map(str, frame.columns))
    study = _first(frame, STUDY_COLUMNS)
    treatment = _treatment_column(frame, reference)
    events = _first(frame, EVENT_COLUMNS)
    arms = study is not None and treatment is not None and "treat1" not in frame.columns
    if likelihood is None:
        likelihood = "binomial" if arms and events and "n" in frame.columns else "normal"
    if likelihood == "binomial":
        if not (arms and events and "n" in frame.columns):
            raise DataError(
                "the binomial likelihood needs one row per arm with columns study, treatment, "
                f"r (or events) and n; the file has: {have}",
                location=where,
                hint="Rename the columns, or use --likelihood normal for contrasts",
            )
        assert study is not None and treatment is not None and events is not None
        columns = {"study": study, "treatment": treatment, "events": events, "n": "n"}
        return BayesInput("binomial", frame, columns, "arm")
    if all(c in frame.columns for c in PAIRWISE):
        return BayesInput("normal", frame, {"study": "studlab"}, "pairwise")
    if arms and "diff" in frame.columns:
        se = _first(frame, ("se_diff", "se"))
        if se is not None:
            assert study is not None and treatment is not None
            columns = {"study": study, "treatment": treatment, "effect": "diff", "se": se}
            return BayesInput("normal", frame, columns, "contrast")
    if arms and "y" in frame.columns and "se" in frame.columns:
        assert study is not None and treatment is not None
        columns = {"study": study, "treatment": treatment, "effect": "y", "se": "se"}
        return BayesInput("normal", frame, columns, "arm")
    if arms and {"mean", "sd", "n"} <= set(frame.columns):
        if measure != "MD":
            raise DataError(
                "arm-level means (mean, sd, n) enter the Bayesian normal model as mean "
                "differences: pass --measure MD; for standardised mean differences give the "
                "contrasts (studlab, treat1, treat2, TE, seTE)",
                location=where,
            )
        assert study is not None and treatment is not None
        data = frame.copy()
        sd = pd.to_numeric(data["sd"], errors="coerce")
        n = pd.to_numeric(data["n"], errors="coerce")
        data["se_of_mean"] = sd / np.sqrt(n)
        columns = {"study": study, "treatment": treatment, "effect": "mean", "se": "se_of_mean"}
        return BayesInput("normal", data, columns, "arm")
    raise DataError(
        "the Bayesian normal model needs contrasts (studlab, treat1, treat2, TE, seTE), TSD's "
        "contrast layout (study, trt, diff, se_diff) or arm means (study, trt, y, se); the "
        f"binomial model needs arms (study, treatment, r, n); the file has: {have}",
        location=where,
        hint="Rename the columns",
    )


def _fit_options(spec: BayesInput) -> dict[str, Any]:
    if spec.likelihood == "binomial":
        return {"layout": "arm"}
    options: dict[str, Any] = {"layout": spec.layout}
    for role in ("study", "treatment", "effect", "se"):
        if role in spec.columns:
            options[role] = spec.columns[role]
    return options


def fit_bayes(
    spec: BayesInput,
    *,
    reference: str,
    model: str,
    higher_is_better: bool,
    seed: int | None,
    sampler: str = "auto",
) -> Any:
    """Fit one network: the exact engine for a normal likelihood, MCMC for the binomial."""
    if spec.likelihood == "binomial":
        from evsynth.synthesis.nma.bayes.engines import binomial_engine

        return binomial_engine()(
            spec.frame,
            columns=spec.columns,
            reference=reference,
            model=model,
            prior_tau=None,
            prior_d_sd=100.0,
            higher_is_better=higher_is_better,
            rng=seed,
            settings={"sampler": sampler},
        )
    from evsynth.synthesis.nma.bayes import bayes_nma_normal

    return bayes_nma_normal(
        spec.frame,
        reference=reference,
        model=model,  # type: ignore[arg-type]
        higher_is_better=higher_is_better,
        rng=seed,
        **_fit_options(spec),
    )


def fit_bayes_grid(
    spec: BayesInput,
    *,
    reference: str,
    model: str,
    higher_is_better: bool | dict[str, bool],
    seed: int | None,
    outcome: str,
    timepoint: str,
    outcomes: list[str] | None = None,
    timepoints: list[str] | None = None,
    sampler: str = "auto",
) -> BayesNmaGridResult:
    """One Bayesian network per outcome and time point (:func:`bayes_nma_grid`)."""
    from evsynth.synthesis.nma.bayes.grid import bayes_nma_grid

    columns: dict[str, Any] = {
        k: v for k, v in spec.columns.items() if k in ("study", "treatment", "effect", "se")
    }
    if spec.likelihood == "binomial":
        columns["events"] = spec.columns["events"]
        columns["n"] = spec.columns["n"]
    elif spec.layout == "pairwise":
        columns = {}
    return bayes_nma_grid(
        spec.frame,
        outcome=outcome,
        timepoint=timepoint,
        reference=reference,
        higher_is_better=higher_is_better,
        likelihood=spec.likelihood,  # type: ignore[arg-type]
        model=model,  # type: ignore[arg-type]
        outcomes=outcomes,
        timepoints=timepoints,
        rng=seed,
        layout="auto" if spec.likelihood == "binomial" else spec.layout,  # type: ignore[arg-type]
        mcmc={"sampler": sampler} if spec.likelihood == "binomial" else None,
        **columns,
    )


# -- JSON -------------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def prior_json(result: Any) -> dict[str, Any]:
    """The priors of a fit: on each treatment effect and on the between-study sd."""
    prior_tau = getattr(result, "prior_tau", None)
    d_sd = float(getattr(result, "prior_d_sd", 100.0))
    tau_text = prior_tau.describe() if prior_tau is not None else "tau = 0 (fixed effect)"
    return {
        "d": {"family": "normal", "mean": 0.0, "sd": d_sd},
        "sd": prior_tau.to_dict() if prior_tau is not None else None,
        "text": f"d ~ Normal(0, {d_sd:g}^2); {tau_text}",
    }


def diagnostics_json(result: Any) -> dict[str, Any] | None:
    """MCMC convergence diagnostics (R-hat, bulk and tail ESS, converged); None when exact."""
    from evsynth.synthesis.nma.bayes.engines import mcmc_diagnostics

    return mcmc_diagnostics(result)


def bayes_json(result: Any, *, likelihood: str, direction_given: bool) -> dict[str, Any]:
    """The ``--bayes --json`` object of one network (the CLI contract in docs/cli.md)."""
    frame = result.to_frame()
    reference = result.treatments[0]
    treatments = []
    for row in frame.to_dict(orient="records"):
        own = row["treatment"] == reference
        treatments.append(
            {
                "treatment": row["treatment"],
                "mean": 0.0 if own else _num(row["mean"]),
                "sd": None if own else _num(row["sd"]),
                "median": 0.0 if own else _num(row["median"]),
                "q025": None if own else _num(row["q025"]),
                "q975": None if own else _num(row["q975"]),
                "sucra": _num(row["sucra"]),
                "p_better_than_reference": None if own else _num(row["p_better_than_reference"]),
            }
        )
    sd = getattr(result, "sd", None)
    diagnostics = diagnostics_json(result)
    network = getattr(result, "network", None)
    studies = getattr(network, "studies", None) or getattr(result, "studies", None)
    contrasts = result.relative_effects() if hasattr(result, "relative_effects") else None
    return {
        "engine": "mcmc" if diagnostics is not None else "exact",
        "likelihood": likelihood,
        "model": result.model,
        "reference": reference,
        "higher_is_better": bool(result.higher_is_better),
        "direction_given": direction_given,
        "seed": getattr(result, "seed", None),
        "prior": prior_json(result),
        "k": len(studies) if studies is not None else None,
        "n": len(result.treatments),
        "n_datapoints": getattr(result, "n_datapoints", None),
        "sd": None
        if sd is None
        else {
            "mean": _num(sd.mean),
            "sd": _num(sd.sd),
            "median": _num(sd.median),
            "q025": _num(sd.q025),
            "q975": _num(sd.q975),
        },
        "resdev": _num(result.resdev),
        "pd": _num(result.pd),
        "dic": _num(result.dic),
        "dic_plugin": DIC_PLUGIN
        if getattr(result, "plugin", "linear_predictor") == "linear_predictor"
        else str(result.plugin),
        "treatments": treatments,
        "contrasts": []
        if contrasts is None
        else contrasts.astype(object).where(contrasts.notna(), None).to_dict(orient="records"),
        "diagnostics": diagnostics,
        "notes": list(getattr(result, "notes", ())),
    }


def bayes_grid_json(grid: BayesNmaGridResult, *, direction_given: bool) -> dict[str, Any]:
    """The ``--bayes --grid --json`` object: each network's summary, the tidy rows, warnings."""
    cells = []
    for cell in grid.cells:
        r = cell.result
        sd = getattr(r, "sd", None) if r is not None else None
        cells.append(
            {
                "outcome": cell.outcome,
                "timepoint": cell.timepoint,
                "error": cell.error,
                "k": cell.k,
                "n": len(r.treatments) if r is not None else None,
                "sd": None
                if sd is None
                else {"median": sd.median, "q025": sd.q025, "q975": sd.q975},
                "resdev": r.resdev if r is not None else None,
                "pd": r.pd if r is not None else None,
                "dic": r.dic if r is not None else None,
                "diagnostics": diagnostics_json(r) if r is not None else None,
                "warnings": [{"kind": w.kind, "message": w.message} for w in cell.warnings],
            }
        )
    rows = grid.to_frame().astype(object)
    return {
        "engine": "exact" if grid.likelihood == "normal" else "mcmc",
        "likelihood": grid.likelihood,
        "model": grid.model,
        "reference": grid.reference,
        "direction_given": direction_given,
        "higher_is_better": dict(grid.higher_is_better),
        "prior": grid.prior,
        "seed": grid.seed,
        "dic_plugin": DIC_PLUGIN,
        "outcomes": list(grid.outcomes),
        "timepoints": list(grid.timepoints),
        "cells": cells,
        "rows": rows.where(rows.notna(), None).to_dict(orient="records"),
        "warnings": [
            {"outcome": w.outcome, "timepoint": w.timepoint, "kind": w.kind, "message": w.message}
            for w in grid.warnings
        ],
        "notes": list(grid.notes),
    }


def _convergence_notes(result: Any, grid: bool) -> list[str]:
    """One line per MCMC fit that failed its convergence checks."""
    from evsynth.synthesis.nma.bayes.engines import is_mcmc

    fits = (
        [(f"{c.outcome}, {c.timepoint}: ", c.result) for c in result.cells if c.result is not None]
        if grid
        else [("", result)]
    )
    return [
        f"{where}the MCMC run has not converged: {' '.join(fit.convergence_problems())}"
        for where, fit in fits
        if is_mcmc(fit) and not fit.converged
    ]


# -- the command ------------------------------------------------------------------------------


def run_bayes(
    frame: pd.DataFrame,
    file: Path,
    *,
    reference: str,
    likelihood: str | None,
    model: str,
    measure: str,
    seed: int | None,
    higher_is_better: bool | None,
    grid: bool,
    sampler: str = "auto",
    outcome_column: str,
    timepoint_column: str,
    json_: bool,
    csv: bool,
) -> None:
    """``evsynth nma --bayes``: read, fit (one network or a grid), print."""
    if seed is not None and seed < 0:
        raise EvsynthError(f"--seed {seed} must be a non-negative integer")
    spec = bayes_input(
        frame, likelihood=likelihood, measure=measure, reference=reference, file=file
    )
    if sampler != "auto" and spec.likelihood != "binomial":
        raise EvsynthError(
            f"--sampler {sampler} applies to the binomial likelihood; the normal likelihood is "
            "computed exactly, without a sampler",
            hint="Drop --sampler, or give arm-level events (r, n) for a binomial model",
        )
    direction = False if higher_is_better is None else higher_is_better
    try:
        if grid:
            result_grid = fit_bayes_grid(
                spec,
                reference=reference,
                model=model,
                higher_is_better=direction,
                seed=seed,
                outcome=outcome_column,
                timepoint=timepoint_column,
                sampler=sampler,
            )
        else:
            result = fit_bayes(
                spec,
                reference=reference,
                model=model,
                higher_is_better=direction,
                seed=seed,
                sampler=sampler,
            )
    except DataError as exc:
        raise locate(exc, file) from None
    if higher_is_better is None:
        stderr.print(DEFAULT_DIRECTION_NOTE, highlight=False)
    for message in _convergence_notes(result_grid if grid else result, grid):
        stderr.print(f"warning: {message}", highlight=False)
    if grid:
        if json_:
            print_json(bayes_grid_json(result_grid, direction_given=higher_is_better is not None))
        elif csv:
            print_csv(result_grid.to_frame())
        else:
            print_summary(result_grid.summary())
        return
    if json_:
        print_json(
            bayes_json(
                result, likelihood=spec.likelihood, direction_given=higher_is_better is not None
            )
        )
    elif csv:
        print_csv(result.to_frame())
    else:
        print_summary(result.summary())


# -- evsynth run: bayes = true in [[analyses.nma]] ---------------------------------------------


def with_bayes(section: NmaSection, frame: pd.DataFrame, spec: NmaSpec, path: Path) -> NmaSection:
    """The section with the Bayesian fit of the same data beside the frequentist one."""
    model = "random" if spec.model == "random" else "fixed"
    bayes = bayes_input(
        frame, likelihood=None, measure=spec.measure, reference=spec.reference, file=path
    )
    engine = "exact" if bayes.likelihood == "normal" else "MCMC"
    stderr.print(
        f"  Bayesian NMA ({bayes.likelihood} likelihood, {engine}, seed {spec.seed})",
        highlight=False,
    )
    try:
        if spec.grid:
            grid = fit_bayes_grid(
                bayes,
                reference=spec.reference,
                model=model,
                higher_is_better=spec.higher_is_better,
                seed=spec.seed,
                outcome=spec.outcome_column,
                timepoint=spec.timepoint_column,
                outcomes=spec.outcomes,
                timepoints=spec.timepoints,
            )
            return dataclasses.replace(section, bayes_grid=grid)
        direction = spec.higher_is_better
        assert isinstance(direction, bool)  # the config refuses a mapping without grid
        result = fit_bayes(
            bayes, reference=spec.reference, model=model, higher_is_better=direction,
            seed=spec.seed,
        )  # fmt: skip
    except DataError as exc:
        raise locate(exc, path) from None
    return dataclasses.replace(section, bayes=result)


def bayes_run_json(section: NmaSection) -> dict[str, Any]:
    """``evsynth run --json``: the Bayesian headline numbers of a section, when it has them."""
    if section.bayes is not None:
        likelihood = str(getattr(section.bayes, "likelihood", "normal"))
        payload = bayes_json(section.bayes, likelihood=likelihood, direction_given=True)
        del payload["contrasts"]
        return {"bayes": payload}
    if section.bayes_grid is not None:
        payload = bayes_grid_json(section.bayes_grid, direction_given=True)
        del payload["rows"]
        return {"bayes": payload}
    return {}
