"""Across appraisals: reviewers' disagreements, the rating that stands per study, tables.

Two reviewers appraise independently (``role="appraiser"``);
:func:`reviewer_disagreements` lists every question and rating on which they differ, for the
team to discuss; the agreed result is recorded as a ``role="consensus"`` event.
:func:`unit_ratings` gives the rating that stands for each appraised study (or report): the
consensus, else the reviewers' rating where they agree; GRADE-CERQual's methodological
limitations start from these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import pandas as pd

from evsynth._core.summary import Summary
from evsynth.appraisal.appraisal import AppraisalResult


@dataclass(frozen=True, slots=True)
class AppraisalDisagreement:
    """Two reviewers' independent appraisals of the same study that differ.

    Attributes
    ----------
    study, reports, checklist : str, tuple of str, str
        What was appraised, with which checklist.
    reviewers : tuple of (str, str)
        The two reviewers.
    questions : tuple of (str, str or None, str or None)
        ``(question, first reviewer's answer, second reviewer's answer)`` where they differ.
    ratings : tuple of (str or None, str or None)
        The two reviewers' ratings (recorded, else the rule's).
    resolved : bool
        Whether a consensus appraisal has been recorded for the study since.
    """

    study: str
    reports: tuple[str, ...]
    checklist: str
    reviewers: tuple[str, str]
    questions: tuple[tuple[str, str | None, str | None], ...]
    ratings: tuple[str | None, str | None]
    resolved: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "reports": list(self.reports),
            "checklist": self.checklist,
            "reviewers": list(self.reviewers),
            "questions": [{"question": q, "answers": [a, b]} for q, a, b in self.questions],
            "ratings": list(self.ratings),
            "resolved": self.resolved,
        }


def reviewer_disagreements(results: Sequence[AppraisalResult]) -> list[AppraisalDisagreement]:
    """Every pair of independent appraisals of one study that differ in an answer or rating.

    Examples
    --------
    >>> from evsynth.appraisal import Appraisal, appraise
    >>> base = {"1": "Yes", "2": "Yes", "3": "No", "4": "Yes", "5": "Yes", "6": "Yes", "7": "Yes"}
    >>> a = appraise(Appraisal(study="S1", checklist="casp-qualitative-scope2021",
    ...                        reviewer="ASc", answers=base))
    >>> b = appraise(Appraisal(study="S1", checklist="casp-qualitative-scope2021",
    ...                        reviewer="AB", answers={**base, "3": "Yes"}))
    >>> [d.questions for d in reviewer_disagreements([a, b])]
    [(('3', 'No', 'Yes'),)]
    """
    groups: dict[tuple[str, tuple[str, ...], str], list[AppraisalResult]] = {}
    consensus: set[tuple[str, tuple[str, ...], str]] = set()
    for r in results:
        key = (r.appraisal.study, r.appraisal.reports, r.appraisal.checklist)
        if r.appraisal.role == "consensus":
            consensus.add(key)
        else:
            groups.setdefault(key, []).append(r)
    out: list[AppraisalDisagreement] = []
    for key, members in groups.items():
        for first, second in combinations(members, 2):
            questions = []
            for q in first.checklist.questions:
                a = first.appraisal.answers.get(q.id)
                b = second.appraisal.answers.get(q.id)
                if (a.answer if a else None) != (b.answer if b else None):
                    questions.append((q.id, a.answer if a else None, b.answer if b else None))
            ratings = (first.rating, second.rating)
            if questions or ratings[0] != ratings[1]:
                out.append(
                    AppraisalDisagreement(
                        study=key[0],
                        reports=key[1],
                        checklist=key[2],
                        reviewers=(first.appraisal.reviewer, second.appraisal.reviewer),
                        questions=tuple(questions),
                        ratings=ratings,
                        resolved=key in consensus,
                    )
                )
    return out


@dataclass(frozen=True, slots=True)
class UnitRating:
    """The rating that stands for one appraised study (or report group) and checklist.

    ``rating`` is the consensus appraisal's (recorded, else the rule's), else the reviewers'
    where they all agree, else ``None`` with the reason in ``note``. ``rule_rating`` is what
    the rule gives for the same answers, so a reader sees where the two part.
    """

    study: str
    reports: tuple[str, ...]
    checklist: str
    rating: str | None
    rule_rating: str | None
    order: tuple[str, ...]
    note: str = ""


def unit_ratings(results: Sequence[AppraisalResult]) -> list[UnitRating]:
    """One :class:`UnitRating` per (study, reports, checklist), in the order first appraised."""
    groups: dict[tuple[str, tuple[str, ...], str], list[AppraisalResult]] = {}
    for r in results:
        groups.setdefault(
            (r.appraisal.study, r.appraisal.reports, r.appraisal.checklist), []
        ).append(r)
    out = []
    for (study, reports, checklist), members in groups.items():
        order = members[0].checklist.ratings
        agreed = [m for m in members if m.appraisal.role == "consensus"]
        chosen = agreed[-1:] or members
        ratings = {m.rating for m in chosen}
        rules = {m.rule_rating for m in chosen}
        if len(ratings) == 1:
            out.append(
                UnitRating(
                    study=study,
                    reports=reports,
                    checklist=checklist,
                    rating=ratings.pop(),
                    rule_rating=rules.pop() if len(rules) == 1 else None,
                    order=order,
                )
            )
        else:
            who = ", ".join(f"{m.appraisal.reviewer}: {m.rating}" for m in chosen)
            out.append(
                UnitRating(
                    study=study,
                    reports=reports,
                    checklist=checklist,
                    rating=None,
                    rule_rating=None,
                    order=order,
                    note=f"reviewers disagree ({who}) and no consensus is recorded",
                )
            )
    return out


def appraisal_matrix(
    results: Sequence[AppraisalResult],
    label: Callable[[str, tuple[str, ...]], str] | None = None,
) -> pd.DataFrame:
    """Questions down, appraised studies across, as Scope et al. (2021) lay out their Table 8.

    Cells are the answers with their comments; the last rows are the rule's rating, the
    recorded rating and a flag where they differ. All ``results`` must share one checklist.

    Parameters
    ----------
    results : sequence of AppraisalResult
        One per column (e.g. the consensus appraisals).
    label : callable, optional
        ``label(study, reports)`` gives a column heading; the study id by default.
    """
    if not results:
        return pd.DataFrame()
    checklist = results[0].checklist
    if any(r.checklist.id != checklist.id for r in results):
        raise ValueError("appraisal_matrix takes results of one checklist")
    name = label or (lambda study, reports: study)
    columns: dict[str, list[str]] = {}
    for r in results:
        a = r.appraisal
        heading = name(a.study, a.reports)
        shared = [o for o in results if o.appraisal.unit == a.unit]
        if len(shared) > 1 and a.role != "consensus":
            heading = f"{heading} [{a.reviewer}]"
        if heading in columns:
            heading = f"{heading} [{a.reviewer}, {a.role}]"
        cells = [str(a.answers[q.id]) if q.id in a.answers else "" for q in checklist.questions]
        cells += [r.rule_rating or "", r.recorded_rating or "", "disagrees" if r.disagrees else ""]
        columns[heading] = cells
    index = [q.text for q in checklist.questions] + [
        "Rating by the rule",
        "Recorded rating",
        "Rule and recorded rating",
    ]
    return pd.DataFrame(columns, index=pd.Index(index, name="Question"))


def appraisal_summary(results: Sequence[AppraisalResult]) -> Summary:
    """A display table: one row per appraisal with answers, the two ratings and the flag."""
    rows = []
    for r in results:
        a = r.appraisal
        answers = " ".join(
            a.answers[q.id].answer if q.id in a.answers else "-" for q in r.checklist.questions
        )
        rows.append(
            (
                a.study + (f" ({', '.join(a.reports)})" if a.reports else ""),
                a.checklist,
                a.reviewer,
                answers,
                r.rule_rating or "",
                r.recorded_rating or "",
                "DISAGREES" if r.disagrees else "",
            )
        )
    notes = tuple(f"{r.appraisal.study}: {r.flag()}" for r in results if r.disagrees)
    return Summary(
        title="Appraisals: answers, the rule's rating and the recorded rating",
        columns=("Study", "Checklist", "Reviewer", "Answers", "Rule", "Recorded", "Flag"),
        rows=tuple(rows),
        notes=notes,
    )
