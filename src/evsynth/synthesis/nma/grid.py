r"""One network meta-analysis per outcome and time point, in one call, with sparse-network warnings.

Reviews of complex interventions often run a separate network meta-analysis for every outcome
at every follow-up time: the seed review of behavioural interventions for persistent physical
symptoms (Leaviss et al. 2020, Health Technology Assessment 24(46), doi:10.3310/hta24460) ran one
for each of eight outcomes (pain, fatigue, anxiety, depression, emotional distress, physical
functioning, impact on daily activities, symptom load) at three time points (end of treatment,
under 6 months and 6 months or more after it). Such networks are small and uneven, so
:func:`nma_grid` fits each with :func:`~evsynth.synthesis.nma.network_meta_analysis` and says
where a network is too sparse to say much.

Policy
------
Failing networks
    A cell whose network cannot be analysed (no studies, the reference not among its
    treatments, inconsistent multi-arm data, ...) gets one row with its error message; the
    other cells are analysed as usual. Errors in the call itself (an unknown method, a missing
    outcome column) still raise.
Disconnected networks
    The sub-network that contains the reference is analysed, and a warning names the
    sub-networks left out (their treatments and studies).
Sparse networks (:func:`network_warnings`), one warning per kind and network:

    ``few_studies``
        fewer than two studies: the estimates are one study's own results.
    ``single_study_comparison``
        a direct comparison informed by a single study; when arm sizes are known, only a
        single *small* study (fewer than ``small_study`` participants, default 100) is listed.
    ``single_study_treatment``
        a treatment connected to the network by one study only.
    ``no_heterogeneity_df``
        Q has no degrees of freedom, :math:`\sum_s (p_s - 1) - (n - 1) = 0`: tau^2 cannot be
        estimated, so random effects equal common effects.
    ``no_inconsistency_df``
        no two designs form a closed loop (between-design df = 0): inconsistency cannot be
        assessed.
    ``disconnected``
        the network was split (see above).
    ``not_converged``
        REML did not converge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation, choice_error
from evsynth._core.summary import Summary
from evsynth.synthesis.nma.api import network_meta_analysis, subnetworks
from evsynth.synthesis.nma.result import MODELS, NmaResult
from evsynth.synthesis.nma.tau2 import TAU2_METHODS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: A study with fewer participants than this is "small" in the sparse-network warnings.
SMALL_STUDY = 100
#: Warning kinds, in the order they are reported.
WARNING_KINDS: tuple[str, ...] = (
    "disconnected", "few_studies", "single_study_comparison", "single_study_treatment",
    "no_heterogeneity_df", "no_inconsistency_df", "not_converged",
)  # fmt: skip
_LIST_AT_MOST = 8  # items named in one warning before "and N more"
_RESERVED = ("reference", "method", "higher_is_better", "subnetwork")


@dataclass(frozen=True, slots=True)
class GridWarning:
    """One warning about one network of the grid: ``kind`` is one of :data:`WARNING_KINDS`."""

    outcome: str
    timepoint: str
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.outcome}, {self.timepoint}: {self.message}"


@dataclass(frozen=True, slots=True)
class GridCell:
    """One outcome at one time point: its analysis, or why there is none.

    ``result`` is None exactly when ``error`` says why the network could not be analysed.
    ``participants`` holds each treatment's participants when arm sizes are known (arm-level
    data, or contrast-level data with ``n1``/``n2``).
    """

    outcome: str
    timepoint: str
    result: NmaResult | None
    error: str | None
    warnings: tuple[GridWarning, ...] = ()
    participants: pd.Series | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None


class GridLookup:
    """Warnings, errors and cell lookup shared by the frequentist and Bayesian grid results.

    The subclasses are frozen, slotted dataclasses with ``cells``, ``outcomes`` and
    ``timepoints``; cells have ``outcome``, ``timepoint``, ``warnings`` and ``error``.
    """

    __slots__ = ()
    cells: tuple[Any, ...]
    outcomes: tuple[str, ...]
    timepoints: tuple[str, ...]

    @property
    def warnings(self) -> tuple[GridWarning, ...]:
        """Every cell's warnings, in cell order."""
        return tuple(w for cell in self.cells for w in cell.warnings)

    @property
    def errors(self) -> tuple[tuple[str, str, str], ...]:
        """``(outcome, timepoint, message)`` of every cell that could not be analysed."""
        return tuple((c.outcome, c.timepoint, c.error) for c in self.cells if c.error)

    def cell(self, outcome: str, timepoint: str) -> Any:
        """The cell of one outcome at one time point; unknown names raise a listing error."""
        if outcome not in self.outcomes:
            raise choice_error("outcome", outcome, self.outcomes)
        if timepoint not in self.timepoints:
            raise choice_error("timepoint", timepoint, self.timepoints)
        return next(c for c in self.cells if (c.outcome, c.timepoint) == (outcome, timepoint))


