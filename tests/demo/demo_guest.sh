#!/bin/bash
# What `make demo` runs inside the VM: start ksmbd with a share, load smb3rs, mount
# it, move files through it (create, list, write, read back with a checksum, rename,
# remove), show the debug view and the zero-copy counters, unmount and unload.
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
run grep ' smb3rs ' /proc/mounts
run cat /proc/fs/smb3rs/DebugData
say "files moving: create, list, write, read back with a checksum, rename, remove"
run mkdir /tmp/mnt/demo
run sh -c 'echo "hello from smb3rs" > /tmp/mnt/demo/hello.txt'
run cat /tmp/mnt/demo/hello.txt
run sh -c 'head -c 8M /dev/urandom > /tmp/demo-data'
run cp /tmp/demo-data /tmp/mnt/demo/data.bin
run ls -l /tmp/mnt/demo
echo "(drop the page cache, so the read back comes from the server)"
run sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches'
run sha256sum /tmp/demo-data /tmp/mnt/demo/data.bin "$KSMBD_SHARE_DIR/demo/data.bin"
run mv /tmp/mnt/demo/data.bin /tmp/mnt/demo/renamed.bin
run ls -l "$KSMBD_SHARE_DIR/demo"
run rm -r /tmp/mnt/demo
run ls -la /tmp/mnt
run stat -f -c 'filesystem type %T (magic 0x%t), %b blocks of %S bytes' /tmp/mnt
say "zero copy: every byte sent was spliced from page-cache or fragment pages"
run grep -E 'Bytes (spliced|copied)|Write|Create' /proc/fs/smb3rs/Stats
run umount /tmp/mnt
dmesg | grep 'smb3rs: session' | tail -n 2
say "a wrong password is refused by the server: EACCES"
"$SMB3RS_TOP/tests/lib/mount_errno.py" "//127.0.0.1/$SMB_SHARE" /tmp/mnt smb3rs "username=$SMB_USER,password=wrong"
dmesg | grep 'smb3rs: session setup' | tail -n 1
say "unload smb3rs"
run rmmod smb3rs
if dmesg | "$SMB3RS_TOP/tests/lib/dmesg-check.sh" >/dev/null; then
	echo "kernel log clean: no BUG/WARN/Oops/KASAN/lockdep reports"
else
	echo "kernel log has reports:"; dmesg | "$SMB3RS_TOP/tests/lib/dmesg-check.sh"; exit 1
fi
