"""Plain-PyTorch Qwen2 forward over a Hugging Face state dict: the stand-in reference where
transformers is not installed (the dev machine has Debian's torch 1.13 only). It follows
transformers' Qwen2 modelling code step for step (RMSNorm in float32, rotate-half RoPE, repeat_kv,
SiLU MLP, tied head); on the GPU machine export_qwen2.py checks it against transformers itself.
"""
from __future__ import annotations

import torch


def random_qwen2_weights(cfg: dict, seed: int) -> dict[str, torch.Tensor]:
    """Random weights with transformers' Qwen2 init: N(0, initializer_range), zero biases, unit norms."""
    gen = torch.Generator().manual_seed(seed)
    std = float(cfg.get("initializer_range", 0.02))
    h, inter, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh, kvh = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = h // nh

    def n(*shape):
        return torch.randn(*shape, generator=gen) * std

    sd = {"model.embed_tokens.weight": n(v, h), "model.norm.weight": torch.ones(h)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        sd[p + "input_layernorm.weight"] = torch.ones(h)
        sd[p + "post_attention_layernorm.weight"] = torch.ones(h)
        sd[p + "self_attn.q_proj.weight"] = n(nh * d, h)
        sd[p + "self_attn.q_proj.bias"] = torch.zeros(nh * d)
        sd[p + "self_attn.k_proj.weight"] = n(kvh * d, h)
        sd[p + "self_attn.k_proj.bias"] = torch.zeros(kvh * d)
        sd[p + "self_attn.v_proj.weight"] = n(kvh * d, h)
        sd[p + "self_attn.v_proj.bias"] = torch.zeros(kvh * d)
        sd[p + "self_attn.o_proj.weight"] = n(h, nh * d)
        sd[p + "mlp.gate_proj.weight"] = n(inter, h)
        sd[p + "mlp.up_proj.weight"] = n(inter, h)
        sd[p + "mlp.down_proj.weight"] = n(h, inter)
    sd["lm_head.weight"] = sd["model.embed_tokens.weight"]
    return sd


def _rms(x, w, eps):
    dt = x.dtype
    x = x.float()
    x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return w * x.to(dt)


def _rot(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


@torch.no_grad()
def forward(sd: dict[str, torch.Tensor], cfg: dict, ids: torch.Tensor) -> torch.Tensor:
    """Logits [B, S, V] for unpadded ids [B, S] (no cache: a reference, not a fast path)."""
    L, nh, kvh = cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hsz = cfg["hidden_size"]
    d = hsz // nh
    eps = float(cfg.get("rms_norm_eps", 1e-6))
    b, s = ids.shape
    x = sd["model.embed_tokens.weight"][ids]
    inv = 1.0 / (float(cfg.get("rope_theta", 10000.0)) ** (torch.arange(0, d, 2).float() / d))
    ang = torch.outer(torch.arange(s).float(), inv)
    emb = torch.cat([ang, ang], -1)
    cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
    causal = torch.full((s, s), float("-inf")).triu(1)
    for i in range(L):
        p = f"model.layers.{i}."
        h = _rms(x, sd[p + "input_layernorm.weight"], eps)
        q = (h @ sd[p + "self_attn.q_proj.weight"].T + sd[p + "self_attn.q_proj.bias"]).view(b, s, nh, d).transpose(1, 2)
        k = (h @ sd[p + "self_attn.k_proj.weight"].T + sd[p + "self_attn.k_proj.bias"]).view(b, s, kvh, d).transpose(1, 2)
        v = (h @ sd[p + "self_attn.v_proj.weight"].T + sd[p + "self_attn.v_proj.bias"]).view(b, s, kvh, d).transpose(1, 2)
        q = q * cos + _rot(q) * sin
        k = k * cos + _rot(k) * sin
        k = k.repeat_interleave(nh // kvh, dim=1)
        v = v.repeat_interleave(nh // kvh, dim=1)
        att = (q @ k.transpose(-1, -2)).float() / (d ** 0.5) + causal
        att = att.softmax(-1).to(q.dtype)
        o = (att @ v).transpose(1, 2).reshape(b, s, nh * d)
        x = x + o @ sd[p + "self_attn.o_proj.weight"].T
        h = _rms(x, sd[p + "post_attention_layernorm.weight"], eps)
        gate = h @ sd[p + "mlp.gate_proj.weight"].T
        up = h @ sd[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ sd[p + "mlp.down_proj.weight"].T
    x = _rms(x, sd["model.norm.weight"], eps)
    return x @ sd["lm_head.weight"].T


def greedy(sd, cfg, prompt: list[int], new_tokens: int) -> list[int]:
    ids = list(prompt)
    for _ in range(new_tokens):
        logits = forward(sd, cfg, torch.tensor([ids]))
        ids.append(int(logits[0, -1].argmax()))
    return ids[len(prompt):]
