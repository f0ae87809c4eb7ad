#!/bin/bash
# What `make demo` runs inside the VM: start ksmbd with a share, load smb3rs, show what
# works today. Grows with the project into the full file demo.
set -u
. "$SMB3RS_TOP/tests/lib/servers.sh"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "kernel"
run uname -r
say "start ksmbd (in-kernel SMB server) with share //127.0.0.1/$SMB_SHARE"
start_ksmbd || { echo "ksmbd failed to start"; exit 1; }
echo "ksmbd is listening on port $KSMBD_PORT"
say "load smb3rs"
run insmod "$SMB3RS_TOP/smb3rs.ko" || exit 1
run grep smb3rs /proc/filesystems
dmesg | grep 'smb3rs:' | tail -n 2
mkdir -p /tmp/mnt
say "mount -t smb3rs: TCP, NEGOTIATE 3.1.1, NTLMSSP session setup, TREE_CONNECT"
run mount -t smb3rs "//127.0.0.1/$SMB_SHARE" /tmp/mnt -o "username=$SMB_USER,password=$SMB_PASS,sign" || exit 1
dmesg | grep 'smb3rs: connected' | tail -n 1
run grep ' smb3rs ' /proc/mounts
run stat -f -c 'filesystem type %T (magic 0x%t)' /tmp/mnt
echo "(file operations land next: the root is an empty directory for now)"
run umount /tmp/mnt
dmesg | grep 'smb3rs: session' | tail -n 1
say "a wrong password is refused by the server: EACCES"
"$SMB3RS_TOP/tests/lib/mount_errno.py" "//127.0.0.1/$SMB_SHARE" /tmp/mnt smb3rs "username=$SMB_USER,password=wrong"
dmesg | grep 'smb3rs: session setup' | tail -n 1
say "the same share through cifs.ko, for reference"
run mount -t cifs "//127.0.0.1/$SMB_SHARE" /tmp/mnt -o "username=$SMB_USER,password=$SMB_PASS,vers=3.1.1" || exit 1
run sh -c 'seq 1 100000 > /tmp/mnt/hello.txt'
run ls -l /tmp/mnt "$KSMBD_SHARE_DIR"
run sha256sum /tmp/mnt/hello.txt "$KSMBD_SHARE_DIR/hello.txt"
run umount /tmp/mnt
say "unload smb3rs"
run rmmod smb3rs
if dmesg | "$SMB3RS_TOP/tests/lib/dmesg-check.sh" >/dev/null; then
	echo "kernel log clean: no BUG/WARN/Oops/KASAN/lockdep reports"
else
	echo "kernel log has reports:"; dmesg | "$SMB3RS_TOP/tests/lib/dmesg-check.sh"; exit 1
fi
