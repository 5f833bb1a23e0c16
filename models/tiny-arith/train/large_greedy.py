"""The large policy's greedy accuracy by level (policy_large_eval.json, which the eval stage and the model card read),
for a large policy that was not trained in this work folder: e.g. rebuilt from the shipped ONNX file
(from_onnx.py policy-large) and carried to the GPU machine, so a retraining of the small policy keeps it.
    python3 large_greedy.py --work W"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_all  # noqa: E402
import model as M  # noqa: E402
from common import device  # noqa: E402
from task import eval_set  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    hp = make_all.hyperparameters(quick=False)
    rows = eval_set(hp["eval_seed"], hp["eval_per_level"])
    large = M.load(os.path.join(a.work, "policy_large.pt"), device()).eval()
    make_all.write_large_greedy(large, rows, hp, a.work)


if __name__ == "__main__":
    main()
