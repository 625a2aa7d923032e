"""Bibliographic records: read database exports into normalised :class:`Record` objects.

:func:`read_records` reads one export file (RIS, Web of Science plain text, PubMed
MEDLINE/.nbib, EndNote XML, BibTeX, CSV or XLSX; more through plug-ins registered in the
``evsynth.readers`` entry-point group, see :mod:`evsynth.records.registry`) and returns a
:class:`ReadResult`: the records, the format, the source database, the file's SHA-256 and
any warnings. :func:`records_to_frame` tabulates records.

Error policy
------------
A problem with the whole file raises :class:`~evsynth._core.errors.DataError`: a missing,
empty or binary file, a format that cannot be recognised, a format other than the one asked
for, a file with no records, malformed XML, a CSV without a title or abstract column.

A record that cannot be read (a RIS record without ``ER`` before the next ``TY`` or before
the end of a truncated file, tagged lines without ``TY``, a damaged MEDLINE line, a BibTeX
block that does not parse, a CSV row with the wrong number of values) is a *bad record*.
By default (``on_error="raise"``) a file with any bad record is rejected as a whole and
nothing is imported, because a silently missing record is a study silently missing from the
review; the error names the first bad record's line and how many others there are. With
``on_error="skip"`` the bad records are left out, counted in ``ReadResult.n_skipped`` and
each described in ``ReadResult.warnings``. If no record at all can be read, the file is
rejected either way.

A field that is present but unusable does not make a record bad: a year with no four-digit
year in it (``PY  - 10 15``) leaves ``year`` empty and adds a warning naming the file, line
or row, and field; ``Record.original`` keeps the value as written. Lines outside any record
(Ovid's links after ``ER``, record numbers) are ignored with one warning listing them.

Encodings are detected by the rule in :mod:`evsynth.records.encoding`: byte-order mark,
then UTF-8, then Windows-1252/Latin-1 with a warning; binary files are refused.
"""

from evsynth.records.model import FRAME_COLUMNS, ReadResult, Record, records_to_frame
from evsynth.records.read import read_records
from evsynth.records.registry import ENTRY_POINT_GROUP, Reader, available_readers, get_reader

__all__ = [
    "ENTRY_POINT_GROUP",
    "FRAME_COLUMNS",
    "ReadResult",
    "Reader",
    "Record",
    "available_readers",
    "get_reader",
    "read_records",
    "records_to_frame",
]
