"""Shared helpers of the screening tests: a small protocol and an event factory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evsynth.screening import Decision, Reviewer, ScreeningProtocol

T0 = datetime(2019, 2, 4, 9, 0, tzinfo=UTC)

FULL_TEXT_REASONS = (
    "not persistent physical symptoms",
    "not a behavioural intervention",
    "not UK primary care or community",
    "no qualitative evidence",
)


def small_protocol(**changes: object) -> ScreeningProtocol:
    options: dict[str, object] = {
        "reviewers": (
            Reviewer("ASc", ("lead", "screener")),
            Reviewer("AB", ("screener",)),
            Reviewer("JL", ("arbiter",)),
        ),
        "exclusion_reasons": {
            "title_abstract": ("off topic", "not primary research"),
            "full_text": FULL_TEXT_REASONS,
        },
        "double_screening": {"title_abstract": 0.2, "full_text": "all"},
        "seed": 2019,
        "kappa_threshold": 0.7,
    }
    options.update(changes)
    return ScreeningProtocol(**options)  # type: ignore[arg-type]


class Clock:
    """Event factory with strictly increasing timestamps, one minute apart."""

    def __init__(self) -> None:
        self._ticks = 0

    def now(self) -> datetime:
        self._ticks += 1
        return T0 + timedelta(minutes=self._ticks)

    def __call__(
        self,
        record_id: str,
        reviewer: str,
        decision: str,
        stage: str = "title_abstract",
        *,
        reason: str | None = None,
        role: str = "screener",
    ) -> Decision:
        return Decision(
            record_id=record_id,
            stage=stage,  # type: ignore[arg-type]
            reviewer=reviewer,
            decision=decision,  # type: ignore[arg-type]
            reason=reason,
            role=role,  # type: ignore[arg-type]
            timestamp=self.now(),
        )
