"""PRISMA counts in the PRISMA2020 R package's CSV template, ready for its Shiny app or R code.

:func:`prisma_csv` returns the package's template (``PRISMA2020_template.csv``: columns
``data, node, box, description, boxtext, tooltips, url, n``) with the ``n`` column filled from a
:class:`~evsynth.screening.PrismaCounts`, so that a review can also draw its diagram with
``PRISMA2020::PRISMA_flowdiagram(PRISMA2020::PRISMA_data(read.csv(...)))`` (Haddaway et al.
2022, Campbell Systematic Reviews 18:e1230, doi:10.1002/cl2.1230).

Rows the screening data cannot fill keep the template's value: the title boxes, previous studies
(0 for a new review), records removed by automation tools or for other reasons (0: evsynth removes
only duplicates before screening) and the meta-analysis box (filled by the synthesis, not here).
Lists such as the reports excluded per reason are written as the template asks,
``"reason, n; reason, n"``; commas and semicolons inside a name would break that format and are
replaced by ``" /"``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

import pandas as pd

from evsynth.screening._prisma_template import TEMPLATE_CSV
from evsynth.screening.prisma import PrismaCounts

COLUMNS: tuple[str, ...] = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")


def template_rows() -> list[dict[str, str]]:
    """The unfilled template, one dict per row, in the template's order."""
    reader = csv.DictReader(io.StringIO(TEMPLATE_CSV))
    return [dict(row) for row in reader]


def _name(text: str) -> str:
    return text.replace(";", " /").replace(",", " /")


def _listing(counts: Mapping[str, int]) -> str:
    if not counts:
        return "NA"
    return "; ".join(f"{_name(name)}, {n}" for name, n in counts.items())


def prisma_values(counts: PrismaCounts) -> dict[str, str]:
    """The ``n`` value for each template row that the counts fill, keyed by its ``data`` id."""
    databases = {s: n for s, n in counts.identified_by_source.items() if s not in counts.registers}
    registers = {s: n for s, n in counts.identified_by_source.items() if s in counts.registers}
    other = counts.other_identified_by_method
    values: dict[str, int | str] = {
        "previous_studies": 0,
        "previous_reports": 0,
        "database_results": counts.identified_databases,
        "database_specific_results": _listing(databases),
        "register_results": counts.identified_registers,
        "register_specific_results": _listing(registers),
        "website_results": other.get("websites", 0),
        "organisation_results": other.get("organisations", 0),
        "citations_results": other.get("citation_searching", 0),
        "duplicates": counts.duplicates_removed,
        "excluded_automatic": 0,
        "excluded_other": 0,
        "records_screened": counts.records_screened,
        "records_excluded": counts.records_excluded,
        "dbr_sought_reports": counts.reports_sought,
        "dbr_notretrieved_reports": counts.reports_not_retrieved,
        "other_sought_reports": counts.other_reports_sought,
        "other_notretrieved_reports": counts.other_reports_not_retrieved,
        "dbr_assessed": counts.reports_assessed,
        "dbr_excluded": _listing(counts.reports_excluded_by_reason),
        "other_assessed": counts.other_reports_assessed,
        "other_excluded": _listing(counts.other_reports_excluded_by_reason),
        "new_studies": counts.studies_included,
        "new_reports": counts.reports_included,
        "total_studies": counts.studies_included,
        "total_reports": counts.reports_included,
    }
    return {key: str(value) for key, value in values.items()}


def prisma_table(counts: PrismaCounts) -> pd.DataFrame:
    """The filled template as a DataFrame of strings, one row per template row."""
    values = prisma_values(counts)
    rows = template_rows()
    for row in rows:
        if row["data"] in values:
            row["n"] = values[row["data"]]
    return pd.DataFrame(rows, columns=list(COLUMNS), dtype=str)


def prisma_csv(counts: PrismaCounts) -> str:
    """The PRISMA2020 package's template as CSV text with the ``n`` column filled.

    Parameters
    ----------
    counts : PrismaCounts
        From :func:`~evsynth.screening.prisma_counts`; it is not checked here, call
        :meth:`PrismaCounts.check` first to refuse a flow that does not add up.

    Returns
    -------
    str
        CSV text with the template's header and rows in the template's order; quoting as in
        the template (fields holding commas are quoted), ``\\n`` line endings.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    table = prisma_table(counts)
    for row in table.itertuples(index=False):
        writer.writerow(list(row))
    return buffer.getvalue()
