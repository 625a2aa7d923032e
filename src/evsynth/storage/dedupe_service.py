"""De-duplicating a project's records as link events, keeping what was already screened.

A new search (an update search, or another database) is matched against every record in the
project; when a cluster holds a record that is already kept (others link to it) or already has
screening decisions, that record stays the kept one, so earlier decisions keep their meaning
and an update search adds only new records. A reviewer's manual unlink is never overridden.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from evsynth._core.errors import EvsynthError
from evsynth.records.dedup import DedupResult, find_duplicates
from evsynth.storage.models import DecisionRow, DuplicateLinkRow, ImportRow, RecordRow
from evsynth.storage.records_repo import current_links, now, records_frame


@dataclass(frozen=True, slots=True)
class DedupeOutcome:
    """What a de-duplication run changed and what it leaves for a reviewer."""

    n_records: int
    n_new_links: int
    n_duplicates: int
    uncertain: pd.DataFrame
    result: DedupResult | None

    def to_dict(self) -> dict[str, object]:
        return {
            "n_records": self.n_records,
            "n_new_links": self.n_new_links,
            "n_duplicates": self.n_duplicates,
            "n_unique": self.n_records - self.n_duplicates,
            "uncertain": self.uncertain.to_dict(orient="records"),
        }


def _manually_unlinked(session: Session) -> set[int]:
    stmt = select(DuplicateLinkRow.record_id).where(
        DuplicateLinkRow.action == "unlink", DuplicateLinkRow.decided_by != "auto"
    )
    return set(session.scalars(stmt).all())


def _screened(session: Session) -> set[int]:
    return set(session.scalars(select(DecisionRow.record_id).distinct()).all())


def _other_method(session: Session) -> set[int]:
    """Records imported by other methods (citation searching, ...), kept only when needed."""
    stmt = (
        select(RecordRow.id)
        .join(ImportRow, RecordRow.import_id == ImportRow.id)
        .where(ImportRow.method == "other")
    )
    return set(session.scalars(stmt).all())


def dedupe_project(
    factory: sessionmaker[Session],
    *,
    threshold: float = 0.85,
    uncertain_threshold: float = 0.70,
) -> DedupeOutcome:
    """Link duplicate records (as events); return counts and the uncertain pairs to review."""
    with factory() as session:
        frame = records_frame(session)
        links = current_links(session)
        unlinked = _manually_unlinked(session)
        screened = _screened(session)
        other = _other_method(session)
    if frame.empty:
        raise EvsynthError("the project has no records yet", hint="Import search results first")
    data = frame.rename(columns={"authors": "author", "issue": "number"})
    result = find_duplicates(
        data, id_column="id", threshold=threshold, uncertain_threshold=uncertain_threshold
    )
    already_kept = {k for k in links.values() if k is not None}
    events: list[DuplicateLinkRow] = []
    stamp = now()
    for cluster in result.clusters:
        members = [int(i) for i in cluster]
        # Keep a record that is already kept, then one already screened, then one found in a
        # database (PRISMA counts a record found both ways in the databases), then the
        # library's pick.
        # A companion (erratum, reply, conference abstract) is never the kept record: it is
        # linked to its article, whatever was screened first.
        companions = _companion_members(result, members)
        eligible = [m for m in members if m not in companions] or members
        keep = next(
            (m for m in eligible if m in already_kept),
            next(
                (m for m in eligible if m in screened and links.get(m) is None),
                next((m for m in eligible if m not in other), eligible[0]),
            ),
        )
        for member in members:
            if member == keep or member in unlinked:
                continue
            if links.get(member) is not None:
                continue  # already linked; an earlier link is never rewritten automatically
            pair = result.pairs[
                ((result.pairs["id_a"] == member) | (result.pairs["id_b"] == member))
                & (result.pairs["decision"] == "duplicate")
            ]
            events.append(
                DuplicateLinkRow(
                    record_id=member,
                    duplicate_of=keep,
                    action="link",
                    rule=str(pair["rule"].iloc[0]) if not pair.empty else "cluster",
                    score=float(pair["score"].max()) if not pair.empty else None,
                    decided_by="auto",
                    created_at=stamp,
                )
            )
    with factory.begin() as session:
        session.add_all(events)
        n_dup = sum(1 for v in current_links(session).values() if v is not None)
    uncertain = result.pairs[result.pairs["decision"] == "uncertain"].reset_index(drop=True)
    return DedupeOutcome(len(frame), len(events), n_dup, uncertain, result)


def _companion_members(result: DedupResult, members: list[int]) -> set[int]:
    """Members linked to the cluster's main report by a companion rule (not the main report)."""
    main = members[0]
    pairs = result.pairs
    rows = pairs[
        pairs["rule"].astype(str).str.startswith("companion:")
        & (pairs["decision"] == "duplicate")
        & (pairs["id_a"].isin(members) | pairs["id_b"].isin(members))
    ]
    found: set[int] = set()
    for a, b in zip(rows["id_a"], rows["id_b"], strict=True):
        for m in (int(a), int(b)):
            if m != main:
                found.add(m)
    return found


def set_link(
    factory: sessionmaker[Session],
    record_id: int,
    duplicate_of: int | None,
    *,
    by: str,
    note: str | None = None,
) -> None:
    """A reviewer links a record to a kept record, or undoes a link (``duplicate_of=None``)."""
    with factory.begin() as session:
        ids: set[Hashable] = set(
            session.scalars(
                select(RecordRow.id).where(
                    RecordRow.id.in_([record_id] + ([duplicate_of] if duplicate_of else []))
                )
            ).all()
        )
        for rid in [record_id] + ([duplicate_of] if duplicate_of else []):
            if rid not in ids:
                raise EvsynthError(f"record {rid} does not exist in this project")
        if duplicate_of == record_id:
            raise EvsynthError("a record cannot be a duplicate of itself")
        session.add(
            DuplicateLinkRow(
                record_id=record_id,
                duplicate_of=duplicate_of,
                action="link" if duplicate_of is not None else "unlink",
                rule="manual",
                score=None,
                decided_by=by,
                created_at=now(),
                note=note,
            )
        )
