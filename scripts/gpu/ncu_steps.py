"""Reads ncu's raw CSV (one row per kernel, gpu__time_duration.sum) of profile.sh's run and prints the
decode step: the longest kernel sequence that occurs twice back to back (two decode steps of one
generation), its total GPU time, kernel count and the kernels that take the most time.

  python3 scripts/gpu/ncu_steps.py ncu-b64.csv
"""
from __future__ import annotations

import csv
import sys
from collections import defaultdict


def load(path: str) -> list[tuple[str, float]]:
    with open(path) as f:
        lines = [l for l in f if l.startswith('"')]
    rows = list(csv.DictReader(lines))
    out = []
    for r in rows:
        t = r.get("gpu__time_duration.sum", "")
        try:
            out.append((r["Kernel Name"], float(t.replace(",", ""))))
        except (ValueError, KeyError):
            continue   # the units row
    return out


def decode_step(kernels: list[tuple[str, float]]) -> tuple[int, int]:
    names = [k for k, _ in kernels]
    n = len(names)
    for length in range(n // 2, 0, -1):
        for start in range(0, n - 2 * length + 1):
            if all(names[start + i] == names[start + length + i] for i in range(length)):
                return start, length
    return 0, 0


def main() -> None:
    kernels = load(sys.argv[1])
    start, length = decode_step(kernels)
    if not length:
        print(f"no repeated decode step among {len(kernels)} kernels")
        return
    steps = [kernels[start:start + length], kernels[start + length:start + 2 * length]]
    totals = [sum(t for _, t in s) for s in steps]
    print(f"{len(kernels)} kernels profiled; decode step = {length} kernels, GPU time {totals[0] / 1e3:.1f} us "
          f"and {totals[1] / 1e3:.1f} us (two consecutive steps)\n")
    by = defaultdict(lambda: [0, 0.0])
    for name, t in steps[1]:
        short = name.split("(")[0][:90]
        by[short][0] += 1
        by[short][1] += t
    print("| kernel | launches a step | us a step | share |")
    print("|---|---|---|---|")
    for name, (count, t) in sorted(by.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"| `{name}` | {count} | {t / 1e3:.1f} | {100 * t / totals[1]:.1f}% |")


if __name__ == "__main__":
    main()
