"""Checks greedy tokens of the C# side (GpuBench parity.json) against a float32 reference forward on
the same weights, teacher-forced: at every generated position the reference's logits must rank the
engine's token first, or within --tol of first (fp16 rounding may flip near-ties; past a flip the
sequences differ, so exact token equality alone would say little after the first one). Also
reports how many leading tokens equal transformers' own generate (hf.json of hf_reference.py).

  python3 scripts/gpu/compare_greedy.py --model /tmp/qwen2 --engine $OUT/parity.json --hf $OUT/hf.json
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qwen2_ref  # noqa: E402


def reference_logits_fn(model_dir: str, device: str, use_hf: bool):
    blob = torch.load(os.path.join(model_dir, "weights.pt"), map_location="cpu")
    cfg = blob["config"]
    sd = {k: v.float() for k, v in blob["state_dict"].items()}
    if use_hf:
        from transformers import Qwen2Config, Qwen2ForCausalLM
        model = Qwen2ForCausalLM(Qwen2Config(**cfg)).float()
        model.load_state_dict({k: v for k, v in sd.items() if not k.startswith("score.")}, strict=False)
        model.tie_weights()
        model = model.to(device).eval()

        @torch.no_grad()
        def fn(ids: list[int]) -> torch.Tensor:
            return model(torch.tensor([ids], device=device)).logits[0].float().cpu()
        return fn, cfg, "transformers float32"
    sd = {k: v.to(device) for k, v in sd.items()}

    def fn(ids: list[int]) -> torch.Tensor:
        return qwen2_ref.forward(sd, cfg, torch.tensor([ids], device=device))[0].cpu()
    return fn, cfg, "qwen2_ref float32"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="folder written by export_qwen2.py")
    ap.add_argument("--engine", required=True, help="parity.json of GpuBench")
    ap.add_argument("--hf", help="hf.json of hf_reference.py (transformers generate tokens)")
    ap.add_argument("--tol", type=float, default=0.05, help="largest allowed logit gap to the reference's top token")
    ap.add_argument("--out", help="write the verdict as JSON here")
    a = ap.parse_args()

    prompts = json.load(open(os.path.join(a.model, "prompts.json")))["parity"]
    engine = json.load(open(a.engine))["tokens"]
    try:
        import transformers  # noqa: F401
        use_hf = True
    except ImportError:
        use_hf = False
    device = "cuda" if torch.cuda.is_available() else "cpu"
    logits_of, cfg, ref_name = reference_logits_fn(a.model, device, use_hf)

    rows = []
    worst = 0.0
    for i, (prompt, toks) in enumerate(zip(prompts, engine)):
        logits = logits_of(prompt + toks)
        gaps = []
        for t, tok in enumerate(toks):
            row = logits[len(prompt) - 1 + t]
            gaps.append(float(row.max() - row[tok]))
        argmax_equal = sum(g == 0.0 for g in gaps)
        worst = max(worst, max(gaps))
        r = {"prompt": i, "prompt_tokens": len(prompt), "new_tokens": len(toks), "reference_top1": argmax_equal,
             "max_gap": max(gaps), "distinct_tokens": len(set(toks))}
        if a.hf:
            hf = json.load(open(a.hf))["parity_tokens"][i]
            same = 0
            while same < min(len(hf), len(toks)) and hf[same] == toks[same]:
                same += 1
            r["same_prefix_as_hf_generate"] = same
        rows.append(r)
        print(json.dumps(r))
    ok = worst <= a.tol
    verdict = {"reference": ref_name, "tol": a.tol, "max_gap": worst, "ok": ok, "rows": rows}
    if a.out:
        with open(a.out, "w") as f:
            json.dump(verdict, f, indent=2)
    print(f"{'PASS' if ok else 'FAIL'}: greedy tokens vs {ref_name}: largest logit gap to the top token {worst:.4f} (tol {a.tol})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
