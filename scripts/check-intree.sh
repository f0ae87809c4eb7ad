#!/usr/bin/env bash
# Proves the in-tree build: grafts smb3rs into the cached kernel source as
# fs/smb/smb3rs/, enables CONFIG_SMB3RS=m in the cached kernel build and builds the
# modules there. Only smb3rs is rebuilt; the kernel image is untouched.
# Usage: scripts/check-intree.sh [test|bench]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-test}
src=$(kernel_src_dir)
out=$(kernel_build_dir "$flavour")
[ -f "$out/.smb3rs-built" ] || die "no $flavour kernel built yet"

"$SMB3RS_TOP/scripts/graft-intree.sh" "$src"
"$src/scripts/config" --file "$out/.config" --module SMB3RS
make -s -C "$src" O="$out" "${KMAKE_VARS[@]}" olddefconfig
grep -qx 'CONFIG_SMB3RS=m' "$out/.config" || die "CONFIG_SMB3RS=m did not survive olddefconfig"
make -s -C "$src" O="$out" "${KMAKE_VARS[@]}" -j"$(nproc)" modules
[ -f "$out/fs/smb/smb3rs/smb3rs.ko" ] || die "in-tree build produced no fs/smb/smb3rs/smb3rs.ko"
log "in-tree build: $out/fs/smb/smb3rs/smb3rs.ko"
