"""REFI-QDA projects (.qdpx): export, import, round trip, files from other programs, errors.

The structure checks use a schema written for this test from the REFI-QDA Project schema
(Project.xsd of 18 March 2019, namespace urn:QDA-XML:project:1.0): the element order of the
sequences evsynth writes, and the attributes that schema requires (Project name; GUIDs; Code
name and isCodable; PlainTextSelection start and end positions; Variable typeOfVariable).
"""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from evsynth._core.errors import DataError
from evsynth.extraction import Excerpt
from evsynth.synthesis.qualitative import (
    Code,
    Coding,
    SubTheme,
    Theme,
    from_qdpx,
    thematic_synthesis,
    to_qdpx,
)

NS = "urn:QDA-XML:project:1.0"
SCHEMA = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="{NS}" targetNamespace="{NS}" elementFormDefault="qualified">
  <xs:simpleType name="Guid"><xs:restriction base="xs:token">
    <xs:pattern value="[0-9a-fA-F]{{8}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{12}}"/>
  </xs:restriction></xs:simpleType>
  <xs:complexType name="Ref"><xs:attribute name="targetGUID" type="Guid" use="required"/></xs:complexType>
  <xs:complexType name="CodeT"><xs:sequence>
    <xs:element name="Description" type="xs:string" minOccurs="0"/>
    <xs:element name="Code" type="CodeT" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence>
    <xs:attribute name="guid" type="Guid" use="required"/>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="isCodable" type="xs:boolean" use="required"/>
  </xs:complexType>
  <xs:complexType name="CodingT"><xs:sequence><xs:element name="CodeRef" type="Ref"/></xs:sequence>
    <xs:attribute name="guid" type="Guid" use="required"/>
    <xs:attribute name="creatingUser" type="Guid"/>
  </xs:complexType>
  <xs:element name="Project"><xs:complexType><xs:sequence>
    <xs:element name="Users" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:element name="User" maxOccurs="unbounded"><xs:complexType>
        <xs:attribute name="guid" type="Guid" use="required"/><xs:attribute name="name" type="xs:string"/>
      </xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element>
    <xs:element name="CodeBook" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:element name="Codes"><xs:complexType><xs:sequence>
        <xs:element name="Code" type="CodeT" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="Variables" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:element name="Variable" maxOccurs="unbounded"><xs:complexType>
        <xs:attribute name="guid" type="Guid" use="required"/><xs:attribute name="name" type="xs:string" use="required"/>
        <xs:attribute name="typeOfVariable" type="xs:token" use="required"/>
      </xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element>
    <xs:element name="Cases" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:element name="Case" maxOccurs="unbounded"><xs:complexType><xs:sequence>
        <xs:element name="Description" type="xs:string" minOccurs="0"/>
        <xs:element name="SourceRef" type="Ref" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence><xs:attribute name="guid" type="Guid" use="required"/><xs:attribute name="name" type="xs:string"/>
      </xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element>
    <xs:element name="Sources" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:element name="TextSource" maxOccurs="unbounded"><xs:complexType><xs:sequence>
        <xs:element name="PlainTextSelection" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
          <xs:element name="Coding" type="CodingT" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence>
          <xs:attribute name="guid" type="Guid" use="required"/><xs:attribute name="name" type="xs:string"/>
          <xs:attribute name="startPosition" type="xs:integer" use="required"/>
          <xs:attribute name="endPosition" type="xs:integer" use="required"/>
          <xs:attribute name="creatingUser" type="Guid"/>
        </xs:complexType></xs:element>
        <xs:element name="Coding" type="CodingT" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element name="VariableValue" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
          <xs:element name="VariableRef" type="Ref"/><xs:element name="TextValue" type="xs:string"/>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence>
        <xs:attribute name="guid" type="Guid" use="required"/><xs:attribute name="name" type="xs:string"/>
        <xs:attribute name="plainTextPath" type="xs:string" use="required"/>
        <xs:attribute name="creatingUser" type="Guid"/>
      </xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element>
    <xs:element name="Sets" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:element name="Set" maxOccurs="unbounded"><xs:complexType><xs:sequence>
        <xs:element name="Description" type="xs:string" minOccurs="0"/>
        <xs:element name="MemberCode" type="Ref" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence><xs:attribute name="guid" type="Guid" use="required"/><xs:attribute name="name" type="xs:string" use="required"/>
      </xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element>
  </xs:sequence>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="origin" type="xs:string"/>
  </xs:complexType></xs:element>
