"""Shared test fixtures: where the seed documents are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# CI clones the repository with shared/ beside it; KPISCORE_SEEDS points elsewhere.
SEEDS = Path(os.environ.get("KPISCORE_SEEDS", REPO.parent / "shared" / "seeds"))
SEED_FILES = {
    "000": "000_374f52ec377d0399.txt",
    "001": "001_ba41c4688333f3ae.txt",
    "002": "002_ac86b56080898b78.txt",
    "004": "004_46ec8738f04c50e4.txt",
}


def seed_path(key: str) -> Path:
    path = SEEDS / SEED_FILES[key]
    if not path.exists():
        pytest.skip(f"seed {path} not available (set KPISCORE_SEEDS)")
    return path


@pytest.fixture(scope="session")
def seeds() -> dict:
    """Parsed seed documents, parsed once per test session."""
    import kpiscore

    return {key: kpiscore.parse(seed_path(key)) for key in SEED_FILES}


@pytest.fixture(autouse=True, scope="session")
def private_result_cache(tmp_path_factory):
    """`kpiscore check` caches results: tests use a cache of their own, never the user's."""
    previous = os.environ.get("KPISCORE_CACHE_DIR")
    os.environ["KPISCORE_CACHE_DIR"] = str(tmp_path_factory.mktemp("kpiscore-cache"))
    yield
    if previous is None:
        os.environ.pop("KPISCORE_CACHE_DIR", None)
    else:
        os.environ["KPISCORE_CACHE_DIR"] = previous
