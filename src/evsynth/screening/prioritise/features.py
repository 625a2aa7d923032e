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
) -> list[str]:
    """One text per record: title, abstract and keywords joined by spaces.

    Missing values (``None``, NaN) count as empty. Keywords (e.g. MeSH headings) are a strong
    signal where a database gives them, and cost nothing where it does not.
    """
    n = len(titles)
    if len(abstracts) != n or (keywords is not None and len(keywords) != n):
        raise EvsynthError("titles, abstracts and keywords must have one entry per record")
    kws: Sequence[object] = keywords if keywords is not None else [None] * n
    return [
        " ".join(p for p in (_text(t), _text(a), _text(k)) if p)
        for t, a, k in zip(titles, abstracts, kws, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class FeatureMatrix:
    """TF-IDF rows (one per record, L2-normalised) and the term of each column.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``n_records x n_terms``.
    terms : ndarray of str
        The word or two-word phrase of each column.
    """

    matrix: sp.csr_matrix
    terms: NDArray[np.str_]

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
    from sklearn.feature_extraction.text import TfidfVectorizer

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
