#!/usr/bin/env bash
# `make demo`: on a fresh machine, installs what is needed, builds the kernel (cached)
# and smb3rs.ko, boots the VM and runs tests/demo/demo_guest.sh with its console shown.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$SMB3RS_TOP/scripts/setup.sh"
kdir=$("$SMB3RS_TOP/scripts/build-kernel.sh" test)
"$SMB3RS_TOP/scripts/build-module.sh" >/dev/null
out=$SMB3RS_TOP/out/demo
rm -rf "$out"
"$SMB3RS_TOP/scripts/vm-run.sh" --timeout 900 "$kdir" "$out" tests/demo/demo_guest.sh
