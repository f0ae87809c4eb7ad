# shellcheck shell=bash
# KTAP output for test programs (Documentation/dev-tools/ktap.rst), sourced by each
# executable test. Usage:
#   ktap_begin 3
#   ktap_test "name" command args...   # ok if the command exits 0
#   ktap_skip "name" "reason"
#   ktap_end                           # exits non-zero if any test failed

KTAP_NUM=0 KTAP_PLAN=0 KTAP_FAILED=0

ktap_begin() {
	KTAP_PLAN=$1
	echo "KTAP version 1"
	echo "1..$KTAP_PLAN"
}

ktap_diag() {
	local line
	while IFS= read -r line; do printf '# %s\n' "$line"; done <<< "$*"
}

ktap_pass() {
	KTAP_NUM=$((KTAP_NUM + 1))
	echo "ok $KTAP_NUM $1"
}

ktap_fail() {
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_FAILED=$((KTAP_FAILED + 1))
	echo "not ok $KTAP_NUM $1${2:+ # $2}"
}

ktap_skip() {
	KTAP_NUM=$((KTAP_NUM + 1))
	echo "ok $KTAP_NUM $1 # SKIP ${2:-}"
}

# Runs a command as one test case; its output is shown as diagnostics if it fails.
# Its duration is shown too: the VM suites must fit in CI's time.
ktap_test() {
	local name=$1 out rc start=${EPOCHREALTIME/./} ms
	shift
	out=$("$@" 2>&1)
	rc=$?
	ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
	[ "$rc" -eq 0 ] || ktap_diag "$out"
	printf '# %d.%01d s\n' $((ms / 1000)) $((ms % 1000 / 100))
	if [ "$rc" -eq 0 ]; then ktap_pass "$name"; else ktap_fail "$name"; fi
}

ktap_end() {
	if [ "$KTAP_NUM" -ne "$KTAP_PLAN" ]; then
		echo "# planned $KTAP_PLAN tests but ran $KTAP_NUM"
		exit 1
	fi
	[ "$KTAP_FAILED" -eq 0 ]
	exit
}