@dataclass(frozen=True, slots=True)
class NmaGridResult(GridLookup):
    """Network meta-analyses by outcome and time point (:func:`nma_grid`).

    ``cells`` are in outcome-major order of ``outcomes`` and ``timepoints``; ``model`` is the
    model reported by :meth:`to_frame` and :meth:`summary` (both are fitted in every cell).
    """

    cells: tuple[GridCell, ...]
    outcomes: tuple[str, ...]
    timepoints: tuple[str, ...]
    reference: str
    method: str
    model: str
    level: float
    higher_is_better: Mapping[str, bool]
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per outcome, time point and treatment (versus the reference), tidy.

        Columns: ``outcome, timepoint, treatment, reference, estimate, se, ci_low, ci_high,
        pvalue, pi_low, pi_high, pscore, k_direct`` (studies comparing the treatment with the
        reference directly), then the network's ``k`` (studies), ``n_treatments``, ``tau2``,
        ``i2``, ``q_inconsistency_pvalue``, ``n_warnings`` and ``error`` (a cell that failed
        has one row with its message and no treatment).
        """
        frames = [_cell_frame(cell, self.model) for cell in self.cells]
        if not frames:
            return pd.DataFrame(columns=list(_FRAME_COLUMNS))
        out = pd.concat(frames, ignore_index=True)[list(_FRAME_COLUMNS)]
        return out.astype({c: "Int64" for c in ("k_direct", "k", "n_treatments", "n_warnings")})

    def warnings_frame(self) -> pd.DataFrame:
        """One row per warning: ``outcome, timepoint, kind, message``."""
        return pd.DataFrame(
            [(w.outcome, w.timepoint, w.kind, w.message) for w in self.warnings],
            columns=["outcome", "timepoint", "kind", "message"],
        )

    def summary(self) -> Summary:
        """A display table with one row per network and the warnings and errors as notes."""
        cols = ["outcome", "timepoint", "k", "treatments", "tau2", "i2", "q_inc_pvalue", "best"]
        rows: list[list[object]] = []
        for cell in self.cells:
            r = cell.result
            if r is None:
                rows.append([cell.outcome, cell.timepoint, None, None, None, None, None, "-"])
                continue
            best = "-"
            if r.n >= 2:
                scores = r.pscores(model=self.model)
                best = str(scores.idxmax())
            rows.append([cell.outcome, cell.timepoint, r.k, r.n, r.tau2, r.i2, _p(r), best])
        notes = [
            f"Reference {self.reference}; {self.model} effects, tau^2 by {self.method}; "
            f"{len(self.cells) - len(self.errors)} of {len(self.cells)} networks analysed; "
            "best = highest P-score.",
            *self.notes,
            *(f"Not analysed: {o}, {t}: {m}" for o, t, m in self.errors),
            *(f"Warning: {w}" for w in self.warnings),
        ]
        return Summary("Network meta-analyses by outcome and time point", cols, rows, notes)

    def plot(
        self, ax: Axes | None = None, *, outcome: str, timepoint: str, **kwargs: Any
    ) -> Figure:
        """Forest plot of one cell's treatments versus the reference (see NmaResult.plot)."""
        cell: GridCell = self.cell(outcome, timepoint)
        if cell.result is None:
            raise EvsynthError(f"{outcome}, {timepoint} was not analysed: {cell.error}")
        return cell.result.plot(ax=ax, model=self.model, **kwargs)

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


