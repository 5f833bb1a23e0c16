"""The baseline side of issue 7: Hugging Face transformers on the same weights, dtype and batch as
the C# engine. Writes hf.json with
- parity_tokens: greedy tokens of transformers' generate for each parity prompt (batch 1, no padding);
- bench: generated tokens/s of generate() at each batch size (prompt 200 tokens, N new tokens,
  greedy, EOS ignored so that every row makes N tokens), plus the prefill-only time (1 new token);
- prm: PRM-shaped forward (backbone + value head) scored steps/s, same token counts as GpuBench;
- device: card name and a measured device-to-device copy bandwidth (bytes read + written).

  python3 scripts/gpu/hf_reference.py --model /tmp/qwen2 --out $OUT/hf.json
"""
from __future__ import annotations

import argparse
import json
import os
import time

import torch


def load_model(model_dir: str, device: str):
    from transformers import Qwen2Config, Qwen2ForCausalLM
    blob = torch.load(os.path.join(model_dir, "weights.pt"), map_location="cpu")
    cfg, dtype = blob["config"], getattr(torch, blob["dtype"])
    model = Qwen2ForCausalLM(Qwen2Config(**cfg)).to(dtype)
    sd = {k: v for k, v in blob["state_dict"].items() if not k.startswith("score.")}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    if unexpected or [m for m in missing if m != "lm_head.weight"]:
        raise SystemExit(f"weights do not fit the model: missing {missing}, unexpected {unexpected}")
    model.tie_weights()
    head = None
    if "score.weight" in blob["state_dict"]:
        head = torch.nn.Linear(cfg["hidden_size"], 1).to(dtype)
        head.weight.data.copy_(blob["state_dict"]["score.weight"])
        head.bias.data.copy_(blob["state_dict"]["score.bias"])
        head = head.to(device).eval()
    return model.to(device).eval(), head, cfg, blob["dtype"]


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


@torch.no_grad()
def generate(model, ids: torch.Tensor, new_tokens: int, pad_id: int) -> torch.Tensor:
    return model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens,
                          min_new_tokens=new_tokens, do_sample=False, pad_token_id=pad_id, eos_token_id=None)


def copy_bandwidth(device: str) -> float | None:
    """Bytes read + written per second of a 2 GiB device-to-device copy (METHOD.md's ceiling)."""
    if device != "cuda":
        return None
    a = torch.empty(2**30, dtype=torch.float16, device=device)
    b = torch.empty_like(a)
    for _ in range(3):
        b.copy_(a)
    sync(device)
    t0 = time.perf_counter()
    for _ in range(10):
        b.copy_(a)
    sync(device)
    return 10 * 2 * a.numel() * 2 / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--batches", default="1,16,64,256")
    ap.add_argument("--new-tokens", type=int, default=256)
    ap.add_argument("--parity-new-tokens", type=int, default=32)
    ap.add_argument("--prm-batches", default="16,64")
    ap.add_argument("--prm-steps", type=int, default=8)
    ap.add_argument("--prm-step-tokens", type=int, default=32)
    a = ap.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model, head, cfg, dtype = load_model(a.model, device)
    prompts = json.load(open(os.path.join(a.model, "prompts.json")))
    pad = cfg["eos_token_id"]
    result = {"device": torch.cuda.get_device_name() if device == "cuda" else "cpu", "dtype": dtype,
              "torch": torch.__version__, "attn_implementation": model.config._attn_implementation,
              "copy_bandwidth_bytes_per_s": copy_bandwidth(device)}
    import transformers
    result["transformers"] = transformers.__version__
    print(json.dumps({k: result[k] for k in ("device", "dtype", "torch", "transformers", "attn_implementation",
                                             "copy_bandwidth_bytes_per_s")}), flush=True)

    result["parity_tokens"] = []
    for p in prompts["parity"]:
        out = generate(model, torch.tensor([p], device=device), a.parity_new_tokens, pad)
        result["parity_tokens"].append(out[0, len(p):].tolist())

    rows = []
    for batch in [int(x) for x in a.batches.split(",")]:
        ids = torch.tensor(prompts["bench"][:batch], device=device)
        generate(model, ids, 8, pad)   # warm-up: kernels, allocator
        sync(device)
        t0 = time.perf_counter()
        generate(model, ids, 1, pad)
        sync(device)
        prefill = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = generate(model, ids, a.new_tokens, pad)
        sync(device)
        secs = time.perf_counter() - t0
        made = out.shape[1] - ids.shape[1]
        assert made == a.new_tokens, f"generate made {made} tokens, wanted {a.new_tokens}"
        row = {"runner": "transformers-generate", "batch": batch, "prompt_tokens": ids.shape[1], "new_tokens": made,
               "seconds": secs, "prefill_seconds": prefill, "tokens_per_s": batch * made / secs,
               "decode_tokens_per_s": batch * (made - 1) / max(secs - prefill, 1e-9)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    result["bench"] = rows

    if head is not None:
        # PRM-shaped scoring: the backbone over problem + steps, value head at every position, as
        # the ONNX PRM does (all positions scored; the engine reads the delimiter positions).
        prm_rows = []
        g = torch.Generator().manual_seed(7)
        steps_len = a.prm_steps * (a.prm_step_tokens + 2)
        for batch in [int(x) for x in a.prm_batches.split(",")]:
            problem = torch.tensor(prompts["bench"][:batch])
            steps = torch.randint(98, 123, (batch, steps_len), generator=g)
            ids = torch.cat([problem, steps], dim=1).to(device)
            with torch.no_grad():
                for _ in range(2):
                    torch.sigmoid(head(model.model(input_ids=ids).last_hidden_state))
                sync(device)
                t0 = time.perf_counter()
                reps = 5
                for _ in range(reps):
                    torch.sigmoid(head(model.model(input_ids=ids).last_hidden_state)).float().cpu()
                sync(device)
                secs = (time.perf_counter() - t0) / reps
            row = {"runner": "transformers-forward", "batch": batch, "tokens": ids.shape[1], "steps_per_solution": a.prm_steps,
                   "seconds": secs, "steps_per_s": batch * a.prm_steps / secs}
            prm_rows.append(row)
            print(json.dumps(row), flush=True)
        result["prm"] = prm_rows

    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
