"""Screening events in the database: stored append-only, read back as screening-layer objects.

Record ids in screening events are the database ids of records, as strings. Decisions are
made on kept records only (a duplicate's decision belongs to the record it is linked to).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth.screening import Decision, ScreeningProtocol, Stage, check_events
from evsynth.screening.prisma import SourceRecord
from evsynth.storage.db import lock_for_write
from evsynth.storage.models import DecisionRow, EventLogRow, ImportRow, RecordRow, RevealRow
from evsynth.storage.records_repo import current_links


def _aware(value: datetime) -> datetime:
    # SQLite drops the time zone; evsynth stores UTC, so a naive value read back is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def to_decision(row: DecisionRow) -> Decision:
    return Decision(
        record_id=str(row.record_id),
        stage=row.stage,  # type: ignore[arg-type]
        reviewer=row.reviewer,
        decision=row.decision,  # type: ignore[arg-type]
        reason=row.reason,
        note=row.note,
        role=row.role,  # type: ignore[arg-type]
        timestamp=_aware(row.created_at),
        event_id=str(row.id),
    )


def load_events(session: Session, stage: str | None = None) -> list[Decision]:
    """All decision events (of one stage), oldest first."""
    stmt = select(DecisionRow).order_by(DecisionRow.id)
    if stage is not None:
        stmt = stmt.where(DecisionRow.stage == stage)
    return [to_decision(r) for r in session.scalars(stmt).all()]


def kept_record_ids(session: Session) -> list[str]:
    """Ids of the records to screen: every record not linked as a duplicate."""
    links = current_links(session)
    ids = session.scalars(select(RecordRow.id).order_by(RecordRow.id)).all()
    return [str(i) for i in ids if links.get(i) is None]


def source_records(session: Session) -> tuple[list[SourceRecord], list[SourceRecord]]:
    """(database records, other-method records) with their duplicate links, for PRISMA.

    An other-method record linked as a duplicate was identified already, so PRISMA 2020 does
    not count it again among the records identified by other methods.
    """
    links = current_links(session)
    stmt = select(
        RecordRow.id, RecordRow.source_database, ImportRow.source_database, ImportRow.method
    ).join(ImportRow, RecordRow.import_id == ImportRow.id)
    database: list[SourceRecord] = []
    other: list[SourceRecord] = []
    for rid, rec_source, import_source, method in session.execute(stmt).all():
        dup = links.get(rid)
        if method == "other" and dup is not None:
            continue  # found already (in the databases): not a new record from other methods
        item = SourceRecord(
            str(rid), import_source or rec_source or "Unknown source", str(dup) if dup else None
        )
        (other if method == "other" else database).append(item)
    return database, other


def register_sources(session: Session) -> set[str]:
    """Names of the sources imported as trial registers (PRISMA counts them apart)."""
    stmt = select(ImportRow.source_database).where(ImportRow.method == "register")
    return {name for name in session.scalars(stmt).all() if name}


def observed_double(events: Iterable[Decision], stage: str) -> frozenset[str]:
    """Records two or more screeners decided at ``stage`` (the double rule applies to them)."""
    seen: dict[str, set[str]] = {}
    for e in events:
        if e.stage == stage and e.role == "screener":
            seen.setdefault(e.record_id, set()).add(e.reviewer)
    return frozenset(r for r, who in seen.items() if len(who) >= 2)


def double_screened_map(
    events: Sequence[Decision], protocol: ScreeningProtocol | None = None
) -> dict[Stage, Collection[str] | Literal["all"]]:
    """Which records need two screeners at each stage.

    A stage the protocol double-screens entirely (``"all"``) needs two screeners for every
    record, so one screener's decision is never final there. For a sampled stage, the records
    two screeners actually decided follow the double rule (a disagreement is a conflict for an
    arbiter); the rest are single-screened.
    """
    out: dict[Stage, Collection[str] | Literal["all"]] = {}
    for stage in ("title_abstract", "full_text"):
        if protocol is not None and protocol.double_screening.get(stage) == "all":
            out[stage] = "all"
        else:
            out[stage] = observed_double(events, stage)
    return out


def add_decisions(
    factory: sessionmaker[Session],
    protocol: ScreeningProtocol,
    decisions: Sequence[Decision],
    *,
    also: Sequence[object] = (),
    allow_repeat_log: bool = False,
    locations: Sequence[InputLocation] | None = None,
) -> int:
    """Validate new decisions against the protocol and history, then store them together.

    All or nothing: one invalid decision stores none of them. The write is one transaction, so
    two reviewers deciding at the same moment are both stored (SQLite serialises the writes).
    ``also``: other rows to store in the same transaction (the record of an imported log,
    refused if a log with its hash is stored already, unless ``allow_repeat_log``). The
    transaction takes the write lock first (:func:`.db.lock_for_write`), so a concurrent
    writer's decisions are in the history this one is checked against. ``locations``: where
    each decision came from (file and line); a decision the protocol refuses is then named by
    its place.
    """
    with factory.begin() as session:
        lock_for_write(session)
        # The log's hash is checked under the same lock as the write (see import_event_log).
        for row in also:
            if isinstance(row, EventLogRow) and not allow_repeat_log:
                seen = session.scalars(
                    select(EventLogRow).where(EventLogRow.sha256 == row.sha256)
                ).first()
                if seen is not None:
                    raise EvsynthError(
                        f"{row.file_name} was already imported ({seen.n_events} decisions, "
                        f"{seen.imported_at:%Y-%m-%d %H:%M})",
                        hint="Nothing was added; pass --allow-repeat to add the same decisions "
                        "again",
                    )
        history = load_events(session)
        records = kept_record_ids(session)
        try:
            _check_log(history, decisions, protocol, records)
        except EvsynthError as exc:
            if locations is None or isinstance(exc, DataError):
                raise
            where = locations[_first_refused(history, decisions, protocol, records)]
            raise DataError(exc.message, location=where, hint=exc.hint) from None
        session.add_all(
            DecisionRow(
                record_id=int(d.record_id),
                stage=d.stage,
                reviewer=d.reviewer,
                decision=d.decision,
                reason=d.reason,
                note=d.note,
                role=d.role,
                created_at=d.timestamp.astimezone(UTC).replace(tzinfo=None),
            )
            for d in decisions
        )
        session.add_all(also)
    return len(decisions)


def _check_log(
    history: Sequence[Decision],
    decisions: Sequence[Decision],
    protocol: ScreeningProtocol,
    records: Collection[str],
) -> None:
    """Check the history followed by new decisions against the protocol (raises if refused)."""
    combined = [*history, *decisions]
    check_events(
        combined,
        protocol,
        records=records,
        double_screened=double_screened_map(combined, protocol),
    )


def _first_refused(
    history: Sequence[Decision],
    decisions: Sequence[Decision],
    protocol: ScreeningProtocol,
    records: Collection[str],
) -> int:
    """Index of the first new decision the protocol refuses (the history itself is valid).

    A prefix of the log is valid if and only if every event in it is, so the first refused
    event is found by bisection over the prefixes: log2(n) checks of the log, not n.
    """

    def valid(k: int) -> bool:
        try:
            _check_log(history, decisions[:k], protocol, records)
        except EvsynthError:
            return False
        return True

    low, high = 0, len(decisions)  # prefix `low` is valid, prefix `high` is not
    while high - low > 1:
        middle = (low + high) // 2
        if valid(middle):
            low = middle
        else:
            high = middle
    return high - 1


def reveal(factory: sessionmaker[Session], stage: str, by: str) -> None:
    with factory.begin() as session:
        session.add(RevealRow(stage=stage, revealed_by=by, created_at=datetime.now(UTC)))


def revealed_stages(session: Session) -> set[str]:
    return set(session.scalars(select(RevealRow.stage)).all())


@dataclass(frozen=True, slots=True)
class KeyIndex:
    """Finds a record by its export key and database, following duplicate links to the kept one."""

    by_key: dict[tuple[str, str], int]
    by_key_only: dict[str, list[int]]
    links: dict[int, int | None]

    def resolve(self, key: str, database: str | None, where: InputLocation) -> int:
        if database:
            rid = self.by_key.get((key, database.casefold()))
        else:
            candidates = self.by_key_only.get(key, [])
            if len(candidates) > 1:
                raise DataError(
                    f"record key {key!r} occurs in several databases",
                    location=where,
                    hint="Add a database column",
                )
            rid = candidates[0] if candidates else None
        if rid is None:
            raise DataError(
                f"no record with key {key!r} from {database or 'any database'}", location=where
            )
        found: int = rid
        seen: set[int] = set()
        while (nxt := self.links.get(found)) is not None and found not in seen:
            seen.add(found)
            found = nxt
        return found


def key_index(session: Session) -> KeyIndex:
    stmt = select(
        RecordRow.id, RecordRow.source_key, RecordRow.source_database, ImportRow.source_database
    ).join(ImportRow, RecordRow.import_id == ImportRow.id)
    by_key: dict[tuple[str, str], int] = {}
    by_key_only: dict[str, list[int]] = {}
    for rid, key, rec_db, imp_db in session.execute(stmt).all():
        if key is None:
            continue
        for db in {rec_db, imp_db}:
            if db:
                by_key.setdefault((key, db.casefold()), rid)
        by_key_only.setdefault(key, []).append(rid)
    return KeyIndex(by_key, by_key_only, current_links(session))


def decisions_from_frame(
    frame: pd.DataFrame, session: Session, *, stage: str | None, file: str
) -> list[Decision]:
    """Decision events from a table (``record_id`` or ``record_key`` [+ ``database``], ...)."""
    needed = {"reviewer", "decision"}
    missing = needed - set(frame.columns)
    if missing or not ({"record_id", "record_key"} & set(frame.columns)):
        raise DataError(
            "a decisions table needs columns record_id (or record_key and database), reviewer, decision",
            location=InputLocation(file=file),
            hint=f"Columns present: {', '.join(map(str, frame.columns))}",
        )
    index = key_index(session) if "record_key" in frame.columns else None
    out: list[Decision] = []
    for i, row in enumerate(frame.to_dict(orient="records")):
        where = InputLocation(file=file, line=i + 2)
        row_stage = row.get("stage") if "stage" in frame.columns else stage
        if not row_stage or (isinstance(row_stage, float) and pd.isna(row_stage)):
            raise DataError(
                "no stage given", location=where, hint="Pass --stage or add a stage column"
            )
        if index is not None:
            db = row.get("database")
            record = index.resolve(str(row["record_key"]), None if pd.isna(db) else str(db), where)
        else:
            record = int(row["record_id"])
        stamp = row.get("timestamp")
        try:
            when = (
                datetime.fromisoformat(str(stamp))
                if stamp and not pd.isna(stamp)
                else datetime.now(UTC)
            )
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            out.append(
                Decision(
                    record_id=str(record),
                    stage=str(row_stage),  # type: ignore[arg-type]
                    reviewer=str(row["reviewer"]),
                    decision=str(row["decision"]),  # type: ignore[arg-type]
                    reason=None if pd.isna(row.get("reason")) else str(row.get("reason")),
                    note=None if pd.isna(row.get("note")) else str(row.get("note")),
                    role=str(row.get("role") or "screener")
                    if not pd.isna(row.get("role"))
                    else "screener",  # type: ignore[arg-type]
                    timestamp=when,
                )
            )
        except (ValueError, EvsynthError) as exc:
            raise DataError(str(exc), location=where) from None
    return out