_FRAME_COLUMNS = (
    "outcome", "timepoint", "treatment", "reference", "estimate", "se", "ci_low", "ci_high",
    "pvalue", "pi_low", "pi_high", "pscore", "k_direct", "k", "n_treatments", "tau2", "i2",
    "q_inconsistency_pvalue", "n_warnings", "error",
)  # fmt: skip


def _p(result: NmaResult) -> float:
    return result.q_inconsistency_pvalue if result.q_inconsistency_df > 0 else math.nan


def _cell_frame(cell: GridCell, model: str) -> pd.DataFrame:
    r = cell.result
    if r is None:
        row: dict[str, object] = dict.fromkeys(_FRAME_COLUMNS, math.nan)
        row.update(
            outcome=cell.outcome,
            timepoint=cell.timepoint,
            treatment=None,
            reference=None,
            n_warnings=len(cell.warnings),
            error=cell.error,
        )
        return pd.DataFrame([row])
    frame = r.to_frame(model)
    if "pscore" not in frame.columns:
        frame["pscore"] = math.nan
    ref = r.treatments.index(r.reference)
    k_direct = r.common.direct.k[:, ref]
    frame["k_direct"] = [int(k_direct[r.treatments.index(t)]) for t in frame["treatment"]]
    frame.insert(0, "timepoint", cell.timepoint)
    frame.insert(0, "outcome", cell.outcome)
    frame["k"] = r.k
    frame["n_treatments"] = r.n
    frame["tau2"] = r.tau2
    frame["i2"] = r.i2
    frame["q_inconsistency_pvalue"] = _p(r)
    frame["n_warnings"] = len(cell.warnings)
    frame["error"] = None
    return frame.drop(columns="model")


def arm_sizes(
    data: pd.DataFrame, *, columns: Mapping[str, str] | None = None
) -> pd.DataFrame | None:
    """Participants per study and treatment, when the data give arm sizes; else None.

    Arm-level data (``study, treatment, n``) give them directly (repeated arms of a treatment
    are added, as :func:`~evsynth.synthesis.nma.pairwise` pools them); contrast-level data give
    them through ``n1``/``n2`` (as ``pairwise()`` output has). Returns columns ``study,
    treatment, n``.
    """
    roles = {"study": "study", "treatment": "treatment", "n": "n", "studlab": "studlab",
             "treat1": "treat1", "treat2": "treat2"}  # fmt: skip
    roles.update(columns or {})
    if {roles["study"], roles["treatment"], roles["n"]} <= set(data.columns):
        arms = pd.DataFrame(
            {
                "study": data[roles["study"]].astype(str).str.strip(),
                "treatment": data[roles["treatment"]].astype(str).str.strip(),
                "n": pd.to_numeric(data[roles["n"]], errors="coerce"),
            }
        )
        summed: pd.DataFrame = arms.groupby(["study", "treatment"], sort=False, as_index=False)[
            ["n"]
        ].sum()
        return summed
    need = {roles["studlab"], roles["treat1"], roles["treat2"], "n1", "n2"}
    if need <= set(data.columns):
        parts = [
            pd.DataFrame(
                {
                    "study": data[roles["studlab"]].astype(str).str.strip(),
                    "treatment": data[roles[t]].astype(str).str.strip(),
                    "n": pd.to_numeric(data[n], errors="coerce"),
                }
            )
            for t, n in (("treat1", "n1"), ("treat2", "n2"))
        ]
        return pd.concat(parts).drop_duplicates(["study", "treatment"]).reset_index(drop=True)
    return None


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_LIST_AT_MOST])
    more = len(items) - _LIST_AT_MOST
    return f"{shown} and {more} more" if more > 0 else shown


