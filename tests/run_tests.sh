#!/bin/bash
# Guest-side runner of the smb3rs selftests (run inside the VM by scripts/vm-test.sh):
# brings up ksmbd and Samba, runs every program of each suite with the suite's
# timeout, prints nested KTAP, adds a final "kernel log is clean" test that fails on
# any BUG/WARN/Oops/KASAN/lockdep/kmemleak report or Rust panic, and writes the
# totals to $SMB3RS_OUT/totals.
# Usage: tests/run_tests.sh [SUITE...]   (default: all suites under tests/)
set -u
cd "$(dirname "$0")"
TESTS_DIR=$(pwd)
export TESTS_DIR
. lib/servers.sh

if [ $# -gt 0 ]; then
	suites=("$@")
else
	suites=()
	for d in */; do
		[ -f "$d/Makefile" ] && [ -f "$d/settings" ] && suites+=("${d%/}")
	done
fi

pass=0 fail=0 skip=0

# Counts the leaf results of one test program's KTAP output.
count_results() {
	local line
	while IFS= read -r line; do
		case "$line" in
		"ok "*"# SKIP"*) skip=$((skip + 1)) ;;
		"ok "*) pass=$((pass + 1)) ;;
		"not ok "*) fail=$((fail + 1)) ;;
		esac
	done < "$1"
}

echo "KTAP version 1"
echo "1..$(( ${#suites[@]} + 1 ))"

log_servers=$SMB3RS_OUT/servers.log
started=$SECONDS
if ! { start_ksmbd && start_samba; } >"$log_servers" 2>&1; then
	echo "# could not start the SMB servers:"
	sed 's/^/# /' "$log_servers"
fi
echo "# servers started in $((SECONDS - started)) s"

n=0
for suite in "${suites[@]}"; do
	n=$((n + 1))
	timeout=300
	# shellcheck disable=SC1090
	[ -f "$suite/settings" ] && . "$suite/settings"
	suite_ok=1
	echo "    # Suite: $suite"
	progs=()
	if ! list=$(make -s -C "$suite" list) || [ -z "$list" ]; then
		echo "    # cannot list the programs of suite $suite"
		fail=$((fail + 1))
		echo "not ok $n $suite"
		continue
	fi
	mapfile -t progs <<< "$list"
	echo "    KTAP version 1"
	echo "    1..${#progs[@]}"
	i=0
	for prog in "${progs[@]}"; do
		i=$((i + 1))
		out=$SMB3RS_OUT/$suite-$prog.ktap
		started=$SECONDS
		(cd "$suite" && timeout --kill-after=10 "$timeout" "./$prog") >"$out" 2>&1
		rc=$?
		sed 's/^/        /' "$out"
		echo "        # $prog took $((SECONDS - started)) s"
		count_results "$out"
		if [ "$rc" -eq 0 ]; then
			echo "    ok $i $prog"
		else
			[ "$rc" -eq 124 ] && echo "        # timed out after ${timeout}s"
			# A program that died without reporting a failure still counts as one.
			grep -q '^not ok ' "$out" || fail=$((fail + 1))
			echo "    not ok $i $prog"
			suite_ok=0
		fi
	done
	if [ "$suite_ok" = 1 ]; then echo "ok $n $suite"; else echo "not ok $n $suite"; fi
done

# kmemleak reports only after a scan; scan twice as its docs advise.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > "$SMB3RS_OUT/kmemleak.txt"
fi
n=$((n + 1))
{ dmesg; cat "$SMB3RS_OUT/kmemleak.txt" 2>/dev/null; } > "$SMB3RS_OUT/kernel-log.txt"
if splats=$(lib/dmesg-check.sh < "$SMB3RS_OUT/kernel-log.txt"); then
	pass=$((pass + 1))
	echo "ok $n kernel log is clean"
else
	fail=$((fail + 1))
	echo "$splats" | head -n 40 | sed 's/^/# /'
	echo "not ok $n kernel log is clean"
fi

echo "pass=$pass fail=$fail skip=$skip" > "$SMB3RS_OUT/totals"
echo "# totals: pass:$pass fail:$fail skip:$skip"
[ "$fail" -eq 0 ]
