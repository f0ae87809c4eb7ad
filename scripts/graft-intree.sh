#!/usr/bin/env bash
# Grafts smb3rs into a kernel source tree as fs/smb/smb3rs/, so that CONFIG_SMB3RS=m
# or =y builds it with the kernel. Idempotent: run it again to refresh the sources.
# Usage: scripts/graft-intree.sh /path/to/linux
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=${1:?usage: $0 KERNEL_SOURCE_DIR}
[ -f "$ksrc/fs/smb/Kconfig" ] || { echo "$ksrc does not look like a kernel tree with fs/smb" >&2; exit 1; }

dest=$ksrc/fs/smb/smb3rs
mkdir -p "$dest"
# Only the files the kernel build reads; --delete drops sources removed from the tree.
rsync -a --delete --include='*/' --include='*.rs' --include='*.c' --include='*.h' \
	--exclude='*' "$top/rust/" "$dest/rust/"
cp "$top/Kbuild" "$dest/Makefile"
cp "$top/Kconfig" "$dest/Kconfig"

grep -q 'fs/smb/smb3rs/Kconfig' "$ksrc/fs/smb/Kconfig" \
	|| printf '\nsource "fs/smb/smb3rs/Kconfig"\n' >> "$ksrc/fs/smb/Kconfig"
grep -q 'smb3rs/' "$ksrc/fs/smb/Makefile" \
	|| printf 'obj-$(CONFIG_SMB3RS)\t+= smb3rs/\n' >> "$ksrc/fs/smb/Makefile"
