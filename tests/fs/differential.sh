#!/bin/bash
# Differential test: the same scripted operations on -t smb3rs and on -t cifs
# against the same share (each in its own directory), outputs compared line by line:
# contents, sizes, types, modes, link counts, listings and error messages (errno).
# There is no known difference left; cifs.ko bugs the script would trip over are
# left out, with the reason below.
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
	run sh -c 'set -C; echo x > b'
	run ln b hard
	run stat -c '%s %h' b hard
	run sh -c 'echo more >> b; od -An -c b'
	run ln b hard
	run rm hard
	run stat -c '%h' b
	run mkdir -p deep/a/b/c/d/e
	run sh -c 'echo deep > deep/a/b/c/d/e/f; cat deep/a/b/c/d/e/f'
	run rmdir deep
	run mkdir x
	run mv -T x deep
	run mv -T deep/a x
	run ls x
	run sh -c 'echo 1 > r1; echo 2 > r2; mv -f r1 r2; cat r2; ls r1'
	run sh -c 'echo u > "name with spaces é ü 日本"; ls | sort'
	run touch "$(printf '%0255d' 0)"
	run touch "$(printf '%0256d' 0)"
	run sh -c 'ls | wc -l'
	run rm "$(printf '%0255d' 0)"
	run sh -c 'echo x > x/'
	run sh -c 'echo x > nodir/f'
	run truncate -s 5000000 sparse
	run stat -c '%s' sparse
	run sh -c 'dd if=sparse bs=4096 skip=1000 count=1 status=none | od -An -c | head -2'
	run fallocate -l 1048576 fa
	run stat -c '%s' fa
	run fallocate -p -o 0 -l 4096 fa
	run stat -c '%s' fa
	run sh -c 'printf abcdef > o; printf XY | dd of=o bs=1 seek=2 conv=notrunc status=none; cat o'
	run truncate -s 3 o
	run cat o
	run ln -s missing dangling
	run cat dangling
	run readlink dangling
	run sh -c 'chmod 600 o; stat -c %a o'
	run sh -c 'chmod 444 o; stat -c %a o; echo y >> o'
	run chmod 644 o
	run stat -c '%a %F' x deep
	run sh -c 'ls -1a x | sort'
	run rm -r deep x
	run rm b big sparse fa o dangling r2 "name with spaces é ü 日本"
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
	if ! diff -a -u /tmp/diff-cifs.out /tmp/diff-rs.out > /tmp/diff.out; then
		cat /tmp/diff.out
		return 1
	fi
}

# fs_ops checks smb3rs against the server's own files; this compares the two
# clients (about 160 s per server under TCG). Left out: a write through the
# second name of a hard link on Samba, which fails on cifs.ko (EINVAL: Samba
# refuses the file's lease key for the other name, and cifs.ko does not ask
# again without one); fs_ops' t_hardlink covers it for smb3rs.
ktap_begin 2
ktap_test "ksmbd: smb3rs and cifs give the same results" compare ksmbd
ktap_test "samba: smb3rs and cifs give the same results" compare samba
rmmod smb3rs
ktap_end
