#!/usr/bin/env bash
# Packs RabbitMQ (with its Erlang) and PostgreSQL 15 from this Debian 12 machine's package mirror into
# one relocatable tarball for the GPU machine (Ubuntu 24.04, no network, no packages of either):
#   .gpu-build/services.tar.xz   (git-ignored), unpacked there by scripts/gpu/services_gpu.sh
# Layout inside (the prefix): the packages' own trees as dpkg -x leaves them (usr/lib/erlang,
# usr/lib/rabbitmq, usr/lib/postgresql/15, usr/share/postgresql/15, ...) plus lib/, every shared
# library those binaries load that is not part of glibc or the compiler runtime, copied from this
# machine (glibc 2.36 is older than Ubuntu 24.04's 2.39, so they load there). scripts/services.sh runs
# it with PIPELINE_SERVICES_PREFIX=<prefix> (docs/gpu.md, "RabbitMQ and PostgreSQL on the GPU machine").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUTFILE=${1:-$ROOT/.gpu-build/services.tar.xz}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
S=$TMP/svc
mkdir -p "$TMP/debs" "$S/lib"

# RabbitMQ and the Erlang applications it depends on, resolved by apt; everything else it depends on
# (init systems, adduser, socat, ...) serves the packaged service, not a node started by hand, and its
# libraries come in through the ldd pass below.
mapfile -t rabbit < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances rabbitmq-server | grep -E '^(rabbitmq-server|erlang-[a-z0-9-]+)$' | sort -u)
pkgs=("${rabbit[@]}" postgresql-15 postgresql-client-15 libpq5)
echo "packages: ${pkgs[*]}"
(cd "$TMP/debs" && apt-get download "${pkgs[@]}" >/dev/null 2>"$TMP/apt.err") \
  || { cat "$TMP/apt.err" >&2; echo "apt-get download failed (apt-get update first?)" >&2; exit 1; }
