"""Excerpts: data extracted verbatim from the included studies, with where they came from.

Scope et al. (2021, Data extraction strategy) extracted "all qualitative data identified in the
primary studies and relevant to the review question ... verbatim into general categories", and
a second reviewer checked every extraction. An :class:`Excerpt` keeps the text exactly as
given (no trimming inside, no re-wrapping), the study and report it comes from, the page, the
perspective and category of the framework, and the second reviewer's check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from evsynth._core.errors import EvsynthError, choice_error
from evsynth.extraction.framework import Framework
from evsynth.extraction.studies import StudySet

CheckStatus = Literal["agreed", "queried"]
CHECKS: tuple[CheckStatus, ...] = ("agreed", "queried")


@dataclass(frozen=True, slots=True, kw_only=True)
class Excerpt:
    """A piece of data extracted verbatim from a study.

    Parameters
    ----------
    id : str
        A unique id.
    study : str
        The included study it comes from.
    text : str
        The data, word for word (participants' words or the authors' reporting).
    perspective : str
        The framework's perspective (e.g. ``"patients"``).
    category : str, optional
        The framework's category within the perspective (e.g. ``"barriers"``).
    report : str, optional
        The report (paper) of the study it comes from.
    page : str, optional
        The page (or section) in the report.
    speaker : str, optional
        Who is speaking ("Patient", "GP"), as the source attributes the words.
    extracted_by, checked_by : str, optional
        The reviewer who extracted it and the second reviewer who checked it.
    check : {"agreed", "queried"}, optional
        The second reviewer's check: agreed, or queried (to discuss); ``None`` if not checked.
    note : str, optional
        Free text.
    """

    id: str
    study: str
    text: str
    perspective: str
    category: str | None = None
    report: str | None = None
    page: str | None = None
    speaker: str | None = None
    extracted_by: str | None = None
    checked_by: str | None = None
    check: CheckStatus | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        for name in ("id", "study", "perspective"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise EvsynthError(f"excerpt {name} {value!r} must be a non-empty string")
        if not isinstance(self.text, str) or not self.text.strip():
            raise EvsynthError(f"excerpt {self.id!r} has no text")
        if self.check is not None and self.check not in CHECKS:
            raise choice_error(f"check of excerpt {self.id!r}", self.check, CHECKS)
        if self.check is not None and not self.checked_by:
            raise EvsynthError(
                f"excerpt {self.id!r} has a check ({self.check}) but no checked_by",
                hint="name the second reviewer who checked it",
            )

    @property
    def location(self) -> str:
        """Report and page, for citing the excerpt: ``"peters2011, p. 4"``."""
        parts = [self.report or self.study]
        if self.page:
            parts.append(f"p. {self.page}")
        return ", ".join(parts)


def check_excerpts(
    excerpts: Iterable[Excerpt], framework: Framework, studies: StudySet
) -> tuple[Excerpt, ...]:
    """Check excerpts against the framework and the included studies; return them as a tuple.

    Raises an error for a repeated id, a study or report that is not included, a report that
    belongs to another study, or a perspective or category that is not in the framework.
    """
    out = tuple(excerpts)
    counts = Counter(e.id for e in out)
    repeated = sorted(i for i, n in counts.items() if n > 1)
    if repeated:
        raise EvsynthError(f"excerpt ids repeat: {', '.join(repeated[:10])}")
    for e in out:
        context = f"excerpt {e.id!r}"
        studies.study(e.study, context=context)
        if e.report is not None:
            owner = studies.study_of_report(e.report, context=context)
            if owner.id != e.study:
                raise EvsynthError(
                    f"{context}: report {e.report!r} belongs to study {owner.id}, not {e.study}"
                )
        try:
            perspective = framework.perspective(e.perspective)
            if e.category is not None:
                perspective.category(e.category)
        except EvsynthError as exc:
            raise EvsynthError(f"{context}: {exc}") from None
    return out


def excerpt_frame(excerpts: Sequence[Excerpt]) -> pd.DataFrame:
    """One row per excerpt, every field as a column."""
    columns = [
        "id", "study", "report", "page", "perspective", "category", "speaker", "text",
        "extracted_by", "checked_by", "check", "note",
    ]  # fmt: skip
    return pd.DataFrame([{c: getattr(e, c) for c in columns} for e in excerpts], columns=columns)


def extraction_counts(excerpts: Sequence[Excerpt], framework: Framework) -> pd.DataFrame:
    """Excerpts per framework category (rows) and study (columns), with zero where none."""
    index = [(p.id, c.id) for p in framework.perspectives for c in p.categories]
    studies = list(dict.fromkeys(e.study for e in excerpts))
    seen = Counter((e.perspective, e.category, e.study) for e in excerpts if e.category)
    return pd.DataFrame(
        {s: [seen.get((p, c, s), 0) for p, c in index] for s in studies},
        index=pd.MultiIndex.from_tuples(index, names=["perspective", "category"]),
        dtype=int,
    )
