"""PRISMA 2020 flow counts, computed from the records, the duplicate links and the decision events.

The numbers in a PRISMA flow diagram are queries over the review's data, never typed in (house
style 14): :func:`prisma_counts` takes the records with their sources and duplicate links, the
screening events, the reports that could not be retrieved and the links from reports to
studies, and returns a :class:`PrismaCounts`. :meth:`PrismaCounts.check` verifies that the
diagram adds up box by box, so that a report never shows a flow that loses records.

Box names follow the PRISMA 2020 flow diagram for new systematic reviews that included searches
of databases, registers and other sources (Page MJ et al. 2021, BMJ 372:n71,
doi:10.1136/bmj.n71).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

import pandas as pd

from evsynth._core.errors import EvsynthError, choice_error
from evsynth._core.summary import Summary
from evsynth.screening.events import Decision, decisions_by_record
from evsynth.screening.protocol import ScreeningProtocol, Stage
from evsynth.screening.rules import DoubleScreened, Outcome, decide, rule_for

OTHER_METHODS: tuple[str, ...] = ("websites", "organisations", "citation_searching")
"""The other identification methods of the PRISMA 2020 diagram (PRISMA2020 package rows)."""

NO_REASON = "reason not recorded"


class SourceRecord(NamedTuple):
    """A record as identified: its id, where it came from, and the record it duplicates.

    A plain tuple ``(record_id, source, duplicate_of)`` works as well.
    """

    record_id: str
    source: str
    duplicate_of: str | None = None


def _frozen(mapping: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(mapping))


def _empty() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PrismaCounts:
    """The counts of a PRISMA 2020 flow diagram for a new review.

    Database and register pathway: ``identified_by_source`` (with ``registers`` naming the
    sources that are registers), ``identified``, ``duplicates_removed``, ``records_screened``,
    ``records_excluded``, ``reports_sought``, ``reports_not_retrieved``, ``reports_assessed``,
    ``reports_excluded`` and ``reports_excluded_by_reason``. Other methods (websites,
    organisations, citation searching): the ``other_*`` fields. Both pathways end in
    ``studies_included`` and ``reports_included`` (reports of included studies).
    ``records_pending`` and ``reports_pending`` count records and reports still undecided or in
    conflict; a finished review has none.
    """

    identified_by_source: Mapping[str, int]
    identified: int
    duplicates_removed: int
    records_screened: int
    records_excluded: int
    reports_sought: int
    reports_not_retrieved: int
    reports_assessed: int
    reports_excluded: int
    reports_excluded_by_reason: Mapping[str, int]
    studies_included: int
    reports_included: int
    registers: tuple[str, ...] = ()
    records_pending: int = 0
    reports_pending: int = 0
    other_identified_by_method: Mapping[str, int] = field(default_factory=_empty)
    other_reports_sought: int = 0
    other_reports_not_retrieved: int = 0
    other_reports_assessed: int = 0
    other_reports_excluded: int = 0
    other_reports_excluded_by_reason: Mapping[str, int] = field(default_factory=_empty)
    other_reports_pending: int = 0
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in (
            "identified_by_source",
            "reports_excluded_by_reason",
            "other_identified_by_method",
            "other_reports_excluded_by_reason",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "registers", tuple(self.registers))

    @property
    def identified_databases(self) -> int:
        return sum(n for s, n in self.identified_by_source.items() if s not in self.registers)

    @property
    def identified_registers(self) -> int:
        return sum(n for s, n in self.identified_by_source.items() if s in self.registers)

    @property
    def identified_other(self) -> int:
        return sum(self.other_identified_by_method.values())

    @property
    def has_other_methods(self) -> bool:
        return self.identified_other > 0 or self.other_reports_sought > 0

    def check(self) -> PrismaCounts:
        """Verify that every box adds up; raise naming the box that does not.

        Checks: the sources sum to the records identified; identified - duplicates = screened;
        screened - excluded = reports sought; sought - not retrieved = assessed; the reasons sum
        to the reports excluded; assessed - excluded (both pathways) = reports of included
        studies; and there are no more studies than reports.

        Returns
        -------
        PrismaCounts
            ``self``, so that ``prisma_counts(...).check()`` chains.
        """
        for item in fields(self):
            value = getattr(self, item.name)
            name = item.name
            if isinstance(value, int) and value < 0:
                raise EvsynthError(f"PRISMA count {name} is negative ({value})")
        _adds_up(
            "Records identified",
            sum(self.identified_by_source.values()),
            self.identified,
            "the sum over sources",
        )
        _adds_up(
            "Records screened",
            self.identified - self.duplicates_removed,
            self.records_screened,
            f"identified ({self.identified}) - duplicates removed ({self.duplicates_removed})",
        )
        _adds_up(
            "Reports sought for retrieval",
            self.records_screened - self.records_excluded,
            self.reports_sought,
            f"records screened ({self.records_screened}) - records excluded "
            f"({self.records_excluded})",
            _pending(self.records_pending, "records", "title/abstract"),
        )
        _adds_up(
            "Reports assessed for eligibility",
            self.reports_sought - self.reports_not_retrieved,
            self.reports_assessed,
            f"reports sought ({self.reports_sought}) - reports not retrieved "
            f"({self.reports_not_retrieved})",
        )
        _adds_up(
            "Reports excluded",
            sum(self.reports_excluded_by_reason.values()),
            self.reports_excluded,
            "the sum over reasons",
        )
        _adds_up(
            "Reports assessed for eligibility (other methods)",
            self.other_reports_sought - self.other_reports_not_retrieved,
            self.other_reports_assessed,
            f"reports sought ({self.other_reports_sought}) - reports not retrieved "
            f"({self.other_reports_not_retrieved})",
        )
        _adds_up(
            "Reports excluded (other methods)",
            sum(self.other_reports_excluded_by_reason.values()),
            self.other_reports_excluded,
            "the sum over reasons",
        )
        _adds_up(
            "Reports of included studies",
            self.reports_assessed
            - self.reports_excluded
            + self.other_reports_assessed
            - self.other_reports_excluded,
            self.reports_included,
            f"reports assessed ({self.reports_assessed} + {self.other_reports_assessed}) - "
            f"reports excluded ({self.reports_excluded} + {self.other_reports_excluded})",
            _pending(self.reports_pending + self.other_reports_pending, "reports", "full text"),
        )
        if self.studies_included > self.reports_included or (
            self.reports_included > 0 and self.studies_included == 0
        ):
            raise EvsynthError(
                f"PRISMA box 'Studies included in review' does not add up: "
                f"{self.studies_included} studies from {self.reports_included} reports",
                hint="each included study needs at least one included report",
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        """Every count as plain Python values (what ``--json`` prints)."""
        out: dict[str, Any] = {}
        for item in fields(self):
            name = item.name
            value = getattr(self, name)
            if isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out

    def boxes(self) -> list[tuple[str, str, int]]:
        """``(box, label, n)`` for every count of the diagram, in reading order."""
        rows: list[tuple[str, str, int]] = []
        for source, n in self.identified_by_source.items():
            kind = "register" if source in self.registers else "database"
            rows.append(("identified", f"Records identified from {kind}: {source}", n))
        rows += [
            ("identified", "Records identified (total)", self.identified),
            ("removed", "Duplicate records removed", self.duplicates_removed),
            ("screened", "Records screened", self.records_screened),
            ("excluded", "Records excluded", self.records_excluded),
            ("sought", "Reports sought for retrieval", self.reports_sought),
            ("not_retrieved", "Reports not retrieved", self.reports_not_retrieved),
            ("assessed", "Reports assessed for eligibility", self.reports_assessed),
            ("reports_excluded", "Reports excluded", self.reports_excluded),
        ]
        for reason, n in self.reports_excluded_by_reason.items():
            rows.append(("reports_excluded", f"Reports excluded: {reason}", n))
        if self.has_other_methods:
            for method, n in self.other_identified_by_method.items():
                rows.append(("other_identified", f"Records identified from: {_label(method)}", n))
            rows += [
                ("other_sought", "Reports sought for retrieval (other)", self.other_reports_sought),
                (
                    "other_not_retrieved",
                    "Reports not retrieved (other)",
                    self.other_reports_not_retrieved,
                ),
                (
                    "other_assessed",
                    "Reports assessed for eligibility (other)",
                    self.other_reports_assessed,
                ),
                ("other_excluded", "Reports excluded (other)", self.other_reports_excluded),
            ]
            for reason, n in self.other_reports_excluded_by_reason.items():
                rows.append(("other_excluded", f"Reports excluded (other): {reason}", n))
        rows += [
            ("included", "Studies included in review", self.studies_included),
            ("included", "Reports of included studies", self.reports_included),
        ]
        return rows

    def to_frame(self) -> pd.DataFrame:
        """One row per count: ``box, label, n``."""
        return pd.DataFrame(self.boxes(), columns=["box", "label", "n"])

    def summary(self) -> Summary:
        """The flow as a display table."""
        notes = list(self.notes)
        if self.records_pending or self.reports_pending or self.other_reports_pending:
            notes.append(
                f"Not finished: {self.records_pending} record(s) pending at title/abstract, "
                f"{self.reports_pending + self.other_reports_pending} report(s) at full text."
            )
        return Summary(
            "PRISMA 2020 flow",
            ("box", "n"),
            [[label, n] for _, label, n in self.boxes()],
            notes=tuple(notes),
        )


def _label(method: str) -> str:
    return method.replace("_", " ").capitalize()


def _pending(n: int, what: str, stage: str) -> str | None:
    if n <= 0:
        return None
    return f"{n} {what} are still pending or in conflict at {stage}; finish screening them"


def _adds_up(box: str, expected: int, actual: int, how: str, hint: str | None = None) -> None:
    if expected != actual:
        raise EvsynthError(
            f"PRISMA box '{box}' does not add up: it holds {actual}, but {how} = {expected}",
            hint=hint,
        )


def _source_records(items: Iterable[Any], what: str) -> list[SourceRecord]:
    out: list[SourceRecord] = []
    for item in items:
        if isinstance(item, str):
            raise EvsynthError(
                f"{what} entry {item!r} is not (record_id, source, duplicate_of)",
                hint="pass tuples or SourceRecord objects, not bare ids",
            )
        try:
            record = SourceRecord(*item)
        except TypeError as exc:
            raise EvsynthError(
                f"{what} entry {item!r} is not (record_id, source, duplicate_of)"
            ) from exc
        if not record.record_id or not record.source:
            raise EvsynthError(f"{what} entry {item!r} needs a record id and a source")
        out.append(record)
    ids = [r.record_id for r in out]
    repeated = sorted(r for r, n in Counter(ids).items() if n > 1)
    if repeated:
        raise EvsynthError(f"{what}: record ids repeat: {', '.join(repeated[:5])}")
    return out


def _exclusion_reason(current: Sequence[Decision], order: Sequence[str]) -> tuple[str, bool]:
    """The reason a report counts under, and whether the reviewers' reasons differed."""
    arbiters = [d for d in current if d.role == "arbiter" and d.decision == "exclude"]
    if arbiters:
        return arbiters[-1].reason or NO_REASON, False
    reasons = {d.reason or NO_REASON for d in current if d.decision == "exclude"}
    if len(reasons) == 1:
        return reasons.pop(), False
    rank = {reason: i for i, reason in enumerate(order)}
    return min(reasons, key=lambda r: (rank.get(r, len(rank)), r)), True