def network_warnings(
    result: NmaResult,
    *,
    arms: pd.DataFrame | None = None,
    small_study: float = SMALL_STUDY,
) -> list[tuple[str, str]]:
    """``(kind, message)`` pairs saying where a network is too sparse to say much.

    Parameters
    ----------
    result : NmaResult
        The analysis.
    arms : pandas.DataFrame, optional
        Participants per study and treatment (``study, treatment, n``; see
        :func:`arm_sizes`). With it, only comparisons informed by a single *small* study are
        listed; without it, every comparison informed by a single study is.
    small_study : float
        Participants below which a study is small (100).

    Returns
    -------
    list of tuple of str
        Kinds from :data:`WARNING_KINDS` (other than ``disconnected``, which
        :func:`nma_grid` adds), each with a one-line message.
    """
    net = result.network
    out: list[tuple[str, str]] = []
    if result.k < 2:
        out.append(
            (
                "few_studies",
                f"only {result.k} study: the estimates are that study's own results, and "
                "heterogeneity and inconsistency cannot be assessed",
            )
        )
    size: dict[str, float] = {}
    if arms is not None:
        totals = arms.groupby("study")["n"].sum(min_count=1)
        size = {str(s): float(v) for s, v in totals.items() if np.isfinite(v)}
    k = result.common.direct.k
    single: list[str] = []
    for a, b in zip(*np.nonzero(np.triu(k == 1, 1)), strict=True):
        e = int(np.flatnonzero((net.treat1 == a) & (net.treat2 == b))[0])
        study = net.studies[net.study[e]]
        label = f"{net.treatments[a]} vs {net.treatments[b]}"
        if arms is None:
            single.append(f"{label} ({study})")
        elif study in size and size[study] < small_study:
            single.append(f"{label} ({study}, {size[study]:g} participants)")
    if single and result.k >= 2:
        what = (
            "a single study"
            if arms is None
            else f"a single small study (fewer than {small_study:g} participants)"
        )
        out.append(
            ("single_study_comparison", f"comparisons informed by {what}: {_listing(single)}")
        )
    studies_of: dict[int, list[int]] = {t: [] for t in range(net.n)}
    for s, study_arms in enumerate(net.arms):
        for t in study_arms:
            studies_of[t].append(s)
    lonely = [
        f"{net.treatments[t]} ({net.studies[ss[0]]})"
        for t, ss in studies_of.items()
        if len(ss) == 1
    ]
    if lonely and result.k >= 2:
        out.append(
            (
                "single_study_treatment",
                f"treatments connected to the network by a single study: {_listing(lonely)}",
            )
        )
    if result.q_df == 0 and result.k >= 2:
        out.append(
            (
                "no_heterogeneity_df",
                "Q has no degrees of freedom (no comparison has two studies and there are no "
                "closed loops): tau^2 cannot be estimated, so random effects equal common effects",
            )
        )
    elif result.q_inconsistency_df == 0 and result.k >= 2:
        out.append(
            (
                "no_inconsistency_df",
                "no closed loop of different designs: inconsistency cannot be assessed",
            )
        )
    if not result.tau2_converged:
        out.append(("not_converged", f"REML did not converge in {result.tau2_iterations} steps"))
    return out


def reml_failure(data: pd.DataFrame, options: Mapping[str, Any], exc: ArithmeticError) -> str:
    """Why REML failed: say so plainly when Q has no degrees of freedom.

    With df = 0 (one study, or a tree of comparisons with one study each) the restricted
    likelihood carries no information on tau^2; the DerSimonian-Laird fit sets tau^2 to 0 with
    a note, while the REML iteration divides by a zero information.
    """
    try:
        df = network_meta_analysis(data, method="DL", **options).q_df
    except (EvsynthError, np.linalg.LinAlgError, ArithmeticError):
        return f"REML failed ({exc})"
    if df == 0:
        return (
            "REML cannot estimate tau^2: Q has no degrees of freedom (a single study, or no "
            "comparison with two studies and no closed loops); use method DL, which sets "
            "tau^2 to 0"
        )
    return f"REML failed ({exc})"


def _directions(
    higher_is_better: bool | Mapping[str, bool], outcomes: Sequence[str]
) -> dict[str, bool]:
    if isinstance(higher_is_better, bool):
        return dict.fromkeys(outcomes, higher_is_better)
    if not isinstance(higher_is_better, Mapping):
        raise EvsynthError(
            "higher_is_better must be True, False or a mapping of outcome to True/False"
        )
    missing = [o for o in outcomes if o not in higher_is_better]
    if missing:
        raise EvsynthError(
            f"higher_is_better does not give a direction for {', '.join(missing)}",
            hint="Give True (higher values are better) or False for every outcome",
        )
    return {o: bool(higher_is_better[o]) for o in outcomes}


