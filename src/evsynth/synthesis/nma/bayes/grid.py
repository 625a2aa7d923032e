r"""Bayesian network meta-analyses by outcome and time point, in one call.

:func:`bayes_nma_grid` is the Bayesian twin of :func:`~evsynth.synthesis.nma.nma_grid`: one
network per outcome and time point (the seed review's eight outcomes at three time points),
each fitted by NICE DSU TSD2's model (Dias et al. 2013, Med Decis Making 33:607-617,
doi:10.1177/0272989X12458724). Normal-likelihood cells use the exact engine
(:func:`~evsynth.synthesis.nma.bayes.bayes_nma_normal`: study effects integrated out, tau on a
quadrature grid); binomial cells use the MCMC engine when it is installed.

Policy (as ``nma_grid``, whose cell handling and sparse-network warnings are reused)
----------------------------------------------------------------------------------
- Each cell is first analysed by the frequentist grid (DerSimonian-Laird): a cell that cannot
  be analysed there (no studies, the reference absent, ...) gets its error here too, and a
  disconnected network is restricted to the sub-network with the reference, with the same
  warning. The Bayesian model is then fitted to that sub-network's studies.
- An error in one cell's Bayesian fit is kept in that cell's ``error``; the other cells run.
- Sparse-network warnings are :func:`~evsynth.synthesis.nma.grid.network_warnings`'s, with
  ``no_heterogeneity_df`` restated for a Bayesian random-effects model (the data say little
  about tau, so its posterior is mostly its prior) and dropped for a fixed-effect model;
  ``not_converged`` names the failed checks of an MCMC fit (R-hat, ESS, divergences).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, choice_error
from evsynth._core.summary import Summary
from evsynth.synthesis.nma.bayes.api import MODELS, bayes_nma_normal
from evsynth.synthesis.nma.bayes.data import (
    PAIRWISE_COLUMNS,
    Layout,
    StudyData,
    _read_arms,
    _read_pairwise,
    detect_layout,
    label_text,
)
from evsynth.synthesis.nma.bayes.engines import binomial_engine, is_mcmc
from evsynth.synthesis.nma.bayes.priors import TauPrior
from evsynth.synthesis.nma.grid import (
    SMALL_STUDY,
    GridCell,
    GridLookup,
    GridWarning,
    _labels,
    nma_grid,
)

LIKELIHOODS: tuple[str, ...] = ("normal", "binomial")

#: Restatement of the frequentist ``no_heterogeneity_df`` warning for a Bayesian model.
NO_HETEROGENEITY_BAYES = (
    "no comparison has two studies and there are no closed loops: the data carry little "
    "information on tau, so its posterior mostly restates its prior"
)


FitFunction = Callable[[pd.DataFrame, bool], Any]


@dataclass(frozen=True, slots=True)
class BayesGridCell:
    """One outcome at one time point: its Bayesian fit, or why there is none.

    ``result`` is None exactly when ``error`` says why. ``k`` is the number of studies
    analysed; ``warnings`` are the sparse-network warnings (see the module docstring).
    """

    outcome: str
    timepoint: str
    result: Any
    error: str | None
    k: int | None = None
    warnings: tuple[GridWarning, ...] = ()
    participants: pd.Series | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass(frozen=True, slots=True)
class BayesNmaGridResult(GridLookup):
    """Bayesian network meta-analyses by outcome and time point (:func:`bayes_nma_grid`).

    ``cells`` are in outcome-major order of ``outcomes`` and ``timepoints``.
    """

    cells: tuple[BayesGridCell, ...]
    outcomes: tuple[str, ...]
    timepoints: tuple[str, ...]
    reference: str
    likelihood: str
    model: str
    higher_is_better: Mapping[str, bool]
    prior: str
    seed: int | None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per outcome, time point and treatment (the reference included), tidy.

        Columns: ``outcome, timepoint, treatment, reference, mean, sd, median, q025, q975``
        (each treatment versus the reference), ``sucra, p_better_than_reference``, then the
        network's ``tau_median, tau_q025, tau_q975`` (posterior of the between-study sd; NaN
        for a fixed-effect model), ``resdev, pd, dic`` (TSD2's plug-in), ``k`` (studies),
        ``n_treatments``, ``n_warnings`` and ``error`` (a cell that failed has one row with
        its message and no treatment).
        """
        frames = [_cell_frame(cell) for cell in self.cells]
        if not frames:
            return pd.DataFrame(columns=list(FRAME_COLUMNS))
        out = pd.concat(frames, ignore_index=True)[list(FRAME_COLUMNS)]
        return out.astype({c: "Int64" for c in ("k", "n_treatments", "n_warnings")})

    def warnings_frame(self) -> pd.DataFrame:
        """One row per warning: ``outcome, timepoint, kind, message``."""
        return pd.DataFrame(
            [(w.outcome, w.timepoint, w.kind, w.message) for w in self.warnings],
            columns=["outcome", "timepoint", "kind", "message"],
        )

    def summary(self) -> Summary:
        """A display table with one row per network and the warnings and errors as notes."""
        cols = ["outcome", "timepoint", "k", "treatments", "tau median", "DIC", "best"]
        rows: list[list[object]] = []
        for cell in self.cells:
            r = cell.result
            if r is None:
                rows.append([cell.outcome, cell.timepoint, None, None, None, None, "-"])
                continue
            tau = _tau(r)
            frame = r.to_frame()
            best = str(frame.loc[frame["sucra"].idxmax(), "treatment"]) if len(frame) > 1 else "-"
            rows.append(
                [cell.outcome, cell.timepoint, cell.k, len(r.treatments), tau[0], r.dic, best]
            )
        label = "random effects" if self.model == "random" else "fixed effect"
        notes = [
            f"Reference {self.reference}; {self.likelihood} likelihood, {label}; {self.prior}; "
            f"{len(self.cells) - len(self.errors)} of {len(self.cells)} networks analysed; "
            "best = highest SUCRA; DIC with TSD2's plug-in.",
            *self.notes,
            *(f"Not analysed: {o}, {t}: {m}" for o, t, m in self.errors),
            *(f"Warning: {w}" for w in self.warnings),
        ]
        return Summary(
            "Bayesian network meta-analyses by outcome and time point", cols, rows, notes
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


FRAME_COLUMNS = (
    "outcome", "timepoint", "treatment", "reference", "mean", "sd", "median", "q025", "q975",
    "sucra", "p_better_than_reference", "tau_median", "tau_q025", "tau_q975", "resdev", "pd",
    "dic", "k", "n_treatments", "n_warnings", "error",
)  # fmt: skip


def _tau(result: Any) -> tuple[float, float, float]:
    """Median and 95% interval of the between-study sd (NaN for a fixed-effect model)."""
    sd = getattr(result, "sd", None)
    if sd is None:
        return math.nan, math.nan, math.nan
    return float(sd.median), float(sd.q025), float(sd.q975)


def _cell_frame(cell: BayesGridCell) -> pd.DataFrame:
    r = cell.result
    if r is None:
        row: dict[str, object] = dict.fromkeys(FRAME_COLUMNS, math.nan)
        row.update(
            outcome=cell.outcome,
            timepoint=cell.timepoint,
            treatment=None,
            reference=None,
            k=cell.k if cell.k is not None else math.nan,
            n_warnings=len(cell.warnings),
            error=cell.error,
        )
        return pd.DataFrame([row])
    frame: pd.DataFrame = r.to_frame()
    frame.insert(0, "timepoint", cell.timepoint)
    frame.insert(0, "outcome", cell.outcome)
    frame.insert(3, "reference", r.treatments[0])
    frame["tau_median"], frame["tau_q025"], frame["tau_q975"] = _tau(r)
    frame["resdev"] = r.resdev
    frame["pd"] = r.pd
    frame["dic"] = r.dic
    frame["k"] = cell.k
    frame["n_treatments"] = len(r.treatments)
    frame["n_warnings"] = len(cell.warnings)
    frame["error"] = None
    return frame


# -- reading each cell's data ------------------------------------------------------------------


def _pairwise_rows(studies: Sequence[StudyData]) -> pd.DataFrame:
    r"""Every pairwise contrast of each study, netmeta's layout, from its contrasts versus arm 1.

    .. math::

        TE_{jk} = y_k - y_j, \qquad \operatorname{Var}(TE_{jk}) = V_{kk} + V_{jj} - 2V_{jk}

    with :math:`y_1 = 0` and :math:`V_{1\cdot} = 0` for the baseline arm; the rows of a
    multi-arm study are consistent by construction.
    """
    rows = []
    for s in studies:
        y = np.concatenate([[0.0], s.effect])
        m = len(s.effect)
        v = np.zeros((m + 1, m + 1))
        v[1:, 1:] = s.covariance
        for j in range(m + 1):
            for k in range(j + 1, m + 1):
                var = v[k, k] + v[j, j] - 2 * v[j, k]
                rows.append(
                    (s.label, s.treatments[k], s.treatments[j], y[k] - y[j], math.sqrt(var))
                )
    return pd.DataFrame(rows, columns=list(PAIRWISE_COLUMNS))


def _read_studies(
    frame: pd.DataFrame, study: str, treatment: str, effect: str, se: str, layout: Layout
) -> list[StudyData]:
    kind = detect_layout(frame, study, effect, layout)
    if kind == "pairwise":
        return _read_pairwise(frame)
    return _read_arms(frame, study, treatment, effect, se, contrast=kind == "contrast")


def _as_pairwise(
    data: pd.DataFrame,
    keys: pd.Series,
    columns: dict[str, str],
    layout: Layout,
) -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    """Each cell's studies as netmeta contrasts (for the frequentist checks), and read errors."""
    parts: list[pd.DataFrame] = []
    errors: dict[tuple[str, str], str] = {}
    positions: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(keys.tolist()):
        positions.setdefault(key, []).append(i)
    for key, index in positions.items():
        rows = data.iloc[index].reset_index(drop=True)
        try:
            studies = _read_studies(
                rows, columns["study"], columns["treatment"], columns["effect"], columns["se"],
                layout,
            )  # fmt: skip
        except EvsynthError as exc:
            errors[key] = _message(exc)
            continue
        part = _pairwise_rows(studies)
        part["outcome"], part["timepoint"] = key
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*PAIRWISE_COLUMNS, "outcome", "timepoint"]), errors
    return pd.concat(parts, ignore_index=True), errors


