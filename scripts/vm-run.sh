#!/usr/bin/env bash
# Boots a kernel under QEMU with the host's root filesystem read-only over 9p and runs
# one guest script as PID 1's payload (tests/vm/init.sh sets the guest up first).
# The guest writes its results into OUTDIR (shared read-write over 9p); the console
# is saved as OUTDIR/console.log and streamed to stderr unless --quiet.
#
# Usage: scripts/vm-run.sh [--quiet] [--mem SIZE] [--cpus N] [--timeout SECONDS]
#                          KERNEL_BUILD_DIR OUTDIR GUEST_SCRIPT [ARGS...]
# Exit status: the guest script's, or 124 on timeout, or 125 if the VM died first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

quiet=0 mem=2G cpus=2 timeout=1800
while [ $# -gt 0 ]; do
	case "$1" in
	--quiet) quiet=1; shift ;;
	--mem) mem=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 3 ] || die "usage: $0 [options] KERNEL_BUILD_DIR OUTDIR GUEST_SCRIPT [ARGS...]"
kdir=$1 outdir=$2 script=$3
shift 3
bzimage=$kdir/arch/x86/boot/bzImage
# One VM at a time on this machine (2 cores): a second caller waits its turn.
mkdir -p "$SMB3RS_CACHE"
exec 9>"$SMB3RS_CACHE/vm.lock"
flock 9
[ -f "$bzimage" ] || die "no kernel image at $bzimage"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
rm -f "$outdir/exit-status" "$outdir/console.log"

# The guest reads what to run from OUTDIR: arguments may contain anything.
{
	printf 'SMB3RS_TOP=%q\n' "$SMB3RS_TOP"
	printf 'SMB3RS_OUT=%q\n' /run/smb3rs-out
	printf 'SMB3RS_KTOOLS=%q\n' "$KSMBD_TOOLS_DIR/usr/sbin"
	printf 'GUEST_CMD=(%s)\n' "$(printf '%q ' "$script" "$@")"
	# Test knobs, passed through when set.
	[ -z "${SMB3RS_INTEGRITY_MIB:-}" ] ||
		printf 'export SMB3RS_INTEGRITY_MIB=%q\n' "$SMB3RS_INTEGRITY_MIB"
} > "$outdir/guest.env"

# Nested KVM hangs or aborts on these machines: use it only if a probe boots.
accel=tcg
if [ "${SMB3RS_KVM:-auto}" != 0 ] && [ -w /dev/kvm ]; then
	# A kernel without a root filesystem panics at once; seeing that panic means KVM works.
	probe=$outdir/kvm-probe.log
	# (In a child shell, so that QEMU aborting does not make this shell report it.)
	bash -c 'timeout 25 qemu-system-x86_64 -accel kvm -cpu host -m 512M -smp 1 \
		-no-reboot -display none -monitor none -serial "file:$1" -kernel "$2" \
		-append "console=ttyS0 panic=-1"; true' probe "$probe" "$bzimage" >/dev/null 2>&1
	grep -q 'Kernel panic' "$probe" 2>/dev/null && accel=kvm
	rm -f "$probe"
fi
[ "$quiet" = 1 ] || log "booting $(basename "$kdir") under $accel, $cpus vCPUs, $mem"

cpu=max
[ "$accel" = kvm ] && cpu=host
# One core per socket: with -smp N alone QEMU makes one N-core socket, SeaBIOS's MP
# table lists one CPU per socket and our kernels (no ACPI) would boot on one vCPU.
case "$cpus" in
*[!0-9]*) ;;
*) cpus="$cpus,sockets=$cpus,cores=1,threads=1" ;;
esac
cmdline="console=ttyS0 loglevel=4 panic=-1 oops=panic root=/dev/root rootfstype=9p"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro"
cmdline+=" init=$SMB3RS_TOP/tests/vm/init.sh kasan.fault=report"

qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m "$mem" -smp "$cpus" -no-reboot \
	-display none -monitor none -serial "file:$outdir/console.log" \
	-kernel "$bzimage" -append "$cmdline" \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root \
	-fsdev local,id=out,path="$outdir",security_model=none \
	-device virtio-9p-pci,fsdev=out,mount_tag=smb3rs_out \
	-device virtio-rng-pci \
	-nic none >"$outdir/qemu.log" 2>&1 &
qpid=$!
if [ "$quiet" = 0 ]; then
	tail -n +1 -F --pid="$qpid" "$outdir/console.log" >&2 2>/dev/null &
fi

deadline=$(( $(date +%s) + timeout ))
while kill -0 "$qpid" 2>/dev/null; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
		log "VM timed out after ${timeout}s"
		exit 124
	fi
	sleep 1
done
wait "$qpid" 2>/dev/null || true
sleep 0.3
if [ ! -f "$outdir/exit-status" ]; then
	log "the VM stopped before the guest script finished (see $outdir/console.log)"
	tail -n 30 "$outdir/qemu.log" >&2 || true
	exit 125
fi
exit "$(cat "$outdir/exit-status")"
