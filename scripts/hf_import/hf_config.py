"""config.json of a Hugging Face checkpoint -> ModelSpec, the architecture facts the graph builder
needs. Every value the graphs cannot reproduce is refused with an error naming config.json, the
line and the field (docs/import-contract.md): a silently wrong model is worse than no model.

Both spellings of the rotary settings are read: transformers 4 (`rope_theta`, `rope_scaling`) and
transformers 5 (`rope_parameters` holding `rope_theta`, `rope_type` and the scaling keys).
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

import numpy as np

ARCHITECTURES = {
    # name: (family, PRM head in the checkpoint or None)
    "LlamaForCausalLM": ("llama", None),
    "Qwen2ForCausalLM": ("qwen2", None),
    "MistralForCausalLM": ("mistral", None),
    "Qwen2ForProcessRewardModel": ("qwen2", "two_class"),
    "Qwen2ForPrmModel": ("qwen2", "value"),
}


class ConfigError(Exception):
    """An unsupported or malformed config value; the message names the file, line and field."""


@dataclass
class ModelSpec:
    architecture: str
    family: str
    checkpoint_head: str | None        # the PRM head the architecture carries (two_class, value) or None
    num_layers: int
    num_heads: int
    num_kv_heads: int
    hidden_size: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    rms_norm_eps: float
    rope_theta: float
    rope_type: str                     # default | llama3
    inv_freq: np.ndarray               # float32 [head_dim / 2], scaling applied
    max_position_embeddings: int
    sliding_window: int | None         # the window that applies to this model, None when none does
    qkv_bias: bool
    o_bias: bool
    tie_word_embeddings: bool
    torch_dtype: str | None
    bos_token_id: int | None
    eos_token_ids: list[int] = field(default_factory=list)


def default_inv_freq(theta: float, head_dim: int) -> np.ndarray:
    # transformers' _compute_default_rope_parameters, in float32 like torch does it.
    return (1.0 / (theta ** (np.arange(0, head_dim, 2, dtype=np.int64).astype(np.float32) / head_dim))).astype(np.float32)


def llama3_inv_freq(inv_freq: np.ndarray, factor: float, low_freq_factor: float, high_freq_factor: float,
                    original_max_positions: int) -> np.ndarray:
    """transformers' _compute_llama3_parameters: long wavelengths divided by `factor`, short ones kept,
    the band between them interpolated. float32 throughout, as in torch."""
    inv_freq = inv_freq.astype(np.float32)
    low_freq_wavelen = original_max_positions / low_freq_factor
    high_freq_wavelen = original_max_positions / high_freq_factor
    wavelen = (2 * math.pi / inv_freq).astype(np.float32)
    scaled = np.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq).astype(np.float32)
    smooth = ((original_max_positions / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)).astype(np.float32)
    smoothed = ((1 - smooth) * scaled / factor + smooth * scaled).astype(np.float32)
    medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    return np.where(medium, smoothed, scaled).astype(np.float32)


class _Fields:
    """Typed access to a config's fields; errors carry the file, the field's line and its name."""

    def __init__(self, cfg: dict, path: str, text: str):
        self.cfg, self.path, self.text = cfg, path, text

    def error(self, name: str, message: str) -> ConfigError:
        key = name.split(".")[-1]
        m = re.search('"' + re.escape(key) + r'"\s*:', self.text)
        line = self.text.count("\n", 0, m.start()) + 1 if m else 1
        return ConfigError(f"{self.path}:{line}: field '{name}': {message}")

    def int(self, name: str, default: int | None = None, src: dict | None = None, label: str | None = None) -> int:
        src = self.cfg if src is None else src
        v = src.get(name, default)
        if v is None or isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise self.error(label or name, "missing" if v is None else f"must be a positive integer, got {v!r}")
        return v

    def float(self, name: str, default: float | None = None, src: dict | None = None, label: str | None = None) -> float:
        src = self.cfg if src is None else src
        v = src.get(name, default)
        if v is None or isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            raise self.error(label or name, "missing" if v is None else f"must be a positive number, got {v!r}")
        return float(v)

    def bool(self, name: str, default: bool) -> bool:
        v = self.cfg.get(name, default)
        if v is None:
            return default
        if not isinstance(v, bool):
            raise self.error(name, f"must be true or false, got {v!r}")
        return v


def load_config(path: str) -> ModelSpec:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path}:{e.lineno}: malformed JSON ({e.msg})") from e
    if not isinstance(cfg, dict):
        raise ConfigError(f"{path}:1: expected a JSON object")
    return parse_config(cfg, path, text)


def parse_config(cfg: dict, path: str = "config.json", text: str | None = None) -> ModelSpec:
    c = _Fields(cfg, path, text if text is not None else json.dumps(cfg, indent=2))
    archs = cfg.get("architectures")
    if not isinstance(archs, list) or len(archs) != 1 or archs[0] not in ARCHITECTURES:
        raise c.error("architectures", f"{archs!r} is not one of {', '.join(ARCHITECTURES)} (a list of one)")
    arch = archs[0]
    family, head = ARCHITECTURES[arch]

    act = cfg.get("hidden_act", "silu")
    if act != "silu":
        raise c.error("hidden_act", f"'{act}' is not supported (silu only)")
    heads = c.int("num_attention_heads")
    hidden = c.int("hidden_size")
    kv_heads = c.int("num_key_value_heads", heads)
    if heads % kv_heads:
        raise c.error("num_key_value_heads", f"{kv_heads} does not divide num_attention_heads {heads}")
    head_dim = cfg.get("head_dim")
    head_dim = c.int("head_dim") if head_dim is not None else hidden // heads
    if head_dim % 2:
        raise c.error("head_dim", f"{head_dim} is odd: rotary embeddings rotate pairs")
    if head_dim * heads != hidden and cfg.get("head_dim") is None:
        raise c.error("hidden_size", f"{hidden} is not num_attention_heads {heads} x head size (give head_dim)")
    max_pos = c.int("max_position_embeddings")

    # Rotary settings: transformers 5 keeps them all in rope_parameters; 4 in rope_theta + rope_scaling.
    rp = cfg.get("rope_parameters")
    if rp is not None:
        if not isinstance(rp, dict):
            raise c.error("rope_parameters", f"must be an object, got {rp!r}")
        if "full_attention" in rp and isinstance(rp["full_attention"], dict):
            rp = rp["full_attention"]   # per-layer-type form; these models have one type
        rope, rope_name = rp, "rope_parameters"
        theta = c.float("rope_theta", cfg.get("rope_theta", 10000.0), src=rp, label="rope_parameters.rope_theta")
    else:
        rope = cfg.get("rope_scaling") or {}
        if not isinstance(rope, dict):
            raise c.error("rope_scaling", f"must be an object or null, got {rope!r}")
        rope_name = "rope_scaling"
        theta = c.float("rope_theta", 10000.0)
    rope_type = rope.get("rope_type", rope.get("type", "default"))
    if rope_type not in ("default", "llama3"):
        raise c.error(f"{rope_name}.rope_type", f"'{rope_type}' is not supported (default or llama3)")
    partial = rope.get("partial_rotary_factor", cfg.get("partial_rotary_factor", 1.0))
    if partial != 1.0:
        raise c.error("partial_rotary_factor", f"{partial} is not supported (1.0: every dimension rotates)")
    inv_freq = default_inv_freq(theta, head_dim)
    if rope_type == "llama3":
        def rf(k: str) -> float:
            return c.float(k, src=rope, label=f"{rope_name}.{k}")
        low, high = rf("low_freq_factor"), rf("high_freq_factor")
        if high <= low:
            raise c.error(f"{rope_name}.high_freq_factor", f"{high} must exceed low_freq_factor {low}")
        inv_freq = llama3_inv_freq(inv_freq, rf("factor"), low, high,
                                   c.int("original_max_position_embeddings", src=rope,
                                         label=f"{rope_name}.original_max_position_embeddings"))
    if rope.get("attention_factor") not in (None, 1.0):
        raise c.error(f"{rope_name}.attention_factor", f"{rope['attention_factor']} is not supported (1.0)")

    # Sliding window: Llama has none; Qwen2 only with use_sliding_window; Mistral whenever set.
    window = cfg.get("sliding_window")
    layer_types = cfg.get("layer_types")   # transformers 5 writes it for Qwen2: which layers slide
    if layer_types is not None:
        if not isinstance(layer_types, list) or any(t not in ("full_attention", "sliding_attention") for t in layer_types):
            raise c.error("layer_types", f"{layer_types!r}: each entry must be full_attention or sliding_attention")
    slides = c.bool("use_sliding_window", False) or "sliding_attention" in (layer_types or [])
    if family == "llama" or (family == "qwen2" and not slides):
        window = None
    if window is not None:
        window = c.int("sliding_window")

    if family == "llama":
        if c.bool("mlp_bias", False):
            raise c.error("mlp_bias", "true is not supported (the MLP projections have no bias)")
        bias = c.bool("attention_bias", False)
        qkv_bias, o_bias = bias, bias
        pretraining_tp = cfg.get("pretraining_tp", 1)
        if pretraining_tp not in (None, 1):
            raise c.error("pretraining_tp", f"{pretraining_tp} is not supported (1)")
    else:
        qkv_bias, o_bias = family == "qwen2", False
    if cfg.get("use_mrope"):
        raise c.error("use_mrope", "true is not supported")

    eos = cfg.get("eos_token_id")
    eos_ids = [eos] if isinstance(eos, int) else list(eos or [])
    bos = cfg.get("bos_token_id")
    return ModelSpec(
        architecture=arch, family=family, checkpoint_head=head,
        num_layers=c.int("num_hidden_layers"), num_heads=heads, num_kv_heads=kv_heads, hidden_size=hidden,
        head_dim=head_dim, intermediate_size=c.int("intermediate_size"), vocab_size=c.int("vocab_size"),
        rms_norm_eps=c.float("rms_norm_eps", 1e-6), rope_theta=theta, rope_type=rope_type, inv_freq=inv_freq,
        max_position_embeddings=max_pos, sliding_window=window, qkv_bias=qkv_bias, o_bias=o_bias,
        tie_word_embeddings=c.bool("tie_word_embeddings", False),
        torch_dtype=cfg.get("torch_dtype", cfg.get("dtype")),
        bos_token_id=bos if isinstance(bos, int) else None, eos_token_ids=eos_ids)
