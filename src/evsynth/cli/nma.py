"""``evsynth nma``: frequentist network meta-analysis of a CSV file (or a grid of them)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth.cli._io import locate, read_table
from evsynth.cli.output import (
    CsvOption,
    JsonOption,
    TableOption,
    print_csv,
    print_json,
    print_summary,
    stderr,
)

if TYPE_CHECKING:
    from evsynth.synthesis.nma import NmaResult
    from evsynth.synthesis.nma.grid import NmaGridResult

CONTRAST_COLUMNS = ("studlab", "treat1", "treat2", "TE", "seTE")
ARM_COLUMNS = {
    "OR": ("study", "treatment", "events", "n"),
    "RR": ("study", "treatment", "events", "n"),
    "RD": ("study", "treatment", "events", "n"),
    "MD": ("study", "treatment", "mean", "sd", "n"),
    "SMD": ("study", "treatment", "mean", "sd", "n"),
}


class Model(StrEnum):
    common = "common"
    random = "random"
    fixed = "fixed"  # the Bayesian word (--bayes); a synonym of common


class Likelihood(StrEnum):
    normal = "normal"
    binomial = "binomial"


class Sampler(StrEnum):
    auto = "auto"
    imh = "imh"
    nuts = "nuts"


class Method(StrEnum):
    DL = "DL"
    REML = "REML"


class Measure(StrEnum):
    GEN = "GEN"
    OR = "OR"
    RR = "RR"
    RD = "RD"
    MD = "MD"
    SMD = "SMD"


def _is_arm_level(frame: pd.DataFrame) -> bool:
    return "treat1" not in frame.columns and "treatment" in frame.columns


def _check_format(frame: pd.DataFrame, measure: Measure, file: Path) -> None:
    """Refuse a file that is neither contrast- nor arm-level, or arm-level without --measure."""
    where = InputLocation(file=str(file))
    have = ", ".join(map(str, frame.columns))
    if _is_arm_level(frame):
        if measure == Measure.GEN:
            raise DataError(
                "arm-level data (a 'treatment' column) need --measure: OR, RR or RD with "
                "columns study, treatment, events, n; MD or SMD with study, treatment, mean, "
                "sd, n",
                location=where,
            )
        return
    missing = [c for c in CONTRAST_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}: contrast-level data need "
            f"{', '.join(CONTRAST_COLUMNS)} (netmeta's names); arm-level data need study, "
            f"treatment and events, n or mean, sd, n (with --measure); the file has: {have}",
            location=where,
            hint="Rename the columns",
        )


def _check_connected(frame: pd.DataFrame, reference: str, file: Path) -> None:
    """Refuse a disconnected network with its sub-networks named (CLI wording)."""
    from evsynth.synthesis.nma import subnetworks

    try:
        parts = subnetworks(frame)
    except DataError as exc:
        raise locate(exc, file) from None
    if len(parts) > 1:
        home = next((p.number for p in parts if reference in p.treatments), None)
        which = f"; the reference is in sub-network {home}" if home else ""
        raise DataError(
            f"the network is not connected: it has {len(parts)} sub-networks "
            f"({'; '.join(map(str, parts))}){which}",
            location=InputLocation(file=str(file)),
            hint="Add studies that link them, keep only the rows of one sub-network, or use "
            "--grid, which analyses the sub-network with the reference and says so",
        )


def _triple(q: float, df: int, pvalue: float) -> dict[str, Any]:
    return {"q": q, "df": df, "pvalue": pvalue}


def network_json(result: NmaResult, model: str) -> dict[str, Any]:
    """The ``--json`` object of one network (the CLI contract in docs/cli.md)."""
    est = result.estimates(model)
    r = result.treatments.index(result.reference)
    low, high = est.conf_int()
    scores = (
        result.pscores(model=model).tolist()
        if result.higher_is_better is not None
        else [None] * result.n
    )
    treatments = []
    for i, name in enumerate(result.treatments):
        own = i == r
        nan = float("nan")
        treatments.append(
            {
                "treatment": name,
                "estimate": 0.0 if own else float(est.estimate[i, r]),
                "se": nan if own else float(est.se[i, r]),
                "ci_low": nan if own else float(low[i, r]),
                "ci_high": nan if own else float(high[i, r]),
                "pvalue": nan if own else float(est.pvalue[i, r]),
                "pi_low": nan if own else float(est.pi_low[i, r]),
                "pi_high": nan if own else float(est.pi_high[i, r]),
                "pscore": scores[i],
                "k_direct": 0 if own else int(result.common.direct.k[i, r]),
            }
        )
    split = result.netsplit.to_frame(model)
    design = result.design
    return {
        "measure": result.measure,
        "model": model,
        "method": result.method,
        "level": result.level,
        "reference": result.reference,
        "higher_is_better": result.higher_is_better,
        "k": result.k,
        "m": result.m,
        "n": result.n,
        "d": result.d,
        "tau2": result.tau2,
        "tau": result.tau,
        "i2": result.i2,
        "i2_ci": [result.i2_ci_low, result.i2_ci_high],
        "q": _triple(result.q, result.q_df, result.q_pvalue),
        "q_heterogeneity": _triple(
            result.q_heterogeneity, result.q_heterogeneity_df, result.q_heterogeneity_pvalue
        ),
        "q_inconsistency": _triple(
            result.q_inconsistency, result.q_inconsistency_df, result.q_inconsistency_pvalue
        ),
        "design_by_treatment": {
            **_triple(design.q_between_random, design.df_between, design.pvalue_between_random),
            "tau2_within": design.tau2_within,
        },
        "treatments": treatments,
        "league": result.league(model).to_dict(orient="records"),
        "netsplit": split[
            [
                "comparison",
                "k",
                "prop_direct",
                "network",
                "direct",
                "indirect",
                "difference",
                "z",
                "pvalue",
            ]
        ].to_dict(orient="records"),
        "notes": list(result.notes),
    }


def grid_json(grid: NmaGridResult) -> dict[str, Any]:
    """The ``--grid --json`` object: each network's summary, the tidy rows, the warnings."""
    cells = []
    for cell in grid.cells:
        r = cell.result
        cells.append(
            {
                "outcome": cell.outcome,
                "timepoint": cell.timepoint,
                "error": cell.error,
                "k": r.k if r else None,
                "n": r.n if r else None,
                "tau2": r.tau2 if r else None,
                "i2": r.i2 if r else None,
                "q_inconsistency": _triple(
                    r.q_inconsistency, r.q_inconsistency_df, r.q_inconsistency_pvalue
                )
                if r
                else None,
                "warnings": [{"kind": w.kind, "message": w.message} for w in cell.warnings],
            }
        )
    rows = grid.to_frame().astype(object)
    return {
        "reference": grid.reference,
        "model": grid.model,
        "method": grid.method,
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


def nma(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: contrasts (studlab,treat1,treat2,TE,seTE) or arms (study,treatment,...)."
        ),
    ],
    reference: Annotated[str, typer.Option(help="Reference treatment, e.g. placebo.")],
    model: Annotated[
        Model, typer.Option(help="Model reported: random or common (fixed is a synonym).")
    ] = Model.random,
    method: Annotated[
        Method, typer.Option(help="tau^2: DL (netmeta's generalised DerSimonian-Laird) or REML.")
    ] = Method.DL,
    higher_is_better: Annotated[
        bool | None,
        typer.Option(
            "--higher-is-better/--lower-is-better",
            help="Direction for P-scores (required for P-scores).",
            show_default=False,
        ),
    ] = None,
    measure: Annotated[
        Measure,
        typer.Option(help="Effect measure: required for arm-level data; a label otherwise."),
    ] = Measure.GEN,
    level: Annotated[float, typer.Option(help="Confidence level.")] = 0.95,
    grid: Annotated[
        bool,
        typer.Option(
            "--grid", help="One network per outcome and time point (needs those columns)."
        ),
    ] = False,
    outcome_column: Annotated[str, typer.Option(help="Outcome column (--grid).")] = "outcome",
    timepoint_column: Annotated[
        str, typer.Option(help="Time-point column (--grid).")
    ] = "timepoint",
    bayes: Annotated[
        bool,
        typer.Option(
            "--bayes", help="Bayesian NMA (NICE DSU TSD2): exact for normal, MCMC for binomial."
        ),
    ] = False,
    likelihood: Annotated[
        Likelihood | None,
        typer.Option(help="--bayes: normal or binomial (default: from the columns)."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="--bayes: random seed (recorded).")] = None,
    sampler: Annotated[
        Sampler,
        typer.Option(
            help="--bayes, binomial: auto (IMH with a Laplace proposal, NUTS if it fails its "
            "checks), imh or nuts."
        ),
    ] = Sampler.auto,
    json_: JsonOption = False,
    csv: CsvOption = False,
    table: TableOption = False,
) -> None:
    """Network meta-analysis as netmeta: treatments versus the reference, P-scores, league table.

    Also heterogeneity and inconsistency: Q decomposition, design-by-treatment, netsplit.

    Contrast columns: studlab,treat1,treat2,TE,seTE (TE is treat1 versus treat2).

    Arm columns: study,treatment with events,n (--measure OR/RR/RD) or mean,sd,n (MD/SMD).

    --bayes: also TSD's study,trt,diff,se_diff and study,treatment,r,n (binomial).
    """
    from evsynth.synthesis.nma import network_meta_analysis
    from evsynth.synthesis.nma.grid import nma_grid, reml_failure

    if not 0 < level < 1:
        raise EvsynthError(f"--level {level} must lie between 0 and 1, e.g. 0.95")
    frame = read_table(file)
    if bayes:
        from evsynth.cli.nma_bayes import run_bayes

        if level != 0.95:
            raise EvsynthError(
                "--level applies to the frequentist analysis; --bayes gives 95% intervals"
            )
        run_bayes(
            frame,
            file,
            reference=reference,
            likelihood=likelihood.value if likelihood is not None else None,
            model="random" if model == Model.random else "fixed",
            measure=measure.value,
            seed=seed,
            sampler=sampler.value,
            higher_is_better=higher_is_better,
            grid=grid,
            outcome_column=outcome_column,
            timepoint_column=timepoint_column,
            json_=json_,
            csv=csv,
        )
        return
    if likelihood is not None or seed is not None or sampler != Sampler.auto:
        raise EvsynthError(
            "--likelihood, --seed and --sampler apply to the Bayesian analysis: add --bayes"
        )
    if model == Model.fixed:
        model = Model.common
    _check_format(frame, measure, file)
    options: dict[str, Any] = {"level": level, "measure": measure.value}
    if grid and higher_is_better is None:
        raise EvsynthError(
            "--grid needs a direction for its P-scores: pass --higher-is-better or "
            "--lower-is-better"
        )
    try:
        if grid:
            result_grid = nma_grid(
                frame,
                outcome=outcome_column,
                timepoint=timepoint_column,
                reference=reference,
                method=method.value,
                higher_is_better=bool(higher_is_better),
                model=model.value,
                **options,
            )
        else:
            _check_connected(frame, reference, file)
            result = network_meta_analysis(
                frame,
                method=method.value,
                reference=reference,
                higher_is_better=higher_is_better,
                **options,
            )
    except ArithmeticError as exc:
        # REML on a network whose Q has no degrees of freedom (see nma.grid.reml_failure).
        raise EvsynthError(reml_failure(frame, options, exc)) from None
    except DataError as exc:
        if exc.hint and "drop_missing" in exc.hint:
            exc = DataError(exc.message, location=exc.location, hint="Correct the value")
        raise locate(exc, file) from None
    if higher_is_better is None:
        stderr.print(
            "P-scores need a direction: pass --higher-is-better or --lower-is-better",
            highlight=False,
        )
    if grid:
        if json_:
            print_json(grid_json(result_grid))
        elif csv:
            print_csv(result_grid.to_frame())
        else:
            print_summary(result_grid.summary())
        return
    if json_:
        print_json(network_json(result, model.value))
    elif csv:
        print_csv(result.to_frame(model.value))
    else:
        print_summary(result.summary(model.value))
