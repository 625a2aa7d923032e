"""Reading and writing a project's qualitative files (TOML and CSV) as domain objects.

Every error names the file and, where it can, the entry and key, then says what to do; the
domain checks (unknown answers, studies that are not included...) are re-raised with the file
name in front. Writers are used by ``evsynth qdpx import`` and never overwrite a file.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth.appraisal import Answer, Appraisal, Checklist, checklist_from_mapping
from evsynth.extraction import (
    Excerpt,
    Framework,
    IncludedStudy,
    StudyReport,
    StudySet,
    framework_from_mapping,
    load_framework,
)
from evsynth.synthesis.qualitative import (
    Code,
    Coding,
    ComponentAssessment,
    Finding,
    SubTheme,
    ThematicSynthesis,
    Theme,
)


def read_toml(path: Path, label: str) -> dict[str, Any]:
    if not path.is_file():
        raise EvsynthError(f"{label}: no such file", hint="Check the path in evsynth.toml")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML ({exc})", location=InputLocation(file=label)) from None
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", location=InputLocation(file=label)) from None


def _in(label: str, exc: EvsynthError) -> EvsynthError:
    """A domain error with the file in front (a DataError keeps its own location)."""
    if isinstance(exc, DataError) and exc.location is not None:
        return exc
    return EvsynthError(f"{label}: {exc}")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _list(value: Any, where: InputLocation, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list):
        raise DataError(f"{what} must be a list of strings", location=where)
    return [str(v) for v in value]


def read_studies(path: Path, label: str) -> StudySet:
    """``[[studies]]`` tables: ``id``, ``label``, ``reports = [{ id, citation, ... }]``."""
    data = read_toml(path, label)
    studies = []
    for i, raw in enumerate(data.get("studies", [])):
        where = InputLocation(file=label, field=f"studies[{i}]")
        reports = []
        for r in raw.get("reports", []):
            if not isinstance(r, Mapping) or not _text(r.get("id")) or not _text(r.get("citation")):
                raise DataError("each report needs an id and a citation", location=where)
            reports.append(
                StudyReport(
                    id=str(r["id"]).strip(),
                    citation=str(r["citation"]).strip(),
                    record_key=_text(r.get("record_key")),
                    database=_text(r.get("database")),
                )
            )
        try:
            studies.append(
                IncludedStudy(
                    id=str(raw.get("id", "")).strip(),
                    label=str(raw.get("label", "")).strip(),
                    reports=tuple(reports),
                )
            )
        except EvsynthError as exc:
            raise DataError(str(exc), location=where) from None
    if not studies:
        raise DataError("no [[studies]] tables", location=InputLocation(file=label))
    try:
        return StudySet(tuple(studies))
    except EvsynthError as exc:
        raise _in(label, exc) from None


def read_checklist(path: Path, label: str) -> Checklist:
    return checklist_from_mapping(read_toml(path, label), file=label)


def read_framework(name: str, folder: Path) -> Framework:
    """A built-in framework by id, or a framework TOML file in the project."""
    if name.endswith(".toml"):
        return framework_from_mapping(read_toml(folder / name, name), file=name)
    return load_framework(name)


def _stamp(value: Any, where: InputLocation) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise DataError("date must be a TOML date or date-time (2019-02-12)", location=where)


def read_appraisals(path: Path, label: str) -> list[tuple[Appraisal, InputLocation]]:
    """An appraisal file: defaults at the top, then ``[[appraisals]]``.

    Each appraisal has ``study``, ``answers`` (question id to answer) and optionally
    ``reports``, ``comments`` (question id to the reviewer's words), ``rating``,
    ``domain_ratings``, ``note``, ``date``; ``checklist``, ``reviewer`` and ``role`` may be
    given at the top for every appraisal or per appraisal.
    """
    data = read_toml(path, label)
    out = []
    for i, raw in enumerate(data.get("appraisals", [])):
        where = InputLocation(file=label, field=f"appraisals[{i}]")
        merged = {k: v for k, v in data.items() if k != "appraisals"} | dict(raw)
        answers = merged.get("answers")
        if not isinstance(answers, Mapping):
            raise DataError(
                'answers must be a table such as { "1" = "Yes", "2" = "No" }', location=where
            )
        comments = merged.get("comments", {})
        if not isinstance(comments, Mapping):
            raise DataError("comments must be a table of question id to text", location=where)
        unknown = sorted(set(map(str, comments)) - set(map(str, answers)))
        if unknown:
            raise DataError(
                f"comments on question(s) {', '.join(unknown)}, which have no answer",
                location=where,
            )
        try:
            appraisal = Appraisal(
                study=str(merged.get("study", "")),
                checklist=str(merged.get("checklist", "")),
                reviewer=str(merged.get("reviewer", "")),
                answers={
                    str(q): Answer(str(a), _text(comments.get(q, comments.get(str(q)))))
                    for q, a in answers.items()
                },
                rating=_text(merged.get("rating")),
                domain_ratings={
                    str(k): str(v) for k, v in merged.get("domain_ratings", {}).items()
                },
                reports=tuple(_list(merged.get("reports"), where, "reports")),
                role=merged.get("role", "appraiser"),
                timestamp=_stamp(merged.get("date"), where),
                note=_text(merged.get("note")),
                event_id=f"{label}#{i + 1}",
            )
        except DataError:
            raise
        except EvsynthError as exc:
            raise DataError(str(exc), location=where) from None
        out.append((appraisal, where))
    if not out:
        raise DataError("no [[appraisals]] tables", location=InputLocation(file=label))
    return out


def read_excerpts(path: Path, label: str) -> list[Excerpt]:
    """A CSV with ``id, study, perspective, text`` and optionally ``category, report, page,
    speaker, extracted_by, checked_by, check, note``; text is kept exactly as written."""
    if not path.is_file():
        raise EvsynthError(f"{label}: no such file", hint="Check the path in evsynth.toml")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(
            f"cannot read the excerpts ({str(exc).splitlines()[0]})",
            location=InputLocation(file=label),
        ) from None
    needed = ["id", "study", "perspective", "text"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}; the file has {', '.join(frame.columns)}",
            location=InputLocation(file=label),
        )
    out = []
    for i, row in enumerate(frame.to_dict(orient="records")):
        where = InputLocation(file=label, line=i + 2)
        try:
            out.append(
                Excerpt(
                    id=row["id"].strip(),
                    study=row["study"].strip(),
                    text=row["text"],
                    perspective=row["perspective"].strip(),
                    category=_text(row.get("category")),
                    report=_text(row.get("report")),
                    page=_text(row.get("page")),
                    speaker=_text(row.get("speaker")),
                    extracted_by=_text(row.get("extracted_by")),
                    checked_by=_text(row.get("checked_by")),
                    check=_text(row.get("check")),  # type: ignore[arg-type]  # checked by Excerpt
                    note=_text(row.get("note")),
                )
            )
        except EvsynthError as exc:
            raise DataError(str(exc), location=where) from None
    return out


def _span(raw: Mapping[str, Any], text: str, where: InputLocation) -> tuple[int | None, int | None]:
    """A coding's span: ``start``/``end`` offsets, or ``quote`` (its first occurrence)."""
    quote = raw.get("quote")
    if quote is not None:
        if "start" in raw or "end" in raw:
            raise DataError("give either quote or start and end, not both", location=where)
        at = text.find(str(quote))
        if at < 0:
            raise DataError(
                f"the quote {str(quote)[:60]!r} is not in the excerpt's text",
                location=where,
                hint="copy the words exactly as the excerpt has them",
            )
        return at, at + len(str(quote))
    start, end = raw.get("start"), raw.get("end")
    for value in (start, end):
        if value is not None and not isinstance(value, int):
            raise DataError("start and end must be whole numbers", location=where)
    return start, end


def read_coding(path: Path, label: str, excerpts: Sequence[Excerpt]) -> dict[str, Any]:
    """``[[codes]]``, ``[[codings]]``, ``[[sub_themes]]``, ``[[themes]]`` as domain objects."""
    data = read_toml(path, label)
    texts = {e.id: e.text for e in excerpts}
    codes = [
        Code(
            id=str(c.get("id", "")),
            label=str(c.get("label", "")),
            description=_text(c.get("description")),
        )
        for c in data.get("codes", [])
    ]
    codings = []
    for i, raw in enumerate(data.get("codings", [])):
        where = InputLocation(file=label, field=f"codings[{i}]")
        excerpt = str(raw.get("excerpt", ""))
        if excerpt not in texts:
            raise DataError(f"excerpt {excerpt!r} is not among the excerpts", location=where)
        start, end = _span(raw, texts[excerpt], where)
        codings.append(
            Coding(
                excerpt=excerpt,
                code=str(raw.get("code", "")),
                start=start,
                end=end,
                coder=_text(raw.get("coder")),
            )
        )
    sub_themes = [
        SubTheme(
            id=str(s.get("id", "")),
            label=str(s.get("label", "")),
            codes=tuple(_list(s.get("codes"), InputLocation(file=label), "codes")),
            perspective=_text(s.get("perspective")),
            description=_text(s.get("description")),
        )
        for s in data.get("sub_themes", [])
    ]
    themes = [
        Theme(
            id=str(t.get("id", "")),
            label=str(t.get("label", "")),
            sub_themes=tuple(_list(t.get("sub_themes"), InputLocation(file=label), "sub_themes")),
            perspective=_text(t.get("perspective")),
            group=_text(t.get("group")),
            description=_text(t.get("description")),
        )
        for t in data.get("themes", [])
    ]
    groups = _list(data.get("groups"), InputLocation(file=label, field="groups"), "groups")
    return {
        "codes": codes,
        "codings": codings,
        "sub_themes": sub_themes,
        "themes": themes,
        "groups": groups,
    }


_COMPONENT_KEYS = ("methodological_limitations", "coherence", "adequacy", "relevance")


def read_findings(path: Path, label: str, studies: StudySet) -> tuple[list[Finding], str | None]:
    """``[[findings]]`` with ``id``, ``summary``, ``studies`` and/or ``reports``, optional
    component tables (``concern``, ``explanation``), ``confidence`` and its explanation."""
    data = read_toml(path, label)
    out = []
    for i, raw in enumerate(data.get("findings", [])):
        where = InputLocation(file=label, field=f"findings[{i}]")
        fid = str(raw.get("id", "")).strip() or f"#{i + 1}"
        try:
            named = _list(raw.get("studies"), where, "studies")
            reports = _list(raw.get("reports"), where, "reports")
            ids = studies.resolve(named, reports, context=f"finding {fid!r}")
            components: dict[str, ComponentAssessment | None] = {}
            for key in _COMPONENT_KEYS:
                value = raw.get(key)
                if value is None:
                    components[key] = None
                elif isinstance(value, Mapping):
                    components[key] = ComponentAssessment(
                        concern=str(value.get("concern", "")),  # type: ignore[arg-type]
                        explanation=str(value.get("explanation", "")),
                    )
                else:
                    raise DataError(
                        f'{key} must be a table such as {{ concern = "minor", explanation = "..." }}',
                        location=where,
                    )
            out.append(
                Finding(
                    id=fid,
                    summary=str(raw.get("summary", "")),
                    studies=ids,
                    reports=tuple(reports),
                    perspective=_text(raw.get("perspective")),
                    sub_theme=_text(raw.get("sub_theme")),
                    confidence=_text(raw.get("confidence")),  # type: ignore[arg-type]
                    confidence_explanation=_text(raw.get("confidence_explanation")),
                    source=_text(raw.get("source")),
                    note=_text(raw.get("note")),
                    **components,
                )
            )
        except DataError:
            raise
        except EvsynthError as exc:
            raise DataError(str(exc), location=where) from None
    if not out:
        raise DataError("no [[findings]] tables", location=InputLocation(file=label))
    return out, _text(data.get("note"))


def read_study_table(path: Path, label: str) -> pd.DataFrame:
    if not path.is_file():
        raise EvsynthError(f"{label}: no such file", hint="Check the path in evsynth.toml")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(
            f"cannot read the table ({str(exc).splitlines()[0]})",
            location=InputLocation(file=label),
        ) from None


def excerpts_csv(excerpts: Sequence[Excerpt]) -> str:
    """Excerpts as the CSV :func:`read_excerpts` reads."""
    columns = [
        "id", "study", "report", "page", "perspective", "category", "speaker", "text",
        "extracted_by", "checked_by", "check", "note",
    ]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for e in excerpts:
        writer.writerow(["" if getattr(e, c) is None else getattr(e, c) for c in columns])
    return buffer.getvalue()


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        out = ['"']
        for char in value:
            if char in ('"', "\\"):
                out.append("\\" + char)
            elif char == "\n":
                out.append("\\n")
            elif ord(char) < 0x20 or ord(char) == 0x7F:
                out.append(f"\\u{ord(char):04x}")
            else:
                out.append(char)
        return "".join(out) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _tables(name: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        lines.append(f"[[{name}]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in row.items() if v is not None]
        lines.append("")
    return lines


def coding_toml(synthesis: ThematicSynthesis) -> str:
    """Codes, codings, sub-themes and themes as the TOML :func:`read_coding` reads."""
    lines = ["# Codes, codings, sub-themes and themes (written by evsynth qdpx import).", ""]
    lines += _tables(
        "codes",
        [{"id": c.id, "label": c.label, "description": c.description} for c in synthesis.codes],
    )
    lines += _tables(
        "codings",
        [
            {"excerpt": c.excerpt, "code": c.code, "start": c.start, "end": c.end, "coder": c.coder}
            for c in synthesis.codings
        ],
    )
    lines += _tables(
        "sub_themes",
        [
            {
                "id": s.id,
                "label": s.label,
                "codes": list(s.codes),
                "perspective": s.perspective,
                "description": s.description,
            }
            for s in synthesis.sub_themes
        ],
    )
    lines += _tables(
        "themes",
        [
            {
                "id": t.id,
                "label": t.label,
                "sub_themes": list(t.sub_themes),
                "perspective": t.perspective,
                "group": t.group,
                "description": t.description,
            }
            for t in synthesis.themes
        ],
    )
    return "\n".join(lines)
