"""parity.json: what PyTorch computes for a few fixed inputs, so the C# engine can assert that it runs
the same model. For each decoder prompt: its ids, the last-position logits after the prompt and after
each of the first 3 greedy tokens (fed one at a time through the KV cache), and the greedy continuation
(up to 64 tokens or EOS). For the PRM: full texts with their score at each step end.
"""
import json

import torch

from task import EOT_ID, DELIM, decode, encode, revision_prompt

POLICY_PROMPTS = [
    "Compute $7+5$.\n\n",
    "Compute $(17+25)\\times 3-40$.\n\n",
    "Compute $(48+364\\div 2)\\times 21\\div 10\\div 7$.\n\n",
]
REVISION_PROMPTS = [
    revision_prompt("Compute $(17+25)\\times 3-40$.",
                    [["17+25 = 42", "42\\times 3 = 126", "126-40 = 96", "The answer is $\\boxed{96}$."],
                     ["17+25 = 32", "32\\times 3 = 96", "96-40 = 56", "The answer is $\\boxed{56}$."]]),
    "Compute $9\\times 8-13$.\n\nRevision:\n\n",
]
PRM_TEXTS = [
    "Compute $(17+25)\\times 3-40$.\n\n17+25 = 42\n\n42\\times 3 = 126\n\n126-40 = 86\n\nThe answer is $\\boxed{86}$.\n\n",
    "Compute $(17+25)\\times 3-40$.\n\n17+25 = 42\n\n42\\times 3 = 136\n\n136-40 = 96\n\nThe answer is $\\boxed{96}$.\n\n",
    "Compute $26\\div 2+31$.\n\n26\\div 2 = 13\n\n13+31 = 44\n\nThe answer is $\\boxed{44}$.\n\n",
]


def r6(t):
    return [round(float(x), 6) for x in t]


@torch.no_grad()
def decoder_entry(gpt, model_name, prompt):
    ids = encode(prompt, bos=True)
    x = torch.tensor([ids])
    mask = torch.ones_like(x)
    logits, past = gpt(x, mask, torch.arange(len(ids))[None], None)
    first, greedy = [], []
    for step in range(64):
        last = logits[0, -1]
        if step <= 3:
            first.append(r6(last))
        tok = int(last.argmax())
        if tok == EOT_ID:
            break
        greedy.append(tok)
        mask = torch.cat([mask, torch.ones(1, 1, dtype=torch.long)], 1)
        logits, past = gpt(torch.tensor([[tok]]), mask, torch.tensor([[len(ids) + step]]), past)
    return {"model": model_name, "prompt": prompt, "input_ids": ids, "logits": first[:4],
            "greedy_ids": greedy, "greedy_text": decode(greedy),
            "greedy_ended_with_eos": len(greedy) < 64}


@torch.no_grad()
def prm_entry(prm, text):
    ids = encode(text, bos=True)
    x = torch.tensor([ids])
    scores = prm.scores(x, torch.ones_like(x))[0]
    # a step ends at the last token of its delimiter: the second '\n' of each "\n\n" after the prompt
    ends, i = [], text.index(DELIM) + len(DELIM)
    while True:
        j = text.find(DELIM, i)
        if j < 0:
            break
        ends.append(1 + j + len(DELIM) - 1)  # +1 for BOS
        i = j + len(DELIM)
    return {"model": "prm", "text": text, "input_ids": ids, "step_end_positions": ends,
            "step_scores": r6(scores[ends]), "scores": r6(scores)}


def write(models, path):
    out = {
        "note": "logits[k] = last-position logits after the prompt (k=0) and after feeding greedy token k "
                "(k=1..3) through the KV cache; rows are single, unpadded, batch 1; float32 PyTorch, rounded "
                "to 6 decimals. PRM scores are per token; step_end_positions index input_ids (BOS at 0).",
        "decoder": [decoder_entry(models["policy"].cpu().eval(), "policy", p) for p in POLICY_PROMPTS]
                   + [decoder_entry(models["revision"].cpu().eval(), "revision", p) for p in REVISION_PROMPTS],
        "prm": [prm_entry(models["prm"].cpu().eval(), t) for t in PRM_TEXTS],
    }
    if "policy-large" in models:  # its own key: older readers map every "decoder" entry to policy or revision
        out["decoder_large"] = [decoder_entry(models["policy-large"].cpu().eval(), "policy-large", p) for p in POLICY_PROMPTS]
    with open(path, "w") as f:
        json.dump(out, f)
    print(f"wrote {path}")


if __name__ == "__main__":
    import argparse
    import export_onnx
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=None)
    ap.add_argument("--out", required=True)
    ap.add_argument("--random", action="store_true")
    a = ap.parse_args()
    write(export_onnx.random_models() if a.random else export_onnx.load_models(a.work), a.out)
