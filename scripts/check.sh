#!/usr/bin/env bash
# `make check`: everything that must hold on main, from a fresh machine or a warm one.
#   1. setup (packages, bindgen, ksmbd-tools; quick when present)
#   2. host tests: cargo test of the protocol core, the harness's own tests
#   3. the test kernel (cached), smb3rs.ko out of tree, rustfmt, the in-tree build
#   4. the VM selftests against ksmbd and Samba, with the kernel log checked
# Ends with "N passed, N failed" and a non-zero status on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SMB3RS_TOP"

OUT=$SMB3RS_TOP/out/check
rm -rf "$OUT"
mkdir -p "$OUT"
passed=0 failed=0
t0=$(date +%s)

step() {
	local name=$1
	shift
	local s=$(date +%s)
	if "$@" >"$OUT/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok - $name ($(( $(date +%s) - s ))s)"
	else
		failed=$((failed + 1))
		echo "not ok - $name ($(( $(date +%s) - s ))s); last lines of $OUT/$name.log:"
		tail -n 40 "$OUT/$name.log" | sed 's/^/    /'
	fi
}

finish() {
	echo "# make check took $(( $(date +%s) - t0 ))s"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

step setup scripts/setup.sh || true
[ "$failed" -eq 0 ] || finish

# Host tests: count cargo's own results so the totals mean test cases.
echo "# host: cargo test (protocol core)"
if (cd host && cargo test --quiet 2>&1) > "$OUT/cargo-test.log"; then cargo_ok=1; else cargo_ok=0; fi
read -r hp hf < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p + 0, f + 0 }' "$OUT/cargo-test.log")
grep '^test result:' "$OUT/cargo-test.log" | sed 's/^/    /'
passed=$((passed + hp)) failed=$((failed + hf))
if [ "$cargo_ok" = 0 ] && [ "$hf" -eq 0 ]; then
	failed=$((failed + 1))
	echo "not ok - cargo test did not run (build error?):"
	tail -n 30 "$OUT/cargo-test.log" | sed 's/^/    /'
fi

step harness-selftest tests/harness/dmesg_check_test.sh
step bench-report-selftest tests/bench/report_test.sh
step kernel scripts/build-kernel.sh test
kernel_ok=$(test -f "$(kernel_build_dir test)/.smb3rs-built" && echo 1 || echo 0)
[ "$kernel_ok" = 1 ] || finish
grep -h "kernel built in" "$OUT/kernel.log" | sed 's/^/    /' || true
step module scripts/build-module.sh
step rustfmt rustfmt --check --edition 2021 rust/smb3rs_main.rs
step intree scripts/check-intree.sh test
[ -f smb3rs.ko ] || finish

echo "# VM selftests (ksmbd + Samba in the guest); logs in $OUT/vm"
s=$(date +%s)
scripts/vm-test.sh "$OUT/vm" | sed 's/^/    /'
read -r vp vf < <(sed -E 's/pass=([0-9]+) fail=([0-9]+).*/\1 \2/' "$OUT/vm/totals")
passed=$((passed + vp)) failed=$((failed + vf))
echo "# VM selftests took $(( $(date +%s) - s ))s"
finish
