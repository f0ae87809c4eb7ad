#!/bin/bash
# PID 1 of the test VM: mounts what a system needs on top of the read-only 9p root
# (the host's), gives the guest a writable /etc, /run, /var and /tmp, runs the command
# scripts/vm-run.sh put into the shared output directory, records its exit status
# and reboots (QEMU runs with -no-reboot, so the VM ends).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=dumb LANG=C.UTF-8

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
for d in /tmp /run /var/lib /var/cache /var/log /var/tmp; do
	mount -t tmpfs -o mode=1777 tmpfs "$d"
done
mkdir -p /tmp/out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 smb3rs_out /tmp/out
cp -a /etc /tmp/etc && mount --bind /tmp/etc /etc
hostname smb3rs-vm
ip link set lo up

status=125
if . /tmp/out/guest.env; then
	export SMB3RS_TOP SMB3RS_OUT SMB3RS_KTOOLS
	cd "$SMB3RS_TOP" && "${GUEST_CMD[@]}" </dev/null
	status=$?
fi
dmesg > /tmp/out/dmesg.txt 2>/dev/null
echo "$status" > /tmp/out/exit-status
sync
echo b > /proc/sysrq-trigger
sleep 10
