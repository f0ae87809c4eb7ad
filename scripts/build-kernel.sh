#!/usr/bin/env bash
# Builds (or reuses) the VM kernel of one flavour: `test` (KASAN, lockdep, kmemleak...)
# or `bench` (no debug options). The build lives in the cache, keyed by kernel version,
# config fragments and toolchain versions; prints the build directory on stdout.
# Usage: scripts/build-kernel.sh test|bench
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-test}
[ -f "$SMB3RS_TOP/scripts/kconfig/$flavour.config" ] || die "unknown kernel flavour '$flavour'"

src=$(kernel_src_dir)
out=$(kernel_build_dir "$flavour")
if [ -f "$out/.smb3rs-built" ]; then
	printf '%s\n' "$out"
	exit 0
fi

# One kernel build at a time (2 cores); whoever waited may find it built.
mkdir -p "$SMB3RS_CACHE"
exec 8>"$SMB3RS_CACHE/kernel-build.lock"
flock 8
if [ -f "$out/.smb3rs-built" ]; then
	printf '%s\n' "$out"
	exit 0
fi

log "building the $flavour kernel in $out (cold cache: about 15 minutes on 2 cores)"
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)

frag=$out/smb3rs.config
cat "$SMB3RS_TOP/scripts/kconfig/base.config" "$SMB3RS_TOP/scripts/kconfig/$flavour.config" > "$frag"

make -s -C "$src" O="$out" "${KMAKE_VARS[@]}" rustavailable >&2 \
	|| die "the Rust toolchain is not usable for this kernel (see above)"
make -s -C "$src" O="$out" "${KMAKE_VARS[@]}" KCONFIG_ALLCONFIG="$frag" allnoconfig >&2

# Every option the fragments ask for must have survived dependency resolution.
bad=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$opt=" "$out/.config" && { log "config: $opt should be off"; bad=1; }
	else
		grep -qx "$opt=$val" "$out/.config" || { log "config: $opt=$val did not stick"; bad=1; }
	fi
done < "$frag"
[ "$bad" -eq 0 ] || die "kernel config fragments do not resolve; fix scripts/kconfig/*.config"

make -C "$src" O="$out" "${KMAKE_VARS[@]}" -j"$(nproc)" bzImage modules >"$out/build.log" 2>&1 \
	|| { tail -n 40 "$out/build.log" >&2; die "kernel build failed (log: $out/build.log)"; }

echo "$(( $(date +%s) - start ))" > "$out/.build-seconds"
touch "$out/.smb3rs-built"
log "kernel built in $(cat "$out/.build-seconds") s"

# Builds of this flavour under older keys are superseded: free their space.
for old in "$SMB3RS_CACHE/kernel/$flavour"-*; do
	[ "$old" = "$out" ] || [ ! -d "$old" ] || { log "removing superseded $old"; rm -rf "$old"; }
done
printf '%s\n' "$out"
