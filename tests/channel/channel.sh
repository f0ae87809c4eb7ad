#!/bin/bash
# The client core under load and failure: mounts of one server and user share a
# session (nosharesock does not), idle channels send echoes, /proc/fs/smb3rs/Stats
# counts spliced bytes, and a server that dies or goes silent gives clean errors
# within the configured time, killable waits and a clean umount.
. "$TESTS_DIR/lib/ktap.sh"
. "$TESTS_DIR/lib/servers.sh"
MNT=/tmp/mnt-chan1
MNT2=/tmp/mnt-chan2
DEBUG=/proc/fs/smb3rs/DebugData
STATS=/proc/fs/smb3rs/Stats
mkdir -p "$MNT" "$MNT2"
insmod "$SMB3RS_TOP/smb3rs.ko" || exit 1

opts() { echo "username=$SMB_USER,password=$SMB_PASS,port=$(server_port "$1")${2:+,$2}"; }
mnt() { mount -t smb3rs "//127.0.0.1/$SMB_SHARE" "$2" -o "$(opts "$1" "$3")"; }
log_mark() { LOG_MARK=$(dmesg | wc -l); }
new_log() { dmesg | tail -n +$((LOG_MARK + 1)); }
stat_value() { awk -F': ' -v k="$1" '$1 == k { print $2 }' "$STATS"; }
debug_has() { grep -q -- "$1" "$DEBUG" || { cat "$DEBUG"; echo "DebugData lacks '$1'"; return 1; }; }
cleanup() { umount "$MNT" 2>/dev/null; umount "$MNT2" 2>/dev/null; true; }

shared_session() {
	mnt samba "$MNT" && mnt samba "$MNT2" || return 1
	debug_has "^Sessions: 1$" && debug_has "mounts=2 trees=2 shared=yes" || return 1
	log_mark
	umount "$MNT2" || return 1
	debug_has "mounts=1 trees=1" || return 1
	! new_log | grep -q "logged off" || { echo "logged off while still mounted"; return 1; }
	umount "$MNT" || return 1
	new_log | grep -q "logged off" || { new_log; echo "no logoff after the last umount"; return 1; }
	debug_has "^Sessions: 0$"
}

own_session() {
	mnt samba "$MNT" && mnt samba "$MNT2" nosharesock || return 1
	debug_has "^Sessions: 2$" && debug_has "mounts=1 trees=1 shared=no" || return 1
	stat -f "$MNT2" >/dev/null || return 1
	umount "$MNT2" && umount "$MNT" && debug_has "^Sessions: 0$"
}

echoes() {
	local answered
	mnt ksmbd "$MNT" echo_interval=1 || return 1
	sleep 4
	answered=$(grep -o 'echoes_answered=[0-9]*' "$DEBUG" | cut -d= -f2)
	umount "$MNT" || return 1
	[ "${answered:-0}" -ge 1 ] || { echo "no echo answered in 4 s idle"; return 1; }
}

# An 8 MiB write goes out spliced from the page cache: Bytes spliced grows by at
# least the data, in WRITEs of up to 1 MiB, and nothing is copied.
spliced_not_copied() {
	local creates0 spliced0 writes0 creates1 spliced1 writes1 size=$((8 * 1024 * 1024))
	creates0=$(stat_value "  Create") spliced0=$(stat_value "Bytes spliced")
	writes0=$(stat_value "  Write")
	mnt ksmbd "$MNT" || return 1
	stat -f "$MNT" >/dev/null && stat -f "$MNT" >/dev/null && stat -f "$MNT" >/dev/null || return 1
	head -c "$size" /dev/zero > "$MNT/spliced" || { umount "$MNT"; return 1; }
	rm "$MNT/spliced"
	umount "$MNT" || return 1
	creates1=$(stat_value "  Create") spliced1=$(stat_value "Bytes spliced")
	writes1=$(stat_value "  Write")
	[ $((creates1 - creates0)) -ge 3 ] || { cat "$STATS"; echo "creates not counted"; return 1; }
	[ $((spliced1 - spliced0)) -ge "$size" ] || { cat "$STATS"; echo "data not spliced"; return 1; }
	[ $((writes1 - writes0)) -ge 8 ] || { cat "$STATS"; echo "fewer WRITEs than 1 MiB each"; return 1; }
	[ "$(stat_value "Bytes copied")" = 0 ] || { cat "$STATS"; echo "bytes were copied"; return 1; }
}