def _full_text_pathway(
    reports: Collection[str],
    by_record: Mapping[str, list[Decision]],
    not_retrieved: frozenset[str],
    double: frozenset[str] | Literal["all"],
    order: Sequence[str],
) -> tuple[int, int, Counter[str], list[str], list[str], int]:
    """not retrieved, assessed, reasons, included ids, reason-disagreement ids, pending."""
    reasons: Counter[str] = Counter()
    included: list[str] = []
    differing: list[str] = []
    pending = 0
    missing = [r for r in reports if r in not_retrieved]
    for report in reports:
        if report in not_retrieved:
            if report in by_record:
                raise EvsynthError(
                    f"report {report!r} is marked not retrieved but has full-text decisions",
                    hint="remove it from not_retrieved, or remove the decisions",
                )
            continue
        current = by_record.get(report, [])
        outcome = decide(current, "full_text", rule_for(report, double))
        if outcome == "include":
            included.append(report)
        elif outcome == "exclude":
            reason, differed = _exclusion_reason(current, order)
            reasons[reason] += 1
            if differed:
                differing.append(report)
        else:
            pending += 1
    return len(missing), len(reports) - len(missing), reasons, included, differing, pending


def _ordered(reasons: Counter[str], order: Sequence[str]) -> dict[str, int]:
    rank = {reason: i for i, reason in enumerate(order)}
    keys = sorted(reasons, key=lambda r: (rank.get(r, len(rank)), -reasons[r], r))
    return {k: reasons[k] for k in keys}


