#!/usr/bin/env bash
# Regenerates the bundled tiny model family (models/tiny-arith) from fixed seeds: data, policy, PRM
# (Monte Carlo rollouts), revision model, evaluation, ONNX export, parity fixture, model card.
# Needs only PyTorch (Debian's python3-torch 1.13 on CPU works, slowly; about 10 minutes on one H200).
# Extra arguments go to make_all.py (e.g. --quick for a smoke test of the code).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
exec "$PY" "$ROOT/models/tiny-arith/train/make_all.py" "$@"
