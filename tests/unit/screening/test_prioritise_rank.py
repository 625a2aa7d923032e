"""Ranking with explanations: likely includes first, and the terms that put them there."""

from __future__ import annotations

import warnings
from importlib.metadata import EntryPoint

import numpy as np
import pytest

from evsynth._core.errors import EvsynthError
from evsynth.screening.prioritise import (
    LinearScorer,
    Prioritiser,
    available_prioritisers,
    get_prioritiser,
    rank_records,
    rank_texts,
    record_texts,
    registry,
    screening_features,
    tfidf_features,
)

TEXTS = [
    "statin therapy randomised trial cholesterol",  # 0 include
    "bridge engineering steel design",  # 1 exclude
    "statin cholesterol cohort outcomes",  # 2
    "steel bridge corrosion",  # 3
    "randomised statin trial in elderly",  # 4
    "river bridge traffic",  # 5
]


def test_likely_includes_first_with_their_terms() -> None:
    ranking = rank_texts(TEXTS, {0: 1, 1: 0})
    assert set(ranking.rows) == {2, 3, 4, 5}
    assert set(ranking.rows[:2]) == {2, 4}
    assert ranking.scores == tuple(sorted(ranking.scores, reverse=True))
    for row, terms in zip(ranking.rows[:2], ranking.top_terms[:2], strict=True):
        words = [t for t, _ in terms]
        assert "statin" in words, (row, words)
        contributions = [c for _, c in terms]
        assert contributions == sorted(contributions, reverse=True)
        assert all(c > 0 for c in contributions)
    frame = ranking.to_frame()
    assert list(frame.columns) == ["rank", "row", "score", "top_terms"]
    assert "top terms" in ranking.summary().as_text()


def test_explanations_are_exact_contributions() -> None:
    features = tfidf_features(TEXTS)
    weights = np.zeros(features.matrix.shape[1])
    col = {t: i for i, t in enumerate(features.terms)}
    weights[col["statin"]] = 2.0
    weights[col["trial"]] = 1.0
    weights[col["bridge"]] = -3.0
    scorer = LinearScorer(weights, 0.5)
    terms = scorer.top_terms(features.matrix, np.array([4, 1]), features.terms, k=5)
    x = features.matrix[4].toarray().ravel()
    assert [t for t, _ in terms[0]] == ["statin", "trial"]
    assert terms[0][0][1] == pytest.approx(2.0 * x[col["statin"]])
    assert terms[1] == ()  # only negative contributions: nothing to list
    assert scorer.score(features.matrix[[4]])[0] == pytest.approx(
        0.5 + 2.0 * x[col["statin"]] + x[col["trial"]]
    )


def test_criteria_text_starts_the_ranking_without_an_include() -> None:
    with pytest.raises(EvsynthError, match="at least one include and one exclude"):
        rank_texts(TEXTS, {1: 0})
    ranking = rank_texts(TEXTS, {1: 0}, criteria="statin trials in adults")
    assert set(ranking.rows[:3]) == {0, 2, 4}
    assert len(ranking.rows) == 5  # the criteria text itself is never ranked


def test_ranking_is_deterministic() -> None:
    a = rank_texts(TEXTS, {0: 1, 1: 0})
    b = rank_texts(TEXTS, {0: 1, 1: 0})
    assert a == b


def test_record_texts_join_fields_and_skip_missing() -> None:
    texts = record_texts(["A title", None], [float("nan"), "An abstract"], [["k1", "k2"], None])
    assert texts == ["A title k1 ; k2", "An abstract"]


@pytest.mark.parametrize("name", ["default", "svm", "logistic"])
def test_builtin_prioritisers_rank(name: str) -> None:
    ranking = rank_texts(TEXTS, {0: 1, 1: 0, 3: 0}, prioritiser=name)
    assert ranking.prioritiser == name
    assert ranking.rows[0] in (2, 4)


def test_registry_lists_choices_and_skips_broken_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    assert list(available_prioritisers())[:3] == ["default", "svm", "logistic"]
    with pytest.raises(EvsynthError, match="choose one of default, logistic, svm"):
        get_prioritiser("bert")
    custom = Prioritiser("mine", "Mine", registry.SVM.fit)
    assert get_prioritiser(custom) is custom

    broken = EntryPoint("broken", "evsynth_no_such_module:P", registry.ENTRY_POINT_GROUP)
    clash = EntryPoint(
        "svm", "evsynth.screening.prioritise.registry:SVM", registry.ENTRY_POINT_GROUP
    )
    monkeypatch.setattr(
        registry,
        "entry_points",
        lambda group: [broken, clash] if group == registry.ENTRY_POINT_GROUP else [],
    )
    registry.available_prioritisers.cache_clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            found = registry.available_prioritisers()
        assert list(found) == ["default", "svm", "logistic"]
        messages = " ".join(str(w.message) for w in caught)
        assert "failed to load" in messages and "repeats a name" in messages
    finally:
        registry.available_prioritisers.cache_clear()


def test_screening_features_two_views_share_one_vocabulary() -> None:
    features = screening_features(
        ["Statin trial", "Bridge design"], ["Cholesterol fell.", None], [["Humans"], None]
    )
    k = features.blocks[1]
    assert features.blocks == (0, k, 2 * k)
    assert list(features.terms[:k]) == list(features.terms[k:])
    col = {t: i for i, t in enumerate(features.terms[:k])}
    plain = features.matrix[:, :k].toarray()
    rich = features.matrix[:, k:].toarray()
    # Keywords only in the second view; the title weighs more there (1 + ln 2 against 1).
    assert plain[0, col["humans"]] == 0 and rich[0, col["humans"]] > 0
    assert rich[0, col["statin"]] / rich[0, col["cholesterol"]] == pytest.approx(1 + np.log(2))
    assert plain[0, col["statin"]] / plain[0, col["cholesterol"]] == pytest.approx(1.0)
    # No phrase spans two fields.
    assert "trial cholesterol" not in col


def test_rank_records_merges_a_term_across_views() -> None:
    titles = [t.split(" ", 1)[0] for t in TEXTS]
    abstracts = [t.split(" ", 1)[1] for t in TEXTS]
    ranking = rank_records(titles, abstracts, None, {0: 1, 1: 0})
    assert set(ranking.rows[:2]) == {2, 4}
    for terms in ranking.top_terms:
        names = [t for t, _ in terms]
        assert len(names) == len(set(names))  # once per term, contributions summed
    criteria = rank_records(titles, abstracts, None, {1: 0}, criteria="statin trials")
    assert set(criteria.rows[:3]) == {0, 2, 4}
