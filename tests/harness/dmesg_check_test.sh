#!/bin/bash
# The kernel-log checker must flag real splats and pass a clean boot log; run on the
# host by `make check`, so a checker that silently accepts everything cannot pass.
set -u
cd "$(dirname "$0")"
checker=../lib/dmesg-check.sh
status=0
for f in fixtures/splat-*.txt; do
	if "$checker" < "$f" >/dev/null; then
		echo "FAIL: $f not flagged"
		status=1
	fi
done
for f in fixtures/clean-*.txt; do
	if ! out=$("$checker" < "$f"); then
		echo "FAIL: $f flagged: $out"
		status=1
	fi
done
exit $status
