"""CPU decoding speed of the policy in PyTorch (KV cache, greedy), batch 1 and a left-padded batch of 16.

    /usr/bin/python3 bench_cpu.py ../work/policy.pt
"""
import sys
import time

import torch

import model as M
from sample import generate_ids
from task import encode, eval_set, prompt_text


def main(path):
    torch.manual_seed(0)
    gpt = M.load(path)
    rows = [r for r in eval_set(20240806, 100) if r["level"] == 3][:16]
    prompts = [encode(prompt_text(r["problem"]), bos=True) for r in rows]
    for batch in (1, 16):
        t0 = time.time()
        out = generate_ids(gpt, prompts[:batch], 256, 0.0, batch_size=batch)
        secs = time.time() - t0
        toks = sum(len(g) + 1 for g, _ in out)
        print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), batch {batch}: "
              f"{toks} tokens in {secs:.1f} s = {toks / secs:.0f} tokens/s")


if __name__ == "__main__":
    main(sys.argv[1])