# An 8 MiB file written on the server side is read through the page cache: the
# READ payloads land straight in the folios (Bytes read into pages grows by the
# file, nothing is read by copy) and the data is the server's, byte for byte. With
# `sign` the signature is checked over header and pages as they came.
read_into_pages() {
	local server=$1 extra=$2 alg=$3 direct0 copied0 direct1 copied1 size=$((8 * 1024 * 1024))
	local src
	src=$(server_share_dir "$server")/direct-read
	head -c "$size" /dev/urandom > "$src" || return 1
	direct0=$(stat_value "Bytes read into pages") copied0=$(stat_value "Bytes read by copy")
	mnt "$server" "$MNT" "$extra" || return 1
	cmp "$src" "$MNT/direct-read" || { umount "$MNT"; echo "data differs"; return 1; }
	if [ -n "$alg" ]; then
		{ debug_has "signing=required" && debug_has "signing_alg=$alg"; } \
			|| { umount "$MNT"; return 1; }
	fi
	umount "$MNT" || return 1
	rm -f "$src"
	direct1=$(stat_value "Bytes read into pages") copied1=$(stat_value "Bytes read by copy")
	[ $((direct1 - direct0)) -ge "$size" ] || { cat "$STATS"; echo "not read into pages"; return 1; }
	[ "$copied1" = "$copied0" ] || { cat "$STATS"; echo "read by copy"; return 1; }
}

# The guest runs under TCG with KASAN: a process takes seconds to exit and a
# server seconds to fork a session process. The bounds below are therefore wide, but
# each is well short of what the failure it guards against would take (a wait that
# never ends, or one that lasts until the echoes give up).

# Waits up to 60 s for process $1 to be gone.
wait_gone() {
	local i
	for i in $(seq 120); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
	return 1
}

# The connection's smbd is killed: once its socket is closed, requests fail at once
# (hard mount, echoes every 60 s: only the closed socket can make them fail), and
# umount still works.
server_killed() {
	local pid failures0 rc start took
	failures0=$(stat_value "Channel failures")
	mnt samba "$MNT" hard || return 1
	pid=$(smbd_child)
	[ -n "$pid" ] || { echo "no smbd child found"; return 1; }
	kill -9 "$pid"
	wait_gone "$pid" || { echo "smbd $pid did not exit"; cleanup; return 1; }
	start=$(date +%s)
	timeout 60 stat -f "$MNT" >/dev/null 2>&1; rc=$?
	took=$(( $(date +%s) - start ))
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || { echo "stat -f returned $rc"; cleanup; return 1; }
	[ "$took" -le 15 ] || { echo "the error took ${took}s"; cleanup; return 1; }
	debug_has "state=NeedReconnect" || { cleanup; return 1; }
	[ "$(stat_value "Channel failures")" -gt "$failures0" ] || { echo "failure not counted"; cleanup; return 1; }
	timeout 60 umount "$MNT" || { echo "umount failed"; return 1; }
	debug_has "^Sessions: 0$"
}

# The server stops answering (SIGSTOP, TCP still up): a soft mount's request fails
# once two echo intervals (2 x 3 s) pass unanswered, not after the 60 s a hang
# would take.
server_silent_soft() {
	local pid rc start took
	mnt samba "$MNT" soft,echo_interval=3 || return 1
	pid=$(smbd_child)
	[ -n "$pid" ] || { echo "no smbd child found"; return 1; }
	kill -STOP "$pid"
	start=$(date +%s)
	timeout 60 stat -f "$MNT" >/dev/null 2>&1; rc=$?
	took=$(( $(date +%s) - start ))
	kill -CONT "$pid"
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || { echo "stat -f returned $rc"; cleanup; return 1; }
	[ "$took" -ge 3 ] || { echo "the error came after ${took}s, before an echo could fail"; cleanup; return 1; }
	[ "$took" -le 30 ] || { echo "the error took ${took}s"; cleanup; return 1; }
	timeout 60 umount "$MNT" || { echo "umount failed"; return 1; }
}

