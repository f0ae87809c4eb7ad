#!/usr/bin/env bash
# Runs the selftest suites (tests/*/) inside a VM booted from the cached kernel of the
# given flavour, with ksmbd and Samba started in the guest. Prints the KTAP report;
# leaves the logs (console, kernel log, per-test KTAP, totals) in OUTDIR.
# Usage: scripts/vm-test.sh [--flavour test|bench] OUTDIR [SUITE...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=test
if [ "${1:-}" = --flavour ]; then flavour=$2; shift 2; fi
outdir=${1:?usage: $0 [--flavour F] OUTDIR [SUITE...]}
shift
kdir=$(kernel_build_dir "$flavour")
[ -f "$kdir/.smb3rs-built" ] || die "no $flavour kernel built yet (scripts/build-kernel.sh $flavour)"
rm -rf "$outdir"
mkdir -p "$outdir"

rc=0
# A larger integrity test (SMB3RS_INTEGRITY_MIB, 64 by default) takes about 7 s
# more per MiB, both servers together, under TCG.
extra=$(( 7 * (${SMB3RS_INTEGRITY_MIB:-64} - 64) ))
"$SMB3RS_TOP/scripts/vm-run.sh" --quiet \
	--timeout "${SMB3RS_VM_TIMEOUT:-$(( 3600 + (extra > 0 ? extra : 0) ))}" \
	"$kdir" "$outdir" tests/run_tests.sh "$@" || rc=$?

# The KTAP report is the guest's console output from the runner on.
tr -d '\r' < "$outdir/console.log" | sed -n '/^KTAP version 1$/,$p' \
	| grep -v -E '^\[ *[0-9]+\.[0-9]+\] ' | sed '/^# totals:/q' || true

if [ ! -f "$outdir/totals" ]; then
	log "the VM run produced no totals (exit $rc); last console lines:"
	tail -n 60 "$outdir/console.log" >&2 || true
	# An oops that panicked the VM shows only on the console.
	"$SMB3RS_TOP/tests/lib/dmesg-check.sh" < "$outdir/console.log" >&2 || true
	echo "pass=0 fail=1 skip=0" > "$outdir/totals"
	exit 1
fi
exit "$rc"
