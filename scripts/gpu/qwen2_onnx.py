"""Qwen2 graphs for scripts/gpu/export_qwen2.py, from the project's one graph builder
(scripts/hf_import/onnx_graphs.py, which also serves Llama and Mistral checkpoints).

Keeps this module's old interface: weights as a dict of numpy arrays (Hugging Face names) and the
config as a plain dict of Qwen2Config fields. The graphs are byte-identical to what this file
wrote before the builder moved.
"""
from __future__ import annotations

import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hf_import"))
import hf_config  # noqa: E402
import onnx_graphs  # noqa: E402

PRODUCER = "scripts/gpu/qwen2_onnx.py"


def _spec(weights: dict[str, np.ndarray], cfg: dict) -> hf_config.ModelSpec:
    spec = hf_config.parse_config({"architectures": ["Qwen2ForCausalLM"], **cfg, "tie_word_embeddings": False})
    # These dicts may carry lm_head.weight as a copy of the embedding: tied when equal, as before.
    spec.tie_word_embeddings = "lm_head.weight" not in weights or np.array_equal(
        weights["lm_head.weight"], weights["model.embed_tokens.weight"])
    return spec


def _getter(weights: dict[str, np.ndarray]):
    return lambda name, dtype=np.float32: weights[name].astype(np.float32).astype(dtype)


def build_decoder(weights: dict[str, np.ndarray], cfg: dict, dtype: str = "float16",
                  logits: str = "last", logits_dtype: str | None = None, prm_head: bool = False) -> onnx.ModelProto:
    """Concat layout. prm_head=True: a PRM-shaped model instead, no KV cache, output `scores`
    [batch, seq] = sigmoid(value head) from `score.weight` [1, hidden] / `score.bias` [1]; positions
    computed inside from attention_mask."""
    prm = onnx_graphs.PrmHead("value", prefix="score", positions="cumsum") if prm_head else None
    return onnx_graphs.build_decoder(_getter(weights), _spec(weights, cfg), dtype, logits=logits, logits_dtype=logits_dtype,
                                     max_positions=int(cfg.get("max_position_embeddings", 4096)), prm=prm,
                                     producer=PRODUCER)


def build_gqa_decoder(weights: dict[str, np.ndarray], cfg: dict, dtype: str = "float16",
                      max_positions: int | None = None) -> onnx.ModelProto:
    """Shared-cache layout (GroupQueryAttention, in-place cache); see onnx_graphs.build_gqa_decoder."""
    return onnx_graphs.build_gqa_decoder(_getter(weights), _spec(weights, cfg), dtype,
                                         max_positions=int(max_positions or cfg.get("max_position_embeddings", 4096)),
                                         producer=PRODUCER)
