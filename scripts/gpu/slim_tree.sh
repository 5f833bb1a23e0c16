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
size() { git ls-files -co --exclude-standard -z | du -cb --files0-from=- | tail -1 | cut -f1; }
case "${1:-status}" in
on)
  for f in $files; do
    git rm --cached -q "$f" 2>/dev/null || true
    grep -qx "/$f" .git/info/exclude 2>/dev/null || echo "/$f" >> .git/info/exclude
  done
  echo "tree now $(size) bytes (models kept out: $(echo $files | wc -w) files); run '$0 off' before committing" ;;
off)
  for f in $files; do
    git reset -q -- "$f"
    sed -i "\#^/$f\$#d" .git/info/exclude
  done
  echo "tree now $(size) bytes" ;;
status) echo "tree $(size) bytes" ;;
*) echo "usage: $0 on|off|status" >&2; exit 2 ;;
esac
