#!/bin/bash
# What `make bench` runs inside the VM (scripts/bench.sh boots it): starts the SMB
# servers with their shares on tmpfs, then for each round measures the loopback link
# with iperf3 and runs the same fio workloads through every client (cifs.ko and
# smb3rs.ko), alternating the client order from round to round.
#
# It only collects raw data; tests/bench/report.py turns it into figures. Layout of
# $SMB3RS_OUT (the host's out/bench/<timestamp>/):
#   bench.env                knobs, written by scripts/bench.sh
#   progress.log             one line per step (the host shows it live)
#   raw/meta.env             guest facts: kernel, accel, tool versions, memory
#   raw/manifest.tsv         one line per job: server client round job status reason
#   raw/link/r<N>/<job>.json iperf3 -J output
#   raw/<server>/<client>/r<N>/<job>.{json,err,stat,time}
#                            fio JSON, stderr, /proc/stat cpu line before and after,
#                            wall seconds
#   raw/<server>/<client>/mount.txt  the client's line in /proc/mounts
#
# A client that cannot mount, or a workload that fails, is recorded as failed with
# its reason and the bench goes on. Every job runs under `timeout`; a client whose
# job timed out (its process may be stuck in the kernel) is skipped from then on.
set -u
. "$SMB3RS_TOP/tests/lib/servers.sh"
. "$SMB3RS_OUT/bench.env"

RAW=$SMB3RS_OUT/raw
MNT=/tmp/bench-mnt
MANIFEST=$RAW/manifest.tsv
mkdir -p "$RAW" "$MNT"
: > "$MANIFEST"

progress() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >> "$SMB3RS_OUT/progress.log"; }

# Oneline, tab-free, bounded reason text.
clean_reason() { tr '\t\n\r' '   ' | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-240; }

record() { # server client round job status reason
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$(printf '%s' "$6" | clean_reason)" >> "$MANIFEST"
}

# Bounded: a stuck client must not hang the bench in sync.
drop_caches() { timeout 60 sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches'; }

# --- guest facts -------------------------------------------------------------------
accel=tcg
dmesg | grep -q 'Hypervisor detected: KVM' && accel=kvm
{
	echo "kernel_release=$(uname -r)"
	echo "kernel_version=$(uname -v)"
	echo "accel=$accel"
	echo "cpus=$(nproc)"
	echo "mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
	echo "cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "fio_version=$(fio --version)"
	echo "iperf3_version=$(iperf3 --version | head -n1)"
	echo "user_hz=$(getconf CLK_TCK)"
} > "$RAW/meta.env"
progress "guest up: $(uname -r), $accel, $(nproc) vCPUs"

# --- servers and clients -----------------------------------------------------------
IFS=, read -r -a servers <<< "$BENCH_SERVERS"
IFS=, read -r -a clients <<< "$BENCH_CLIENTS"
for server in "${servers[@]}"; do
	case "$server" in
	ksmbd) start_ksmbd || { progress "ksmbd failed to start"; exit 1; } ;;
	samba) start_samba || { progress "samba failed to start"; exit 1; } ;;
	*) progress "unknown server $server"; exit 1 ;;
	esac
	progress "$server listening on port $(server_port "$server")"
done

# Why a client cannot run at all (empty: it can); keyed by client, or server/client.
declare -A broken
if [[ ",$BENCH_CLIENTS," == *,smb3rs,* ]]; then
	if [ -n "${BENCH_SMB3RS_UNAVAILABLE:-}" ]; then
		broken[smb3rs]=$BENCH_SMB3RS_UNAVAILABLE
	elif ! out=$(insmod "$BENCH_MODULE" 2>&1); then
		broken[smb3rs]="insmod: $out"
	fi
	[ -z "${broken[smb3rs]:-}" ] || progress "smb3rs unavailable: ${broken[smb3rs]}"
fi

mount_opts() { # client server
	local o="username=$SMB_USER,password=$SMB_PASS,port=$(server_port "$2"),$BENCH_COMMON_OPTS"
	case "$1" in
	cifs) o+=${BENCH_CIFS_OPTS:+,$BENCH_CIFS_OPTS} ;;
	smb3rs) o+=${BENCH_SMB3RS_OPTS:+,$BENCH_SMB3RS_OPTS} ;;
	esac
	printf '%s\n' "$o"
}

