#!/usr/bin/env bash
# Regenerates the real-traffic fixtures of the protocol tests: boots the test VM, runs
# tests/capture/capture_guest.sh (cifs.ko against ksmbd and Samba, signed and sealed),
# and turns each pcap into host/tests/fixtures/captures/<scenario>/{c2s,s2c}.bin.
# The credentials are those of tests/lib/servers.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kdir=$("$SMB3RS_TOP/scripts/build-kernel.sh" test)
out=$SMB3RS_TOP/out/capture
rm -rf "$out"
"$SMB3RS_TOP/scripts/vm-run.sh" --quiet --timeout 1200 "$kdir" "$out" tests/capture/capture_guest.sh
grep -E 'captured|failed' "$out/console.log" | tr -d '\r' >&2 || true
"$SMB3RS_TOP/tests/capture/extract.py" "$SMB3RS_TOP/host/tests/fixtures/captures" "$out"/*.pcap
