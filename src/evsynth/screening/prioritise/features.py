"""Text features for prioritised screening: TF-IDF word 1-2-grams over title, abstract, keywords.

The vocabulary and inverse document frequencies are computed once over every record of the
project (labelled or not), as ASReview does: they use no labels, so nothing leaks, and the
matrix is cached for the whole screening session instead of being rebuilt at each decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer

from evsynth._core.errors import EvsynthError

#: Record fields the features read, in order; a missing field is an empty string.
FIELDS: tuple[str, ...] = ("title", "abstract", "keywords")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, list | tuple):
        return " ; ".join(_text(v) for v in value)
    return str(value)


def record_texts(
    titles: Sequence[object],
    abstracts: Sequence[object],
    keywords: Sequence[object] | None = None,
    *,
    title_repeats: int = 1,
) -> list[str]:
    """One text per record: title (``title_repeats`` times), abstract and keywords.

    Missing values (``None``, NaN) count as empty. Keywords (e.g. MeSH headings) are a strong
    signal where a database gives them, and cost nothing where it does not. Repeating the title
    raises the weight of its terms (sublinear TF-IDF: 1 + log 2 instead of 1).
    """
    n = len(titles)
    if len(abstracts) != n or (keywords is not None and len(keywords) != n):
        raise EvsynthError("titles, abstracts and keywords must have one entry per record")
    if title_repeats < 1:
        raise EvsynthError(f"title_repeats={title_repeats!r} must be at least 1")
    kws: Sequence[object] = keywords if keywords is not None else [None] * n
    out = []
    for t, a, k in zip(titles, abstracts, kws, strict=True):
        title = _text(t)
        parts = [*([title] * title_repeats), _text(a), _text(k)]
        out.append(" ".join(p for p in parts if p))
    return out


@dataclass(frozen=True, slots=True)
class FeatureMatrix:
    """TF-IDF rows (one per record, L2-normalised) and the term of each column.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``n_records x n_terms``.
    terms : ndarray of str
        The word or two-word phrase of each column (empty when not asked for).
    blocks : tuple of int
        Column boundaries of the views stacked side by side (``(0, k, n_terms)`` for two
        views); one view by default. A term may appear once per view.
    views : tuple of scipy.sparse.csr_matrix
        The same views as separate matrices (empty for one view): a model that fits one
        classifier per view takes their rows without slicing columns at every refit.
    """

    matrix: sp.csr_matrix
    terms: NDArray[np.str_]
    blocks: tuple[int, ...] = ()
    views: tuple[sp.csr_matrix, ...] = ()

    def __post_init__(self) -> None:
        if not self.blocks:
            object.__setattr__(self, "blocks", (0, int(self.matrix.shape[1])))

    @property
    def n_records(self) -> int:
        return int(self.matrix.shape[0])


def tfidf_features(
    texts: Sequence[str],
    *,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int = 1,
    max_df: float = 0.95,
) -> FeatureMatrix:
    """TF-IDF features of ``texts`` (scikit-learn's ``TfidfVectorizer``).

    Word 1-2-grams with sublinear term frequency (1 + log tf) and a ``max_df`` of 0.95, the
    feature settings of ASReview's ``elas_u4`` model, so that the comparison with it is about
    the learning, not the text. English stop words are kept: phrases such as "effect of" carry
    signal in bigrams.

    Parameters
    ----------
    texts : sequence of str
        One text per record (:func:`record_texts`).
    ngram_range : tuple of int, optional
        Shortest and longest phrase, in words.
    min_df : int, optional
        Terms in fewer records are dropped.
    max_df : float, optional
        Terms in a larger share of records are dropped.
    """
    if len(texts) == 0:
        raise EvsynthError("there are no records to build features from")
    vectorizer = TfidfVectorizer(
        ngram_range=ngram_range,
        sublinear_tf=True,
        min_df=min_df,
        max_df=max_df if len(texts) > 1 else 1.0,
        dtype=np.float64,
    )
    try:
        matrix = vectorizer.fit_transform(list(texts))
    except ValueError:
        # Every text is empty, or every term is in every record: no feature can rank.
        raise EvsynthError(
            "the records have no words to rank them by",
            hint="check that titles and abstracts were imported",
        ) from None
    terms = np.asarray(vectorizer.get_feature_names_out(), dtype=str)
    return FeatureMatrix(sp.csr_matrix(matrix), terms)


def _tfidf_from_counts(counts: sp.csr_matrix, max_df: float = 0.95) -> sp.csr_matrix:
    """TF-IDF of a count matrix as ``TfidfVectorizer(sublinear_tf=True, max_df=...)`` computes it.

    .. math::

        x_{ij} = \\frac{(1 + \\ln c_{ij})\\, \\mathrm{idf}_j}{\\lVert \\cdot \\rVert_2},
        \\qquad \\mathrm{idf}_j = \\ln\\frac{1 + n}{1 + \\mathrm{df}_j} + 1

    Terms in more than ``max_df`` of the records get weight 0 (their column stays, empty).
    """
    n = counts.shape[0]
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    keep = (df > 0) & (df <= max_df * n) if n > 1 else df > 0
    masked = sp.csr_matrix(counts @ sp.diags(keep.astype(np.float64)))
    masked.eliminate_zeros()
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(masked)
    return sp.csr_matrix(tfidf)


def screening_features(
    titles: Sequence[object],
    abstracts: Sequence[object],
    keywords: Sequence[object] | None = None,
    *,
    with_terms: bool = True,
    with_views: bool = False,
) -> FeatureMatrix:
    """The two views evsynth's default model learns from, stacked side by side.

    1. title and abstract, as ASReview's ``elas_u4`` reads them;
    2. title twice, abstract and keywords: the title and index terms weigh more.

    Each view is TF-IDF word 1-2-grams with sublinear term frequency and ``max_df`` 0.95, as
    :func:`tfidf_features`. The fields are tokenised once, with one vocabulary, and each view's
    counts are sums of field counts (no phrase spans two fields), which halves the cost of
    building two views. The default model fits one classifier per view and averages them
    (:func:`~evsynth.screening.prioritise.models.fit_default`): on the tuning seeds this kept
    most of the second view's gain where keywords help and most of the first view's accuracy
    where they mislead.

    ``with_terms=False`` leaves :attr:`FeatureMatrix.terms` empty (a simulation needs no
    explanations, and listing 10^5 terms costs as much as a dozen model fits).
    ``with_views=True`` also keeps each view as its own matrix (:attr:`FeatureMatrix.views`),
    which doubles the memory but spares a simulation, refitting hundreds of times, from
    slicing columns at each refit.
    """
    n = len(titles)
    if len(abstracts) != n or (keywords is not None and len(keywords) != n):
        raise EvsynthError("titles, abstracts and keywords must have one entry per record")
    if n == 0:
        raise EvsynthError("there are no records to build features from")
    kws: Sequence[object] = keywords if keywords is not None else [None] * n
    fields = [_text(v) for v in (*titles, *abstracts, *kws)]
    vectorizer = CountVectorizer(ngram_range=(1, 2), dtype=np.float64)
    try:
        counts = sp.csr_matrix(vectorizer.fit_transform(fields))
    except ValueError:
        raise EvsynthError(
            "the records have no words to rank them by",
            hint="check that titles and abstracts were imported",
        ) from None
    title, abstract, keyword = counts[:n], counts[n : 2 * n], counts[2 * n :]
    plain = _tfidf_from_counts(sp.csr_matrix(title + abstract))
    rich = _tfidf_from_counts(sp.csr_matrix(2 * title + abstract + keyword))
    k = plain.shape[1]
    matrix = sp.hstack([plain, rich], format="csr")
    if with_terms:
        names = np.asarray(vectorizer.get_feature_names_out(), dtype=str)
        terms = np.concatenate([names, names])
    else:
        terms = np.empty(0, dtype=str)
    views = (plain, rich) if with_views else ()
    return FeatureMatrix(sp.csr_matrix(matrix), terms, (0, k, 2 * k), views)
