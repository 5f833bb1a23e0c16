#!/usr/bin/env bash
# Regenerates the bundled tiny model family (models/tiny-arith) from fixed seeds: data, policy, PRM
# (exact step labels), large policy, revision model, evaluation, ONNX export, parity fixture, model card.
# Needs PyTorch and onnx (Debian: python3-torch 1.13, python3-onnx); training belongs on a GPU (stages and
# per-call commands: models/tiny-arith/train/GPU.md), export runs on the CPU.
# Extra arguments go to make_all.py (e.g. --quick for a smoke test of the code).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
exec "$PY" "$ROOT/models/tiny-arith/train/make_all.py" "$@"