def _message(exc: EvsynthError) -> str:
    if isinstance(exc, DataError) and exc.location is not None and exc.location.row is not None:
        return f"{exc} (row {exc.location.row} of the cell)"
    return str(exc)


def _bayes_warnings(warnings: Sequence[GridWarning], model: str) -> tuple[GridWarning, ...]:
    out = []
    for w in warnings:
        if w.kind == "not_converged":
            continue  # REML's; the frequentist checks use DerSimonian-Laird
        if w.kind == "no_heterogeneity_df":
            if model == "fixed":
                continue
            w = GridWarning(w.outcome, w.timepoint, w.kind, NO_HETEROGENEITY_BAYES)
        elif w.kind == "few_studies" and model == "random":
            w = GridWarning(
                w.outcome, w.timepoint, w.kind, f"{w.message}; the posterior of tau is its prior"
            )
        out.append(w)
    return tuple(out)


def _fit_cell(
    freq: GridCell,
    rows: pd.DataFrame,
    fit: FitFunction,
    higher_is_better: bool,
    model: str,
) -> BayesGridCell:
    warnings = _bayes_warnings(freq.warnings, model)
    if freq.result is None:
        return BayesGridCell(freq.outcome, freq.timepoint, None, freq.error, None, warnings)
    k = freq.result.k
    try:
        result = fit(rows, higher_is_better)
    except (EvsynthError, np.linalg.LinAlgError, ArithmeticError) as exc:
        return BayesGridCell(freq.outcome, freq.timepoint, None, str(exc), k, warnings)
    if is_mcmc(result) and not result.converged:
        problems = " ".join(result.convergence_problems())
        message = f"the MCMC run has not converged: {problems}"
        warnings += (GridWarning(freq.outcome, freq.timepoint, "not_converged", message),)
    return BayesGridCell(freq.outcome, freq.timepoint, result, None, k, warnings, freq.participants)


