#!/usr/bin/env bash
# README command 2: installs and starts what the tests need (RabbitMQ, PostgreSQL), runs every
# test project of Pipeline.sln, stops what it started, and ends with one line "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

export PIPELINE_PG_FAST=1   # fsync off: test data is throwaway
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

started=0
cleanup() { [ $started = 1 ] && scripts/services.sh stop || true; }
trap cleanup EXIT

# servers already up (a dev machine shared by several people) are left running afterwards
port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
already_up=0
port_open "${PIPELINE_PG_PORT:-5433}" && port_open "${PIPELINE_AMQP_PORT:-5672}" && already_up=1
if ! scripts/services.sh start; then
  echo "could not start RabbitMQ/PostgreSQL: see messages above" >&2
fi
[ $already_up = 1 ] || started=1
eval "$(scripts/services.sh env)"

# The Hugging Face import tests (C#: HfImportTests, ModelCommandsTests) run scripts/hf_import/import_hf.py
# with Debian's Python, which needs numpy + onnx before the .NET tests start.
if ! /usr/bin/python3 -c "import numpy, onnx" 2>/dev/null; then
  echo "installing python3-numpy python3-onnx (Debian) for the importer"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-numpy python3-onnx >/dev/null
fi

# The run report test (PipelineRunTests) opens report.html in headless Chromium; it fails, not skips,
# when Chromium is missing. fonts-dejavu-core: the charts' font (ScottPlot draws with SkiaSharp).
if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  echo "installing chromium fonts-dejavu-core (Debian) for the report test"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null ||
    echo "could not install chromium: the report test will fail" >&2
fi

log=$(mktemp)
dotnet build Pipeline.sln -c Release 2>&1 | tail -n 30
build_rc=${PIPESTATUS[0]}
if [ "$build_rc" != 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# --blame-hang keeps one stuck test from eating CI's whole time budget
dotnet test Pipeline.sln -c Release --no-build --blame-hang-timeout 10m 2>&1 | tee "$log"
test_rc=${PIPESTATUS[0]}

# vstest prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, ..."
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
passed=${passed:-0}; failed=${failed:-0}
if [ "$test_rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi   # crashed test host: never report green
rm -f "$log"

# The tiny models' training code has unit tests of its own (task generator, tokenizer, text layout);
# they need Debian's torch (/usr/bin/python3, not a pyenv interpreter).
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "installing python3-torch (Debian) for the model code's tests"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch python3-onnx >/dev/null
fi
# The Hugging Face importer's tests (scripts/hf_import) need numpy + onnx of the same interpreter;
# scripts/gpu's (pipeline_summary.py) the standard library only.
for suite in models/tiny-arith/train scripts/hf_import scripts/gpu; do
  pylog=$(mktemp)
  /usr/bin/python3 -m unittest discover -s "$suite" -p 'test_*.py' -v 2>&1 | tee "$pylog"
  py_rc=${PIPESTATUS[0]}
  py_ran=$(grep -Eo '^Ran [0-9]+ tests?' "$pylog" | grep -Eo '[0-9]+' || echo 0)
  py_bad=$(grep -Eo '(failures|errors)=[0-9]+' "$pylog" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
  [ "$py_rc" != 0 ] && [ "$py_bad" = 0 ] && py_bad=1
  rm -f "$pylog"
  passed=$((passed + py_ran - py_bad)); failed=$((failed + py_bad))
  [ "$py_rc" = 0 ] || test_rc=1
done

cleanup; started=0
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$test_rc" = 0 ]
