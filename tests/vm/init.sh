#!/bin/bash
# PID 1 of the test VM: mounts what a system needs on top of the read-only 9p root
# (the host's), gives the guest a writable /etc, /run, /var and /tmp, runs the command
# scripts/vm-run.sh put into the shared output directory, records its exit status
# and reboots (QEMU runs with -no-reboot, so the VM ends).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=dumb LANG=C.UTF-8
OUT=/run/smb3rs-out

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
# The runner scans for leaks itself at the end; a periodic scan of all memory under
# TCG would take a vCPU away from the tests for minutes.
[ -w /sys/kernel/debug/kmemleak ] && echo scan=off > /sys/kernel/debug/kmemleak

# The output share says what to run and where the checkout is.
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p "$OUT" /run/smb3rs-top
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 smb3rs_out "$OUT"
status=125
if . "$OUT/guest.env"; then
	# The checkout may live under a directory the tmpfs mounts below hide (CI clones
	# into /tmp): keep a view of it and put it back where it was.
	mount --bind "$SMB3RS_TOP" /run/smb3rs-top
	for d in /tmp /var/lib /var/cache /var/log /var/tmp; do
		mount -t tmpfs -o mode=1777 tmpfs "$d"
	done
	if [ ! -d "$SMB3RS_TOP/tests" ]; then
		mkdir -p "$SMB3RS_TOP"
		mount --bind /run/smb3rs-top "$SMB3RS_TOP"
	fi
	# A writable /etc without copying the host's over 9p (minutes under TCG): a tmpfs
	# of symlinks to its entries, with real copies of the account files useradd
	# rewrites.
	mkdir -p /run/etc-host /tmp/etc
	mount --bind /etc /run/etc-host
	ln -s /run/etc-host/* /run/etc-host/.[!.]* /tmp/etc/
	# (With their backups: useradd rewrites passwd- and the like too.)
	accounts=()
	for f in /run/etc-host/{passwd,group,shadow,gshadow,subuid,subgid}* /run/etc-host/.pwd.lock; do
		[ -f "$f" ] && accounts+=("${f##*/}")
	done
	(cd /tmp/etc && rm -f "${accounts[@]}" && cd /run/etc-host && cp -a "${accounts[@]}" /tmp/etc/)
	mount --bind /tmp/etc /etc
	hostname smb3rs-vm
	ip link set lo up
	export SMB3RS_TOP SMB3RS_OUT SMB3RS_KTOOLS
	cd "$SMB3RS_TOP" && "${GUEST_CMD[@]}" </dev/null
	status=$?
fi
dmesg > "$OUT/dmesg.txt" 2>/dev/null
echo "$status" > "$OUT/exit-status"
sync
echo b > /proc/sysrq-trigger
sleep 10
