"""What produced a result: package versions, seed, call, and hashes of the inputs."""

from __future__ import annotations

import hashlib
import platform
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from typing import Any

_PACKAGES = ("evsynth", "numpy", "scipy", "pandas")


@cache
def _version(name: str) -> str:
    # Looking a version up reads package metadata from disk (milliseconds); versions do not
    # change within a process, so each is read once.
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def hash_bytes(data: bytes) -> str:
    """SHA-256 of raw bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Manifest:
    """Provenance of one result, printed by reports so an analysis can be rerun."""

    function: str
    options: dict[str, Any]
    versions: dict[str, str]
    python: str
    created: str
    seed: int | None = None
    input_hash: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "options": dict(self.options),
            "versions": dict(self.versions),
            "python": self.python,
            "created": self.created,
            "seed": self.seed,
            "input_hash": self.input_hash,
            **({"extra": dict(self.extra)} if self.extra else {}),
        }


def make_manifest(
    function: str,
    options: dict[str, Any],
    *,
    seed: int | None = None,
    inputs: bytes | None = None,
    packages: tuple[str, ...] = _PACKAGES,
) -> Manifest:
    """Record the call that produced a result."""
    return Manifest(
        function=function,
        options=options,
        versions={p: _version(p) for p in packages},
        python=f"{platform.python_implementation()} {sys.version.split()[0]}",
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        seed=seed,
        input_hash=hash_bytes(inputs) if inputs is not None else None,
    )
