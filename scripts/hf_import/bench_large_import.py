"""Measures an import at real scale: writes a random-weight checkpoint with a real model's published
config (bf16 safetensors, ~2 GiB shards, numpy only), imports it with import_hf.py, and reports the
importer's wall time and peak memory (max RSS of the importer, by /usr/bin/time: a forked child's
own rusage would count the pages it shared with this process before exec) and the files written.

    /usr/bin/python3 scripts/hf_import/bench_large_import.py --model qwen2.5-math-1.5b --work /tmp/big \
        [--dtype float16] [--layout shared] [--repeat 3] [--keep]

The checkpoint is kept in --work between runs (made once); the imported folder is --work/onnx.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hf_config  # noqa: E402
import import_hf  # noqa: E402

MODELS = {
    # Qwen2.5-1.5B-Instruct's sizes (../shared/notes/real-models.md, section 2), Math variant's 4096 context.
    "qwen2.5-math-1.5b": {"architectures": ["Qwen2ForCausalLM"], "hidden_size": 1536, "num_hidden_layers": 28,
                          "num_attention_heads": 12, "num_key_value_heads": 2, "intermediate_size": 8960,
                          "vocab_size": 151936, "max_position_embeddings": 4096, "rope_theta": 10000.0,
                          "rms_norm_eps": 1e-6, "sliding_window": 32768, "use_sliding_window": False,
                          "tie_word_embeddings": True, "bos_token_id": 151643, "eos_token_id": 151645,
                          "hidden_act": "silu", "torch_dtype": "bfloat16"},
    # Qwen2.5-Math-PRM-7B's config (section 3).
    "qwen2.5-math-prm-7b": {"architectures": ["Qwen2ForProcessRewardModel"], "hidden_size": 3584, "num_hidden_layers": 28,
                            "num_attention_heads": 28, "num_key_value_heads": 4, "intermediate_size": 18944,
                            "vocab_size": 152064, "max_position_embeddings": 4096, "rope_theta": 10000.0,
                            "rms_norm_eps": 1e-5, "sliding_window": 131072, "use_sliding_window": False,
                            "tie_word_embeddings": False, "bos_token_id": 151643, "eos_token_id": 151645,
                            "hidden_act": "silu", "torch_dtype": "bfloat16"},
}


def make_checkpoint(folder: str, cfg: dict) -> None:
    """Streams random bf16 bit patterns straight into ~2 GiB shards: magnitudes 2^-7..2^-6 with random
    signs and mantissas (norm weights 1.0). Values only need to be finite: this measures sizes and
    time, not numerics (those are the fixtures' job). Never more than one 64M-element chunk in memory."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    spec = hf_config.parse_config(cfg)
    head = spec.checkpoint_head
    shapes = import_hf.expected_tensors(spec, "prm" if head else "policy", head)
    shards: list[list[str]] = [[]]
    size = 0
    for name, shape in shapes.items():
        n = int(np.prod(shape)) * 2
        if size and size + n > 2 << 30:
            shards.append([])
            size = 0
        shards[-1].append(name)
        size += n
    rng = np.random.default_rng(0)
    weight_map = {}
    chunk = 64 << 20
    for k, names in enumerate(shards):
        file = f"model-{k + 1:05d}-of-{len(shards):05d}.safetensors"
        header, offset = {"__metadata__": {"format": "pt"}}, 0
        for name in names:
            n = int(np.prod(shapes[name])) * 2
            header[name] = {"dtype": "BF16", "shape": list(shapes[name]), "data_offsets": [offset, offset + n]}
            offset += n
            weight_map[name] = file
        text = json.dumps(header).encode()
        text += b" " * (-len(text) % 8)
        with open(os.path.join(folder, file), "wb") as f:
            f.write(len(text).to_bytes(8, "little") + text)
            for name in names:
                left = int(np.prod(shapes[name]))
                while left:
                    m = min(left, chunk)
                    if name.endswith("norm.weight"):
                        bits = np.full(m, 0x3F80, np.uint16)
                    else:
                        bits = (rng.integers(0, 1 << 16, size=m, dtype=np.uint16) & 0x807F) | 0x3C00
                    bits.tofile(f)
                    left -= m
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<extra_0>"]
    with open(os.path.join(folder, "tokenizer.json"), "w") as f:
        json.dump({"model": {"type": "BPE", "vocab": {f"t{i}": i for i in range(151643)}, "merges": []},
                   "added_tokens": [{"id": 151643 + i, "content": s, "special": True} for i, s in enumerate(specials)]}, f)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}, f)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=list(MODELS), default="qwen2.5-math-1.5b")
    ap.add_argument("--work", required=True)
    ap.add_argument("--dtype", default="float16")
    ap.add_argument("--layout")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    ckpt, out = os.path.join(a.work, "ckpt"), os.path.join(a.work, "onnx")
    if not os.path.exists(os.path.join(ckpt, "model.safetensors.index.json")):
        t = time.time()
        make_checkpoint(ckpt, MODELS[a.model])
        print(f"checkpoint written in {time.time() - t:.0f}s", flush=True)
    size = sum(os.path.getsize(os.path.join(ckpt, f)) for f in os.listdir(ckpt))
    print(f"checkpoint {a.model}: {size / 2**30:.2f} GiB", flush=True)
    cmd = ["/usr/bin/time", "-f", "TIME %e s, max RSS %M KiB", sys.executable, os.path.join(HERE, "import_hf.py"), ckpt, "--out", out, "--dtype", a.dtype, "--name", a.model]
    if a.layout:
        cmd += ["--layout", a.layout]
    for run in range(a.repeat):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(r.stdout + r.stderr)
        files = {f: os.path.getsize(os.path.join(out, f)) for f in sorted(os.listdir(out))}
        timing = [line for line in r.stderr.splitlines() if line.startswith("TIME")][-1]
        print(f"run {run + 1}: {timing}; {', '.join(f'{k} {v / 2**20:.0f} MiB' for k, v in files.items())}", flush=True)
        print(r.stdout.strip(), flush=True)

if __name__ == "__main__":
    main()
