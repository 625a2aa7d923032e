"""Thematic synthesis: codes on excerpts, descriptive sub-themes, analytical themes.

Thomas & Harden (2008, doi:10.1186/1471-2288-8-45) describe three stages: line-by-line coding
of the extracted text, the organisation of codes into descriptive themes that stay close to the
primary studies, and analytical themes that go beyond them. Here:

* a :class:`Coding` applies a :class:`Code` to a span of an excerpt's text (``start`` and
  ``end`` are character offsets, end exclusive, the whole text by default);
* a :class:`SubTheme` groups codes (each code sits in at most one sub-theme);
* a :class:`Theme` groups sub-themes, with a perspective and a group (Scope et al. 2021,
  Table 9: valuable results, facilitators, barriers, adverse effects).

:class:`ThematicSynthesis` holds the whole structure, checked, and answers the questions a
review asks of it: which studies support a code (the code-by-study matrix), which excerpts
support a theme, and the key-findings matrix of themes by group and perspective.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from evsynth._core.errors import EvsynthError
from evsynth._core.summary import Summary
from evsynth.extraction import Excerpt


@dataclass(frozen=True, slots=True)
class Code:
    """A code: a label for a meaning found in the data."""

    id: str
    label: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Coding:
    """One code applied to a span of one excerpt (``start``/``end``: offsets, end exclusive)."""

    excerpt: str
    code: str
    start: int | None = None
    end: int | None = None
    coder: str | None = None


@dataclass(frozen=True, slots=True)
class SubTheme:
    """A descriptive theme: codes grouped by meaning, close to the primary studies."""

    id: str
    label: str
    codes: tuple[str, ...]
    perspective: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    """An analytical theme: sub-themes read together to go beyond the primary studies."""

    id: str
    label: str
    sub_themes: tuple[str, ...]
    perspective: str | None = None
    group: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class SupportingExcerpt:
    """An excerpt that supports a theme, the code that links it and the coded words."""

    excerpt: Excerpt
    code: Code
    sub_theme: SubTheme
    text: str


def _unique(items: Sequence[Code] | Sequence[SubTheme] | Sequence[Theme], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if not item.id.strip() or not item.label.strip():
            raise EvsynthError(f"every {what} needs an id and a label ({item!r})")
        if item.id in seen:
            raise EvsynthError(f"{what} id {item.id!r} repeats")
        seen.add(item.id)


@dataclass(frozen=True, slots=True)
class ThematicSynthesis:
    """Excerpts, codes, codings, sub-themes and themes, checked against each other.

    Build one with :func:`thematic_synthesis`.
    """

    excerpts: tuple[Excerpt, ...]
    codes: tuple[Code, ...]
    codings: tuple[Coding, ...]
    sub_themes: tuple[SubTheme, ...]
    themes: tuple[Theme, ...]

    def excerpt(self, excerpt_id: str) -> Excerpt:
        for e in self.excerpts:
            if e.id == excerpt_id:
                return e
        raise EvsynthError(f"excerpt {excerpt_id!r} is not in the synthesis")

    def code(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise EvsynthError(
            f"code {code_id!r} is not defined; codes: {', '.join(c.id for c in self.codes)}"
        )

    def sub_theme(self, sub_theme_id: str) -> SubTheme:
        for s in self.sub_themes:
            if s.id == sub_theme_id:
                return s
        raise EvsynthError(
            f"sub-theme {sub_theme_id!r} is not defined; sub-themes: "
            f"{', '.join(s.id for s in self.sub_themes)}"
        )

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise EvsynthError(
            f"theme {theme_id!r} is not defined; themes: {', '.join(t.id for t in self.themes)}"
        )

    def coded_text(self, coding: Coding) -> str:
        """The words a coding covers."""
        return self.excerpt(coding.excerpt).text[coding.start : coding.end]

    def sub_theme_of(self, code_id: str) -> SubTheme | None:
        for s in self.sub_themes:
            if code_id in s.codes:
                return s
        return None

    def themes_of(self, sub_theme_id: str) -> tuple[Theme, ...]:
        return tuple(t for t in self.themes if sub_theme_id in t.sub_themes)

    def code_by_study(self, studies: Sequence[str] | None = None) -> pd.DataFrame:
        """Codings per code (rows, by label) and study (columns): which studies support a code.

        Parameters
        ----------
        studies : sequence of str, optional
            The columns, in order (e.g. every included study, so that a study no code draws
            on shows as a column of zeros); by default the studies of the coded excerpts.
        """
        coded = Counter((c.code, self.excerpt(c.excerpt).study) for c in self.codings)
        columns = list(studies) if studies is not None else list(dict.fromkeys(s for _, s in coded))
        counts = {s: [coded.get((c.id, s), 0) for c in self.codes] for s in columns}
        return pd.DataFrame(
            counts, index=pd.Index([c.label for c in self.codes], name="code"), dtype=int
        )

    def studies_of_sub_theme(self, sub_theme_id: str) -> tuple[str, ...]:
        """The studies whose coded excerpts support a sub-theme, in order of first coding."""
        codes = set(self.sub_theme(sub_theme_id).codes)
        return tuple(
            dict.fromkeys(self.excerpt(c.excerpt).study for c in self.codings if c.code in codes)
        )

    def supporting_excerpts(self, theme_id: str) -> tuple[SupportingExcerpt, ...]:
        """Every coded excerpt under a theme (through its sub-themes and their codes)."""
        theme = self.theme(theme_id)
        out = []
        for sub_id in theme.sub_themes:
            sub = self.sub_theme(sub_id)
            for coding in self.codings:
                if coding.code in sub.codes:
                    out.append(
                        SupportingExcerpt(
                            excerpt=self.excerpt(coding.excerpt),
                            code=self.code(coding.code),
                            sub_theme=sub,
                            text=self.coded_text(coding),
                        )
                    )
        return tuple(out)

    def key_findings(
        self, groups: Sequence[str] | None = None, perspectives: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Themes by group (rows) and perspective (columns); each cell lists theme labels.

        This is the layout of Scope et al.'s (2021) Table 9, "Summary of the key findings".
        """
        rows = (
            list(groups)
            if groups is not None
            else list(dict.fromkeys(t.group or "" for t in self.themes))
        )
        cols = (
            list(perspectives)
            if perspectives is not None
            else list(dict.fromkeys(t.perspective or "" for t in self.themes))
        )
        cells: dict[str, list[tuple[str, ...]]] = {c: [] for c in cols}
        for c in cols:
            for g in rows:
                cells[c].append(
                    tuple(
                        t.label
                        for t in self.themes
                        if (t.group or "") == g and (t.perspective or "") == c
                    )
                )
        return pd.DataFrame(cells, index=pd.Index(rows, name="group"))

    def summary(self) -> Summary:
        rows = []
        for t in self.themes:
            subs = [self.sub_theme(s) for s in t.sub_themes]
            n_codes = sum(len(s.codes) for s in subs)
            studies = {st for s in subs for st in self.studies_of_sub_theme(s.id)}
            rows.append(
                (t.label, t.perspective or "", t.group or "", len(subs), n_codes, len(studies))
            )
        return Summary(
            title="Thematic synthesis: analytical themes",
            columns=("Theme", "Perspective", "Group", "Sub-themes", "Codes", "Studies coded"),
            rows=tuple(rows),
            notes=(
                f"{len(self.excerpts)} excerpts, {len(self.codes)} codes, "
                f"{len(self.codings)} codings, {len(self.sub_themes)} sub-themes, "
                f"{len(self.themes)} themes.",
            ),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per coding: theme(s), sub-theme, code, excerpt, study and coded text."""
        rows = []
        for coding in self.codings:
            e = self.excerpt(coding.excerpt)
            sub = self.sub_theme_of(coding.code)
            rows.append(
                {
                    "theme": "; ".join(t.label for t in self.themes_of(sub.id)) if sub else "",
                    "sub_theme": sub.label if sub else "",
                    "code": self.code(coding.code).label,
                    "excerpt": e.id,
                    "study": e.study,
                    "report": e.report,
                    "perspective": e.perspective,
                    "text": self.coded_text(coding),
                }
            )
        return pd.DataFrame(rows)


def thematic_synthesis(
    excerpts: Iterable[Excerpt],
    codes: Iterable[Code],
    codings: Iterable[Coding],
    sub_themes: Iterable[SubTheme] = (),
    themes: Iterable[Theme] = (),
    *,
    perspectives: Sequence[str] | None = None,
) -> ThematicSynthesis:
    """Check the pieces of a thematic synthesis against each other and put them together.

    Parameters
    ----------
    excerpts, codes, codings, sub_themes, themes : iterables
        The parts; every reference between them must resolve.
    perspectives : sequence of str, optional
        The framework's perspectives; when given, sub-themes and themes must use them.

    Raises
    ------
    EvsynthError
        For a repeated id, a coding of an unknown excerpt or code, a span outside its excerpt,
        a sub-theme with an unknown code, a code in two sub-themes, a theme with an unknown
        sub-theme, or an unknown perspective.

    Examples
    --------
    >>> from evsynth.extraction import Excerpt
    >>> e = Excerpt(id="E1", study="S2", perspective="patients",
    ...             text="It was just an understanding from her")
    >>> s = thematic_synthesis([e], [Code("C1", "Being understood")],
    ...                        [Coding("E1", "C1", start=12, end=37)],
    ...                        [SubTheme("P1", "Support", ("C1",))],
    ...                        [Theme("T1", "Gaining support", ("P1",))])
    >>> s.supporting_excerpts("T1")[0].text
    'an understanding from her'
    """
    ex, cs, cg = tuple(excerpts), tuple(codes), tuple(codings)
    subs, ths = tuple(sub_themes), tuple(themes)
    if len({e.id for e in ex}) != len(ex):
        raise EvsynthError("excerpt ids repeat")
    _unique(cs, "code")
    _unique(subs, "sub-theme")
    _unique(ths, "theme")
    texts = {e.id: e.text for e in ex}
    code_ids = {c.id for c in cs}
    for i, c in enumerate(cg):
        where = f"coding {i + 1} (code {c.code!r}, excerpt {c.excerpt!r})"
        if c.excerpt not in texts:
            raise EvsynthError(f"{where}: excerpt {c.excerpt!r} does not exist")
        if c.code not in code_ids:
            raise EvsynthError(f"{where}: code {c.code!r} is not defined")
        n = len(texts[c.excerpt])
        start = 0 if c.start is None else c.start
        end = n if c.end is None else c.end
        if not 0 <= start < end <= n:
            raise EvsynthError(
                f"{where}: span {start}-{end} is outside the excerpt's text (0-{n}) or empty"
            )
    owner: dict[str, str] = {}
    for s in subs:
        for code in s.codes:
            if code not in code_ids:
                raise EvsynthError(f"sub-theme {s.id!r} lists code {code!r}, which is not defined")
            if code in owner:
                raise EvsynthError(
                    f"code {code!r} is in two sub-themes ({owner[code]!r} and {s.id!r})",
                    hint="a code belongs to one sub-theme; split it into two codes",
                )
            owner[code] = s.id
    sub_ids = {s.id for s in subs}
    for t in ths:
        for sub in t.sub_themes:
            if sub not in sub_ids:
                raise EvsynthError(f"theme {t.id!r} lists sub-theme {sub!r}, which is not defined")
    if perspectives is not None:
        named: list[tuple[str, str | None]] = [(s.id, s.perspective) for s in subs]
        named += [(t.id, t.perspective) for t in ths]
        for item_id, perspective in named:
            if perspective is not None and perspective not in perspectives:
                raise EvsynthError(
                    f"{item_id!r} has perspective {perspective!r}; choose one of "
                    f"{', '.join(perspectives)}"
                )
    return ThematicSynthesis(excerpts=ex, codes=cs, codings=cg, sub_themes=subs, themes=ths)