def _seed(rng: int | None) -> int | None:
    if rng is None:
        return None
    if isinstance(rng, bool) or not isinstance(rng, int) or rng < 0:
        raise EvsynthError(f"rng={rng!r} must be a non-negative integer seed or None")
    return rng


def bayes_nma_grid(
    data: pd.DataFrame,
    *,
    outcome: str = "outcome",
    timepoint: str = "timepoint",
    reference: str,
    higher_is_better: bool | Mapping[str, bool],
    likelihood: Literal["normal", "binomial"] = "normal",
    model: Literal["random", "fixed"] = "random",
    outcomes: Sequence[str] | None = None,
    timepoints: Sequence[str] | None = None,
    prior_tau: TauPrior | None = None,
    prior_d_sd: float = 100.0,
    rng: int | None = None,
    small_study: float = SMALL_STUDY,
    study: str = "study",
    treatment: str = "treatment",
    effect: str = "diff",
    se: str = "se",
    events: str = "r",
    n: str = "n",
    layout: Layout = "auto",
    mcmc: Mapping[str, Any] | None = None,
) -> BayesNmaGridResult:
    """Run one Bayesian network meta-analysis per outcome and time point.

    Parameters
    ----------
    data : pandas.DataFrame
        Normal likelihood: contrasts in netmeta's layout (``studlab, treat1, treat2, TE,
        seTE``), TSD's contrast layout or arm means with standard errors (see
        :func:`~evsynth.synthesis.nma.bayes.bayes_nma_normal`); binomial likelihood: one row
        per arm with events and participants. Plus an outcome and a time-point column.
    outcome, timepoint : str, optional
        Names of the outcome and time-point columns.
    reference : str
        Reference treatment of every network (e.g. usual care).
    higher_is_better : bool or mapping of str to bool
        Direction for SUCRA and the probability of beating the reference: one for all
        outcomes, or one per outcome.
    likelihood : {"normal", "binomial"}, optional
        ``normal``: the exact engine (Dias et al. 2013, doi:10.1177/0272989X12458724; random
        effects integrated out, tau on a quadrature grid). ``binomial``: logit link on arm
        data by MCMC (needs the MCMC engine).
    model : {"random", "fixed"}, optional
        Random effects (TSD2's default) or fixed effect.
    outcomes, timepoints : sequence of str, optional
        Order of the grid; a pair listed here without data becomes a cell that says so.
    prior_tau : TauPrior, optional
        Prior on the between-study sd (random effects); default ``UniformTau(5)`` as TSD2.
    prior_d_sd : float, optional
        Standard deviation of the normal prior on each treatment effect (TSD2: 100).
    rng : int, optional
        Seed, the same for every cell (so one cell can be rerun alone); recorded.
    small_study : float, optional
        Participants below which a study counts as small in the warnings (100).
    study, treatment, effect, se : str, optional
        Column names of the TSD and arm layouts (normal likelihood).
    events, n : str, optional
        Column names of events and participants (binomial likelihood).
    layout : {"auto", "contrast", "arm", "pairwise"}, optional
        Layout of normal-likelihood data (see ``bayes_nma_normal``).
    mcmc : mapping, optional
        Settings passed to the MCMC engine (binomial likelihood).

    Returns
    -------
    BayesNmaGridResult

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
    >>> grid = bayes_nma_grid(data, reference="UC", higher_is_better=True, model="fixed")
    >>> grid.to_frame()[["outcome", "treatment", "mean", "sucra", "k"]].round(3)
       outcome treatment   mean  sucra     k
    0     pain        UC  0.000  0.028     3
    1     pain       CBT  0.479  0.873     3
    2     pain  Exercise  0.332  0.599     3
    3  fatigue      None    NaN    NaN  <NA>
    """
    if not isinstance(data, pd.DataFrame):
        raise EvsynthError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if likelihood not in LIKELIHOODS:
        raise choice_error("likelihood", likelihood, LIKELIHOODS)
    if model not in MODELS:
        raise choice_error("model", model, MODELS)
    seed = _seed(rng)
    keys = pd.Series(
        list(
            zip(
                _labels(data, outcome, "outcome"),
                _labels(data, timepoint, "timepoint"),
                strict=True,
            )
        ),
        index=data.index,
    )
    fit: FitFunction
    read_errors: dict[tuple[str, str], str] = {}
    options: dict[str, Any] = {}
    if likelihood == "normal":
        columns = {"study": study, "treatment": treatment, "effect": effect, "se": se}
        pairwise_input = layout in ("auto", "pairwise") and all(
            c in data.columns for c in PAIRWISE_COLUMNS
        )
        if pairwise_input:
            checks = data
            study_column = "studlab"
        else:
            checks, read_errors = _as_pairwise(data, keys, columns, layout)
            study_column = study
        fit, prior = _normal_fitter(reference, model, prior_tau, prior_d_sd, seed, columns, layout)
    else:
        checks = data
        study_column = study
        options = {"measure": "OR", "columns": {"study": study, "treatment": treatment,
                                                "events": events, "n": n}}  # fmt: skip
        fit, prior = _binomial_fitter(
            reference, model, prior_tau, prior_d_sd, seed,
            {"study": study, "treatment": treatment, "events": events, "n": n}, mcmc,
        )  # fmt: skip
    given_outcomes = outcomes if outcomes is not None else list(dict.fromkeys(k[0] for k in keys))
    given_timepoints = (
        timepoints if timepoints is not None else list(dict.fromkeys(k[1] for k in keys))
    )
    freq = nma_grid(
        checks,
        outcome=outcome,
        timepoint=timepoint,
        reference=reference,
        method="DL",
        higher_is_better=higher_is_better,
        outcomes=given_outcomes,
        timepoints=given_timepoints,
        small_study=small_study,
        **options,
    )
    cells = []
    for cell in freq.cells:
        key = (cell.outcome, cell.timepoint)
        if key in read_errors:
            cells.append(BayesGridCell(cell.outcome, cell.timepoint, None, read_errors[key]))
            continue
        rows = data.loc[(keys == key).to_numpy()]
        if cell.result is not None:
            used = set(cell.result.studies)
            labels = rows[study_column].map(label_text)
            rows = rows.loc[labels.isin(used).to_numpy()]
        cells.append(
            _fit_cell(
                cell,
                rows.reset_index(drop=True),
                fit,
                freq.higher_is_better[cell.outcome],
                model,
            )
        )
    return BayesNmaGridResult(
        cells=tuple(cells),
        outcomes=freq.outcomes,
        timepoints=freq.timepoints,
        reference=freq.reference,
        likelihood=likelihood,
        model=model,
        higher_is_better=freq.higher_is_better,
        prior=prior,
        seed=seed,
        notes=freq.notes,
    )


