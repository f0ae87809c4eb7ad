#!/usr/bin/env bash
# `make bench`: the same workloads through cifs.ko and smb3rs.ko on one VM.
#
#   1. builds (or reuses) the `bench` kernel flavour (no debug options) and smb3rs.ko
#      against it, in a copy of the sources under out/bench-module/ so that the
#      checkout's own smb3rs.ko (built against the test kernel) is left alone;
#   2. boots the VM and runs tests/bench/bench_guest.sh: ksmbd (and Samba if asked)
#      with shares on tmpfs, iperf3 over loopback, fio sequential/random/metadata jobs
#      per client, clients alternating, BENCH_ROUNDS rounds;
#   3. tests/bench/report.py: a table (medians, min-max, ratios), results.json with
#      every raw sample, bench.png; all in out/bench/<timestamp>/, out/bench/latest.
#
# A client that cannot mount or run a workload (smb3rs before it has file I/O) shows
# as n/a with the reason; the bench still completes. Figures are never asserted.
#
# Knobs (environment):
#   BENCH_ROUNDS=3            rounds; the table shows the median and min-max
#   BENCH_SIZE=256M           file size of the sequential and random jobs (fio syntax)
#   BENCH_RUNTIME=15          seconds of each random 4 KiB job
#   BENCH_SEQ_RUNTIME=120     cap in seconds on each sequential job
#   BENCH_FILES=1000          files of the metadata jobs
#   BENCH_IPERF_SECONDS=5     seconds of each iperf3 run
#   BENCH_SERVERS=ksmbd       comma list: ksmbd,samba
#   BENCH_CLIENTS=cifs,smb3rs comma list
#   BENCH_COMMON_OPTS=vers=3.1.1,cache=strict,rsize=4194304,wsize=4194304
#                             mount options for every client (4 MiB: what cifs.ko
#                             negotiates with ksmbd and Samba anyway)
#   BENCH_CIFS_OPTS=          cifs only
#   BENCH_SMB3RS_OPTS=        smb3rs only
#   BENCH_JOB_TIMEOUT=300     kill a job after this many seconds (client then skipped)
#   BENCH_MEM=2G              VM memory (the shares live in it, on tmpfs)
#   BENCH_CPUS=2              vCPUs (one socket each: see below)
#   BENCH_MODULE_REV=         build smb3rs.ko from this git revision; empty: the
#                             working tree
#   BENCH_VM_TIMEOUT=         whole-VM limit in seconds (default: derived from the above)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SMB3RS_TOP"

BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_SIZE=${BENCH_SIZE:-256M}
BENCH_RUNTIME=${BENCH_RUNTIME:-15}
BENCH_SEQ_RUNTIME=${BENCH_SEQ_RUNTIME:-120}
BENCH_FILES=${BENCH_FILES:-1000}
BENCH_IPERF_SECONDS=${BENCH_IPERF_SECONDS:-5}
BENCH_SERVERS=${BENCH_SERVERS:-ksmbd}
BENCH_CLIENTS=${BENCH_CLIENTS:-cifs,smb3rs}
BENCH_COMMON_OPTS=${BENCH_COMMON_OPTS-vers=3.1.1,cache=strict,rsize=4194304,wsize=4194304}
BENCH_CIFS_OPTS=${BENCH_CIFS_OPTS-}
BENCH_SMB3RS_OPTS=${BENCH_SMB3RS_OPTS-}
BENCH_JOB_TIMEOUT=${BENCH_JOB_TIMEOUT:-300}
BENCH_MEM=${BENCH_MEM:-2G}
BENCH_CPUS=${BENCH_CPUS:-2}
BENCH_MODULE_REV=${BENCH_MODULE_REV:-}

for v in BENCH_CPUS BENCH_ROUNDS BENCH_RUNTIME BENCH_SEQ_RUNTIME BENCH_FILES BENCH_IPERF_SECONDS \
	 BENCH_JOB_TIMEOUT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
done
[[ $BENCH_SIZE =~ ^[1-9][0-9]*[kKmMgG]?$ ]] || die "BENCH_SIZE must look like 256M, not '$BENCH_SIZE'"
for s in ${BENCH_SERVERS//,/ }; do
	case "$s" in ksmbd | samba) ;; *) die "BENCH_SERVERS: unknown server '$s'" ;; esac
done
for c in ${BENCH_CLIENTS//,/ }; do
	case "$c" in cifs | smb3rs) ;; *) die "BENCH_CLIENTS: unknown client '$c'" ;; esac
done
nservers=$(tr ',' '\n' <<< "$BENCH_SERVERS" | grep -c .)
nclients=$(tr ',' '\n' <<< "$BENCH_CLIENTS" | grep -c .)
# Every job is bounded, and a client is skipped after its first timeout: this bounds
# the whole run too.
BENCH_VM_TIMEOUT=${BENCH_VM_TIMEOUT:-$((600
	+ BENCH_ROUNDS * (3 * (BENCH_IPERF_SECONDS + 10)
		+ nservers * nclients * (4 * BENCH_SEQ_RUNTIME + 2 * BENCH_RUNTIME + 240))
	+ nservers * nclients * BENCH_JOB_TIMEOUT))}