# READs are in flight (readahead, asynchronous) when the server dies: the folios
# they were for are released, the reader gets an error instead of hanging, and
# umount is clean.
reads_in_flight_server_dies() {
	local pid rpid rc src
	src=$SAMBA_SHARE_DIR/in-flight
	head -c $((8 * 1024 * 1024)) /dev/urandom > "$src" || return 1
	mnt samba "$MNT" hard || return 1
	pid=$(smbd_child)
	[ -n "$pid" ] || { echo "no smbd child found"; cleanup; return 1; }
	# Opened before the server stops, so that what waits is the READs.
	exec 7<"$MNT/in-flight" || { cleanup; return 1; }
	kill -STOP "$pid"
	cat <&7 >/dev/null 2>&1 &
	rpid=$!
	exec 7<&-
	sleep 3
	kill -0 "$rpid" 2>/dev/null || { kill -9 "$pid"; echo "the read did not wait"; cleanup; return 1; }
	kill -9 "$pid"
	for _ in $(seq 60); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.5; done
	kill -0 "$rpid" 2>/dev/null && { kill -9 "$rpid"; echo "reader still blocked 30 s after the server died"; cleanup; return 1; }
	wait "$rpid"; rc=$?
	rm -f "$src"
	[ "$rc" -ne 0 ] || { echo "the read succeeded"; cleanup; return 1; }
	timeout 60 umount "$MNT" || { echo "umount failed"; return 1; }
	debug_has "^Sessions: 0$"
}

# On a hard mount the wait for a silent server is killable: SIGKILL ends it long
# before the echoes (every 60 s) could fail the connection.
hard_wait_killable() {
	local pid spid start took
	mnt samba "$MNT" hard || return 1
	pid=$(smbd_child)
	[ -n "$pid" ] || { echo "no smbd child found"; return 1; }
	kill -STOP "$pid"
	stat -f "$MNT" >/dev/null 2>&1 &
	spid=$!
	sleep 3
	kill -0 "$spid" 2>/dev/null || { kill -CONT "$pid"; echo "stat -f did not wait"; cleanup; return 1; }
	start=$(date +%s)
	kill -9 "$spid"
	wait "$spid" 2>/dev/null
	took=$(( $(date +%s) - start ))
	kill -CONT "$pid"
	[ "$took" -le 20 ] || { echo "kill took ${took}s"; cleanup; return 1; }
	[ "$(stat_value "Interrupted waits")" -ge 1 ] || { cat "$STATS"; cleanup; return 1; }
	timeout 60 umount "$MNT" || { echo "umount failed"; return 1; }
}

