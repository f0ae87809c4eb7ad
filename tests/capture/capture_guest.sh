#!/bin/bash
# Runs inside the VM (scripts/capture-fixtures.sh): records cifs.ko talking to ksmbd
# and Samba with signing and sealing, one pcap per scenario, into $SMB3RS_OUT. The
# pcaps become the host tests' real-traffic fixtures (known user and password, so the
# tests can rebuild the key schedule and check every signature).
set -u
. "$SMB3RS_TOP/tests/lib/servers.sh"
MNT=/tmp/mnt-capture
mkdir -p "$MNT"

workload() {
	mkdir "$MNT/dir" || return 1
	head -c 70000 /dev/urandom > /tmp/payload
	cp /tmp/payload "$MNT/dir/file.bin" || return 1
	sync
	echo 3 > /proc/sys/vm/drop_caches
	cmp /tmp/payload "$MNT/dir/file.bin" || return 1
	ls -la "$MNT/dir" >/dev/null
	stat "$MNT/dir/file.bin" >/dev/null
	mv "$MNT/dir/file.bin" "$MNT/dir/renamed.bin" || return 1
	rm "$MNT/dir/renamed.bin" && rmdir "$MNT/dir"
}

# capture NAME SERVER MOUNT_OPTIONS
capture() {
	local name=$1 server=$2 opts=$3 port pid
	port=$(server_port "$server")
	tcpdump -q -U -i lo -s 0 -w "/tmp/$name.pcap" "tcp port $port" 2>/dev/null &
	pid=$!
	sleep 2
	if mount -t cifs "//127.0.0.1/$SMB_SHARE" "$MNT" \
		-o "username=$SMB_USER,password=$SMB_PASS,port=$port,$opts"; then
		workload || echo "$name: workload failed"
		umount "$MNT"
	else
		echo "$name: mount failed"
	fi
	sleep 2
	kill -INT "$pid"
	timeout 20 tail --pid="$pid" -f /dev/null || kill -KILL "$pid"
	cp "/tmp/$name.pcap" "$SMB3RS_OUT/"
	echo "$name: captured $(stat -c %s "/tmp/$name.pcap") bytes"
}

start_ksmbd || exit 1
capture ksmbd-311-sign ksmbd "vers=3.1.1,sign"
capture ksmbd-311-seal-gcm128 ksmbd "vers=3.1.1,seal"
echo 1 > /sys/module/cifs/parameters/require_gcm_256
capture ksmbd-311-seal-gcm256 ksmbd "vers=3.1.1,seal"
echo 0 > /sys/module/cifs/parameters/require_gcm_256
stop_ksmbd

start_samba "server smb3 encryption algorithms = AES-128-CCM" || exit 1
capture samba-311-seal-ccm128 samba "vers=3.1.1,seal"
capture samba-300-sign samba "vers=3.0,sign"
capture samba-210-sign samba "vers=2.1,sign"
stop_samba
