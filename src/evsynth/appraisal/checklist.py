"""Appraisal checklists as data files: questions, answer options, ratings and a rule.

A checklist is a TOML file. evsynth ships three (``evsynth/appraisal/checklists/``):

* ``casp-qualitative-scope2021``: the 7-question adaptation of the CASP qualitative checklist
  that Scope et al. (2021, Table 2) applied, with answers Yes / Somewhat / No / Can't tell and
  their rule (all criteria met: high; one not met: moderate; more than one: low).
* ``casp-qualitative``: the standard 10-question CASP Qualitative Studies Checklist (CASP 2018).
* ``rob2``: the Cochrane RoB 2 tool for individually randomised parallel-group trials (effect of
  assignment to intervention; Sterne et al. 2019), with its algorithms.

A review adds its own checklist by writing a file of the same shape and listing it in the
project's ``[qualitative] checklists``; no code is needed. The shape::

    id = "my-checklist"
    name = "..."
    citation = "..."
    answers = ["Yes", "No", "Can't tell"]   # options of every question unless it says otherwise
    ratings = ["High", "Moderate", "Low"]   # best first

    [[questions]]
    id = "1"
    text = "Is ...?"
    label = "Short label"                   # optional, for tables
    # answers = [...]  own options; answers = [] for a free-text question
    # domain = "D1"    for tools with domains ([[domains]] id, name)

    [rule]                                   # optional; see evsynth.appraisal.rules
    kind = "count"
    met = ["Yes"]
    levels = [{ not_met_at_most = 0, rating = "High" }, { rating = "Low" }]
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth._core.summary import Summary
from evsynth.appraisal.rules import Rule, parse_rule


def normalise_answer(text: str) -> str:
    """Case, spacing and apostrophes folded, so that "can’t  tell" matches "Can't tell"."""
    folded = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(folded.split()).casefold()


@dataclass(frozen=True, slots=True)
class Question:
    """One checklist question.

    Parameters
    ----------
    id : str
        The question's number or code as the tool gives it ("3", "1.2").
    text : str
        The question as worded in the tool.
    options : tuple of str
        The allowed answers; empty for a free-text question (answered in words, not rated).
    domain : str, optional
        The domain the question belongs to (RoB 2).
    label : str, optional
        A short label for tables.
    """

    id: str
    text: str
    options: tuple[str, ...]
    domain: str | None = None
    label: str | None = None

    @property
    def free_text(self) -> bool:
        return not self.options

    @property
    def short(self) -> str:
        return self.label or self.text


@dataclass(frozen=True, slots=True)
class Domain:
    """A group of signalling questions with its own judgement (RoB 2's five domains)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Checklist:
    """An appraisal tool: its questions, answer options, ratings and the rule that rates.

    Build one with :func:`parse_checklist` (from TOML text) or :func:`load_checklist` (a
    built-in by name). ``ratings`` run from best to worst.
    """

    id: str
    name: str
    questions: tuple[Question, ...]
    ratings: tuple[str, ...]
    rule: Rule | None = None
    domains: tuple[Domain, ...] = ()
    citation: str | None = None
    design: str | None = None
    rule_note: str | None = None

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise EvsynthError(
            f"checklist {self.id!r} has no question {question_id!r}; its questions are "
            f"{', '.join(q.id for q in self.questions)}"
        )

    def answer(self, question_id: str, given: str) -> str:
        """The canonical spelling of ``given`` for a question, or an error listing the options."""
        question = self.question(question_id)
        if question.free_text:
            return given
        wanted = normalise_answer(given)
        for option in question.options:
            if normalise_answer(option) == wanted:
                return option
        raise EvsynthError(
            f"{given!r} is not an answer to question {question.id} of {self.id}; choose one "
            f"of {', '.join(question.options)}"
        )

    def rating(self, given: str, what: str = "rating") -> str:
        """The canonical spelling of a rating, or an error listing the ratings."""
        wanted = normalise_answer(given)
        for option in self.ratings:
            if normalise_answer(option) == wanted:
                return option
        raise EvsynthError(
            f"{what} {given!r} is not a rating of {self.id}; choose one of {', '.join(self.ratings)}"
        )

    def domain(self, domain_id: str) -> Domain:
        for d in self.domains:
            if d.id == domain_id:
                return d
        raise EvsynthError(
            f"checklist {self.id!r} has no domain {domain_id!r}"
            + (f"; its domains are {', '.join(d.id for d in self.domains)}" if self.domains else "")
        )

    def describe_rule(self) -> str:
        """The rule in words, or a note that the checklist has none."""
        if self.rule is None:
            return "This checklist has no rule; only the reviewers' ratings are reported."
        text = self.rule.describe()
        return f"{text} {self.rule_note}" if self.rule_note else text

    def to_frame(self) -> pd.DataFrame:
        """One row per question: id, domain, text, answer options."""
        return pd.DataFrame(
            {
                "question": [q.id for q in self.questions],
                "domain": [q.domain for q in self.questions],
                "text": [q.text for q in self.questions],
                "answers": [" / ".join(q.options) or "(free text)" for q in self.questions],
            }
        )

    def summary(self) -> Summary:
        return Summary(
            title=self.name,
            columns=("Question", "Text", "Answers"),
            rows=tuple(
                (q.id, q.text, " / ".join(q.options) or "(free text)") for q in self.questions
            ),
            notes=(self.describe_rule(),),
        )


def _text(table: Mapping[str, Any], key: str, where: InputLocation, required: bool = True) -> Any:
    value = table.get(key)
    if value is None:
        if required:
            raise DataError(f"'{key}' is missing", location=where)
        return None
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"'{key}' must be a non-empty string", location=where)
    return value.strip()


