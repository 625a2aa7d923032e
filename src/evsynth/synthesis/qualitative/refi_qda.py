"""REFI-QDA project exchange (``.qdpx``): move coded excerpts to and from NVivo or ATLAS.ti.

The REFI-QDA Project standard (version 1.5, Rotterdam Exchange Format Initiative, 2019; schema
``Project.xsd`` of 18 March 2019, namespace ``urn:QDA-XML:project:1.0``) defines a ``.qdpx``
file as a zip holding ``project.qde`` (XML) and the sources it refers to (``sources/``, named in
``plainTextPath`` as ``internal://NAME``). evsynth writes:

* one ``TextSource`` per excerpt, whose plain text is the excerpt's text, with the excerpt's
  study, report, page, perspective, category, speaker and checks as ``VariableValue``\\s of
  ``Variables`` that name them;
* one ``Case`` per study, listing its excerpts (QDA programs group sources by case);
* the codebook as sub-themes with their codes beneath (``isCodable="true"``), and codes in no
  sub-theme at the top level;
* each coding as a ``PlainTextSelection`` (``startPosition``/``endPosition``: character
  offsets from 0, end exclusive) holding a ``Coding`` with a ``CodeRef``;
* each analytical theme as a ``Set`` whose ``MemberCode``\\s are its sub-themes (a sub-theme may
  sit in several themes, which a tree cannot show).

Element order follows the schema's sequences. evsynth's own ids, and what the schema has no
place for (a theme's group and perspective), travel in the last line of each ``Description``
as ``[evsynth] {json}``, so a round trip through evsynth loses nothing; other programs show
that line as part of the description. A project from another program is read by the same
rules: a code with grandchildren is a theme, a code with children a sub-theme, a leaf a code;
an excerpt's study comes from its ``Study`` variable or else from the case that holds it.
GUIDs are derived from the ids (UUID 5), so the same synthesis always gives the same file.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth.extraction import Excerpt, StudySet
from evsynth.synthesis.qualitative.coding import (
    Code,
    Coding,
    SubTheme,
    ThematicSynthesis,
    Theme,
    thematic_synthesis,
)

NS = "urn:QDA-XML:project:1.0"
_Q = f"{{{NS}}}"
_NAMESPACE = uuid.UUID("6f1c5e2a-3b3d-5c4e-9a57-2d0e8f1b7c11")
_ZIP_DATE = (2019, 3, 18, 0, 0, 0)  # fixed, so that the same synthesis gives the same bytes
_TRAILER = re.compile(r"\n?\[evsynth\] (\{.*\})\s*$")

# Excerpt fields written as source variables, in this order, with their names in the file.
_VARIABLES = (
    ("id", "evsynth excerpt id"),
    ("study", "Study"),
    ("report", "Report"),
    ("page", "Page"),
    ("perspective", "Perspective"),
    ("category", "Category"),
    ("speaker", "Speaker"),
    ("extracted_by", "Extracted by"),
    ("checked_by", "Checked by"),
    ("check", "Check"),
    ("note", "Note"),
)


def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"evsynth:{kind}:{key}"))


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, _Q + tag, {k: v for k, v in attrs.items()})


def _description(parent: etree._Element, text: str | None, meta: dict[str, Any]) -> None:
    body = (text or "").strip()
    trailer = "[evsynth] " + json.dumps(meta, ensure_ascii=False, sort_keys=True)
    _sub(parent, "Description").text = f"{body}\n{trailer}" if body else trailer


def to_qdpx(
    synthesis: ThematicSynthesis,
    *,
    name: str,
    studies: StudySet | None = None,
    created: datetime | None = None,
    origin: str = "evsynth",
) -> bytes:
    """The synthesis as a REFI-QDA project file (``.qdpx`` bytes).

    Parameters
    ----------
    synthesis : ThematicSynthesis
        Excerpts, codes, codings, sub-themes and themes.
    name : str
        The project's name.
    studies : StudySet, optional
        Gives each study's case a description (its label).
    created : datetime, optional
        Written as ``creationDateTime``; left out by default so the output is reproducible.
    origin : str, optional
        The ``origin`` attribute (the writing program).
    """
    root = etree.Element(_Q + "Project", nsmap={None: NS})
    root.set("name", name)
    root.set("origin", origin)
    if created is not None:
        root.set("creationDateTime", created.isoformat())
    people = list(
        dict.fromkeys(
            p
            for p in (
                *(c.coder for c in synthesis.codings),
                *(e.extracted_by for e in synthesis.excerpts),
                *(e.checked_by for e in synthesis.excerpts),
            )
            if p
        )
    )
    if people:
        users = _sub(root, "Users")
        for person in people:
            _sub(users, "User", guid=_guid("user", person), name=person)
    if synthesis.codes:
        codes = _sub(_sub(root, "CodeBook"), "Codes")
        placed: set[str] = set()
        for sub in synthesis.sub_themes:
            node = _sub(
                codes, "Code", guid=_guid("sub_theme", sub.id), name=sub.label, isCodable="true"
            )
            _description(
                node,
                sub.description,
                {"kind": "sub_theme", "id": sub.id, "perspective": sub.perspective},
            )
            for code_id in sub.codes:
                _code(node, synthesis.code(code_id))
                placed.add(code_id)
        for code in synthesis.codes:
            if code.id not in placed:
                _code(codes, code)
    variables = _sub(root, "Variables")
    for _, label in _VARIABLES:
        _sub(
            variables, "Variable", guid=_guid("variable", label), name=label, typeOfVariable="Text"
        )
    cases = _sub(root, "Cases")
    for study in dict.fromkeys(e.study for e in synthesis.excerpts):
        case = _sub(cases, "Case", guid=_guid("case", study), name=study)
        if studies is not None and study in studies.ids:
            _sub(case, "Description").text = studies.study(study).label
        for e in synthesis.excerpts:
            if e.study == study:
                _sub(case, "SourceRef", targetGUID=_guid("source", e.id))
    sources = _sub(root, "Sources")
    files: dict[str, str] = {}
    for e in synthesis.excerpts:
        guid = _guid("source", e.id)
        files[f"sources/{guid}.txt"] = e.text
        source = _sub(
            sources, "TextSource", guid=guid, name=e.id, plainTextPath=f"internal://{guid}.txt"
        )
        if e.extracted_by:
            source.set("creatingUser", _guid("user", e.extracted_by))
        whole = []
        for n, coding in enumerate(c for c in synthesis.codings if c.excerpt == e.id):
            if coding.start is None and coding.end is None:
                whole.append((n, coding))  # the whole source: a Coding on the TextSource itself
                continue
            start = 0 if coding.start is None else coding.start
            end = len(e.text) if coding.end is None else coding.end
            selection = _sub(
                source,
                "PlainTextSelection",
                guid=_guid("selection", f"{e.id}:{n}:{coding.code}:{start}:{end}"),
                name=synthesis.code(coding.code).label,
                startPosition=str(start),
                endPosition=str(end),
            )
            _coding(selection, e.id, n, coding)
        for n, coding in whole:
            _coding(source, e.id, n, coding)
        for field_name, label in _VARIABLES:
            value = getattr(e, field_name)
            if value is not None:
                vv = _sub(source, "VariableValue")
                _sub(vv, "VariableRef", targetGUID=_guid("variable", label))
                _sub(vv, "TextValue").text = str(value)
    if synthesis.themes:
        sets = _sub(root, "Sets")
        for theme in synthesis.themes:
            s = _sub(sets, "Set", guid=_guid("theme", theme.id), name=theme.label)
            _description(
                s,
                theme.description,
                {
                    "kind": "theme",
                    "id": theme.id,
                    "perspective": theme.perspective,
                    "group": theme.group,
                },
            )
            for sub_id in theme.sub_themes:
                _sub(s, "MemberCode", targetGUID=_guid("sub_theme", sub_id))
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("project.qde", date_time=_ZIP_DATE), xml)
        for path, text in files.items():
            zf.writestr(zipfile.ZipInfo(path, date_time=_ZIP_DATE), text.encode("utf-8"))
    return buffer.getvalue()


def _coding(parent: etree._Element, excerpt: str, n: int, coding: Coding) -> None:
    tag = _sub(parent, "Coding", guid=_guid("coding", f"{excerpt}:{n}:{coding.code}"))
    if coding.coder:
        tag.set("creatingUser", _guid("user", coding.coder))
        if parent.tag == _Q + "PlainTextSelection":
            parent.set("creatingUser", _guid("user", coding.coder))
    _sub(tag, "CodeRef", targetGUID=_guid("code", coding.code))


def _code(parent: etree._Element, code: Code) -> None:
    node = _sub(parent, "Code", guid=_guid("code", code.id), name=code.label, isCodable="true")
    _description(node, code.description, {"kind": "code", "id": code.id})


@dataclass
class _Node:
    guid: str
    name: str
    description: str | None
    meta: dict[str, Any]
    children: list[_Node]

    @property
    def depth(self) -> int:
        return 1 + max((c.depth for c in self.children), default=0)


def _split(text: str | None) -> tuple[str | None, dict[str, Any]]:
    if not text:
        return None, {}
    match = _TRAILER.search(text)
    if not match:
        return text.strip() or None, {}
    try:
        meta = json.loads(match.group(1))
    except json.JSONDecodeError:
        return text.strip() or None, {}
    body = text[: match.start()].strip()
    return body or None, meta if isinstance(meta, dict) else {}


def _read_node(element: etree._Element) -> _Node:
    body, meta = _split(element.findtext(_Q + "Description"))
    return _Node(
        guid=element.get("guid", ""),
        name=element.get("name", ""),
        description=body,
        meta=meta,
        children=[_read_node(c) for c in element.findall(_Q + "Code")],
    )


def _short(guid: str) -> str:
    return guid.strip("{}").split("-")[0]


def from_qdpx(data: bytes, *, file: str = "<qdpx>") -> ThematicSynthesis:
    """Read a REFI-QDA project (``.qdpx`` bytes) into a :class:`ThematicSynthesis`.

    Raises
    ------
    DataError
        When the file is not a qdpx zip, has no ``project.qde``, is not REFI-QDA XML, refers to
        a source text that is not in the file, or has an excerpt whose study cannot be told.
    """
    where = InputLocation(file=file)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DataError(
            "this is not a .qdpx file (not a zip archive)",
            location=where,
            hint="Export the project from NVivo or ATLAS.ti as a REFI-QDA project (.qdpx)",
        ) from None
    with archive:
        names = set(archive.namelist())
        qde = next((n for n in names if n.lower().endswith("project.qde")), None)
        if qde is None:
            raise DataError("the .qdpx file has no project.qde", location=where)
        try:
            root = etree.fromstring(
                archive.read(qde), parser=etree.XMLParser(resolve_entities=False, no_network=True)
            )
        except etree.XMLSyntaxError as exc:
            raise DataError(f"project.qde is not valid XML ({exc})", location=where) from None
        if root.tag != _Q + "Project":
            raise DataError(
                f"project.qde's root is {root.tag}, not a REFI-QDA Project ({NS})", location=where
            )
        texts = {n: archive.read(n) for n in names if n != qde and not n.endswith("/")}
    return _synthesis(root, texts, where)


def _source_text(element: etree._Element, texts: dict[str, bytes], where: InputLocation) -> str:
    content = element.findtext(_Q + "PlainTextContent")
    if content is not None:
        return str(content)
    path = element.get("plainTextPath", "")
    if path.startswith("internal://"):
        target = "sources/" + path.removeprefix("internal://")
        for candidate, raw in texts.items():
            if (
                candidate == target
                or candidate.endswith("/" + target)
                or candidate.endswith(target)
            ):
                return raw.decode("utf-8-sig")
    raise DataError(
        f"source {element.get('name')!r} refers to {path!r}, which is not in the file",
        location=where,
        hint="Export the project with its sources included",
    )


def _synthesis(
    root: etree._Element, texts: dict[str, bytes], where: InputLocation
) -> ThematicSynthesis:
    users = {
        u.get("guid"): u.get("name") or _short(u.get("guid", "")) for u in root.iter(_Q + "User")
    }
    variables = {v.get("guid"): v.get("name", "") for v in root.iter(_Q + "Variable")}
    case_of: dict[str, str] = {}
    for case in root.iter(_Q + "Case"):
        for ref in case.findall(_Q + "SourceRef"):
            case_of[ref.get("targetGUID", "")] = case.get("name") or _short(case.get("guid", ""))
    book = root.find(f"{_Q}CodeBook/{_Q}Codes")
    tops = [_read_node(c) for c in book.findall(_Q + "Code")] if book is not None else []
    codes: dict[str, Code] = {}
    subs: dict[str, SubTheme] = {}
    themes: dict[str, Theme] = {}
    code_by_guid: dict[str, str] = {}
    sub_by_guid: dict[str, str] = {}

    def add_code(node: _Node) -> str:
        cid = str(node.meta.get("id") or f"code-{_short(node.guid)}")
        codes[cid] = Code(id=cid, label=node.name, description=node.description)
        code_by_guid[node.guid] = cid
        return cid

    def add_sub(node: _Node) -> str:
        sid = str(node.meta.get("id") or f"sub-{_short(node.guid)}")
        # A tree deeper than theme > sub-theme > code: the deeper levels are read as codes.
        members = tuple(add_code(c) for c in node.children)
        subs[sid] = SubTheme(
            id=sid,
            label=node.name,
            codes=tuple(m for m in members if m in codes),
            perspective=node.meta.get("perspective"),
            description=node.description,
        )
        sub_by_guid[node.guid] = sid
        return sid

    for top in tops:
        kind = top.meta.get("kind")
        if kind == "code" or (kind is None and not top.children):
            add_code(top)
        elif kind == "theme" or (kind is None and top.depth >= 3):
            tid = str(top.meta.get("id") or f"theme-{_short(top.guid)}")
            members = tuple(add_sub(c) for c in top.children if c.children) + tuple(
                add_code(c) for c in top.children if not c.children
            )
            themes[tid] = Theme(
                id=tid,
                label=top.name,
                sub_themes=tuple(m for m in members if m in subs),
                perspective=top.meta.get("perspective"),
                group=top.meta.get("group"),
                description=top.description,
            )
        else:
            add_sub(top)
    for s in root.iter(_Q + "Set"):
        body, meta = _split(s.findtext(_Q + "Description"))
        if meta.get("kind") != "theme":
            continue
        tid = str(meta.get("id") or f"theme-{_short(s.get('guid', ''))}")
        members = tuple(
            sub_by_guid[m.get("targetGUID", "")]
            for m in s.findall(_Q + "MemberCode")
            if m.get("targetGUID", "") in sub_by_guid
        )
        themes[tid] = Theme(
            id=tid,
            label=s.get("name", tid),
            sub_themes=members,
            perspective=meta.get("perspective"),
            group=meta.get("group"),
            description=body,
        )
    excerpts: list[Excerpt] = []
    codings: list[Coding] = []
    for source in root.iter(_Q + "TextSource"):
        excerpt = _excerpt(source, variables, case_of, texts, where)
        excerpts.append(excerpt)
        selections: list[tuple[etree._Element | None, list[etree._Element]]] = [
            (s, s.findall(_Q + "Coding")) for s in source.findall(_Q + "PlainTextSelection")
        ]
        selections.append((None, source.findall(_Q + "Coding")))
        for selection, tags in selections:
            for tag in tags:
                ref = tag.find(_Q + "CodeRef")
                target = "" if ref is None else ref.get("targetGUID", "")
                code_id = _coded(target, codes, code_by_guid, subs, sub_by_guid, where)
                coder = tag.get("creatingUser") or (
                    None if selection is None else selection.get("creatingUser")
                )
                start, end = (None, None) if selection is None else _span(selection, where)
                codings.append(
                    Coding(
                        excerpt=excerpt.id,
                        code=code_id,
                        start=start,
                        end=end,
                        coder=users.get(coder, coder) if coder else None,
                    )
                )
    try:
        return thematic_synthesis(excerpts, codes.values(), codings, subs.values(), themes.values())
    except EvsynthError as exc:
        raise DataError(f"the project does not hold together: {exc}", location=where) from None


def _span(selection: etree._Element, where: InputLocation) -> tuple[int, int]:
    try:
        return int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
    except ValueError:
        raise DataError(
            f"selection {selection.get('name') or selection.get('guid')!r} has no whole-number "
            "startPosition and endPosition",
            location=where,
        ) from None


def _excerpt(
    source: etree._Element,
    variables: dict[str | None, str],
    case_of: dict[str, str],
    texts: dict[str, bytes],
    where: InputLocation,
) -> Excerpt:
    guid = source.get("guid", "")
    values: dict[str, str | None] = {}
    for vv in source.findall(_Q + "VariableValue"):
        ref = vv.find(_Q + "VariableRef")
        if ref is not None:
            values[variables.get(ref.get("targetGUID"), "")] = vv.findtext(_Q + "TextValue")
    fields = {f: values.get(label) for f, label in _VARIABLES}
    study = fields["study"] or case_of.get(guid)
    if not study:
        raise DataError(
            f"source {source.get('name') or guid!r} has no Study variable and is in no case",
            location=where,
            hint="evsynth needs the study of every excerpt: put each source in a case named "
            "after its study",
        )
    try:
        return Excerpt(
            id=fields["id"] or source.get("name") or _short(guid),
            study=study,
            text=_source_text(source, texts, where),
            perspective=fields["perspective"] or "unspecified",
            category=fields["category"],
            report=fields["report"],
            page=fields["page"],
            speaker=fields["speaker"],
            extracted_by=fields["extracted_by"],
            checked_by=fields["checked_by"],
            check=fields["check"],  # type: ignore[arg-type]  # checked by Excerpt
            note=fields["note"],
        )
    except DataError:
        raise
    except EvsynthError as exc:
        raise DataError(f"source {source.get('name') or guid!r}: {exc}", location=where) from None


def _coded(
    target: str,
    codes: dict[str, Code],
    code_by_guid: dict[str, str],
    subs: dict[str, SubTheme],
    sub_by_guid: dict[str, str],
    where: InputLocation,
) -> str:
    """The code a coding refers to; a coding on a sub-theme gets a code of the same name."""
    if target in code_by_guid:
        return code_by_guid[target]
    if target in sub_by_guid:
        sid = sub_by_guid[target]
        cid = f"{sid}-direct"
        if cid not in codes:
            codes[cid] = Code(id=cid, label=subs[sid].label)
            old = subs[sid]
            subs[sid] = SubTheme(
                id=old.id,
                label=old.label,
                codes=(*old.codes, cid),
                perspective=old.perspective,
                description=old.description,
            )
        return cid
    raise DataError(f"a coding refers to code {target!r}, which the codebook lacks", location=where)


def qdpx_members(data: bytes) -> Iterable[str]:
    """The names of the files inside a ``.qdpx`` archive (for checks and messages)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return tuple(zf.namelist())
