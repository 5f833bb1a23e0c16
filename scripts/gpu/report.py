"""Puts the GPU run's JSON files side by side as the markdown tables of docs/gpu.md: tokens/s of
the engine, the raw IO-binding loop and transformers' generate per batch size, the ratio to
transformers, and the fraction of the memory-bandwidth roofline.

Roofline of one decode step: every weight is read once (the tied embedding too, as the LM head)
plus the KV cache of every row up to that step, over the card's bandwidth. For a prompt of P
tokens and N new tokens, the decode part (tokens 2..N) reads sum over t=1..N-1 of
W + B*(P+t)*kv bytes; the roofline rate is B*(N-1) tokens over that many bytes / bandwidth.

  python3 scripts/gpu/report.py --dir $OUT > $OUT/summary.md
"""
from __future__ import annotations

import argparse
import json
import os

DATASHEET = {"H100": 3.35e12, "H200": 4.8e12}


def roofline_tokens_per_s(batch: int, prompt: int, new: int, weight_bytes: float, kv_per_token: float, bw: float) -> float:
    total = sum(weight_bytes + batch * (prompt + t) * kv_per_token for t in range(1, new))
    return batch * (new - 1) / (total / bw)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()

    def load(name):
        p = os.path.join(a.dir, name)
        return json.load(open(p)) if os.path.exists(p) else None
    hf, bench, prm = load("hf.json"), load("bench.json"), load("prm.json")
    card = (hf or {}).get("device", "unknown")
    bw = next((v for k, v in DATASHEET.items() if k in card), None)
    measured = (hf or {}).get("copy_bandwidth_bytes_per_s")
    print(f"Card: {card}; datasheet bandwidth {bw / 1e12 if bw else float('nan'):.2f} TB/s; "
          f"measured device-to-device copy {measured / 1e12 if measured else float('nan'):.2f} TB/s (read + write).")
    if hf:
        print(f"transformers {hf.get('transformers')}, torch {hf.get('torch')}, attention {hf.get('attn_implementation')}, {hf.get('dtype')}.")
    print()
    for f in ("parity-check-engine.json", "parity-check-engine-shared-nographs.json", "parity-check-engine-shared.json",
              "parity-check-raw.json"):
        v = load(f)
        if v:
            rows = v["rows"]
            same = [r.get("same_prefix_as_hf_generate") for r in rows]
            print(f"- {f}: {'PASS' if v['ok'] else 'FAIL'}, largest logit gap to {v['reference']}'s top token {v['max_gap']:.4f} "
                  f"(tol {v['tol']}); reference top-1 at {sum(r['reference_top1'] for r in rows)}/{sum(r['new_tokens'] for r in rows)} "
                  f"positions; leading tokens equal to transformers' generate per prompt: {same}")
    print()
    rows = (bench or {}).get("rows", []) + (hf or {}).get("bench", [])
    if rows:
        w = bench["weight_bytes"] if bench else None
        kv = bench["kv_bytes_per_token"] if bench else None
        hf_by_batch = {r["batch"]: r for r in (hf or {}).get("bench", [])}
        print("| runner | batch | tok/s overall | tok/s decode | prefill ms | x transformers (overall) | roofline decode tok/s | % of roofline (decode) |")
        print("|---|---|---|---|---|---|---|---|")
        for r in sorted(rows, key=lambda r: (r["batch"], r["runner"])):
            base = hf_by_batch.get(r["batch"])
            ratio = f"{r['tokens_per_s'] / base['tokens_per_s']:.2f}" if base else "-"
            roof = roofline_tokens_per_s(r["batch"], r["prompt_tokens"], r["new_tokens"], w, kv, bw) if (w and bw) else None
            pct = f"{100 * r['decode_tokens_per_s'] / roof:.1f}%" if roof else "-"
            print(f"| {r['runner']} | {r['batch']} | {r['tokens_per_s']:.0f} | {r['decode_tokens_per_s']:.0f} | "
                  f"{1000 * r['prefill_seconds']:.1f} | {ratio} | {roof:.0f} | {pct} |" if roof else
                  f"| {r['runner']} | {r['batch']} | {r['tokens_per_s']:.0f} | {r['decode_tokens_per_s']:.0f} | "
                  f"{1000 * r['prefill_seconds']:.1f} | {ratio} | - | - |")
        print()
    prm_rows = (prm or {}).get("rows", []) + (hf or {}).get("prm", [])
    if prm_rows:
        print("| PRM runner | batch | tokens a candidate | ms a call | scored steps/s |")
        print("|---|---|---|---|---|")
        for r in sorted(prm_rows, key=lambda r: (r["batch"], r["runner"])):
            print(f"| {r['runner']} | {r['batch']} | {r['tokens']} | {1000 * r['seconds']:.1f} | {r['steps_per_s']:.0f} |")


if __name__ == "__main__":
    main()