def _normal_fitter(
    reference: str,
    model: str,
    prior_tau: TauPrior | None,
    prior_d_sd: float,
    seed: int | None,
    columns: dict[str, str],
    layout: Layout,
) -> tuple[FitFunction, str]:
    def fit(rows: pd.DataFrame, higher_is_better: bool) -> Any:
        return bayes_nma_normal(
            rows,
            study=columns["study"],
            treatment=columns["treatment"],
            effect=columns["effect"],
            se=columns["se"],
            reference=reference,
            model=model,  # type: ignore[arg-type]
            prior_tau=prior_tau,
            prior_d_sd=prior_d_sd,
            higher_is_better=higher_is_better,
            rng=seed,
            layout=layout,
        )

    return fit, prior_text(model, prior_tau, prior_d_sd)


def _binomial_fitter(
    reference: str,
    model: str,
    prior_tau: TauPrior | None,
    prior_d_sd: float,
    seed: int | None,
    columns: dict[str, str],
    settings: Mapping[str, Any] | None,
) -> tuple[FitFunction, str]:
    engine = binomial_engine()

    def fit(rows: pd.DataFrame, higher_is_better: bool) -> Any:
        return engine(
            rows,
            columns=columns,
            reference=reference,
            model=model,
            prior_tau=prior_tau,
            prior_d_sd=prior_d_sd,
            higher_is_better=higher_is_better,
            rng=seed,
            settings=settings,
        )

    return fit, prior_text(model, prior_tau, prior_d_sd)


def prior_text(model: str, prior_tau: TauPrior | None, prior_d_sd: float) -> str:
    """The priors in words, e.g. ``d ~ Normal(0, 100^2); tau ~ Uniform(0, 5)``."""
    from evsynth.synthesis.nma.bayes.priors import UniformTau

    tau = (
        (prior_tau or UniformTau(5.0)).describe() if model == "random" else "tau = 0 (fixed effect)"
    )
    return f"priors d ~ Normal(0, {prior_d_sd:g}^2); {tau}"


__all__ = [
    "FRAME_COLUMNS",
    "LIKELIHOODS",
    "BayesGridCell",
    "BayesNmaGridResult",
    "bayes_nma_grid",
    "prior_text",
]
