"""Simulated screening on a labelled set: replay the true labels as the reviewer's decisions.

Starting from a few labelled rows (the priors: at least one include and one exclude), the
model ranks the rest, the top record is "screened" (its true label is revealed), and so on,
one record per step, until every included record has been found. The order in which records
were screened gives the metrics of :mod:`evsynth.screening.prioritise.metrics`; the CPU time
covers everything from the texts to the last label (features, fits, rankings).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth._core.rng import RNGLike, as_generator
from evsynth._core.summary import Summary
from evsynth.screening.prioritise import metrics
from evsynth.screening.prioritise.features import FeatureMatrix, screening_features
from evsynth.screening.prioritise.query import DEFAULT_SCHEDULE, RetrainSchedule, rank_order
from evsynth.screening.prioritise.registry import Prioritiser, get_prioritiser

REQUIRED_COLUMNS = ("title", "abstract", "label")


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """One simulated screening run.

    Attributes
    ----------
    order : tuple of int
        Rows in the order they were screened after the priors.
    order_labels : tuple of int
        Their true labels.
    prior_idx : tuple of int
        The starting rows.
    n_records : int
        Records excluding the priors (``N`` of the metrics).
    n_included : int
        Includes excluding the priors (``R``).
    wss95, recall10, recall25, loss : float
        Work saved over sampling at 95% recall, recall after 10% and 25% screened, loss.
    n_to_95, n_to_100 : int
        Records screened to reach 95% and 100% recall.
    cpu_s : float
        Process CPU seconds for the whole run (features included).
    n_fits : int
        Times the model was fitted.
    prioritiser : str
        The model's name.
    seed : int or None
        The seed of the run.
    """

    order: tuple[int, ...]
    order_labels: tuple[int, ...]
    prior_idx: tuple[int, ...]
    n_records: int
    n_included: int
    wss95: float
    recall10: float
    recall25: float
    loss: float
    n_to_95: int
    n_to_100: int
    cpu_s: float
    n_fits: int
    prioritiser: str
    seed: int | None

    @property
    def n_labels(self) -> int:
        """Labels queried after the priors (one per step)."""
        return len(self.order)

    @property
    def cpu_s_per_label(self) -> float:
        return self.cpu_s / max(1, self.n_labels)

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``--json`` keys, then the run's settings."""
        return {
            "wss95": self.wss95,
            "recall10": self.recall10,
            "recall25": self.recall25,
            "loss": self.loss,
            "n_to_95": self.n_to_95,
            "n_to_100": self.n_to_100,
            "cpu_s_per_label": self.cpu_s_per_label,
            "n_records": self.n_records,
            "n_included": self.n_included,
            "n_labels": self.n_labels,
            "n_fits": self.n_fits,
            "prior_idx": list(self.prior_idx),
            "prioritiser": self.prioritiser,
            "seed": self.seed,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per step: ``step, row, label, found, recall``."""
        labels = np.asarray(self.order_labels, dtype=np.int64)
        found = np.cumsum(labels)
        return pd.DataFrame(
            {
                "step": np.arange(1, labels.size + 1),
                "row": list(self.order),
                "label": labels,
                "found": found,
                "recall": found / max(1, self.n_included),
            }
        )

    def summary(self) -> Summary:
        rows = [
            ("WSS@95", self.wss95),
            ("recall after 10% screened", self.recall10),
            ("recall after 25% screened", self.recall25),
            ("loss", self.loss),
            ("records to 95% recall", self.n_to_95),
            ("records to 100% recall", self.n_to_100),
            ("CPU seconds per label", self.cpu_s_per_label),
        ]
        return Summary(
            title=f"Simulated screening ({self.prioritiser})",
            columns=("metric", "value"),
            rows=rows,
            notes=(
                f"{self.n_records} records and {self.n_included} includes after the priors "
                f"(rows {', '.join(map(str, self.prior_idx))}); {self.n_fits} model fits for "
                f"{self.n_labels} labels.",
            ),
        )

    def plot(self, ax: Any = None) -> Any:
        """Recall against records screened, with random screening for reference."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(5, 4))
        else:
            fig = ax.figure
        frame = self.to_frame()
        ax.step(frame["step"], frame["recall"], where="post", label=self.prioritiser)
        ax.plot([0, self.n_records], [0, 1], linestyle=":", color="grey", label="random")
        ax.set_xlabel("records screened")
        ax.set_ylabel("recall")
        ax.legend(loc="lower right")
        return fig


def _check_priors(labels: NDArray[np.int64], prior_idx: Sequence[int]) -> tuple[int, ...]:
    n = labels.size
    rows = tuple(int(i) for i in prior_idx)
    if len(rows) < 2:
        raise EvsynthError("give at least two prior rows: one included and one excluded")
    bad = [i for i in rows if not 0 <= i < n]
    if bad:
        raise EvsynthError(
            f"prior row {bad[0]} is out of range: the file has {n} records (rows 0 to {n - 1})"
        )
    if len(set(rows)) != len(rows):
        raise EvsynthError(f"prior rows repeat a row: {', '.join(map(str, rows))}")
    chosen = labels[list(rows)]
    if not (chosen == 1).any() or not (chosen == 0).any():
        given = ", ".join(f"row {i} label {int(labels[i])}" for i in rows)
        raise EvsynthError(
            f"the prior rows need one included and one excluded record; got {given}",
            hint="pick a row with label 1 and a row with label 0",
        )
    if labels.sum() == chosen.sum():
        raise EvsynthError(
            "every included record is among the priors: there is nothing left to find"
        )
    return rows


def simulate(
    features: FeatureMatrix,
    labels: ArrayLike,
    prior_idx: Sequence[int],
    *,
    prioritiser: str | Prioritiser = "default",
    schedule: RetrainSchedule = DEFAULT_SCHEDULE,
    rng: RNGLike = None,
    progress: Callable[[int, int], None] | None = None,
    cpu_start: float | None = None,
) -> SimulationResult:
    """Replay ``labels`` as the reviewer until every include is found (the array-level core).

    Parameters
    ----------
    features : FeatureMatrix
        One row per record.
    labels : array of {0, 1}
        True labels, one per record.
    prior_idx : sequence of int
        Starting rows (0-based), at least one include and one exclude.
    prioritiser : str or Prioritiser, optional
        The relevance model (:func:`~evsynth.screening.prioritise.available_prioritisers`).
    schedule : RetrainSchedule, optional
        When to refit; ``EVERY_LABEL`` refits after every label.
    rng : int, Generator or None, optional
        Seeds the model's solver (liblinear shuffles its coordinates).
    progress : callable, optional
        Called as ``progress(found, total)`` after each include.
    cpu_start : float, optional
        ``time.process_time()`` when the run began (to count feature extraction).
    """
    start = time.process_time() if cpu_start is None else cpu_start
    y = np.asarray(labels).astype(np.int64)
    if y.ndim != 1 or y.size != features.n_records:
        raise EvsynthError("labels must have one entry per record")
    prior_rows = _check_priors(y, prior_idx)
    model = get_prioritiser(prioritiser)
    generator = as_generator(rng)
    random_state = int(generator.integers(0, 2**31 - 1))
    matrix = features.matrix

    labelled = np.zeros(y.size, dtype=bool)
    labelled[list(prior_rows)] = True
    rows: list[int] = list(prior_rows)
    total = int(y.sum() - y[list(prior_rows)].sum())
    order: list[int] = []
    found = 0
    n_fits = 0
    ranking: NDArray[np.intp] = np.empty(0, dtype=np.intp)
    position = 0
    since_fit = 1
    last_include = False
    while found < total:
        if n_fits == 0 or schedule.due(len(rows), since_fit, last_include):
            picked = np.asarray(rows, dtype=np.intp)
            if model.fit_views is not None and features.views:
                parts = [view[picked] for view in features.views]
                scorer = model.fit_views(parts, y[picked], random_state)
            else:
                scorer = model.fit(matrix[picked], y[picked], random_state, features.blocks)
            ranking = rank_order(scorer.score(matrix), labelled)
            position, since_fit, n_fits = 0, 0, n_fits + 1
        while labelled[ranking[position]]:
            position += 1
        row = int(ranking[position])
        labelled[row] = True
        rows.append(row)
        order.append(row)
        since_fit += 1
        last_include = bool(y[row] == 1)
        if last_include:
            found += 1
            if progress is not None:
                progress(found, total)
    cpu = time.process_time() - start

    rest = np.flatnonzero(~labelled)
    sequence = np.concatenate([y[order], y[rest]])
    return SimulationResult(
        order=tuple(order),
        order_labels=tuple(int(v) for v in y[order]),
        prior_idx=prior_rows,
        n_records=int(sequence.size),
        n_included=total,
        wss95=metrics.wss(sequence, 0.95),
        recall10=metrics.recall_at(sequence, 0.10),
        recall25=metrics.recall_at(sequence, 0.25),
        loss=metrics.loss(sequence),
        n_to_95=metrics.n_to_recall(sequence, 0.95),
        n_to_100=metrics.n_to_recall(sequence, 1.0),
        cpu_s=cpu,
        n_fits=n_fits,
        prioritiser=model.name,
        seed=rng if isinstance(rng, int) else None,
    )


def _labels_column(frame: pd.DataFrame, file: str | None) -> NDArray[np.int64]:
    raw = frame["label"]
    values = pd.to_numeric(raw.replace({True: 1, False: 0}), errors="coerce")
    bad = np.flatnonzero(~values.isin([0, 1]).to_numpy())
    if bad.size:
        i = int(bad[0])
        raise DataError(
            f"label {raw.iloc[i]!r} must be 0 (excluded) or 1 (included)",
            location=InputLocation(file=file, line=i + 2, field="label"),
        )
    labels = values.to_numpy(dtype=np.int64)
    if labels.sum() == 0:
        raise DataError(
            "no record is included (every label is 0): there is nothing to find",
            location=InputLocation(file=file, field="label"),
            hint="check that the label column marks includes with 1",
        )
    return labels


def simulate_screening(
    data: pd.DataFrame,
    prior_idx: Sequence[int],
    *,
    prioritiser: str | Prioritiser = "default",
    schedule: RetrainSchedule = DEFAULT_SCHEDULE,
    rng: RNGLike = None,
    file: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate prioritised screening of a labelled table (``id, title, abstract, label``).

    Parameters
    ----------
    data : DataFrame
        One row per record with columns ``title``, ``abstract`` and ``label`` (1 included,
        0 excluded); ``keywords`` is used when present.
    prior_idx : sequence of int
        0-based rows of the starting labels: at least one included and one excluded.
    prioritiser, schedule, rng, progress
        As for :func:`simulate`.
    file : str, optional
        The file name, for error messages.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({
    ...     "title": ["statin trial", "bridge design", "statin cohort", "steel bridge",
    ...               "statin dose trial", "river bridge"],
    ...     "abstract": [""] * 6,
    ...     "label": [1, 0, 1, 0, 1, 0],
    ... })
    >>> result = simulate_screening(data, [0, 1], rng=1)
    >>> result.order[:2], result.n_to_100
    ((4, 2), 2)
    """
    start = time.process_time()
    missing = [c for c in REQUIRED_COLUMNS if c not in data.columns]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}",
            location=InputLocation(file=file),
            hint=f"a screening set needs id, title, abstract, label; the file has "
            f"{', '.join(map(str, data.columns))}",
        )
    labels = _labels_column(data, file)
    _check_priors(labels, prior_idx)
    keywords = data["keywords"].tolist() if "keywords" in data.columns else None
    features = screening_features(
        data["title"].tolist(),
        data["abstract"].tolist(),
        keywords,
        with_terms=False,
        with_views=True,
    )
    return simulate(
        features,
        labels,
        prior_idx,
        prioritiser=prioritiser,
        schedule=schedule,
        rng=rng,
        progress=progress,
        cpu_start=start,
    )
