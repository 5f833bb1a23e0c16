# Sourced on the GPU machine by device_run.sh, real_run.sh and pipeline_run.sh: joins the parts of the
# published apps (GpuBench, aggregator, proposal-worker, verifier-worker, combined-worker, pipeline: one folder) that earlier
# calls left in /tmp/p (scripts/gpu/publish.sh), this call's own part included, unpacks them beside the CUDA
# provider into $APP once (again when an app is missing, e.g. an older GpuBench-only unpack), and points
# LD_LIBRARY_PATH at CUDA 13 and cuDNN 9: the toolkit's libraries, then the pip wheels of the machine's Python.
APP=${APP:-/tmp/gpubench}
mkdir -p "$APP"
app_missing=0
for a in GpuBench aggregator proposal-worker verifier-worker combined-worker pipeline; do [ -x "$APP/$a" ] || app_missing=1; done
if [ "$app_missing" = 1 ]; then
  cp .gpu-p*/bundle.tar.* /tmp/p/ 2>/dev/null
  mkdir -p /tmp/b
  cat /tmp/p/bundle.tar.* | tar -C /tmp/b -xf - || { echo "bundle incomplete: $(ls /tmp/p)"; exit 1; }
  xz -dc /tmp/b/cuda.xz > "$APP/libonnxruntime_providers_cuda.so" || exit 1
  [ "$(sha256sum "$APP/libonnxruntime_providers_cuda.so" | cut -d' ' -f1)" = "$(cat /tmp/b/cuda.sha256)" ] \
    || { echo "CUDA provider checksum mismatch"; exit 1; }
  xz -dc /tmp/b/app.tar.xz | tar -C "$APP" -xf - || exit 1
fi
NV=$(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]) + "/nvidia")' 2>/dev/null)
PYLIBS=$(ls -d "$NV"/*/lib 2>/dev/null | tr '\n' ':')
export LD_LIBRARY_PATH=/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu:${PYLIBS}$APP