def _options(value: Any, where: InputLocation) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataError("answers must be a list of non-empty strings", location=where)
    options = tuple(v.strip() for v in value)
    if len({normalise_answer(v) for v in options}) != len(options):
        raise DataError(f"answers repeat an option: {', '.join(options)}", location=where)
    return options


def checklist_from_mapping(data: Mapping[str, Any], *, file: str) -> Checklist:
    """Build and check a :class:`Checklist` from a parsed TOML table (see the module docs)."""
    top = InputLocation(file=file)
    known = {
        "id", "name", "citation", "design", "answers", "ratings", "questions", "domains",
        "rule", "rule_note",
    }  # fmt: skip
    unknown = sorted(set(data) - known)
    if unknown:
        raise DataError(
            f"unknown key(s) {', '.join(unknown)}; a checklist has {', '.join(sorted(known))}",
            location=top,
        )
    checklist_id = _text(data, "id", InputLocation(file=file, field="id"))
    default = (
        _options(data["answers"], InputLocation(file=file, field="answers"))
        if "answers" in data
        else ()
    )
    ratings = _options(data.get("ratings"), InputLocation(file=file, field="ratings"))
    domains = tuple(
        Domain(
            id=_text(d, "id", InputLocation(file=file, field=f"domains[{i}]")),
            name=_text(d, "name", InputLocation(file=file, field=f"domains[{i}]")),
        )
        for i, d in enumerate(data.get("domains", []))
    )
    domain_ids = tuple(d.id for d in domains)
    questions: list[Question] = []
    for i, raw in enumerate(data.get("questions", [])):
        where = InputLocation(file=file, field=f"questions[{i}]")
        qid = raw.get("id")
        if isinstance(qid, int):
            qid = str(qid)
        if not isinstance(qid, str) or not qid.strip():
            raise DataError("each question needs an id", location=where)
        if any(q.id == qid for q in questions):
            raise DataError(f"question id {qid!r} repeats", location=where)
        options = _options(raw["answers"], where) if raw.get("answers") else ()
        if "answers" not in raw:
            if not default:
                raise DataError(
                    f"question {qid} has no answers and the checklist no default 'answers'",
                    location=where,
                )
            options = default
        domain = raw.get("domain")
        if domain is not None and domain not in domain_ids:
            raise DataError(
                f"question {qid} is in unknown domain {domain!r}; domains: "
                f"{', '.join(domain_ids) or '(none)'}",
                location=where,
            )
        questions.append(
            Question(
                id=qid,
                text=_text(raw, "text", where),
                options=options,
                domain=domain,
                label=_text(raw, "label", where, required=False),
            )
        )
    if not questions:
        raise DataError("a checklist needs at least one [[questions]] table", location=top)
    rule = None
    if "rule" in data:
        rule = parse_rule(
            data["rule"],
            answers={q.id: q.options for q in questions},
            ratings=ratings,
            domains=domain_ids,
            file=file,
        )
    return Checklist(
        id=checklist_id,
        name=_text(data, "name", InputLocation(file=file, field="name")),
        questions=tuple(questions),
        ratings=ratings,
        rule=rule,
        domains=domains,
        citation=_text(data, "citation", top, required=False),
        design=_text(data, "design", top, required=False),
        rule_note=_text(data, "rule_note", top, required=False),
    )


def parse_checklist(text: str, *, file: str = "<checklist>") -> Checklist:
    """A :class:`Checklist` from the text of a checklist TOML file.

    Examples
    --------
    >>> checklist = parse_checklist('''
    ... id = "tiny"
    ... name = "Tiny checklist"
    ... answers = ["Yes", "No"]
    ... ratings = ["Good", "Poor"]
    ... [[questions]]
    ... id = "1"
    ... text = "Are the aims clear?"
    ... [rule]
    ... kind = "count"
    ... met = ["Yes"]
    ... levels = [{ not_met_at_most = 0, rating = "Good" }, { rating = "Poor" }]
    ... ''')
    >>> checklist.rule.rate({"1": "No"}).rating
    'Poor'
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML ({exc})", location=InputLocation(file=file)) from None
    return checklist_from_mapping(data, file=file)


BUILTIN = ("casp-qualitative-scope2021", "casp-qualitative", "rob2")


@cache
def _builtin(name: str) -> Checklist:
    path = resources.files("evsynth.appraisal") / "checklists" / f"{name}.toml"
    return parse_checklist(
        path.read_text(encoding="utf-8"), file=f"evsynth/appraisal/checklists/{name}.toml"
    )


def builtin_checklists() -> dict[str, Checklist]:
    """The checklists shipped with evsynth, by id."""
    return {name: _builtin(name) for name in BUILTIN}


def load_checklist(name: str, extra: Mapping[str, Checklist] | None = None) -> Checklist:
    """A checklist by id: one of ``extra`` (a project's own), else a built-in.

    Examples
    --------
    >>> load_checklist("casp-qualitative-scope2021").ratings
    ('High', 'Moderate', 'Low')
    """
    if extra and name in extra:
        return extra[name]
    if name in BUILTIN:
        return _builtin(name)
    known = [*BUILTIN, *(extra or {})]
    raise EvsynthError(
        f"checklist {name!r} is not known; choose one of {', '.join(known)}",
        hint="or add the checklist's TOML file to [qualitative] checklists in evsynth.toml",
    )
