#!/usr/bin/env bash
# A device call carries the working tree (tracked + untracked-not-ignored files) and its carried folders,
# 64 MiB in all; the bundled tiny models alone are ~68 MB, so GPU sessions keep them out of the tree while
# they run (nothing on the GPU machine uses them: training regenerates them, the pipeline runs imported
# models). `on` untracks them in the index and ignores them in .git/info/exclude (files stay on disk);
# `off` undoes both. Never commit while it is on: the commit would delete the models.
#   scripts/gpu/slim_tree.sh on|off|status
set -euo pipefail
cd "$(dirname "$0")/../.."
files=$(git ls-files 'models/tiny-arith/*.onnx'; grep -o '^/models/tiny-arith/[^ ]*\.onnx$' .git/info/exclude 2>/dev/null | cut -c2- || true)
files=$(printf '%s\n' $files | sort -u)
. scripts/gpu/parts.sh
case "${1:-status}" in
on)
  for f in $files; do
    git rm --cached -q "$f" 2>/dev/null || true
    grep -qx "/$f" .git/info/exclude 2>/dev/null || echo "/$f" >> .git/info/exclude
  done
  echo "tree now $(tree_bytes) bytes (models kept out: $(echo $files | wc -w) files); run '$0 off' before committing" ;;
off)
  for f in $files; do
    git reset -q -- "$f"
    sed -i "\#^/$f\$#d" .git/info/exclude
  done
  echo "tree now $(tree_bytes) bytes" ;;
status) echo "tree $(tree_bytes) bytes" ;;
*) echo "usage: $0 on|off|status" >&2; exit 2 ;;
esac
