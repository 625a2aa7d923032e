"""``evsynth icers``, ``evsynth cea``, ``evsynth sf6d``, and the economic evaluations of ``evsynth run``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from evsynth._core.errors import DataError, EvsynthError
from evsynth._core.summary import Summary
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
    from evsynth.report.economics_section import EconomicsSection
    from evsynth.storage.config import EconomicsSpec

ICER_COLUMNS = ["strategy", "cost", "effect", "inc_cost", "inc_effect", "icer", "status"]


class Instrument(StrEnum):
    sf36 = "sf36"
    sf12 = "sf12"


def parse_thresholds(text: str) -> list[float]:
    """``"20000,30000"`` -> [20000.0, 30000.0]; anything else is a one-line error."""
    parts = [p.strip().replace("_", "") for p in text.split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise EvsynthError(
            f"--thresholds {text!r} is not a list of numbers",
            hint="Give comma-separated amounts, e.g. --thresholds 20000,30000",
        ) from None
    if not values or any(v < 0 or not math.isfinite(v) for v in values):
        raise EvsynthError(
            f"--thresholds {text!r} must be one or more amounts of at least 0",
            hint="e.g. --thresholds 20000,30000",
        )
    return values


def icers_command(
    file: Annotated[
        Path, typer.Argument(help="CSV with one row per strategy: strategy, cost, effect (means).")
    ],
    json_: JsonOption = False,
    csv: CsvOption = False,
    table: TableOption = False,
) -> None:
    """Dominance, extended dominance and ICERs along the efficient frontier.

    Prints each strategy (cheapest first) with cost, effect, inc_cost, inc_effect, icer and
    status: ND non-dominated, D dominated, ED extendedly dominated.
    """
    from evsynth.economics import icers

    frame = read_table(file)
    try:
        result = icers(frame)
    except DataError as exc:
        raise locate(exc, file) from None
    if json_:
        print_json(result.to_dict())
    elif csv:
        print_csv(result.to_frame()[ICER_COLUMNS])
    else:
        print_summary(result.summary())


def cea_command(
    file: Annotated[
        Path,
        typer.Argument(help="PSA or bootstrap draws in long form: draw, strategy, cost, effect."),
    ],
    reference: Annotated[
        str,
        typer.Option(help="The strategy evaluated; increments are it minus each comparator."),
    ],
    thresholds: Annotated[
        str, typer.Option(help="Willingness to pay per unit of effect, comma-separated.")
    ] = "20000,30000",
    json_: JsonOption = False,
    csv: CsvOption = False,
    table: TableOption = False,
) -> None:
    """ICER, incremental net benefit, CEAC and EVPI at each threshold, from draws."""
    from evsynth.economics import cost_effectiveness

    values = parse_thresholds(thresholds)
    frame = read_table(file)
    try:
        result = cost_effectiveness(frame, reference=reference, thresholds=values)
    except DataError as exc:
        raise locate(exc, file) from None
    if json_:
        print_json(result.to_dict())
    elif csv:
        print_csv(result.to_frame())
    else:
        print_summary(result.summary())


def sf6d_command(
    file: Annotated[
        Path,
        typer.Argument(help="CSV of item responses, one row per respondent, items as columns."),
    ],
    instrument: Annotated[
        Instrument,
        typer.Option(help="sf36 (Brazier et al. 2002) or sf12 (Brazier & Roberts 2004)."),
    ] = Instrument.sf36,
    version: Annotated[
        int, typer.Option(min=1, max=2, help="Questionnaire version: 1 (yes/no role items) or 2.")
    ] = 1,
    sf12_most_vitality: Annotated[
        int,
        typer.Option(
            min=4, max=5, help="SF-12: lowest vitality level that triggers the MOST term (4 or 5)."
        ),
    ] = 4,
    json_: JsonOption = False,
    csv: CsvOption = False,
    table: TableOption = False,
) -> None:
    """Map SF-36 or SF-12 item responses to SF-6D states and UK utilities.

    Items are columns named by item number (SF-36: 3a, 3b, 3j, 4c, 5b, 10, 7, 8, 9b, 9f, 9e;
    SF-12: 2a, 3b, 4a, 5, 6b, 6c, 7); other columns are carried through.
    """
    from evsynth.economics import sf6d
    from evsynth.economics.api import item_columns
    from evsynth.economics.sf6d import SF12_ITEMS, SF36_ITEMS

    frame = read_table(file)
    try:
        result = sf6d(
            frame,
            instrument.value,
            version=version,
            sf12_most_vitality=sf12_most_vitality,
        )
    except DataError as exc:
        raise locate(exc, file) from None
    states = result.to_frame()
    items = item_columns(frame, SF36_ITEMS if instrument == Instrument.sf36 else SF12_ITEMS, None)
    carried = frame.drop(columns=list(items.values()))
    out = pd.concat(
        [pd.DataFrame({"line": range(2, len(frame) + 2)}, index=frame.index), carried, states],
        axis=1,
    )
    if json_:
        print_json(_sf6d_json(result, out))
    elif csv:
        print_csv(out)
    else:
        print_summary(_sf6d_table(result, out))


def _sf6d_json(result: Any, out: pd.DataFrame) -> dict[str, Any]:
    respondents = []
    for record in out.astype(object).where(out.notna(), None).to_dict(orient="records"):
        respondents.append({str(k): v for k, v in record.items()})
    return {
        "instrument": result.instrument,
        "version": result.version,
        "value_set": result.value_set,
        "sf12_most_vitality": result.sf12_most_vitality,
        "n": result.n,
        "n_complete": result.n_complete,
        "respondents": respondents,
        "notes": list(result.summary().notes),
    }


# Carried columns shown in the table view (identifiers and visits); --csv and --json carry all.
_ID_COLUMNS = ("id", "patient", "respondent", "subject", "participant", "arm", "visit", "time",
               "month", "week", "day")  # fmt: skip


def _sf6d_table(result: Any, out: pd.DataFrame) -> Summary:
    levels = ["state", "utility"]  # the state code spells the six levels (PF RL SF PAIN MH VIT)
    ids = [str(c) for c in out.columns if str(c).strip().lower() in _ID_COLUMNS]
    columns = ["line", *ids, *levels]
    rows = [
        [None if pd.isna(v) else (v if isinstance(v, str | float) else str(v)) for v in row]
        for row in out[columns].itertuples(index=False)
    ]
    head = result.summary()
    notes = [
        *head.notes,
        "state: the levels of PF, RL, SF, PAIN, MH, VIT; --csv or --json print each level and "
        "every column of the file.",
    ]
    return Summary(head.title, columns, rows, notes)


SF12_SENSITIVITY_LABEL = "SF-6D from the SF-12 items within the SF-36 (the SF-12 value set)"


def economics_sections(project: Path, specs: Sequence[EconomicsSpec]) -> list[EconomicsSection]:
    """Run each ``[[analyses.economics]]`` of ``evsynth run``: a trial analysis or PSA draws."""
    from evsynth.economics import (
        cost_effectiveness,
        icers,
        sf12_items_from_sf36,
        within_trial_evaluation,
    )
    from evsynth.report.economics_section import EconomicsSection

    sections = []
    for spec in specs:
        stderr.print(f"[dim]economic evaluation[/] {spec.name}: {spec.title}")
        if spec.draws is not None:
            path = project / spec.draws
            frame = read_table(path)
            try:
                cea = cost_effectiveness(
                    frame,
                    reference=spec.reference,
                    thresholds=spec.thresholds,
                    currency=spec.currency,
                )
            except DataError as exc:
                raise locate(exc, path) from None
            summary = icers(
                pd.DataFrame(
                    {
                        "strategy": list(cea.strategies),
                        "cost": cea.mean_cost,
                        "effect": cea.mean_effect,
                    }
                )
            )
            sections.append(
                EconomicsSection(
                    spec.name,
                    spec.title,
                    spec.source,
                    cea,
                    summary,
                    description=spec.description,
                )
            )
            continue
        assert spec.responses is not None and spec.costs is not None  # the config checks
        paths = {"responses": project / spec.responses, "costs": project / spec.costs}
        responses, costs = read_table(paths["responses"]), read_table(paths["costs"])
        options: dict[str, Any] = {
            "reference": spec.reference,
            "version": spec.version,
            "sf12_most_vitality": spec.sf12_most_vitality,
            "patient": spec.patient,
            "arm": spec.arm,
            "time": spec.time,
            "time_unit": spec.time_unit,
            "cost": spec.cost,
            "discount_rate": spec.discount_rate,
            "discounting": spec.discounting,
            "adjust_baseline": spec.adjust_baseline,
            "n_boot": spec.n_boot,
            "rng": spec.seed,
            "thresholds": spec.thresholds,
            "currency": spec.currency,
        }
        try:
            trial = within_trial_evaluation(responses, costs, instrument=spec.instrument, **options)
            sensitivity = (
                within_trial_evaluation(
                    sf12_items_from_sf36(responses), costs, instrument="sf12", **options
                )
                if spec.sf12_sensitivity
                else None
            )
        except DataError as exc:
            source = exc.location.file if exc.location and exc.location.file else "responses"
            raise locate(exc, paths.get(source, paths["responses"])) from None
        stderr.print(
            f"  {trial.n_included} of {len(trial.patients)} patients analysed; "
            f"{trial.cea.n_draws} bootstrap replicates (seed {spec.seed})",
            highlight=False,
        )
        sections.append(
            EconomicsSection(
                spec.name,
                spec.title,
                spec.source,
                trial.cea,
                trial.icers,
                trial=trial,
                sensitivity=sensitivity,
                sensitivity_label=SF12_SENSITIVITY_LABEL if sensitivity is not None else None,
                description=spec.description,
            )
        )
    return sections
