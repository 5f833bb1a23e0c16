# Sourced by publish.sh, pack_services.sh and slim_tree.sh: what a device call carries and how a bundle is cut
# to fit. A call carries the working tree (tracked + untracked-not-ignored files) plus its carried folders,
# 64 MiB in all; each part goes into a git-ignored folder of its own, carried by one call.

# Bytes of the working tree a device call carries.
tree_bytes() { git ls-files -co --exclude-standard -z | du -cb --files0-from=- | tail -1 | cut -f1; }

# cut_parts FILE PREFIX [COMPANION]: splits FILE into FILE.00, FILE.01, ... of PART_BYTES (default: what the
# tree leaves free, 4 MiB spare) and moves part NN into folder PREFIXNN/ (with a copy of COMPANION, if given);
# sets PARTS (how many) and PART (the size used). Run from the repository root.
cut_parts() {
  local file=$1 prefix=$2 companion=${3:-} tree f d
  tree=$(tree_bytes)
  PART=${PART_BYTES:-$(( 64 * 1024 * 1024 - tree - 4 * 1024 * 1024 ))}
  [ "$PART" -gt 4000000 ] || { echo "working tree of $tree bytes leaves no room for parts"; return 1; }
  split -b "$PART" -d -a 2 "$file" "$file."
  PARTS=0
  for f in "$file".[0-9][0-9]; do
    d=$prefix${f##*.}
    mkdir -p "$d"
    mv "$f" "$d/"
    [ -z "$companion" ] || cp "$companion" "$d/"
    PARTS=$((PARTS + 1))
  done
  echo "tree $tree bytes; $PARTS parts of at most $PART bytes:"
}