def _double(
    double_screened: Mapping[Stage, DoubleScreened] | None, stage: Stage
) -> frozenset[str] | Literal["all"]:
    value = (double_screened or {}).get(stage, ())
    if value == "all":
        return "all"
    if isinstance(value, str):
        raise EvsynthError(f"double_screened[{stage!r}]={value!r} must be 'all' or record ids")
    return frozenset(value)


def prisma_counts(
    records: Iterable[SourceRecord | tuple[str, str, str | None]],
    events: Iterable[Decision],
    *,
    not_retrieved: Collection[str] = (),
    study_of: Mapping[str, str] | None = None,
    other_records: Iterable[SourceRecord | tuple[str, str, str | None]] = (),
    registers: Collection[str] = (),
    protocol: ScreeningProtocol | None = None,
    double_screened: Mapping[Stage, DoubleScreened] | None = None,
) -> PrismaCounts:
    """Compute the PRISMA 2020 flow counts from the review's data.

    Parameters
    ----------
    records : iterable of SourceRecord or (record_id, source, duplicate_of)
        Every record identified in databases and registers, with its source (``"MEDLINE"``)
        and, for a duplicate, the id of the record it duplicates (duplicates are links, never
        deletions). Records with a ``duplicate_of`` are the duplicates removed; the others are
        screened.
    events : iterable of Decision
        The screening events of both stages.
    not_retrieved : collection of str, optional
        Reports (record ids) sought but whose full text could not be obtained.
    study_of : mapping of str to str, optional
        Report (record id) to study id; several reports of one study are counted once as a
        study. A report without a link is a study of its own.
    other_records : iterable of SourceRecord or tuple, optional
        Records found by other methods, with source one of ``websites``, ``organisations``
        or ``citation_searching`` and no duplicate link (leave out records already found in
        the databases). The ones without title/abstract decisions, or included at
        title/abstract, are the reports sought (other methods).
    registers : collection of str, optional
        The sources in ``records`` that are trial registers (e.g. ``"ClinicalTrials.gov"``).
    protocol : ScreeningProtocol, optional
        Gives the order of full-text exclusion reasons: when two reviewers excluded a report
        for different reasons and no arbiter decided, the reason listed first counts (without
        a protocol, the alphabetically first).
    double_screened : mapping of stage to collection of str or "all", optional
        The records each stage requires two screeners for (see :func:`outcomes`); single
        screening by default.

    Returns
    -------
    PrismaCounts
        Call :meth:`PrismaCounts.check` to verify the arithmetic.
    """
    database = _source_records(records, "records")
    other = _source_records(other_records, "other_records")
    ids = {r.record_id for r in database}
    clash = sorted(ids & {r.record_id for r in other})
    if clash:
        raise EvsynthError(
            f"record(s) {', '.join(clash[:5])} appear both in records and in other_records"
        )
    for record in other:
        if record.source not in OTHER_METHODS:
            raise choice_error(
                f"source of other record {record.record_id!r}", record.source, OTHER_METHODS
            )
        if record.duplicate_of is not None:
            raise EvsynthError(
                f"other record {record.record_id!r} is a duplicate of {record.duplicate_of!r}",
                hint="leave records already identified in databases out of other_records",
            )
    for record in database:
        if record.duplicate_of is not None and record.duplicate_of not in ids:
            raise EvsynthError(
                f"record {record.record_id!r} is a duplicate of {record.duplicate_of!r}, which is "
                "not among the records",
                hint="link each duplicate to a record that is kept",
            )
    kept = [r.record_id for r in database if r.duplicate_of is None]
    kept_set = frozenset(kept)
    other_ids = [r.record_id for r in other]
    log = list(events)

    title_abstract = decisions_by_record(log, "title_abstract")
    stray = sorted(set(title_abstract) - kept_set - set(other_ids))
    if stray:
        raise EvsynthError(
            f"title/abstract decisions on record(s) that are not screened: {', '.join(stray[:5])}"
            + (f" and {len(stray) - 5} more" if len(stray) > 5 else ""),
            hint="they are duplicates or unknown ids; move the decisions to the kept records",
        )
    ta_double = _double(double_screened, "title_abstract")

    def ta_outcome(record_id: str) -> Outcome:
        rule = rule_for(record_id, ta_double)
        return decide(title_abstract.get(record_id, []), "title_abstract", rule)

    ta = {record_id: ta_outcome(record_id) for record_id in kept}
    sought = [r for r in kept if ta[r] == "include"]
    other_sought = [r for r in other_ids if r not in title_abstract or ta_outcome(r) == "include"]

    full_text = decisions_by_record(log, "full_text")
    unreached = sorted(set(full_text) - set(sought) - set(other_sought))
    if unreached:
        raise EvsynthError(
            f"full-text decisions on record(s) that have not passed title/abstract screening: "
            f"{', '.join(unreached[:5])}"
            + (f" and {len(unreached) - 5} more" if len(unreached) > 5 else ""),
            hint="resolve their title/abstract screening, or remove the decisions",
        )
    missing = frozenset(not_retrieved)
    unknown = sorted(missing - set(sought) - set(other_sought))
    if unknown:
        raise EvsynthError(
            f"report(s) {', '.join(unknown[:5])} are marked not retrieved but were never sought",
            hint="only reports of records included at title/abstract are sought",
        )
    order = protocol.reasons("full_text") if protocol is not None else ()
    ft_double = _double(double_screened, "full_text")
    db = _full_text_pathway(sought, full_text, missing, ft_double, order)
    ot = _full_text_pathway(other_sought, full_text, missing, ft_double, order)
    included = db[3] + ot[3]
    links = dict(study_of or {})
    studies = {links.get(report, report) for report in included}
    notes = []
    differing = db[4] + ot[4]
    if differing:
        notes.append(
            f"{len(differing)} excluded report(s) had different reasons from the two reviewers "
            f"and no arbiter; each counts under the reason the protocol lists first: "
            f"{', '.join(differing[:5])}" + (" ..." if len(differing) > 5 else "")
        )
    # Sources in decreasing order of records found (ties by name), the usual reading order.
    by_source = dict(
        sorted(Counter(r.source for r in database).items(), key=lambda i: (-i[1], i[0]))
    )
    by_method = Counter(r.source for r in other)
    registers = tuple(s for s in dict.fromkeys(registers) if s in by_source)
    return PrismaCounts(
        identified_by_source=by_source,
        identified=len(database),
        duplicates_removed=len(database) - len(kept),
        records_screened=len(kept),
        records_excluded=sum(1 for r in kept if ta[r] == "exclude"),
        records_pending=sum(1 for r in kept if ta[r] in ("pending", "conflict")),
        reports_sought=len(sought),
        reports_not_retrieved=db[0],
        reports_assessed=db[1],
        reports_excluded=sum(db[2].values()),
        reports_excluded_by_reason=_ordered(db[2], order),
        reports_pending=db[5],
        other_identified_by_method={m: by_method[m] for m in OTHER_METHODS if by_method[m]},
        other_reports_sought=len(other_sought),
        other_reports_not_retrieved=ot[0],
        other_reports_assessed=ot[1],
        other_reports_excluded=sum(ot[2].values()),
        other_reports_excluded_by_reason=_ordered(ot[2], order),
        other_reports_pending=ot[5],
        studies_included=len(studies),
        reports_included=len(included),
        registers=registers,
        notes=tuple(notes),
    )
