# shellcheck shell=bash
# Shared settings for the smb3rs scripts: where caches live, which tools build the
# kernel and the module. Sourced, never run.

SMB3RS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SMB3RS_CACHE=${SMB3RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smb3rs}
SMB3RS_TOOLS=${SMB3RS_TOOLS:-$SMB3RS_CACHE/tools}
LLVM_BIN=/usr/lib/llvm-19/bin
BINDGEN_VERSION=0.71.1
KSMBD_TOOLS_DIR=$SMB3RS_TOOLS/ksmbd-tools
# Bump when scripts/build-kernel.sh changes how a kernel is built (part of the cache key).
KERNEL_RECIPE=1

export PATH="$LLVM_BIN:$SMB3RS_TOOLS/bin:$PATH"

# The kernel needs an exact rustc/rust-src pair: Debian's rustc-web with its sysroot
# in /usr, not the rustup toolchain (which has no rust-src).
KMAKE_VARS=(LLVM=1 RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc CLIPPY_DRIVER=/usr/bin/clippy-driver
	    BINDGEN="$SMB3RS_TOOLS/bin/bindgen")

log() { printf '[smb3rs] %s\n' "$*" >&2; }
die() { printf '[smb3rs] error: %s\n' "$*" >&2; exit 1; }

# Version of Debian's linux-source-6.12 package (moves with security updates).
kernel_src_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null
}

# Unpacked kernel source for the installed linux-source package; unpacks on first use.
kernel_src_dir() {
	local ver dir
	ver=$(kernel_src_version) || die "linux-source-6.12 is not installed (run scripts/setup.sh)"
	dir=$SMB3RS_CACHE/src/$ver/linux-source-6.12
	if [ ! -f "$dir/.unpacked" ]; then
		log "unpacking kernel source $ver"
		rm -rf "$SMB3RS_CACHE/src/$ver"
		mkdir -p "$SMB3RS_CACHE/src/$ver"
		tar -C "$SMB3RS_CACHE/src/$ver" -xf /usr/src/linux-source-6.12.tar.xz
		touch "$dir/.unpacked"
	fi
	printf '%s\n' "$dir"
}

# Everything a kernel build depends on besides the tree: toolchain versions, config
# fragments and the build recipe. Changing any of them gives a new cache key.
kernel_build_key() {
	local flavour=$1
	{
		echo "flavour=$flavour"
		kernel_src_version
		/usr/bin/rustc --version
		"$LLVM_BIN/clang" --version | head -n1
		"$SMB3RS_TOOLS/bin/bindgen" --version
		echo "recipe=$KERNEL_RECIPE"
		cat "$SMB3RS_TOP/scripts/kconfig/base.config" \
		    "$SMB3RS_TOP/scripts/kconfig/$flavour.config"
	} | sha256sum | cut -c1-16
}

kernel_build_dir() {
	printf '%s\n' "$SMB3RS_CACHE/kernel/$1-$(kernel_build_key "$1")"
}