JOBS=(seq-write-buf seq-read-buf seq-write-direct seq-read-direct
      rand-read-4k rand-write-4k meta-create meta-stat meta-delete rm-rf)

# State of the client round in progress.
S= C= R= DIR=

# Why the current client cannot run (empty if it can).
why_broken() { printf '%s' "${broken[$C]:-${broken[$S/$C]:-}}"; }

# run_job JOB CMD...: runs one measured command under a timeout, recording the kernel
# CPU counters around it, its wall time and its outcome. Returns the command's status.
run_job() {
	local job=$1 rc t0 t1 reason
	shift
	if [ -n "$(why_broken)" ]; then
		record "$S" "$C" "$R" "$job" skip "$(why_broken)"
		return 1
	fi
	head -n1 /proc/stat > "$DIR/$job.stat"
	t0=$(date +%s.%N)
	timeout -k 15 "$BENCH_JOB_TIMEOUT" "$@" > "$DIR/$job.out" 2> "$DIR/$job.err" < /dev/null
	rc=$?
	t1=$(date +%s.%N)
	head -n1 /proc/stat >> "$DIR/$job.stat"
	echo "$t0 $t1" > "$DIR/$job.time"
	if [ "$rc" -eq 0 ]; then
		record "$S" "$C" "$R" "$job" ok ""
		progress "  $S $C r$R $job: ok ($(awk '{ printf "%.1f", $2 - $1 }' "$DIR/$job.time") s)"
		return 0
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		reason="timed out after ${BENCH_JOB_TIMEOUT}s"
		broken[$S/$C]="skipped: $job $reason"
	else
		# fio's own error line is the most useful; else the last line it printed.
		reason=$(grep -m1 -E '^fio: |error' "$DIR/$job.err" || tail -n1 "$DIR/$job.err")
		[ -n "$reason" ] || reason="exit status $rc"
	fi
	record "$S" "$C" "$R" "$job" fail "$reason"
	progress "  $S $C r$R $job: FAILED: $reason"
	return "$rc"
}

# fio with JSON output into $DIR/JOB.json; the job's own size/runtime bound its time.
fio_job() { # JOB FIO-ARGS...
	local job=$1
	shift
	run_job "$job" fio --output-format=json --output="$DIR/$job.json" --name="$job" "$@"
}

seq_jobs() {
	local f=$MNT/bench-seq-buf
	local common=(--bs=1M --size="$BENCH_SIZE" --runtime="$BENCH_SEQ_RUNTIME" --fallocate=none)
	fio_job seq-write-buf --filename="$f" --rw=write --ioengine=psync --end_fsync=1 "${common[@]}"
	drop_caches
	fio_job seq-read-buf --filename="$f" --rw=read --ioengine=psync "${common[@]}"
	f=$MNT/bench-seq-direct
	fio_job seq-write-direct --filename="$f" --rw=write --ioengine=libaio --iodepth=8 \
		--direct=1 "${common[@]}"
	drop_caches
	fio_job seq-read-direct --filename="$f" --rw=read --ioengine=libaio --iodepth=8 \
		--direct=1 "${common[@]}"
}

rand_jobs() {
	# On the file seq-write-direct wrote (fio lays it out if that failed).
	local common=(--filename="$MNT/bench-seq-direct" --bs=4k --size="$BENCH_SIZE"
		      --ioengine=libaio --iodepth=16 --direct=1 --fallocate=none
		      --time_based --runtime="$BENCH_RUNTIME" --randrepeat=1)
	fio_job rand-read-4k --rw=randread "${common[@]}"
	fio_job rand-write-4k --rw=randwrite "${common[@]}"
}

meta_jobs() {
	local d=$MNT/bench-meta
	# create_on_open: without it fio "lays out" the empty files filecreate made
	# (unlink, create, write 4 KiB each) before filestat/filedelete, unmeasured.
	local common=(--directory="$d" --nrfiles="$BENCH_FILES" --filesize=4k --openfiles=1
		      --filename_format='f.$filenum' --create_on_open=1)
	local job out status=fail
	if [ -n "$(why_broken)" ]; then
		out=$(why_broken) status=skip
	elif out=$(timeout 60 mkdir "$d" 2>&1); then
		out=
	else
		out=${out:-mkdir: timed out}
	fi
	if [ -n "$out" ]; then
		for job in meta-create meta-stat meta-delete rm-rf; do
			record "$S" "$C" "$R" "$job" "$status" "$out"
		done
		progress "  $S $C r$R meta: $status: $out"
		return 1
	fi
	fio_job meta-create --ioengine=filecreate "${common[@]}"
	# Every client starts from the same (empty) caches; fio itself stats each file in
	# its setup, so the measured stats find cached dentries and revalidate attributes
	# (older than actimeo) rather than looking names up cold.
	drop_caches
	fio_job meta-stat --ioengine=filestat "${common[@]}"
	fio_job meta-delete --ioengine=filedelete "${common[@]}"
	# rm -rf of a fresh set (created unmeasured, then caches dropped).
	timeout "$BENCH_JOB_TIMEOUT" fio --output-format=json --output=/dev/null --name=prep \
		--ioengine=filecreate "${common[@]}" >/dev/null 2>&1
	drop_caches
	run_job rm-rf rm -rf "$d"
}

