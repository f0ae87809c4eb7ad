#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make fuzz`: run every cargo-fuzz target of the protocol core (host/fuzz) for
# FUZZ_SECONDS (default 60) each, one line per target with its executions and result,
# then "N passed, N failed". Any crash, timeout or OOM fails the run.
#
#   scripts/fuzz.sh [target...]      (default: every target of host/fuzz)
#
# Environment:
#   FUZZ_SECONDS     libFuzzer -max_total_time per target (default 60)
#   FUZZ_SANITIZER   cargo fuzz -s value (default: address if the toolchain ships the
#                    ASan runtime, else none; debug assertions and overflow checks are
#                    on either way)
#   CARGO_BUILD_JOBS build parallelism (default 1)
#
# Corpora grow in host/fuzz/corpus/<target> (gitignored), seeded from the checked-in
# host/fuzz/seeds/<target> (regenerate: SMB3RS_WRITE_SEEDS=1 cargo test --test
# gen_fuzz_seeds in host/). Crashing inputs land in host/fuzz/artifacts/<target>,
# logs in out/fuzz/<target>.log. Reproduce one with the command the log prints.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_DIR=$SMB3RS_TOP/host/fuzz
LOG_DIR=$SMB3RS_TOP/out/fuzz

# Only the rustup stable toolchain is available. cargo-fuzz passes nightly-only rustc
# flags (-Zsanitizer=..., -Cpasses=sancov-module, -Cllvm-args=-sanitizer-coverage-*);
# RUSTC_BOOTSTRAP=1 makes the stable compiler accept them.
export RUSTUP_TOOLCHAIN=${RUSTUP_TOOLCHAIN:-stable}
export RUSTC_BOOTSTRAP=1
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
	log "installing cargo-fuzz into $SMB3RS_TOOLS"
	cargo install cargo-fuzz --locked --root "$SMB3RS_TOOLS"
fi

if [ -z "${FUZZ_SANITIZER:-}" ]; then
	rt_dir="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/lib"
	if compgen -G "$rt_dir/librustc-*_rt.asan.a" >/dev/null; then
		FUZZ_SANITIZER=address
	else
		log "no ASan runtime in $rt_dir: fuzzing without a sanitizer"
		FUZZ_SANITIZER=none
	fi
fi

cd "$SMB3RS_TOP/host"
flags=(--fuzz-dir "$FUZZ_DIR" -s "$FUZZ_SANITIZER" --debug-assertions)

if [ $# -gt 0 ]; then
	targets=("$@")
else
	mapfile -t targets < <(cargo fuzz list --fuzz-dir "$FUZZ_DIR")
fi
[ ${#targets[@]} -gt 0 ] || die "no fuzz targets in $FUZZ_DIR"

log "building ${#targets[@]} fuzz targets ($RUSTUP_TOOLCHAIN, sanitizer $FUZZ_SANITIZER)"
if [ $# -gt 0 ]; then
	for t in "${targets[@]}"; do
		cargo fuzz build "${flags[@]}" "$t"
	done
else
	cargo fuzz build "${flags[@]}"
fi

mkdir -p "$LOG_DIR"
passed=0 failed=0
log "running each target for ${FUZZ_SECONDS}s"
for t in "${targets[@]}"; do
	corpus=$FUZZ_DIR/corpus/$t
	mkdir -p "$corpus" "$FUZZ_DIR/artifacts/$t"
	if [ -d "$FUZZ_DIR/seeds/$t" ]; then
		for seed in "$FUZZ_DIR/seeds/$t"/*; do
			[ -e "$corpus/${seed##*/}" ] || cp "$seed" "$corpus/"
		done
	fi
	logf=$LOG_DIR/$t.log
	if cargo fuzz run "${flags[@]}" "$t" "$corpus" -- \
		-max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 >"$logf" 2>&1; then
		rc=0
	else
		rc=$?
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logf" | tail -n1)
	if [ -z "$execs" ]; then
		execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$logf" | tail -n1)
	fi
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logf" | tail -n1)
	if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then
		result=ok
		passed=$((passed + 1))
	else
		if [ -n "$artifact" ]; then
			kind=${artifact##*/}
			result="FAILED (${kind%%-*}: $artifact)"
		else
			result="FAILED (exit $rc, see $logf)"
		fi
		failed=$((failed + 1))
	fi
	printf '%-20s %12s execs  %s\n' "$t" "${execs:-?}" "$result"
	if [ "$rc" -ne 0 ]; then
		grep -m1 -A3 -E 'panicked at|ERROR: (libFuzzer|AddressSanitizer)' "$logf" | sed 's/^/    /' || true
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
