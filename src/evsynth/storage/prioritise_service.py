"""Prioritised screening of a project: load records and decisions, rank, and stopping guidance.

The ranking learns from the decisions made so far at the stage (include or maybe = relevant,
exclude = not), and optionally from the protocol's eligibility criteria as one more relevant
text. Under blind screening a reviewer's ranking learns from their own decisions only, so the
order never hints at what another screener decided.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from evsynth._core.errors import EvsynthError
from evsynth.screening import Decision, reached_full_text, visible_decisions
from evsynth.screening.prioritise import (
    Ranking,
    StoppingGuidance,
    rank_records,
    stopping_guidance,
)
from evsynth.storage.models import RecordRow
from evsynth.storage.project import Project
from evsynth.storage.screening_repo import (
    double_screened_map,
    kept_record_ids,
    load_events,
    revealed_stages,
)

# Keyword fields as the readers keep them in a record's original fields (RIS KW, MEDLINE MH
# and OT, EndNote keywords, Web of Science DE and ID+, CSV keywords).
_KEYWORD_FIELDS = ("KW", "MH", "OT", "DE", "keywords/keyword", "keywords", "Keywords")


def _keywords(original: str | None) -> str:
    if not original:
        return ""
    try:
        fields = json.loads(original)
    except ValueError:
        return ""
    if not isinstance(fields, dict):
        return ""
    parts: list[str] = []
    for name in _KEYWORD_FIELDS:
        value = fields.get(name)
        if isinstance(value, list):
            parts.extend(str(v) for v in value if v)
        elif value:
            parts.append(str(value))
    return " ; ".join(parts)


def criteria_text(project: Project) -> str:
    """The protocol's PICOS criteria as one text (empty when the protocol leaves them blank)."""
    protocol = project.config.protocol
    fields = (
        protocol.population,
        protocol.intervention,
        protocol.comparator,
        protocol.outcomes,
        protocol.study_design,
        protocol.setting,
    )
    return " ".join(f for f in fields if f and f.strip())


@dataclass(frozen=True, slots=True)
class RankedRecord:
    """One unscreened record in prioritised order."""

    record_id: str
    title: str
    score: float
    top_terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProjectRanking:
    """A project's records to screen in prioritised order, and the stopping guidance.

    ``records`` is empty and ``reason`` says why when the model cannot rank yet (it needs one
    include, or the criteria text, and one exclude): the caller then keeps import order.
    """

    stage: str
    reviewer: str | None
    prioritiser: str
    records: tuple[RankedRecord, ...]
    guidance: StoppingGuidance
    used_criteria: bool
    reason: str | None = None

    @property
    def ranked(self) -> bool:
        return self.reason is None

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        shown = self.records if top is None else self.records[:top]
        return {
            "stage": self.stage,
            "reviewer": self.reviewer,
            "prioritiser": self.prioritiser,
            "ranked": self.ranked,
            "reason": self.reason,
            "used_criteria": self.used_criteria,
            "n_unscreened": len(self.records),
            "records": [
                {
                    "rank": i + 1,
                    "record_id": r.record_id,
                    "title": r.title,
                    "score": r.score,
                    "top_terms": list(r.top_terms),
                }
                for i, r in enumerate(shown)
            ],
            "stopping": self.guidance.to_dict(),
        }


def _training_events(
    events: Sequence[Decision], stage: str, reviewer: str | None, blind: bool, revealed: bool
) -> list[Decision]:
    staged = [e for e in events if e.stage == stage]
    if reviewer is None:
        return staged
    return visible_decisions(staged, reviewer, blind=blind, revealed=revealed)


def _labels(events: Sequence[Decision], stage: str) -> dict[str, int]:
    """Each decided record in order of its first decision, with its latest decision.

    1 for include (or maybe at title/abstract, which sends the record on), 0 for exclude; a
    full-text maybe is undecided and left out.
    """
    latest: dict[str, int] = {}
    for event in events:
        if event.decision == "maybe" and stage == "full_text":
            continue
        # Re-assigning keeps the key's first position and updates the value.
        latest[event.record_id] = 0 if event.decision == "exclude" else 1
    return latest


def project_ranking(
    project: Project,
    stage: str = "title_abstract",
    *,
    reviewer: str | None = None,
    prioritiser: str = "default",
    use_criteria: bool = True,
    n_terms: int = 5,
) -> ProjectRanking:
    """Rank the records still to screen at ``stage`` and report stopping guidance.

    Parameters
    ----------
    reviewer : str, optional
        Rank for this reviewer: the records they have not decided, learned from the decisions
        they may see (their own under blind screening). Without it, the team's view: every
        decision counts and the records nobody has decided are ranked.
    use_criteria : bool, optional
        Use the protocol's PICOS criteria as one more relevant text.
    """
    if stage not in ("title_abstract", "full_text"):
        raise EvsynthError(f"stage={stage!r} is not known; choose one of title_abstract, full_text")
    with project.sessions() as session:
        events = load_events(session)
        pool = kept_record_ids(session)
        revealed = stage in revealed_stages(session)
        if stage == "full_text":
            allowed = reached_full_text(
                events,
                double_screened=double_screened_map(events, project.protocol())["title_abstract"],
            )
            pool = [r for r in pool if r in allowed]
        rows = session.execute(
            select(RecordRow.id, RecordRow.title, RecordRow.abstract, RecordRow.original)
        ).all()
    info = {str(rid): (title, abstract, original) for rid, title, abstract, original in rows}
    training = _training_events(events, stage, reviewer, project.blind, revealed)
    labels = {rid: v for rid, v in _labels(training, stage).items() if rid in info}
    pool_set = set(pool)
    if reviewer is not None:
        # The reviewer's own queue: a record another screener decided is still theirs to
        # screen, and its decision is not used to rank it.
        own = {e.record_id for e in events if e.stage == stage and e.reviewer == reviewer}
        todo = [r for r in pool if r not in own]
        queue = set(todo)
        labels = {rid: v for rid, v in labels.items() if rid not in queue}
    else:
        todo = [r for r in pool if r not in labels]
    screened = [rid for rid in labels if rid in pool_set]
    guidance = stopping_guidance([labels[r] for r in screened], n_records=len(pool))
    criteria = criteria_text(project) if use_criteria else ""
    n_include = sum(labels.values()) + (1 if criteria else 0)
    n_exclude = sum(1 for v in labels.values() if v == 0)

    def result(records: tuple[RankedRecord, ...], reason: str | None = None) -> ProjectRanking:
        return ProjectRanking(
            stage=stage,
            reviewer=reviewer,
            prioritiser=prioritiser,
            records=records,
            guidance=guidance,
            used_criteria=bool(criteria),
            reason=reason,
        )

    if not todo:
        return result((), "nothing left to screen")
    if n_include == 0 or n_exclude == 0:
        return result(
            tuple(RankedRecord(r, info[r][0] or "", float("nan"), ()) for r in todo),
            "the ranking needs at least one include (or criteria text) and one exclude",
        )
    ids = list(labels) + todo
    decisions = {i: labels[r] for i, r in enumerate(ids[: len(labels)])}
    ranking: Ranking = rank_records(
        [info[r][0] for r in ids],
        [info[r][1] for r in ids],
        [_keywords(info[r][2]) for r in ids],
        decisions,
        criteria=criteria or None,
        prioritiser=prioritiser,
        n_terms=n_terms,
    )
    records = tuple(
        RankedRecord(ids[row], info[ids[row]][0] or "", score, tuple(t for t, _ in terms))
        for row, score, terms in zip(ranking.rows, ranking.scores, ranking.top_terms, strict=True)
    )
    return result(records)