</xs:schema>"""


def synthesis():  # type: ignore[no-untyped-def]
    excerpts = [
        Excerpt(
            id="E1",
            study="S2",
            report="chewgraham2011",
            perspective="patients",
            category="wanted",
            speaker="Patient",
            text="It was just an understanding from her – “naïve” but true",
            extracted_by="ASc",
            checked_by="AB",
            check="agreed",
        ),
        Excerpt(
            id="E2",
            study="S8",
            perspective="patients",
            text="I felt as if Dr. D was maybe thinking I was getting a bit lazy",
            page="41",
        ),
    ]
    return thematic_synthesis(
        excerpts,
        [
            Code("C1", "Being understood", "Support from the practitioner"),
            Code("C2", "Feeling blamed"),
            Code("C3", "Loose code"),
        ],
        [
            Coding("E1", "C1", start=12, end=37, coder="ASc"),
            Coding("E2", "C2"),
            Coding("E1", "C3", start=41, end=48),
        ],
        [
            SubTheme("P1", "Support", ("C1",), perspective="patients"),
            SubTheme("P2", "Lack of understanding", ("C2",)),
        ],
        [
            Theme(
                "T1",
                "Gaining support",
                ("P1",),
                perspective="patients",
                group="Valuable results",
                description="Table 9",
            ),
            Theme("T2", "Relationships", ("P1", "P2"), perspective="patients", group="Barriers"),
        ],
    )


def test_export_is_a_zip_of_project_qde_and_sources_and_valid_refi_qda_xml() -> None:
    data = to_qdpx(synthesis(), name="Example")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        qde = zf.read("project.qde")
        texts = {n: zf.read(n).decode("utf-8") for n in names if n.startswith("sources/")}
    assert names[0] == "project.qde" and len(texts) == 2
    root = etree.fromstring(qde)
    schema = etree.XMLSchema(etree.fromstring(SCHEMA.encode("utf-8")))
    assert schema.validate(root), schema.error_log
    q = {"q": NS}
    source = root.find("q:Sources/q:TextSource[@name='E1']", q)
    assert source is not None
    path = source.get("plainTextPath")
    assert path is not None and path.startswith("internal://")
    assert texts["sources/" + path.removeprefix("internal://")] == synthesis().excerpt("E1").text
    selection = source.find("q:PlainTextSelection", q)
    assert selection is not None and (
        selection.get("startPosition"),
        selection.get("endPosition"),
    ) == ("12", "37")
    # The sub-theme holds its code in the codebook; the themes are sets of sub-themes.
    support = root.find("q:CodeBook/q:Codes/q:Code[@name='Support']", q)
    assert support is not None and support.find("q:Code", q).get("name") == "Being understood"  # type: ignore[union-attr]
    assert [s.get("name") for s in root.findall("q:Sets/q:Set", q)] == [
        "Gaining support",
        "Relationships",
    ]


def test_export_is_reproducible() -> None:
    assert to_qdpx(synthesis(), name="Example") == to_qdpx(synthesis(), name="Example")


def test_round_trip_loses_nothing() -> None:
    before = synthesis()
    after = from_qdpx(to_qdpx(before, name="Example"))
    assert after.excerpts == before.excerpts
    assert after.codes == before.codes

    # Codings come back grouped by excerpt; their order carries no meaning.
    def key(c: Coding) -> tuple[str, str, int]:
        return (c.excerpt, c.code, -1 if c.start is None else c.start)

    assert sorted(after.codings, key=key) == sorted(before.codings, key=key)
    assert after.sub_themes == before.sub_themes
    assert after.themes == before.themes


def foreign(project: str, sources: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("project.qde", project)
        for name, text in (sources or {}).items():
            zf.writestr(name, text)
    return buffer.getvalue()


G = "0000000{}-0000-4000-8000-000000000000".format

NVIVO_LIKE = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="From another program" origin="Other QDA 1.0">
  <Users><User guid="{G(1)}" name="Reviewer A"/></Users>
  <CodeBook><Codes>
    <Code guid="{G(2)}" name="Relationships" isCodable="true">
      <Code guid="{G(3)}" name="Support" isCodable="true">
        <Code guid="{G(4)}" name="Being understood" isCodable="true"/>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Cases><Case guid="{G(5)}" name="S2"><SourceRef targetGUID="{G(6)}"/><SourceRef targetGUID="{G(7)}"/></Case></Cases>
  <Sources>
    <TextSource guid="{G(6)}" name="Interview 1"><PlainTextContent>It was just an understanding from her</PlainTextContent>
      <PlainTextSelection guid="{G(8)}" startPosition="12" endPosition="37" creatingUser="{G(1)}">
        <Coding guid="{G(9)}"><CodeRef targetGUID="{G(4)}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{G(7)}" name="Interview 2" plainTextPath="internal://{G(7)}.txt">
      <Coding guid="{G(0)}"><CodeRef targetGUID="{G(3)}"/></Coding>
    </TextSource>
  </Sources>
</Project>"""


def test_a_project_from_another_program_is_read_by_its_structure() -> None:
    s = from_qdpx(foreign(NVIVO_LIKE, {f"sources/{G(7)}.txt": "She listened."}))
    assert [(e.id, e.study, e.perspective) for e in s.excerpts] == [
        ("Interview 1", "S2", "unspecified"),
        ("Interview 2", "S2", "unspecified"),
    ]
    (theme,) = s.themes
    assert theme.label == "Relationships" and [s.sub_theme(x).label for x in theme.sub_themes] == [
        "Support"
    ]
    # A coding on the sub-theme itself becomes a code of the same name under it.
    support = s.sub_theme(theme.sub_themes[0])
    assert [s.code(c).label for c in support.codes] == ["Being understood", "Support"]
    assert (
        s.codings[0].coder == "Reviewer A"
        and s.coded_text(s.codings[0]) == "an understanding from her"
    )
    assert s.codings[1].start is None and s.coded_text(s.codings[1]) == "She listened."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip", "this is not a .qdpx file"),
        (foreign("<x/>").replace(b"project.qde", b"other.xml!!"), "has no project.qde"),
        (foreign("<Project"), "project.qde is not valid XML"),
        (foreign("<Project xmlns='urn:other' name='x'/>"), "not a REFI-QDA Project"),
        (foreign(NVIVO_LIKE), "refers to 'internal://"),
        (
            foreign(
                NVIVO_LIKE.replace("<Cases>", "<!--").replace("</Cases>", "-->"),
                {f"sources/{G(7)}.txt": "x"},
            ),
            "has no Study variable and is in no case",
        ),
        (
            foreign(
                NVIVO_LIKE.replace('startPosition="12"', 'startPosition="twelve"'),
                {f"sources/{G(7)}.txt": "x"},
            ),
            "no whole-number startPosition",
        ),
    ],
)
def test_unreadable_projects_are_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        from_qdpx(data, file="in.qdpx")
