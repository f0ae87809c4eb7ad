#!/bin/bash
# The harness itself, proven against the reference client: each server the runner
# started (ksmbd and Samba) serves its share to cifs.ko, and data written through the
# mount reaches the server's share directory intact.
. "$TESTS_DIR/lib/ktap.sh"
. "$TESTS_DIR/lib/servers.sh"

MNT=/tmp/mnt-peer

mount_cifs() {
	local server=$1
	mkdir -p "$MNT"
	mount -t cifs "//127.0.0.1/$SMB_SHARE" "$MNT" \
		-o "username=$SMB_USER,password=$SMB_PASS,port=$(server_port "$server"),vers=3.1.1"
}

round_trip() {
	local server=$1 dir
	dir=$(server_share_dir "$server")
	head -c 3000000 /dev/urandom > /tmp/peer-src
	cp /tmp/peer-src "$MNT/peer-file" || return 1
	sync
	cmp /tmp/peer-src "$dir/peer-file" || { echo "server copy differs"; return 1; }
	cmp /tmp/peer-src "$MNT/peer-file" || { echo "read back differs"; return 1; }
	rm "$MNT/peer-file" && [ ! -e "$dir/peer-file" ]
}

ktap_begin 6
for server in ksmbd samba; do
	ktap_test "$server: mount -t cifs vers=3.1.1" mount_cifs "$server"
	ktap_test "$server: write, read back, server copy identical" round_trip "$server"
	ktap_test "$server: umount" umount "$MNT"
done
ktap_end