def _labels(data: pd.DataFrame, column: str, what: str) -> list[str]:
    if column not in data.columns:
        raise DataError(
            f"the grid needs a {what} column {column!r}; the data have: "
            f"{', '.join(map(str, data.columns))}",
            location=InputLocation(field=column),
            hint=f"Name the {what} column with {what}=",
        )
    values = data[column]
    missing = values.isna().to_numpy() | (values.astype(str).str.strip() == "").to_numpy()
    if missing.any():
        raise DataError(
            f"the {what} is missing",
            location=InputLocation(row=int(np.flatnonzero(missing)[0]) + 1, field=column),
            hint=f"Give every row its {what}",
        )
    return [str(v).strip() for v in values]


def _order(given: Sequence[str] | None, present: Sequence[str]) -> tuple[str, ...]:
    if given is None:
        return tuple(dict.fromkeys(present))
    return tuple(dict.fromkeys(str(v) for v in given))


def _analyse_cell(
    frame: pd.DataFrame,
    outcome: str,
    timepoint: str,
    reference: str,
    method: str,
    higher_is_better: bool,
    options: dict[str, Any],
    small_study: float,
) -> GridCell:
    def warn(kind: str, message: str) -> GridWarning:
        return GridWarning(outcome, timepoint, kind, message)

    if frame.empty:
        return GridCell(outcome, timepoint, None, f"no study reports {outcome} at {timepoint}")
    columns = options.get("columns")
    warnings: list[GridWarning] = []
    try:
        parts = subnetworks(frame, columns=columns)
        treatments = sorted({t for p in parts for t in p.treatments})
        home = next((p for p in parts if reference in p.treatments), None)
        if home is None:
            raise EvsynthError(
                f"the reference {reference!r} is not in this network; its treatments are "
                f"{', '.join(treatments)}"
            )
        subnetwork = None
        if len(parts) > 1:
            subnetwork = home.number
            left = "; ".join(str(p) for p in parts if p is not home)
            warnings.append(
                warn(
                    "disconnected",
                    f"the network is disconnected; analysed the sub-network with the "
                    f"reference ({', '.join(home.treatments)}); left out {left}",
                )
            )
        result = network_meta_analysis(
            frame,
            method=method,
            reference=reference,
            higher_is_better=higher_is_better,
            subnetwork=subnetwork,
            **options,
        )
    except (EvsynthError, np.linalg.LinAlgError, ArithmeticError) as exc:
        message = str(exc)
        if isinstance(exc, ArithmeticError) and method == "REML":
            message = reml_failure(frame, options, exc)
        return GridCell(outcome, timepoint, None, message, tuple(warnings))
    sizes = arm_sizes(frame, columns=columns)
    participants = None
    if sizes is not None:
        used = sizes[sizes["study"].isin(result.studies)]
        participants = used.groupby("treatment")["n"].sum().reindex(list(result.treatments))
    warnings += [
        warn(kind, message)
        for kind, message in network_warnings(result, arms=sizes, small_study=small_study)
    ]
    order = {kind: i for i, kind in enumerate(WARNING_KINDS)}
    warnings.sort(key=lambda w: order.get(w.kind, len(order)))
    return GridCell(outcome, timepoint, result, None, tuple(warnings), participants)