for d in "$TMP"/debs/*.deb; do dpkg -x "$d" "$S"; done

# What a server started by hand never reads: docs, man pages, translations, the packaged service's
# config and init files, and PostgreSQL's JIT (run with jit=off) with its bitcode.
rm -rf "$S"/usr/share/{doc,man,locale,lintian,bash-completion,zsh} "$S"/etc "$S"/lib/systemd "$S"/usr/lib/systemd \
       "$S"/usr/lib/postgresql/15/lib/bitcode "$S"/usr/lib/postgresql/15/lib/llvmjit*.so "$S"/usr/share/postgresql/15/man
find "$S" -name '*.pdf' -delete
# Erlang sources and C headers: not loaded at run time
find "$S/usr/lib/erlang" -type d \( -name src -o -name include -o -name examples -o -name doc \) -prune -exec rm -rf {} +

# Debian's erl and start scripts pin ROOTDIR=/usr/lib/erlang whatever dyn_erl finds: take the root
# from where the script really lies instead (bin/ is one level under the root, erts-*/bin/ two).
for f in "$S"/usr/lib/erlang/bin/{erl,start} "$S"/usr/lib/erlang/erts-*/bin/{erl,start}; do
  [ -f "$f" ] || continue
  case $f in */erts-*/bin/*) up=../.. ;; *) up=.. ;; esac
  grep -q '^ *ROOTDIR=/usr/lib/erlang$' "$f" || { echo "$f: no ROOTDIR=/usr/lib/erlang to rewrite" >&2; exit 1; }
  sed -i "s|^\\( *\\)ROOTDIR=/usr/lib/erlang\$|\\1ROOTDIR=\"\$(cd \"\$(dirname \"\$(readlink -f \"\$0\")\")/$up\" \\&\\& pwd)\"|" "$f"
done

# RabbitMQ ships ~60 plugins and Erlang/OTP apps it never starts here. Kept: the applications that
# rabbit, its prelaunch and the management plugin (the only one enabled) need, by the applications,
# included_applications and optional_applications of their .app files, plus runtime_tools and
# parsetools for the CLI's diagnostics. Then every .beam loses its debug info and docs (beam_lib:strip;
# Attr and CInf stay: RabbitMQ finds its boot steps and feature flags in module attributes).
plugins=$(ls -d "$S"/usr/lib/rabbitmq/lib/rabbitmq_server-*/plugins)
erl=$S/usr/lib/erlang/bin/erl
"$erl" -noshell -eval '
  [Plugins, OtpLib] = init:get_plain_arguments(),
  Dirs = filelib:wildcard(filename:join(Plugins, "*")) ++ filelib:wildcard(filename:join(OtpLib, "*")),
  Index = maps:from_list(lists:flatmap(fun(D) ->
      case filelib:wildcard(filename:join([D, "ebin", "*.app"])) of
          [F] -> {ok, [{application, Name, Props}]} = file:consult(F), [{Name, {D, Props}}];
          _ -> [] end end, Dirs)),
  Walk = fun Walk([], Seen) -> Seen;
             Walk([A | Rest], Seen) ->
                 case maps:is_key(A, Seen) of
                     true -> Walk(Rest, Seen);
                     false ->
                         {_, Props} = case maps:find(A, Index) of {ok, V} -> V; error -> halt(3) end,
                         Deps = lists:append([proplists:get_value(K, Props, []) ||
                             K <- [applications, included_applications, optional_applications]]),
                         Walk(Deps ++ Rest, Seen#{A => true}) end end,
  Keep = Walk([rabbit, rabbitmq_prelaunch, rabbitmq_management, runtime_tools, parsetools, kernel, stdlib, erts], #{}),
  [begin io:format("dropped ~s~n", [filename:basename(D)]), ok = file:del_dir_r(D) end
   || {A, {D, _}} <- maps:to_list(Index), not maps:is_key(A, Keep)],
  Beams = filelib:wildcard(filename:join(Plugins, "*/ebin/*.beam")) ++ filelib:wildcard(filename:join(OtpLib, "*/ebin/*.beam")),
  {ok, _} = beam_lib:strip_files(Beams, ["Attr", "CInf"]),
  io:format("stripped ~b .beam files~n", [length(Beams)]),
  halt(0).' -extra "$plugins" "$S/usr/lib/erlang/lib" > "$TMP/trim.log" \
  || { cat "$TMP/trim.log" >&2; echo "trimming the Erlang applications failed" >&2; exit 1; }
echo "$(grep -c '^dropped' "$TMP/trim.log") applications dropped: $(sed -n 's/^dropped //p' "$TMP/trim.log" | tr '\n' ' ')"
tail -1 "$TMP/trim.log"

# Every ELF's libraries, resolved on this machine, but for glibc, the dynamic loader and the compiler
# runtime that every Linux (Ubuntu 24.04 included) has in a newer version. Libraries the packages
# themselves ship (libpq5) are found in the staging tree first.
base='^(libc|libm|libdl|libpthread|librt|libresolv|libutil|libanl|libcrypt|libgcc_s|libstdc\+\+|ld-linux-x86-64|linux-vdso)\.so'
export LD_LIBRARY_PATH=$S/usr/lib/x86_64-linux-gnu
find "$S" -type f -print0 | while IFS= read -r -d '' f; do
  head -c4 "$f" | grep -q ELF || continue
  ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3} / not found/ {print $1, "MISSING"}'
done | sort -u > "$TMP/needed"
if grep MISSING "$TMP/needed"; then echo "libraries not found on this machine (above)" >&2; exit 1; fi
while read -r name path; do
  [[ $name =~ $base ]] && continue
  [[ $path == "$S"/* ]] && continue
  cp -L "$path" "$S/lib/$name"
done < "$TMP/needed"
unset LD_LIBRARY_PATH
# Loaded with dlopen, so ldd does not list them: Erlang's SCTP support (a bare Ubuntu has no libsctp1)
# and OpenSSL's legacy provider, which Erlang's crypto loads from OPENSSL_MODULES (services.sh sets it).
cp -L /usr/lib/x86_64-linux-gnu/libsctp.so.1 "$S/lib/"
mkdir -p "$S/lib/ossl-modules"
cp -L /usr/lib/x86_64-linux-gnu/ossl-modules/legacy.so "$S/lib/ossl-modules/"
echo "bundled libraries: $(ls "$S/lib" | tr '\n' ' ')"

# What the bundle still takes from the host: must be glibc and the compiler runtime only, which Ubuntu
# 24.04 has (glibc 2.39, gcc 14's runtime), newer than these binaries were built against.
export LD_LIBRARY_PATH=$S/lib:$S/usr/lib/x86_64-linux-gnu
find "$S" -type f -print0 | while IFS= read -r -d '' f; do
  head -c4 "$f" | grep -q ELF || continue
  ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}'
done | grep -v "^$S/" | sort -u > "$TMP/outside"
unset LD_LIBRARY_PATH
echo "taken from the host: $(xargs -n1 basename < "$TMP/outside" | tr '\n' ' ')"
if xargs -n1 basename < "$TMP/outside" | grep -vE "$base"; then echo "libraries above would be missing on a bare host" >&2; exit 1; fi

mkdir -p "$(dirname "$OUTFILE")"
echo "staged $(du -sm "$S" | cut -f1) MB; compressing"
tar -C "$S" --owner=0 --group=0 -cf - . | xz -T2 -9 > "$OUTFILE.tmp"
mv "$OUTFILE.tmp" "$OUTFILE"
sha256sum "$OUTFILE" | cut -d' ' -f1 > "$OUTFILE.sha256"
echo "$OUTFILE: $(du -b "$OUTFILE" | cut -f1) bytes ($(du -m "$OUTFILE" | cut -f1) MB)"

# Parts for the GPU machine's calls, as publish.sh cuts the app: each call carries the working tree
# plus one git-ignored .gpu-sNN/ folder (64 MiB in all); services_gpu.sh joins them there.
[ "$OUTFILE" = "$ROOT/.gpu-build/services.tar.xz" ] || exit 0
cd "$ROOT"
rm -rf .gpu-s[0-9]*
. "$ROOT/scripts/gpu/parts.sh"
cut_parts .gpu-build/services.tar.xz .gpu-s .gpu-build/services.tar.xz.sha256
du -b .gpu-s*/services.tar.xz.[0-9]*
