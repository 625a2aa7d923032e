"""``evsynth simulate`` and ``evsynth rank``: prioritised screening on the command line."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from evsynth._core.errors import EvsynthError
from evsynth.cli.output import JsonOption, print_json, print_summary, stderr
from evsynth.cli.records_cmds import ProjectOption

#: The keys ``evsynth simulate --json`` prints, in this order (the CLI contract).
SIMULATE_KEYS = (
    "wss95",
    "recall10",
    "recall25",
    "loss",
    "n_to_95",
    "n_to_100",
    "cpu_s_per_label",
)

if TYPE_CHECKING:
    from evsynth.screening import Decision
    from evsynth.storage.project import Project

PrioritiserOption = Annotated[
    str, typer.Option("--prioritiser", help="Relevance model: default, svm, logistic or a plug-in.")
]


def _prior_rows(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",")]
    try:
        rows = [int(p) for p in parts]
    except ValueError:
        raise EvsynthError(
            f"--prior-idx {text!r} must be row numbers separated by a comma",
            hint="e.g. --prior-idx 12,40 (0-based rows: one included, one excluded)",
        ) from None
    if len(rows) < 2:
        raise EvsynthError(
            f"--prior-idx {text!r} needs two rows, one included and one excluded",
            hint="e.g. --prior-idx 12,40",
        )
    return rows


def simulate(
    file: Annotated[Path, typer.Argument(help="Labelled CSV: id, title, abstract, label.")],
    prior_idx: Annotated[
        str,
        typer.Option(
            "--prior-idx", help="Starting rows I,J (0-based): one included, one excluded."
        ),
    ],
    seed: Annotated[int | None, typer.Option(help="Seed of the run.")] = None,
    prioritiser: PrioritiserOption = "default",
    json_: JsonOption = False,
) -> None:
    """Simulate prioritised screening of a labelled CSV, replaying its labels as the reviewer."""
    from evsynth.cli._io import read_table
    from evsynth.screening.prioritise import simulate_screening

    rows = _prior_rows(prior_idx)
    frame = read_table(file)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    result = simulate_screening(frame, rows, prioritiser=prioritiser, rng=seed, file=str(file))
    if json_:
        out = result.to_dict()
        print_json({key: out[key] for key in SIMULATE_KEYS})
        return
    print_summary(result.summary())


def rank(
    project: ProjectOption = None,
    stage: Annotated[str, typer.Option("--stage", help="title_abstract or full_text.")] = (
        "title_abstract"
    ),
    reviewer: Annotated[
        str | None,
        typer.Option(help="Rank for this reviewer (under blinding, from their decisions only)."),
    ] = None,
    top: Annotated[int, typer.Option(help="How many records to list.")] = 20,
    prioritiser: PrioritiserOption = "default",
    no_criteria: Annotated[
        bool, typer.Option("--no-criteria", help="Do not use the protocol's PICOS text.")
    ] = False,
    json_: JsonOption = False,
) -> None:
    """Unscreened records in prioritised order with their top terms, and stopping guidance."""
    from evsynth.cli.screening_cmds import _project
    from evsynth.storage.prioritise_service import project_ranking

    proj = _project(project)
    if reviewer is not None:
        proj.protocol().reviewer(reviewer)  # refuses names not in the protocol
    if top < 1:
        raise EvsynthError(f"--top {top} must be at least 1")
    result = project_ranking(
        proj, stage, reviewer=reviewer, prioritiser=prioritiser, use_criteria=not no_criteria
    )
    if json_:
        print_json(result.to_dict(top))
        return
    if result.reason is not None:
        stderr.print(f"not ranked: {result.reason}; records are in import order")
    for i, record in enumerate(result.records[:top], 1):
        score = "" if math.isnan(record.score) else f"{record.score:7.3f}"
        terms = ", ".join(record.top_terms)
        typer.echo(f"{i:4d}  {record.record_id:>8}  {score}  {record.title[:70]}")
        if terms:
            typer.echo(f"{'':15}why: {terms}")
    typer.echo("")
    print_summary(result.guidance.summary())
    typer.echo(result.guidance.message())


ORDERS = ("prioritised", "import")


class InteractiveOrder:
    """The order in which ``evsynth screen`` shows records to a reviewer.

    ``prioritised`` ranks the reviewer's undecided records by predicted relevance once they
    have at least one include and one exclude (import order before), refitting on the
    schedule of :class:`~evsynth.screening.prioritise.RetrainSchedule` (after every include,
    otherwise after 2% more decisions), so each answer is followed by the next record at
    once. ``import`` keeps import order.
    """

    def __init__(self, proj: Project, stage: str, reviewer: str, order: str) -> None:
        from evsynth._core.errors import choice_error
        from evsynth.screening.prioritise import DEFAULT_SCHEDULE

        if order not in ORDERS:
            raise choice_error("--order", order, ORDERS)
        self.proj = proj
        self.stage = stage
        self.reviewer = reviewer
        self.order = order
        self.schedule = DEFAULT_SCHEDULE
        self.ranked: dict[str, tuple[int, tuple[str, ...]]] = {}
        self.fitted_at = (0, 0)  # (decisions, includes) when the ranking was made

    def _counts(self, events: Sequence[Decision]) -> tuple[int, int]:
        latest: dict[str, str] = {}
        for e in events:
            if e.stage == self.stage and e.reviewer == self.reviewer:
                latest[e.record_id] = e.decision
        return len(latest), sum(1 for d in latest.values() if d != "exclude")

    def arrange(self, todo: list[str], events: Sequence[Decision]) -> list[str]:
        """``todo`` in the order to show it."""
        if self.order == "import":
            return todo
        from evsynth.storage.prioritise_service import project_ranking

        n, n_inc = self._counts(events)
        since = n - self.fitted_at[0]
        new_include = n_inc > self.fitted_at[1]
        stale = not self.ranked or any(r not in self.ranked for r in todo)
        if stale or self.schedule.due(n, since, new_include):
            result = project_ranking(self.proj, self.stage, reviewer=self.reviewer)
            self.ranked = (
                {r.record_id: (i, r.top_terms) for i, r in enumerate(result.records)}
                if result.ranked
                else {}
            )
            self.fitted_at = (n, n_inc)
        if not self.ranked:
            return todo
        last = len(self.ranked)
        return sorted(todo, key=lambda r: self.ranked.get(r, (last, ()))[0])

    def why(self, record_id: str) -> tuple[str, ...]:
        """The top terms of a record in the current ranking (empty in import order)."""
        return self.ranked.get(record_id, (0, ()))[1]
