"""The included studies and their reports, and study-characteristics tables.

A study may be reported in several papers (Scope et al. 2021 include twelve reports of nine
studies). Everything downstream (appraisals, excerpts, review findings) names a study by its id
and, where it matters, a report; :class:`StudySet` resolves those names and refuses any study
or report that is not included, with the list of those that are.

A :class:`StudyTable` is an extraction table of study characteristics (sample, population,
data collection, intervention...): free columns, one or more rows per study, every row tied to
an included study.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from evsynth._core.errors import EvsynthError


@dataclass(frozen=True, slots=True)
class StudyReport:
    """One report (paper) of a study: its id, how the review cites it, its screening record."""

    id: str
    citation: str
    record_key: str | None = None
    database: str | None = None


@dataclass(frozen=True, slots=True)
class IncludedStudy:
    """An included study: its id (as in the screening's report-to-study links), label, reports."""

    id: str
    label: str
    reports: tuple[StudyReport, ...] = ()

    def __post_init__(self) -> None:
        if not self.id.strip() or not self.label.strip():
            raise EvsynthError("an included study needs an id and a label")


def _join(names: Sequence[str]) -> str:
    return ", ".join(names[:12]) + (" ..." if len(names) > 12 else "")


@dataclass(frozen=True, slots=True)
class StudySet:
    """The review's included studies, with look-ups that refuse anything not included.

    Examples
    --------
    >>> s = StudySet((IncludedStudy("S2", "Chew-Graham et al. (2011); Peters et al. (2011)",
    ...     (StudyReport("chewgraham2011", "Chew-Graham et al. (2011)"),
    ...      StudyReport("peters2011", "Peters et al. (2011)"))),))
    >>> s.study_of_report("peters2011").id
    'S2'
    >>> s.study("S10")
    Traceback (most recent call last):
    ...
    evsynth._core.errors.EvsynthError: study 'S10' is referenced but not included; the included studies are S2
    """

    studies: tuple[IncludedStudy, ...]

    def __post_init__(self) -> None:
        ids = [s.id for s in self.studies]
        if len(set(ids)) != len(ids):
            raise EvsynthError(f"study ids repeat: {_join(ids)}")
        reports = [r.id for s in self.studies for r in s.reports]
        if len(set(reports)) != len(reports):
            raise EvsynthError(f"report ids repeat: {_join(reports)}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.studies)

    def __len__(self) -> int:
        return len(self.studies)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.studies)

    def study(self, study_id: str, *, context: str = "") -> IncludedStudy:
        for s in self.studies:
            if s.id == study_id:
                return s
        where = f"{context}: " if context else ""
        raise EvsynthError(
            f"{where}study {study_id!r} is referenced but not included; the included studies "
            f"are {_join(self.ids)}"
        )

    def study_of_report(self, report_id: str, *, context: str = "") -> IncludedStudy:
        for s in self.studies:
            if any(r.id == report_id for r in s.reports):
                return s
        where = f"{context}: " if context else ""
        every = [r.id for s in self.studies for r in s.reports]
        raise EvsynthError(
            f"{where}report {report_id!r} is referenced but is not a report of an included "
            f"study; the included reports are {_join(every)}"
        )

    def report(self, report_id: str, *, context: str = "") -> StudyReport:
        study = self.study_of_report(report_id, context=context)
        return next(r for r in study.reports if r.id == report_id)

    def resolve(
        self, studies: Iterable[str] = (), reports: Iterable[str] = (), *, context: str = ""
    ) -> tuple[str, ...]:
        """The study ids named directly or through their reports, in study order."""
        found = {self.study(s, context=context).id for s in studies}
        found |= {self.study_of_report(r, context=context).id for r in reports}
        return tuple(s for s in self.ids if s in found)

    def label(self, study_id: str, reports: Sequence[str] = ()) -> str:
        """How tables name a study, or some of its reports: their citations joined by '; '."""
        study = self.study(study_id)
        if not reports:
            return study.label
        return "; ".join(self.report(r).citation for r in reports)


@dataclass(frozen=True, slots=True)
class StudyTable:
    """A table of study characteristics: free columns, each row tied to an included study.

    Attributes
    ----------
    name, title : str
        An id and the table's caption.
    columns : tuple of str
        The displayed columns (the study id column is not among them).
    rows : tuple of tuple of str
        The cells, in the order given (empty string for an empty cell).
    studies : tuple of str
        The study of each row.
    source, note : str or None
        Where the data come from; a note printed under the table.
    hidden : mapping of str to tuple of str
        Columns kept as data but not shown (e.g. participant numbers behind a sample column).
    """

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    studies: tuple[str, ...]
    source: str | None = None
    note: str | None = None
    hidden: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def column(self, name: str) -> tuple[str, ...]:
        """The cells of a column, shown or hidden, in row order."""
        if name in self.hidden:
            return self.hidden[name]
        if name not in self.columns:
            raise EvsynthError(
                f"table {self.name!r} has no column {name!r}; its columns are "
                f"{', '.join((*self.columns, *self.hidden))}"
            )
        i = self.columns.index(name)
        return tuple(row[i] for row in self.rows)


def study_table(
    frame: pd.DataFrame,
    studies: StudySet,
    *,
    name: str,
    title: str,
    study_column: str = "study",
    source: str | None = None,
    note: str | None = None,
    hidden: Sequence[str] = (),
) -> StudyTable:
    """A :class:`StudyTable` from a data frame whose ``study_column`` names included studies.

    Every other column is shown; empty cells stay empty. A row whose study is not included is
    an error that names the row and lists the included studies.
    """
    if study_column not in frame.columns:
        raise EvsynthError(
            f"table {name!r} has no {study_column!r} column; its columns are "
            f"{', '.join(map(str, frame.columns))}"
        )
    missing = [h for h in hidden if h not in frame.columns]
    if missing:
        raise EvsynthError(f"table {name!r} has no column(s) {', '.join(missing)} to hide")
    cells = frame.astype(object).where(frame.notna(), "")
    shown = tuple(str(c) for c in frame.columns if c != study_column and c not in hidden)
    rows, ids = [], []
    for i, row in enumerate(cells.to_dict(orient="records")):
        study = str(row[study_column]).strip()
        studies.study(study, context=f"table {name!r}, row {i + 1}")
        ids.append(study)
        rows.append(tuple(str(row[c]).strip() for c in shown))
    return StudyTable(
        name=name,
        title=title,
        columns=shown,
        rows=tuple(rows),
        studies=tuple(ids),
        source=source,
        note=note,
        hidden=MappingProxyType({h: tuple(str(v).strip() for v in cells[h]) for h in hidden}),
    )
