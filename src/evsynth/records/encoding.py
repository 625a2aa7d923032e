"""Turn the bytes of an export file into text, or say why they are not text.

The rule, in order:

1. A byte-order mark decides: UTF-32, UTF-8 or UTF-16 (little or big endian).
2. Known binary signatures (PDF, ZIP containers such as .docx and .xlsx, Office 97-2003,
   gzip) and any NUL byte mean a binary file, which is refused with a message. A NUL byte
   also catches UTF-16 saved without a byte-order mark.
3. Without a byte-order mark, strict UTF-8 is tried first: valid UTF-8 is almost never
   anything else.
4. Otherwise Windows-1252, the encoding of older Windows exports: it agrees with Latin-1
   (ISO 8859-1) on every printable Latin-1 character and reads bytes 0x80-0x9F as the curly
   quotes and dashes such files mean. Bytes that Windows-1252 leaves undefined fall back to
   Latin-1, which accepts any byte. Both add a warning, because the guess may be wrong.

The text then has every U+FEFF removed (a mark left mid-file by concatenated exports would
otherwise hide the tag it precedes) and line ends normalised to ``"\\n"``.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from evsynth._core.errors import DataError, InputLocation

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian mark starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP container (e.g. .docx, .xlsx or .zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office 97-2003 file (e.g. .doc or .xls)"),
    (b"\x1f\x8b", "a gzip archive"),
)

_EXPORT_HINT = (
    "Export the records from the database as RIS, PubMed (MEDLINE/.nbib), EndNote XML, "
    "BibTeX, CSV or XLSX and read that file"
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text of a file, the encoding used, and warnings about the choice."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def bom_encoding(data: bytes) -> str | None:
    """The encoding announced by a byte-order mark at the start of ``data``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def binary_kind(data: bytes) -> str | None:
    """What kind of binary file ``data`` is, or ``None`` if it may be text."""
    if bom_encoding(data) in ("utf-16", "utf-32"):
        return None
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if b"\x00" in data[:65536]:
        return "a binary file (it contains NUL bytes; UTF-16 text needs a byte-order mark)"
    return None


def _finish(text: str) -> str:
    return text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")


def head_text(data: bytes, size: int = 65536) -> str | None:
    """Text of the first ``size`` bytes for sniffing, or ``None`` for a binary file.

    Decoding is lenient here because the cut may split a multi-byte character.
    """
    if binary_kind(data) is not None:
        return None
    encoding = bom_encoding(data) or "utf-8"
    return _finish(data[:size].decode(encoding, errors="replace"))


def decode(data: bytes, name: str) -> Decoded:
    """Decode ``data`` by the rule of this module; binary files raise :class:`DataError`."""
    kind = binary_kind(data)
    if kind is not None:
        raise DataError(
            f"this is {kind}, not a text export of records",
            location=InputLocation(file=name),
            hint=_EXPORT_HINT,
        )
    encoding = bom_encoding(data)
    if encoding is not None:
        try:
            return Decoded(_finish(data.decode(encoding)), encoding)
        except UnicodeDecodeError as exc:
            raise DataError(
                f"the file starts with a {encoding} byte-order mark but byte {exc.start} is "
                f"not valid {encoding}",
                location=InputLocation(file=name, line=data[: exc.start].count(b"\n") + 1),
                hint="Save the file again as UTF-8 and read it again",
            ) from None
    try:
        return Decoded(_finish(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        first_bad = f"byte 0x{data[exc.start]:02x} on line {line}"
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    label = "Windows-1252" if encoding == "cp1252" else "Latin-1"
    warning = (
        f"{name}: not valid UTF-8 ({first_bad}); decoded as {label}. "
        "Check accented characters, or save the file as UTF-8"
    )
    return Decoded(_finish(text), encoding, (warning,))
