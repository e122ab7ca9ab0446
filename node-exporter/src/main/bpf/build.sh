#!/usr/bin/env bash
# Compiles every *.bpf.c here into a stripped CO-RE object under src/main/resources/x0/bpf (committed).
# Run from node-exporter/ (the opt-in Maven profile "bpf" does): relative paths keep the output byte-identical.
set -euo pipefail
cd "$(dirname "$0")"
out=../resources/x0/bpf
mkdir -p "$out"
for src in *.bpf.c; do  # one object per metric family
  obj="$out/${src%.c}.o"
  # The prefix map keeps the checkout's path out of the BTF strings: the same source gives the same bytes anywhere.
  clang -O2 -g -Wall -target bpf -D__TARGET_ARCH_x86 -fdebug-prefix-map="$(pwd)"=. -I. -c "$src" -o "$obj.tmp"
  llvm-strip -g "$obj.tmp" -o "$obj"
  rm -f "$obj.tmp"
  echo "built $obj"
done
