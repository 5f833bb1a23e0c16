"""Filler tokens for the random-weight checkpoints of scripts/gpu/real_models.py (standard library only)."""
from __future__ import annotations

import json

FILLER = "~w"


def add_fillers(path: str, vocab_size: int) -> int:
    """Gives every id past the fixture tokenizer's own an added token that decodes to text: "~w<k>", k = id - the
    first free id, the same k in every model's tokenizer. Random weights sample ids over the whole published
    vocabulary, but the fixture tokenizers know ~900 tokens, so >99% of generated ids decoded to nothing: in the
    2026-12-01 pipeline runs beam search's prompts grew by ~3 tokens per 40-token step, and the PRM scored
    solutions of a few tokens. With the fillers each generated token is one token of text again, in the policy's
    tokenizer and in the PRM's (whose vocabulary is larger, so it holds every policy's fillers). Returns their count."""
    with open(path, encoding="utf-8") as f:
        t = json.load(f)
    used = set(t["model"]["vocab"].values()) | {x["id"] for x in t.get("added_tokens", [])}
    first = max(used) + 1
    t["added_tokens"] = t.get("added_tokens", []) + [
        {"id": i, "content": f"{FILLER}{i - first}", "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": False} for i in range(first, vocab_size)]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(t, f, ensure_ascii=False, separators=(",", ":"))
    return max(0, vocab_size - first)
