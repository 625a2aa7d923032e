"""One reviewer's appraisal of one study as an append-only event, and what the rule makes of it.

An :class:`Appraisal` records a reviewer's answers to a checklist for a study (or for some of
its reports: Scope et al. 2021 appraised the two reports of one study, Dowrick et al. 2008 and
Peters et al. 2009, separately), with the rating the reviewer gave, if any. Like a screening
decision it is never updated: a reviewer who changes an answer adds a new event, and the team's
agreed appraisal is an event with ``role="consensus"``. :func:`appraise` applies the
checklist's rule and keeps the reviewer's rating beside the rule's, flagging any difference.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from evsynth._core.errors import EvsynthError, choice_error
from evsynth._core.summary import Summary
from evsynth.appraisal.checklist import Checklist, load_checklist
from evsynth.appraisal.rules import RuleRating

AppraisalRole = Literal["appraiser", "consensus"]
ROLES: tuple[AppraisalRole, ...] = ("appraiser", "consensus")


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer to one question, with the reviewer's comment (kept word for word)."""

    answer: str
    comment: str | None = None

    def __str__(self) -> str:
        return f"{self.answer} – {self.comment}" if self.comment else self.answer


def _new_event_id() -> str:
    return uuid.uuid4().hex


def _answers(value: Mapping[Any, Any]) -> Mapping[str, Answer]:
    out: dict[str, Answer] = {}
    for key, given in value.items():
        if isinstance(given, Answer):
            out[str(key)] = given
        elif isinstance(given, str):
            out[str(key)] = Answer(given)
        else:
            raise EvsynthError(
                f"the answer to question {key} must be text or an Answer, not {given!r}"
            )
    return MappingProxyType(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Appraisal:
    """One reviewer's answers to a checklist for one study: an immutable event.

    Parameters
    ----------
    study : str
        The included study's id.
    checklist : str
        The checklist's id (e.g. ``"casp-qualitative-scope2021"``, ``"rob2"``).
    reviewer : str
        Who appraised.
    answers : mapping of str to Answer or str
        Question id to answer (with an optional comment). Questions may be left out while an
        appraisal is in progress (and RoB 2 questions not reached by the algorithm); the rule
        then gives no rating until they are answered.
    rating : str, optional
        The rating the reviewer recorded (the rule's is computed, not stored).
    domain_ratings : mapping of str to str, optional
        Recorded judgements per domain (RoB 2).
    reports : tuple of str, optional
        The reports of the study this appraisal covers, when they were appraised apart; empty
        means the whole study.
    role : {"appraiser", "consensus"}, optional
        ``"consensus"`` marks the team's agreed appraisal after independent appraisals.
    timestamp : datetime, optional
        When it was recorded; events without one (a recorded history) come first.
    note : str, optional
        Free text.
    event_id : str, optional
        A unique id; a random UUID by default.
    """

    study: str
    checklist: str
    reviewer: str
    answers: Mapping[str, Answer]
    rating: str | None = None
    domain_ratings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    reports: tuple[str, ...] = ()
    role: AppraisalRole = "appraiser"
    timestamp: datetime | None = None
    note: str | None = None
    event_id: str = field(default_factory=_new_event_id)

    def __post_init__(self) -> None:
        for name in ("study", "checklist", "reviewer"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise EvsynthError(f"appraisal {name} {value!r} must be a non-empty string")
        if self.role not in ROLES:
            raise choice_error("appraisal role", self.role, ROLES)
        object.__setattr__(self, "answers", _answers(self.answers))
        object.__setattr__(self, "domain_ratings", MappingProxyType(dict(self.domain_ratings)))
        object.__setattr__(self, "reports", tuple(sorted(dict.fromkeys(self.reports))))
        if self.timestamp is not None and self.timestamp.tzinfo is None:
            raise EvsynthError(
                f"the timestamp of {self.reviewer}'s appraisal of {self.study} has no time zone",
                hint="pass an aware datetime, e.g. datetime.now(timezone.utc)",
            )

    @property
    def unit(self) -> tuple[str, tuple[str, ...]]:
        """``(study, reports)``: what was appraised."""
        return (self.study, self.reports)

    @property
    def key(self) -> tuple[str, tuple[str, ...], str, str, str]:
        """Events sharing ``(study, reports, checklist, reviewer, role)`` supersede each other.

        The role is part of the key: a reviewer who records the team's consensus keeps their
        own independent appraisal beside it.
        """
        return (self.study, self.reports, self.checklist, self.reviewer, self.role)


def check_appraisal(appraisal: Appraisal, checklist: Checklist) -> Appraisal:
    """``appraisal`` with canonical answers and ratings, or an error naming the problem.

    Unknown questions, answers that are not among a question's options, and ratings that are
    not the checklist's each raise :class:`~evsynth._core.errors.EvsynthError` that names the
    study, the reviewer, the question and the valid choices.
    """
    if appraisal.checklist != checklist.id:
        raise EvsynthError(
            f"the appraisal of {appraisal.study} uses checklist {appraisal.checklist!r}, "
            f"not {checklist.id!r}"
        )
    where = f"{appraisal.reviewer}'s appraisal of study {appraisal.study}"
    answers: dict[str, Answer] = {}
    for qid, answer in appraisal.answers.items():
        try:
            canonical = checklist.answer(qid, answer.answer)
        except EvsynthError as exc:
            raise EvsynthError(f"{where}: {exc}") from None
        answers[qid] = Answer(canonical, answer.comment)
    rating = appraisal.rating
    try:
        if rating is not None:
            rating = checklist.rating(rating, "recorded rating")
        domains = {
            checklist.domain(d).id: checklist.rating(r, f"domain {d} rating")
            for d, r in appraisal.domain_ratings.items()
        }
    except EvsynthError as exc:
        raise EvsynthError(f"{where}: {exc}") from None
    return Appraisal(
        study=appraisal.study,
        checklist=appraisal.checklist,
        reviewer=appraisal.reviewer,
        answers=answers,
        rating=rating,
        domain_ratings=domains,
        reports=appraisal.reports,
        role=appraisal.role,
        timestamp=appraisal.timestamp,
        note=appraisal.note,
        event_id=appraisal.event_id,
    )


@dataclass(frozen=True, slots=True)
class AppraisalResult:
    """An appraisal with the rating its checklist's rule derives, beside the recorded one.

    Attributes
    ----------
    appraisal : Appraisal
        The (checked) appraisal.
    checklist : Checklist
        Its checklist.
    rule : RuleRating or None
        What the rule derives; ``None`` when the checklist has no rule.
    """

    appraisal: Appraisal
    checklist: Checklist
    rule: RuleRating | None

    @property
    def rule_rating(self) -> str | None:
        return None if self.rule is None else self.rule.rating

    @property
    def recorded_rating(self) -> str | None:
        return self.appraisal.rating

    @property
    def rating(self) -> str | None:
        """The rating that stands: the reviewer's recorded one, else the rule's."""
        return self.recorded_rating or self.rule_rating

    @property
    def disagrees(self) -> bool:
        """True when the reviewer's rating and the rule's both exist and differ."""
        return (
            self.recorded_rating is not None
            and self.rule_rating is not None
            and self.recorded_rating != self.rule_rating
        )

    @property
    def domain_disagreements(self) -> dict[str, tuple[str, str]]:
        """Domains whose recorded judgement differs from the algorithm's: ``(recorded, rule)``."""
        if self.rule is None:
            return {}
        return {
            d: (r, self.rule.domains[d])
            for d, r in self.appraisal.domain_ratings.items()
            if d in self.rule.domains and self.rule.domains[d] != r
        }

    def flag(self) -> str:
        """A one-line statement of the disagreement, or an empty string."""
        if not self.disagrees:
            return ""
        return (
            f"recorded {self.recorded_rating} but the rule gives {self.rule_rating} "
            f"({self.rule.explanation if self.rule else ''})"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per question: id, text, answer, comment, and whether the rule counts it met."""
        a = self.appraisal
        not_met = set(self.rule.not_met) if self.rule else set()
        return pd.DataFrame(
            {
                "question": [q.id for q in self.checklist.questions],
                "text": [q.text for q in self.checklist.questions],
                "answer": [
                    a.answers[q.id].answer if q.id in a.answers else None
                    for q in self.checklist.questions
                ],
                "comment": [
                    a.answers[q.id].comment if q.id in a.answers else None
                    for q in self.checklist.questions
                ],
                "not_met": [q.id in not_met for q in self.checklist.questions],
            }
        )

    def summary(self) -> Summary:
        """The answers, then the rule's rating, the recorded rating and any disagreement."""
        a = self.appraisal
        rows = tuple(
            (q.id, q.short, str(a.answers[q.id]) if q.id in a.answers else "")
            for q in self.checklist.questions
        )
        notes = [
            f"Rule: {self.rule_rating or '-'}"
            + (f" ({self.rule.explanation})" if self.rule else " (the checklist has no rule)"),
            f"Recorded: {self.recorded_rating or '-'}",
        ]
        if self.disagrees:
            notes.append("The recorded rating and the rule disagree.")
        return Summary(
            title=f"{a.study}{' (' + ', '.join(a.reports) + ')' if a.reports else ''}: "
            f"{self.checklist.name}, {a.reviewer}",
            columns=("Question", "Criterion", "Answer"),
            rows=rows,
            notes=tuple(notes),
        )

    def to_dict(self) -> dict[str, Any]:
        a = self.appraisal
        return {
            "study": a.study,
            "reports": list(a.reports),
            "checklist": a.checklist,
            "reviewer": a.reviewer,
            "role": a.role,
            "answers": {
                q.id: (
                    {"answer": a.answers[q.id].answer, "comment": a.answers[q.id].comment}
                    if q.id in a.answers
                    else None
                )
                for q in self.checklist.questions
            },
            "not_met": list(self.rule.not_met) if self.rule else [],
            "rule_rating": self.rule_rating,
            "rule_explanation": self.rule.explanation if self.rule else None,
            "rule_domains": dict(self.rule.domains) if self.rule else {},
            "recorded_rating": self.recorded_rating,
            "recorded_domains": dict(a.domain_ratings),
            "disagrees": self.disagrees,
            "timestamp": a.timestamp.isoformat() if a.timestamp else None,
            "note": a.note,
        }


def appraise(appraisal: Appraisal, checklist: Checklist | None = None) -> AppraisalResult:
    """Check an appraisal and apply its checklist's rule.

    Parameters
    ----------
    appraisal : Appraisal
        The appraisal.
    checklist : Checklist, optional
        Its checklist; by default the built-in named by ``appraisal.checklist``.

    Returns
    -------
    AppraisalResult
        The rule's rating beside the recorded one, with ``disagrees`` set when they differ.

    Examples
    --------
    Morton et al. (2016) in Scope et al. (2021, Table 8): two criteria not met (reflexivity,
    sufficient evidence) but rated moderate.

    >>> answers = {"1": "Yes", "2": "Yes", "3": "No", "4": "Yes", "5": "Yes", "6": "Yes",
    ...            "7": "No"}
    >>> result = appraise(Appraisal(study="S8", checklist="casp-qualitative-scope2021",
    ...                             reviewer="team", answers=answers, rating="Moderate"))
    >>> result.rule_rating, result.recorded_rating, result.disagrees
    ('Low', 'Moderate', True)
    """
    checklist = checklist if checklist is not None else load_checklist(appraisal.checklist)
    checked = check_appraisal(appraisal, checklist)
    rule = None
    if checklist.rule is not None:
        rule = checklist.rule.rate({q: a.answer for q, a in checked.answers.items()})
    return AppraisalResult(appraisal=checked, checklist=checklist, rule=rule)


def latest_appraisals(appraisals: Iterable[Appraisal]) -> list[Appraisal]:
    """The latest event per (study, reports, checklist, reviewer, role), in first-given order.

    Events without a timestamp (a recorded history) rank before any with one; ties keep the
    order given, the later event winning.
    """
    best: dict[tuple[str, tuple[str, ...], str, str, str], tuple[int, Appraisal]] = {}
    order: dict[tuple[str, tuple[str, ...], str, str, str], int] = {}
    for index, event in enumerate(appraisals):
        if not isinstance(event, Appraisal):
            raise EvsynthError(f"expected Appraisal events, got {type(event).__name__}")
        order.setdefault(event.key, index)
        current = best.get(event.key)
        if current is None or _stamp(event) >= _stamp(current[1]):
            best[event.key] = (index, event)
    return [best[k][1] for k in sorted(best, key=order.__getitem__)]


def _stamp(event: Appraisal) -> float:
    return float("-inf") if event.timestamp is None else event.timestamp.timestamp()


def appraise_all(
    appraisals: Sequence[Appraisal], checklists: Mapping[str, Checklist] | None = None
) -> tuple[AppraisalResult, ...]:
    """Apply :func:`appraise` to the latest event of each reviewer for each study and checklist."""
    return tuple(
        appraise(a, load_checklist(a.checklist, checklists)) for a in latest_appraisals(appraisals)
    )