client_round() { # server client round
	S=$1 C=$2 R=$3
	DIR=$RAW/$S/$C/r$R
	mkdir -p "$DIR"
	local job out
	if [ -z "$(why_broken)" ]; then
		progress "$S $C round $R: mount"
		if out=$(timeout 60 mount -t "$C" "//127.0.0.1/$SMB_SHARE" "$MNT" \
				-o "$(mount_opts "$C" "$S")" 2>&1); then
			grep " $MNT " /proc/mounts | sed "s/password=[^,]*/password=*/" \
				> "$RAW/$S/$C/mount.txt"
		else
			# A client that cannot mount is not retried in later rounds.
			broken[$S/$C]="mount: ${out:-failed or timed out}"
			progress "$S $C: mount failed: $out"
		fi
	fi
	if [ -n "$(why_broken)" ]; then
		for job in "${JOBS[@]}"; do
			record "$S" "$C" "$R" "$job" skip "$(why_broken)"
		done
		progress "$S $C round $R: skipped ($(why_broken))"
		return
	fi
	seq_jobs
	rand_jobs
	meta_jobs
	if ! timeout 60 umount "$MNT" 2>/dev/null; then
		progress "$S $C round $R: umount failed; lazy unmount"
		umount -l "$MNT" 2>/dev/null
	fi
	# Nothing holds the share's files any more: clean up behind the server's back.
	rm -rf "${SHARE_DIR:?}"/* 2>/dev/null
}

link_round() { # round
	local r=$1 job args
	S=link C=iperf3 R=$r DIR=$RAW/link/r$r
	mkdir -p "$DIR"
	for job in iperf-1 iperf-4 iperf-zc; do
		case "$job" in
		iperf-1) args=() ;;
		iperf-4) args=(-P 4) ;;
		iperf-zc) args=(-Z) ;;
		esac
		run_job "$job" iperf3 -J -c 127.0.0.1 -t "$BENCH_IPERF_SECONDS" "${args[@]}"
		mv "$DIR/$job.out" "$DIR/$job.json" 2>/dev/null
	done
}

iperf3 -s -D -B 127.0.0.1 --pidfile /tmp/iperf3.pid || progress "iperf3 server failed to start"
sleep 0.5

for r in $(seq 1 "$BENCH_ROUNDS"); do
	progress "round $r of $BENCH_ROUNDS"
	link_round "$r"
	# Alternate the order (ABBA...) so a drift over the run hits every client alike.
	order=("${clients[@]}")
	if [ $((r % 2)) -eq 0 ]; then
		order=()
		for ((i = ${#clients[@]} - 1; i >= 0; i--)); do order+=("${clients[i]}"); done
	fi
	for server in "${servers[@]}"; do
		SHARE_DIR=$(server_share_dir "$server")
		for client in "${order[@]}"; do
			client_round "$server" "$client" "$r"
		done
	done
done

[ -f /tmp/iperf3.pid ] && kill "$(cat /tmp/iperf3.pid)" 2>/dev/null
if dmesg | "$SMB3RS_TOP/tests/lib/dmesg-check.sh" > "$RAW/dmesg-reports.txt" 2>&1; then
	echo "kernel_log=clean" >> "$RAW/meta.env"
else
	echo "kernel_log=reports" >> "$RAW/meta.env"
	progress "the kernel log has reports (raw/dmesg-reports.txt)"
fi
grep -q '^smb3rs ' /proc/modules && rmmod smb3rs
echo "guest_seconds=$SECONDS" >> "$RAW/meta.env"
progress "done in ${SECONDS}s"
exit 0
