"""The screening protocol: construction, TOML-style configuration and its errors."""

from __future__ import annotations

import pytest

from evsynth._core.errors import EvsynthError
from evsynth.screening import Reviewer, ScreeningProtocol
from tests.unit.screening._helpers import FULL_TEXT_REASONS, small_protocol

SEED_CONFIG = {
    "reviewers": {"ASc": ["lead", "screener"], "AB": ["screener"], "JL": ["arbiter"]},
    "exclusion_reasons": {"full_text": list(FULL_TEXT_REASONS)},
    "double_screening": {"title_abstract": 0.2, "full_text": "all"},
    "seed": 2019,
    "kappa_threshold": 0.7,
}


def test_from_mapping_builds_the_seed_protocol() -> None:
    protocol = ScreeningProtocol.from_mapping(SEED_CONFIG)
    assert protocol.with_role("screener") == ("ASc", "AB")
    assert protocol.with_role("arbiter") == ("JL",)
    assert protocol.with_role("lead") == ("ASc",)
    assert protocol.reviewer("ASc").roles == ("lead", "screener")
    assert protocol.stages == ("title_abstract", "full_text")
    assert protocol.reasons("full_text") == FULL_TEXT_REASONS
    assert protocol.reasons("title_abstract") == ()
    assert dict(protocol.double_screening) == {"title_abstract": 0.2, "full_text": "all"}
    assert protocol.kappa_threshold == 0.7
    assert protocol.requires_reason("full_text")
    assert not protocol.requires_reason("title_abstract")


def test_protocol_is_immutable() -> None:
    protocol = ScreeningProtocol.from_mapping(SEED_CONFIG)
    with pytest.raises(AttributeError):
        protocol.seed = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        protocol.exclusion_reasons["full_text"] = ()  # type: ignore[index]


def test_double_screened_sample_follows_the_protocol() -> None:
    protocol = ScreeningProtocol.from_mapping(SEED_CONFIG)
    ids = [f"r{i}" for i in range(100)]
    sample = protocol.double_screened("title_abstract", ids)
    assert len(sample) == 20
    assert sample == protocol.double_screened("title_abstract", list(reversed(ids)))
    assert protocol.double_screened("full_text", ids) == set(ids)


def test_single_fraction_applies_to_every_stage() -> None:
    protocol = small_protocol(double_screening=0.1)
    assert dict(protocol.double_screening) == {"title_abstract": 0.1, "full_text": 0.1}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reviewers": {}}, "needs a 'reviewers' table"),
        ({"reviewers": {"JL": ["arbiter"]}}, "has no screener"),
        ({"reviewers": {"AB": ["reviewer"]}}, "lead, screener, arbiter"),
        ({"double_screening": 0}, r"must lie in \(0, 1\]"),
        ({"double_screening": "half"}, 'give "all" or a share'),
        ({"stages": ["abstracts"]}, "title_abstract, full_text"),
        ({"exclusion_reasons": {"full_text": "population"}}, "not one string"),
        ({"exclusion_reasons": {"full_text": ["a", "a"]}}, "repeat a reason"),
        ({"kappa_threshold": 7}, "between -1 and 1"),
        ({"kappa_threshold": "0.7"}, "must be a number"),
        ({"seed": "2019"}, "must be an integer"),
        ({"blind": True}, "unknown screening setting"),
    ],
)
def test_configuration_errors_say_what_to_fix(change: dict[str, object], message: str) -> None:
    with pytest.raises(EvsynthError, match=message):
        ScreeningProtocol.from_mapping({**SEED_CONFIG, **change})


def test_reviewer_names_are_unique() -> None:
    with pytest.raises(EvsynthError, match="repeated: AB"):
        ScreeningProtocol((Reviewer("AB"), Reviewer("AB", ("arbiter",))))


def test_reviewer_roles_accept_one_string() -> None:
    assert Reviewer("AB", "screener").roles == ("screener",)  # type: ignore[arg-type]
    with pytest.raises(EvsynthError, match="has no role"):
        Reviewer("AB", ())


def test_unknown_reviewer_lists_the_team() -> None:
    with pytest.raises(EvsynthError, match="known reviewers: ASc, AB, JL"):
        small_protocol().reviewer("XY")
