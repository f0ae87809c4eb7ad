#!/usr/bin/env bash
# Builds smb3rs.ko out of tree. With no KDIR, against the project's cached test kernel
# (built first if needed); with KDIR, against that kernel build (it must have
# CONFIG_RUST=y and have been built with the same rustc you build this with).
# Usage: scripts/build-module.sh [--clippy] [KDIR]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

extra=()
if [ "${1:-}" = --clippy ]; then extra+=(CLIPPY=1); shift; fi
kdir=${1:-}
if [ -z "$kdir" ]; then
	kdir=$("$SMB3RS_TOP/scripts/build-kernel.sh" test)
	vars=("${KMAKE_VARS[@]}")
else
	# Someone else's kernel: LLVM=1 as Rust needs, RUSTC/BINDGEN from the environment.
	vars=(LLVM=1)
fi
# CLIPPY=1 only lints what it compiles: start from a clean object state.
[ ${#extra[@]} -eq 0 ] || make -s -C "$kdir" M="$SMB3RS_TOP" "${vars[@]}" clean
make -C "$kdir" M="$SMB3RS_TOP" CONFIG_SMB3RS=m "${vars[@]}" "${extra[@]}" -j"$(nproc)" modules
