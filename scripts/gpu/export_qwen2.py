"""Builds a Qwen2-architecture model with random weights from a config (nothing downloaded) and
writes it in the project's model layout (docs/model-format.md): decoder-with-past ONNX, tokenizer
files, manifest, plus the weights as a torch file so that hf_reference.py runs transformers on the
very same numbers. Optionally a PRM-shaped model on the same backbone (value head).

On the GPU machine (transformers present) the weights come from transformers' own
Qwen2ForCausalLM(config) init, and the exported graph's logits are checked against transformers'
forward before anything is written. Here (no transformers) the weights come from qwen2_ref.py's
copy of that init, and the check runs against qwen2_ref.forward.

  python3 scripts/gpu/export_qwen2.py --config qwen2-0.5b --dtype float16 --out /tmp/qwen2
  /usr/bin/python3 scripts/gpu/export_qwen2.py --config tiny --dtype float32 --out /tmp/tiny-qwen2
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qwen2_onnx  # noqa: E402
import qwen2_ref  # noqa: E402
# GPT-2/Qwen byte alphabet, shared with the tiny models' task code (plain Python, no torch)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "tiny-arith", "train"))
from task import bytes_to_unicode  # noqa: E402

# Qwen2-0.5B's published architecture (config.json of Qwen/Qwen2-0.5B), written out so that nothing
# is fetched. max_position_embeddings is cut to 4096: the RoPE tables are initializers, and the
# benchmark never goes past 456 positions.
CONFIGS = {
    "qwen2-0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                       num_key_value_heads=2, vocab_size=151936, max_position_embeddings=4096,
                       rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                       initializer_range=0.02, bos_token_id=151643, eos_token_id=151643),
    "tiny": dict(hidden_size=64, intermediate_size=160, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, vocab_size=300, max_position_embeddings=512, rope_theta=10000.0,
                 rms_norm_eps=1e-6, tie_word_embeddings=True, initializer_range=0.3,
                 bos_token_id=297, eos_token_id=297),  # wide init: a tiny random model at 0.02 repeats one token
}
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
MERGE_LETTERS = "etaoinsrhl"
PROMPT_LETTERS = "bcdfgjkmpquvwxyz"   # disjoint from MERGE_LETTERS: one token per character


def write_tokenizer(out: str, vocab_size: int, eos_id: int) -> None:
    """A byte-level BPE vocabulary of the model's size: the 256 byte tokens, merges of common
    letter pairs, filler tokens up to the special ids (the weights are random, so which string a
    filler id decodes to does not matter; it only has to be a distinct, decodable entry)."""
    alphabet = bytes_to_unicode()
    vocab = {alphabet[b]: i for i, b in enumerate(sorted(alphabet))}
    merges = []
    for a in MERGE_LETTERS + " ":
        for b in MERGE_LETTERS:
            pa = alphabet[ord(a)]
            pb = alphabet[ord(b)]
            if len(vocab) < eos_id and pa + pb not in vocab:
                vocab[pa + pb] = len(vocab)
                merges.append(f"{pa} {pb}")
    n = 0
    while len(vocab) < eos_id:
        vocab[f"<|filler_{n}|>"] = len(vocab)
        n += 1
    for s in SPECIALS:
        if len(vocab) < vocab_size:
            vocab[s] = len(vocab)
    while len(vocab) < vocab_size:   # Qwen2's embedding has unused rows past its special tokens
        vocab[f"<|unused_{len(vocab)}|>"] = len(vocab)
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")


def write_prompts(out: str, seed: int) -> None:
    """Prompts shared by hf_reference.py (token ids) and the C# engine (text), so both sides see the
    same input. The text uses only letters that no merge of write_tokenizer touches, so each
    character is one byte-level token and its id is its byte: ids == list(text.encode()), which
    GpuBench checks against the engine's own tokenizer before it runs.
    parity: a few prompts of different lengths (the engine batches them with left padding, the
    reference runs each alone); bench: 256 prompts of 200 tokens for the speed runs."""
    rng = np.random.RandomState(seed)
    letters = np.array(list(PROMPT_LETTERS))

    def text(n: int) -> str:
        return "".join(rng.choice(letters, size=n))
    parity = [text(n) for n in (12, 40, 97, 200)]
    bench = [text(200) for _ in range(256)]
    with open(os.path.join(out, "prompts.json"), "w") as f:
        json.dump({"parity_text": parity, "bench_text": bench,
                   "parity": [list(t.encode()) for t in parity], "bench": [list(t.encode()) for t in bench]}, f)


def make_weights(cfg: dict, seed: int, prm: bool):
    """Returns (state dict float32 on CPU, where it came from)."""
    try:
        from transformers import Qwen2Config, Qwen2ForCausalLM
    except ImportError:
        sd = qwen2_ref.random_qwen2_weights(cfg, seed)
        source = "qwen2_ref.random_qwen2_weights (transformers not installed)"
    else:
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(Qwen2Config(**cfg))
        sd = {k: v.detach().float().clone() for k, v in model.state_dict().items()}
        if "lm_head.weight" not in sd:
            sd["lm_head.weight"] = sd["model.embed_tokens.weight"]
        source = f"transformers.Qwen2ForCausalLM(Qwen2Config) init, seed {seed}"
    if prm:
        gen = torch.Generator().manual_seed(seed + 1)
        sd["score.weight"] = torch.randn(1, cfg["hidden_size"], generator=gen) * cfg.get("initializer_range", 0.02)
        sd["score.bias"] = torch.zeros(1)
    return sd, source


def parameter_count(sd: dict, cfg: dict) -> int:
    names = [k for k in sd if not k.startswith("score.")]
    if cfg.get("tie_word_embeddings", False):
        names = [k for k in names if k != "lm_head.weight"]
    return int(sum(sd[k].numel() for k in names))


def check_against_reference(model_path: str, sd: dict, cfg: dict, dtype: str) -> str:
    """Logits of the ONNX graph (onnxruntime, CPU, float32 only) against transformers or qwen2_ref.
    Returns a one-line verdict; raises when they differ."""
    try:
        import onnxruntime as ort
    except ImportError:
        return "onnxruntime for Python not installed: graph checked from C# instead (GpuBench --check)"
    if dtype != "float32":
        return "fp16 graph: checked on the GPU against transformers by GpuBench + compare_greedy.py"
    ids = torch.randint(0, cfg["vocab_size"] - 8, (2, 7), generator=torch.Generator().manual_seed(5))
    ref = qwen2_ref.forward(sd, cfg, ids)[:, -1].numpy()
    sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    L, kvh = cfg["num_hidden_layers"], cfg["num_key_value_heads"]
    d = cfg["hidden_size"] // cfg["num_attention_heads"]
    feeds = {"input_ids": ids.numpy(), "attention_mask": np.ones((2, 7), np.int64),
             "position_ids": np.tile(np.arange(7, dtype=np.int64), (2, 1))}
    for i in range(L):
        for kv in ("key", "value"):
            feeds[f"past_key_values.{i}.{kv}"] = np.zeros((2, kvh, 0, d), np.float32)
    got = sess.run(["logits"], feeds)[0][:, -1]
    err = float(np.abs(got - ref).max() / (np.abs(ref).max() + 1e-12))
    if err > 1e-4:
        raise SystemExit(f"ONNX logits differ from the reference: max rel err {err:.2e}")
    return f"ONNX (onnxruntime CPU) vs reference logits: max rel err {err:.2e}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="qwen2-0.5b", help="qwen2-0.5b | tiny | path to a config json")
    ap.add_argument("--dtype", default="float16", choices=["float16", "float32"])
    ap.add_argument("--logits", default="last", choices=["last", "all"],
                    help="last: logits [batch,1,vocab] (what generation needs); all: [batch,seq,vocab]")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--prm", action="store_true", help="also write a PRM-shaped model (value head)")
    ap.add_argument("--shared", action="store_true",
                    help="also write policy-shared.onnx: the shared-cache layout (GroupQueryAttention, in-place cache, "
                         "CUDA-graph friendly; qwen2_onnx.build_gqa_decoder)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    cfg = dict(CONFIGS[a.config]) if a.config in CONFIGS else json.load(open(a.config))
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    sd, source = make_weights(cfg, a.seed, a.prm)
    np_sd = {k: v.numpy() for k, v in sd.items()}
    print(f"weights: {source}; {parameter_count(sd, cfg) / 1e6:.1f}M parameters ({time.time() - t0:.1f}s)", flush=True)

    # The reference (transformers or qwen2_ref) loads exactly these numbers, rounded to the dtype.
    torch.save({"config": cfg, "dtype": a.dtype, "state_dict": {k: v.to(getattr(torch, a.dtype)) for k, v in sd.items()}},
               os.path.join(a.out, "weights.pt"))
    write_tokenizer(a.out, cfg["vocab_size"], cfg["eos_token_id"])

    write_prompts(a.out, a.seed)

    kinds = [("policy", "policy", False)] + ([("policy-shared", "policy", False)] if a.shared else []) \
        + ([("prm", "prm", True)] if a.prm else [])
    for stem, role, prm in kinds:
        t0 = time.time()
        shared = stem == "policy-shared"
        model = (qwen2_onnx.build_gqa_decoder(np_sd, cfg, a.dtype) if shared
                 else qwen2_onnx.build_decoder(np_sd, cfg, a.dtype, logits=a.logits, prm_head=prm))
        onnx_name = f"{stem}.onnx"
        onnx.save(model, os.path.join(a.out, onnx_name))
        size = os.path.getsize(os.path.join(a.out, onnx_name))
        print(f"{onnx_name}: {len(model.graph.node)} nodes, {size / 2**20:.0f} MiB ({time.time() - t0:.1f}s)", flush=True)
        if not prm and not shared:
            print(check_against_reference(os.path.join(a.out, onnx_name), sd, cfg, a.dtype), flush=True)
        d = cfg["hidden_size"] // cfg["num_attention_heads"]
        manifest = {
            "name": f"random-{a.config}-{stem}-{a.dtype}",
            "role": role,
            "onnx": onnx_name,
            "tokenizer": {"kind": "qwen2-bpe", "vocab": "vocab.json", "merges": "merges.txt"},
            "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
            "add_bos": False,
            "prompt_template": "{problem}\n\n",
            "step_delimiter": "\n\n",
            "num_layers": cfg["num_hidden_layers"], "num_heads": cfg["num_attention_heads"],
            "num_kv_heads": cfg["num_key_value_heads"], "head_size": d,
            "hidden_size": cfg["hidden_size"], "vocab_size": cfg["vocab_size"],
            "max_positions": cfg["max_position_embeddings"],
            "parameter_count": parameter_count(sd, cfg),
            "dtype": a.dtype,
            "logits": "last" if shared else a.logits,
            **({"kv_cache": "shared"} if shared else {}),
            "prm": {"head": "value", "output": "scores"} if prm else None,
            "revision": None,
        }
        with open(os.path.join(a.out, f"{stem}.manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
    print(f"wrote {a.out}", flush=True)


if __name__ == "__main__":
    main()
