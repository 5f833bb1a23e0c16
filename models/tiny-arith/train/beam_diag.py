"""Why does PRM beam search fall below PRM-weighted best-of-N on the tiny task? Runs evaluate.py's
beam_search (the pipeline's BFS-V) on level-3 problems and records every round's candidates with
their PRM scores and exact step labels (step_check), to tell the PRM's ranking of partial solutions
(siblings of one problem in one round) from what the search does with it (diversity of the kept
beams, the final candidates and the vote).
    /usr/bin/python3 models/tiny-arith/train/beam_diag.py [PROBLEMS] [LEVEL]"""
import os
import sys
from collections import defaultdict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import evaluate  # noqa: E402
import model as M  # noqa: E402
from common import device  # noqa: E402
from make_all import FULL  # noqa: E402
from step_check import step_labels  # noqa: E402
from task import eval_set, extract_answer  # noqa: E402


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    level = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    torch.manual_seed(0)
    work = os.path.join(os.path.dirname(HERE), "work")
    policy, prm = (M.load(os.path.join(work, f), device()) for f in ("policy.pt", "prm.pt"))
    rows = [r for r in eval_set(FULL["eval_seed"], FULL["eval_per_level"]) if r["level"] == level][:count]
    by_prompt = {}
    calls = []
    inner = evaluate.step_scores

    def recording(prm_, prompts, step_lists, batch_size=512):
        out = inner(prm_, prompts, step_lists, batch_size)
        calls.append((prompts, step_lists, out))
        return out

    evaluate.step_scores = recording
    hp = dict(FULL, gen_batch=512)
    for r in rows:
        by_prompt[tuple(evaluate.encode(evaluate.prompt_text(r["problem"]), bos=True))] = r
    right = evaluate.beam_search(policy, prm, rows, hp)

    top_ok = all_ok = mixed = 0
    pair_hits = pair_n = 0.0
    distinct, finals = [], defaultdict(list)
    for prompts, step_lists, scores in calls:
        groups = defaultdict(list)
        for p, st, sc in zip(prompts, step_lists, scores):
            r = by_prompt[tuple(p)]
            ok = step_labels(r["problem"], st)[-1] if st else False
            groups[r["unique_id"]].append((sc[-1] if sc else 0.0, ok, tuple(st), r))
        for uid, g in groups.items():
            open_ = [c for c in g if "\\boxed" not in c[2][-1]]
            for c in g:
                if "\\boxed" in c[2][-1]:
                    finals[uid].append((extract_answer(c[2][-1]) == c[3]["answer"], c[0]))
            if not open_:
                continue
            open_.sort(key=lambda c: -c[0])
            kept = open_[:4]
            distinct.append(len({c[2] for c in kept}))
            oks = [c[1] for c in open_]
            if 0 < sum(oks) < len(oks):
                mixed += 1
                top_ok += sum(c[1] for c in kept) / len(kept)
                all_ok += sum(oks) / len(oks)
                for a in open_:
                    for b in open_:
                        if a[1] and not b[1]:
                            pair_n += 1
                            pair_hits += 1.0 if a[0] > b[0] else 0.5 if a[0] == b[0] else 0.0
    print(f"level {level}, {len(rows)} problems: beam@16 accuracy {sum(right) / len(rows):.3f}")
    print(f"rounds with right and wrong open siblings: {mixed}; right fraction among all open candidates "
          f"{all_ok / max(mixed, 1):.3f}, among the 4 kept (top score) {top_ok / max(mixed, 1):.3f}; "
          f"sibling AUROC (right vs wrong partial solution, same problem and round) {pair_hits / max(pair_n, 1):.3f}")
    print(f"distinct step lists among the 4 kept beams: mean {sum(distinct) / max(len(distinct), 1):.2f}")
    with_right = sum(1 for f in finals.values() if any(ok for ok, _ in f))
    print(f"problems with a right final candidate: {with_right}/{len(rows)}; finals per problem "
          f"{sum(len(f) for f in finals.values()) / len(rows):.1f}")


if __name__ == "__main__":
    main()