# Writers killed (SIGKILL) while their WRITE is half sent do not cost the mount its
# connection: the send is finished, not cut off (which would break the stream for
# every request on it), and the mount goes on working. The connection's sockets
# get small buffers and the server is stopped, so that direct writers' sends wait
# for space (seen in a writer's kernel stack) when the kill lands; the server goes
# on before the socket's 20 s send timeout.
killed_writers_keep_channel() {
	local wmem rmem rc
	wmem=$(sysctl -n net.ipv4.tcp_wmem) rmem=$(sysctl -n net.ipv4.tcp_rmem)
	sysctl -qw net.ipv4.tcp_wmem="4096 16384 65536" net.ipv4.tcp_rmem="4096 16384 65536"
	_killed_writers_keep_channel; rc=$?
	sysctl -qw net.ipv4.tcp_wmem="$wmem" net.ipv4.tcp_rmem="$rmem"
	return $rc
}
_killed_writers_keep_channel() {
	local failures0 smbd i fd fds= pids= stacks= waiting=
	mnt samba "$MNT" hard || return 1
	failures0=$(stat_value "Channel failures")
	smbd=$(smbd_child)
	[ -n "$smbd" ] || { echo "no smbd child found"; cleanup; return 1; }
	# Opened while the server answers; dd writes them as its standard output.
	for i in 1 2 3 4; do
		exec {fd}>"$MNT/killed$i" || { cleanup; return 1; }
		fds="$fds $fd"
	done
	log_mark
	kill -STOP "$smbd"
	for fd in $fds; do
		dd if=/dev/zero bs=4M count=4 oflag=direct >&"$fd" 2>/dev/null &
		pids="$pids $!"
	done
	for i in $pids; do stacks="$stacks /proc/$i/stack"; done
	# (One grep a round: starting programs is slow under TCG.)
	for _ in $(seq 12); do
		# shellcheck disable=SC2086 # a list of files
		waiting=$(grep -ls smb3rs_sock_send_pages $stacks)
		[ -n "$waiting" ] && break
		sleep 0.5
	done
	# shellcheck disable=SC2086 # a list of PIDs
	kill -9 $pids
	sleep 2
	kill -CONT "$smbd"
	# shellcheck disable=SC2086
	wait $pids 2>/dev/null
	for fd in $fds; do exec {fd}>&-; done
	[ -n "$waiting" ] || { echo "no send waited for buffer space"; cleanup; return 1; }
	echo survived > "$MNT/after-kill" && [ "$(cat "$MNT/after-kill")" = survived ] \
		|| { new_log; echo "the mount stopped working"; cleanup; return 1; }
	rm -f "$MNT"/killed* "$MNT/after-kill"
	[ "$(stat_value "Channel failures")" = "$failures0" ] \
		|| { new_log; echo "a killed writer failed the channel"; cleanup; return 1; }
	! new_log | grep -q "send failed" || { new_log; echo "a send was cut off"; cleanup; return 1; }
	timeout 60 umount "$MNT" || { echo "umount failed"; return 1; }
}

# A server that accepts TCP but never answers NEGOTIATE: the mount fails cleanly
# once the handshake's 20 s bound passes.
mount_frozen_server() {
	local master got start took
	master=$(cat "$SERVERS_DIR"/samba/pid/smbd.pid)
	kill -STOP "$master"
	start=$(date +%s)
	got=$("$TESTS_DIR/lib/mount_errno.py" "//127.0.0.1/$SMB_SHARE" "$MNT" smb3rs \
		"$(opts samba echo_interval=2)")
	took=$(( $(date +%s) - start ))
	kill -CONT "$master"
	[ "$got" = OK ] && umount "$MNT"
	case "$got" in EHOSTDOWN|ETIMEDOUT) ;; *) echo "mount gave $got"; return 1 ;; esac
	[ "$took" -ge 15 ] || { echo "mount gave up after ${took}s, before the handshake bound"; return 1; }
	[ "$took" -le 60 ] || { echo "mount took ${took}s"; return 1; }
}

ktap_begin 13
ktap_test "two mounts of one server and user share a session" shared_session
ktap_test "nosharesock gets a session of its own" own_session
ktap_test "an idle channel sends echoes the server answers" echoes
ktap_test "Stats: an 8 MiB write is spliced, none of it copied" spliced_not_copied
ktap_test "ksmbd: an 8 MiB read lands in the page cache, nothing copied" read_into_pages ksmbd
ktap_test "Samba, signed (AES-GMAC): an 8 MiB read lands in the pages, verified" \
	read_into_pages samba sign AES-GMAC
ktap_test "ksmbd, signed (AES-CMAC): an 8 MiB read lands in the pages, verified" \
	read_into_pages ksmbd sign AES-CMAC
ktap_test "server killed: requests fail at once, umount is clean" server_killed
ktap_test "server silent, soft: the request fails within the bound" server_silent_soft
ktap_test "server dies with READs in flight: the reader gets an error" \
	reads_in_flight_server_dies
ktap_test "server silent, hard: the wait is killable" hard_wait_killable
ktap_test "a writer killed mid-send: the connection survives" killed_writers_keep_channel
ktap_test "server never answers NEGOTIATE: mount fails cleanly" mount_frozen_server
cleanup
rmmod smb3rs
ktap_end
