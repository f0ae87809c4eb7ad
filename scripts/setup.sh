#!/usr/bin/env bash
# Installs everything smb3rs needs on a Debian 12 machine: the kernel toolchain
# (GUIDE.md section 1), the VM, the SMB peers and the test tools. Idempotent and quick
# when all is there already, so every make target may call it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	rustc-web rust-web-src rust-web-clippy clang-19 lld-19 llvm-19 libclang-19-dev
	make flex bison bc libelf-dev libssl-dev cpio kmod xz-utils rsync
	linux-source-6.12
	qemu-system-x86 busybox-static
	samba smbclient cifs-utils
	fio iperf3 iproute2 rdma-core ibverbs-utils procps psmisc tshark tcpdump
	python3-matplotlib
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

mkdir -p "$SMB3RS_TOOLS/bin"

# ksmbd-tools conflicts with samba as a package; unpack it beside samba instead.
if [ ! -x "$KSMBD_TOOLS_DIR/usr/sbin/ksmbd.mountd" ]; then
	log "unpacking ksmbd-tools"
	tmp=$(mktemp -d); chmod 777 "$tmp" # apt downloads as user _apt
	(cd "$tmp" && apt-get download ksmbd-tools >/dev/null)
	rm -rf "$KSMBD_TOOLS_DIR"
	dpkg -x "$tmp"/ksmbd-tools_*.deb "$KSMBD_TOOLS_DIR"
	rm -rf "$tmp"
fi

# Debian's bindgen is too old for the kernel (needs >= 0.65.1).
if ! "$SMB3RS_TOOLS/bin/bindgen" --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
	log "installing bindgen-cli $BINDGEN_VERSION"
	cargo install --locked --quiet bindgen-cli --version "$BINDGEN_VERSION" \
		--root "$SMB3RS_TOOLS"
fi