t0=$(date +%s)
"$SMB3RS_TOP/scripts/setup.sh"
# Builds run niced: on 2 cores they must not starve whatever else runs.
kdir=$(nice -n 19 "$SMB3RS_TOP/scripts/build-kernel.sh" bench)

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$SMB3RS_TOP/out/bench/$stamp
mkdir -p "$out"
log "results in $out"

# --- smb3rs.ko against the bench kernel, in a copy of the sources ------------------
# rsync -c (no times): only files whose contents changed get a new mtime, so kbuild
# rebuilds incrementally; build products in the copy are excluded, hence kept.
modsrc=$SMB3RS_TOP/out/bench-module/src
smb3rs_unavailable=
module_source=worktree
if [[ ",$BENCH_CLIENTS," == *,smb3rs,* ]]; then
	stage=$SMB3RS_TOP
	if [ -n "$BENCH_MODULE_REV" ]; then
		rev=$(git rev-parse --verify "$BENCH_MODULE_REV^{commit}") \
			|| die "BENCH_MODULE_REV: no such revision '$BENCH_MODULE_REV'"
		module_source="rev $rev"
		stage=$(mktemp -d)
		git archive "$rev" Kbuild Kconfig rust | tar -x -C "$stage"
	fi
	mkdir -p "$modsrc"
	rsync -rlc --delete \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='*.cmd' --exclude='*.d' --exclude='*.rmeta' --exclude='*.order' \
		--exclude=Module.symvers --exclude=.cache.mk \
		--include=/Kbuild --include=/Kconfig --include='/rust/***' --exclude='*' \
		"$stage/" "$modsrc/"
	[ "$stage" = "$SMB3RS_TOP" ] || rm -rf "$stage"
	log "building smb3rs.ko ($module_source) against $(basename "$kdir")"
	if ! nice -n 19 make -C "$kdir" M="$modsrc" CONFIG_SMB3RS=m "${KMAKE_VARS[@]}" \
			-j"$(nproc)" modules > "$out/module-build.log" 2>&1; then
		tail -n 20 "$out/module-build.log" >&2
		smb3rs_unavailable="module build failed (see module-build.log)"
		log "smb3rs: $smb3rs_unavailable; benchmarking the other clients"
	fi
fi

# --- the VM --------------------------------------------------------------------------
# KEY='value' lines: sourced by the guest, read by report.py.
env_line() {
	[[ $2 != *"'"* ]] || die "$1 must not contain a single quote"
	printf "%s='%s'\n" "$1" "$2"
}
{
	for v in BENCH_ROUNDS BENCH_SIZE BENCH_RUNTIME BENCH_SEQ_RUNTIME BENCH_FILES \
		 BENCH_IPERF_SECONDS BENCH_SERVERS BENCH_CLIENTS BENCH_COMMON_OPTS \
		 BENCH_CIFS_OPTS BENCH_SMB3RS_OPTS BENCH_JOB_TIMEOUT BENCH_MEM BENCH_CPUS \
		 BENCH_VM_TIMEOUT; do
		env_line "$v" "${!v}"
	done
	env_line BENCH_MODULE "$modsrc/smb3rs.ko"
	env_line BENCH_SMB3RS_UNAVAILABLE "$smb3rs_unavailable"
} > "$out/bench.env"
: > "$out/progress.log"

# vm-run.sh waits for the VM lock silently: say so when someone else holds it.
flock -n "$SMB3RS_CACHE/vm.lock" true 2>/dev/null \
	|| log "another VM run holds $SMB3RS_CACHE/vm.lock: waiting for it to finish"
log "booting the bench kernel (VM limit ${BENCH_VM_TIMEOUT}s); progress:"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# (sed's stderr is taken before tail's goes to /dev/null: keep this order.)
tail -n +1 -F --pid=$$ "$out/progress.log" > >(sed -u 's/^/    /' >&2) 2>/dev/null &
tailpid=$!
vm_rc=0
"$SMB3RS_TOP/scripts/vm-run.sh" --quiet --mem "$BENCH_MEM" \
	--cpus "$BENCH_CPUS" --timeout "$BENCH_VM_TIMEOUT" \
	"$kdir" "$out" tests/bench/bench_guest.sh || vm_rc=$?
sleep 1
kill "$tailpid" 2>/dev/null || true
wait "$tailpid" 2>/dev/null || true
[ "$vm_rc" -eq 0 ] || log "the VM run ended with status $vm_rc (see $out/console.log); reporting what it measured"

dirty=0
[ -z "$(git status --porcelain --untracked-files=no)" ] || dirty=1
{
	env_line date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	env_line stamp "$stamp"
	env_line git_commit "$(git rev-parse HEAD)"
	env_line git_dirty "$dirty"
	env_line module_source "$module_source"
	env_line kernel_flavour bench
	env_line kernel_build "$(basename "$kdir")"
	env_line kernel_source "$(kernel_src_version)"
	env_line vm_status "$vm_rc"
	env_line host_cpus "$(nproc)"
	env_line host_load_before "$load_before"
	env_line host_load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
	env_line wall_seconds "$(( $(date +%s) - t0 ))"
} > "$out/host.env"

ln -sfn "$stamp" "$SMB3RS_TOP/out/bench/latest"
/usr/bin/python3 "$SMB3RS_TOP/tests/bench/report.py" "$out"
log "bench took $(( $(date +%s) - t0 ))s; results: out/bench/latest/{table.txt,results.json,bench.png}"
exit "$vm_rc"
