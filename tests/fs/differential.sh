#!/bin/bash
# Differential test: the same scripted operations on -t smb3rs and on -t cifs
# against the same share (each in its own directory), outputs compared line by line:
# contents, sizes, types, listings and error messages (errno). Known, intended
# differences, if any, are listed in Documentation/differences.md with the reason.
. "$TESTS_DIR/lib/ktap.sh"
. "$TESTS_DIR/lib/servers.sh"
CIFS=/tmp/mnt-diff-cifs
RS=/tmp/mnt-diff-rs
mkdir -p "$CIFS" "$RS"
insmod "$SMB3RS_TOP/smb3rs.ko" || exit 1
modprobe cifs 2>/dev/null

opts() { echo "username=$SMB_USER,password=$SMB_PASS,port=$(server_port "$1")${2:+,$2}"; }
head -c 1500000 /dev/urandom > /tmp/diff-data

# The script: prints what a user would see. Runs in the directory given.
script() {
	cd "$1" || return 1
	run() { echo "\$ $*"; "$@" 2>&1; echo "[exit $?]"; }
	run sh -c 'echo hello > a; cat a'
	run stat -c '%s %F %a' a
	run mkdir d
	run sh -c 'echo x > d/f'
	run ls d
	run mkdir d
	run rmdir d
	run cat missing
	run cat d
	run mv a b
	run ls
	run truncate -s 10 b
	run stat -c '%s' b
	run ln -s b lnk
	run readlink lnk
	run stat -c '%s %F' lnk
	run sh -c 'echo 3 > /proc/sys/vm/drop_caches; cat lnk; stat -c %F lnk'
	run ln -s b lnk
	run rm lnk
	run cp /tmp/diff-data big
	run sh -c 'sha256sum < big'
	run stat -c '%s %F' big
	run sh -c 'echo 3 > /proc/sys/vm/drop_caches; sha256sum < big'
	run dd if=big bs=1000 skip=1000 count=1 status=none of=/tmp/diff-piece
	run sh -c 'sha256sum < /tmp/diff-piece'
	run mv d e
	run ls -1 e
	run rm e
	run rm -r e
	run sh -c 'ls -1 | sort'
	run touch -d '2010-01-01 00:00:00' b
	run stat -c '%Y' b
	run rm b big
	run ls
	cd / || return 1
}


compare() {
	local server=$1 port
	port=$(server_port "$server")
	mount -t cifs "//127.0.0.1/$SMB_SHARE" "$CIFS" \
		-o "username=$SMB_USER,password=$SMB_PASS,port=$port,vers=3.1.1,cache=strict,mfsymlinks" \
		|| { echo "cifs mount failed"; return 1; }
	if ! mount -t smb3rs "//127.0.0.1/$SMB_SHARE" "$RS" -o "$(opts "$server")"; then
		umount "$CIFS"; echo "smb3rs mount failed"; return 1
	fi
	mkdir -p "$CIFS/diff-cifs" "$RS/diff-rs"
	script "$CIFS/diff-cifs/" > /tmp/diff-cifs.out
	script "$RS/diff-rs/" > /tmp/diff-rs.out
	rm -rf "$CIFS/diff-cifs" "$RS/diff-rs"
	umount "$RS"; umount "$CIFS"
	if ! diff -u /tmp/diff-cifs.out /tmp/diff-rs.out > /tmp/diff.out; then
		cat /tmp/diff.out
		return 1
	fi
}

# One server: fs_ops checks both against the server's own files; this compares the
# two clients (and costs about 140 s per server under TCG).
ktap_begin 1
ktap_test "samba: smb3rs and cifs give the same results" compare samba
rmmod smb3rs
ktap_end
