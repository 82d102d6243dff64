#!/usr/bin/env bash
# bench/kernels/build.sh: the wasm inputs of bench/kernel_bench.c, none of
# them committed.
#
#   bash bench/kernels/build.sh [--out DIR] [--no-esbuild] [--force]
#
# - Compiles every bench/kernels/*.c to DIR/NAME.wasm (default DIR:
#   bench/target/kernels, gitignored) with clang --target=wasm32 -O2,
#   freestanding (-nostdlib, no libc), linked by wasm-ld with --no-entry
#   --export-all, the stack first (an overflow traps instead of overwriting
#   data) and 1 MiB of it. Installs clang and lld with apt-get if missing.
# - Fetches a large real module for the compile-throughput measurement:
#   esbuild.wasm from the npm package esbuild-wasm (version pinned below,
#   ESBUILD_VERSION overrides; ~14 MB of Go-compiled wasm), via `npm pack`,
#   into DIR/esbuild.wasm. Installs npm with apt-get if missing.
# Up-to-date outputs are kept (--force rebuilds and refetches).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/../target/kernels"
esbuild=1
force=0
esbuild_version=${ESBUILD_VERSION:-0.28.2}
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift ;;
    --no-esbuild) esbuild=0 ;;
    --force) force=1 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# apt_install PACKAGE...: as root, or through sudo when there is one.
apt_updated=0
apt_install() {
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "== build.sh: installing $* with apt-get" >&2
  if [ "$apt_updated" = 0 ]; then "${sudo[@]}" apt-get update -qq >&2; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >&2
}

cc_wasm=${CC_WASM:-clang}
if ! command -v "$cc_wasm" >/dev/null || ! command -v wasm-ld >/dev/null; then
  apt_install clang lld
fi
# Debian names the linker wasm-ld (from lld); clang finds it on PATH.
wasm_flags=(--target=wasm32 -O2 -std=gnu11 -Wall -Wextra -Werror
  -nostdlib -ffreestanding -fno-builtin -ffp-contract=off
  -Wl,--no-entry -Wl,--export-all -Wl,--stack-first -Wl,-z,stack-size=1048576)

for src in "$here"/*.c; do
  name=$(basename "$src" .c)
  wasm="$out/$name.wasm"
  if [ "$force" = 0 ] && [ -f "$wasm" ] && [ "$wasm" -nt "$src" ] && [ "$wasm" -nt "$here/kernel.h" ] &&
    [ "$wasm" -nt "$here/build.sh" ]; then
    continue
  fi
  "$cc_wasm" "${wasm_flags[@]}" "$src" -o "$wasm.tmp"
  mv "$wasm.tmp" "$wasm"
  echo "== build.sh: $wasm ($(wc -c <"$wasm") bytes)" >&2
done

if [ "$esbuild" = 1 ]; then
  target="$out/esbuild.wasm"
  stamp="$out/esbuild.version"
  if [ "$force" = 1 ] || [ ! -f "$target" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$esbuild_version" ]; then
    command -v npm >/dev/null || apt_install npm
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    echo "== build.sh: npm pack esbuild-wasm@$esbuild_version" >&2
    (cd "$tmp" && npm pack --silent "esbuild-wasm@$esbuild_version" >/dev/null)
    tar -xzf "$tmp"/esbuild-wasm-*.tgz -C "$tmp" package/esbuild.wasm
    mv "$tmp/package/esbuild.wasm" "$target"
    echo "$esbuild_version" >"$stamp"
    echo "== build.sh: $target ($(wc -c <"$target") bytes, esbuild-wasm $esbuild_version)" >&2
  fi
fi