def nma_grid(
    data: pd.DataFrame,
    *,
    outcome: str = "outcome",
    timepoint: str = "timepoint",
    reference: str,
    method: str = "DL",
    higher_is_better: bool | Mapping[str, bool],
    model: str = "random",
    outcomes: Sequence[str] | None = None,
    timepoints: Sequence[str] | None = None,
    small_study: float = SMALL_STUDY,
    **kwargs: Any,
) -> NmaGridResult:
    """Run one network meta-analysis per outcome and time point, as the seed review did.

    Parameters
    ----------
    data : pandas.DataFrame
        Contrast-level or arm-level data (see
        :func:`~evsynth.synthesis.nma.network_meta_analysis`) with an outcome and a time-point
        column; each (outcome, time point) pair is one network.
    outcome, timepoint : str
        Names of the outcome and time-point columns.
    reference : str
        Reference treatment of every network (e.g. usual care).
    method : {"DL", "REML"}
        tau^2 estimator of each network (see ``network_meta_analysis``).
    higher_is_better : bool or mapping of str to bool
        Direction for P-scores: one for all outcomes, or one per outcome (e.g. ``{"pain":
        False, "physical functioning": True}``).
    model : {"random", "common"}
        Model reported by ``to_frame()`` and ``summary()``.
    outcomes, timepoints : sequence of str, optional
        Order of the grid; a pair listed here without data becomes a cell that says so. By
        default the values in the data, in order of first appearance; rows with an outcome or
        time point not listed are left out, with a note.
    small_study : float
        Participants below which a study counts as small in the warnings (100).
    **kwargs
        Passed to ``network_meta_analysis`` for every network: ``measure``, ``level``,
        ``columns``, ``drop_missing``, ``tol_multiarm``, ``add``, ``to``, ``vtype``, ...

    Returns
    -------
    NmaGridResult
        Every cell's analysis or error, its sparse-network warnings, and a tidy table.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({
    ...     "outcome": ["pain"] * 3 + ["fatigue"],
    ...     "timepoint": ["end"] * 4,
    ...     "studlab": ["s1", "s2", "s3", "s4"],
    ...     "treat1": ["CBT", "Exercise", "CBT", "CBT"],
    ...     "treat2": ["UC", "UC", "Exercise", "Exercise"],
    ...     "TE": [0.5, 0.3, 0.1, 0.4],
    ...     "seTE": [0.2, 0.25, 0.3, 0.2],
    ... })
    >>> grid = nma_grid(data, reference="UC", higher_is_better=True)
    >>> grid.to_frame()[["outcome", "treatment", "estimate", "pscore", "k"]].round(3)
       outcome treatment  estimate  pscore     k
    0     pain       CBT     0.479   0.873     3
    1     pain  Exercise     0.332   0.599     3
    2  fatigue      None       NaN     NaN  <NA>
    >>> grid.errors[0][2]
    "the reference 'UC' is not in this network; its treatments are CBT, Exercise"
    """
    if not isinstance(data, pd.DataFrame):
        raise EvsynthError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if method not in TAU2_METHODS:
        raise choice_error("method", method, TAU2_METHODS)
    if model not in MODELS:
        raise choice_error("model", model, MODELS)
    reserved = [key for key in kwargs if key in _RESERVED]
    if reserved:
        raise EvsynthError(
            f"nma_grid chooses {', '.join(reserved)} itself for each network",
            hint="Pass reference=, method= and higher_is_better= by name; the sub-network "
            "with the reference is analysed automatically",
        )
    outcome_values = _labels(data, outcome, "outcome")
    timepoint_values = _labels(data, timepoint, "timepoint")
    grid_outcomes = _order(outcomes, outcome_values)
    grid_timepoints = _order(timepoints, timepoint_values)
    directions = _directions(higher_is_better, grid_outcomes)
    level = float(kwargs.get("level", 0.95))
    notes: list[str] = []
    keys = pd.Series(list(zip(outcome_values, timepoint_values, strict=True)), index=data.index)
    known = keys.map(lambda k: k[0] in grid_outcomes and k[1] in grid_timepoints)
    if not known.all():
        dropped = sorted({f"{o}, {t}" for o, t in keys[~known]})
        notes.append(f"Rows outside the grid are left out: {'; '.join(dropped)}")
    cells = []
    for o in grid_outcomes:
        for t in grid_timepoints:
            frame = data.loc[(keys == (o, t)).to_numpy()].reset_index(drop=True)
            cells.append(
                _analyse_cell(
                    frame, o, t, str(reference), method, directions[o], kwargs, small_study
                )
            )
    return NmaGridResult(
        cells=tuple(cells),
        outcomes=grid_outcomes,
        timepoints=grid_timepoints,
        reference=str(reference),
        method=method,
        model=model,
        level=level,
        higher_is_better=directions,
        notes=tuple(notes),
    )


__all__ = [
    "SMALL_STUDY",
    "WARNING_KINDS",
    "GridCell",
    "GridWarning",
    "NmaGridResult",
    "arm_sizes",
    "network_warnings",
    "nma_grid",
    "reml_failure",
]
