"""``evsynth meta``: pairwise meta-analysis of a CSV file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from evsynth._core.errors import DataError
from evsynth.cli._io import locate, read_table
from evsynth.cli.output import (
    CsvOption,
    JsonOption,
    TableOption,
    print_csv,
    print_json,
    print_summary,
)


class Measure(StrEnum):
    SMD = "SMD"
    MD = "MD"
    OR = "OR"
    RR = "RR"
    RD = "RD"
    GEN = "GEN"


class Method(StrEnum):
    FE = "FE"
    DL = "DL"
    HE = "HE"
    HS = "HS"
    SJ = "SJ"
    ML = "ML"
    REML = "REML"
    EB = "EB"
    PM = "PM"
    MH = "MH"
    PETO = "PETO"


class Test(StrEnum):
    z = "z"
    knha = "knha"


class Prediction(StrEnum):
    metafor = "metafor"
    hts = "hts"


def meta(
    file: Annotated[
        Path, typer.Argument(help="CSV with one row per study (metafor's column names).")
    ],
    measure: Annotated[Measure, typer.Option(help="Effect measure.")] = Measure.GEN,
    method: Annotated[
        Method, typer.Option(help="tau^2 estimator, FE for common effect, MH/PETO for 2x2 tables.")
    ] = Method.REML,
    test: Annotated[Test, typer.Option(help="z (Wald) or knha (Knapp-Hartung).")] = Test.z,
    level: Annotated[float, typer.Option(help="Confidence level.")] = 0.95,
    prediction: Annotated[
        Prediction, typer.Option(help="Prediction interval: metafor's or HTS t(k-2).")
    ] = Prediction.metafor,
    vtype: Annotated[str, typer.Option(help="SMD variance: LS (metafor default) or UB.")] = "LS",
    lower_is_better: Annotated[
        bool,
        typer.Option("--lower-is-better", help="Flip signs so a positive effect means benefit."),
    ] = False,
    json_: JsonOption = False,
    csv: CsvOption = False,
    table: TableOption = False,
) -> None:
    """Pool study effects: effect sizes (as metafor's escalc) then the model (as metafor's rma).

    Columns: ai,bi,ci,di (or ai,n1i,ci,n2i) for OR/RR/RD; m1i,sd1i,n1i,m2i,sd2i,n2i for SMD/MD;
    yi,vi (or yi,sei) for GEN; an optional study column.
    """
    from evsynth.synthesis.effects import effect_sizes
    from evsynth.synthesis.meta import describe, meta_analysis, meta_analysis_binary

    frame = read_table(file)
    try:
        if method in (Method.MH, Method.PETO):
            result = meta_analysis_binary(
                frame, measure=measure.value, method=method.value, level=level
            )
        else:
            effects = effect_sizes(
                frame, measure.value, vtype=vtype, lower_is_better=lower_is_better
            )
            result = meta_analysis(
                effects,
                method=method.value,
                test=test.value,
                level=level,
                prediction=prediction.value,
            )
    except DataError as exc:
        raise locate(exc, file) from None
    if json_:
        print_json(describe(result))
    elif csv:
        print_csv(result.studies_frame())
    else:
        print_summary(result.summary())
