#!/bin/bash
# smb3rs.ko loads, registers filesystem type "smb3rs", and unloads cleanly, 5 times.
. "$TESTS_DIR/lib/ktap.sh"
KO=$SMB3RS_TOP/smb3rs.ko
CYCLES=5

fs_registered() { grep -qw smb3rs /proc/filesystems; }

cycle() {
	local i
	for i in $(seq 1 "$CYCLES"); do
		insmod "$KO" || { echo "insmod failed in cycle $i"; return 1; }
		fs_registered || { echo "smb3rs missing from /proc/filesystems in cycle $i"; return 1; }
		rmmod smb3rs || { echo "rmmod failed in cycle $i"; return 1; }
		! fs_registered || { echo "smb3rs still registered after unload in cycle $i"; return 1; }
	done
}

# Other suites load the module too: count only this program's loads.
selftests_before=$(dmesg | grep -c 'smb3rs: crypto self-test passed')
ktap_begin 5
ktap_test "module file exists" test -f "$KO"
ktap_test "load and unload $CYCLES times" cycle
ktap_test "module gone after the cycles" bash -c '! grep -q "^smb3rs " /proc/modules'
insmod "$KO" 2>/dev/null
ktap_test "load message in the kernel log" bash -c 'dmesg | grep -q "smb3rs: registered filesystem type smb3rs"'
ktap_test "crypto self-test passed on every load" bash -c \
	"[ \$(dmesg | grep -c 'smb3rs: crypto self-test passed') -eq $((selftests_before + CYCLES + 1)) ]"
rmmod smb3rs 2>/dev/null
ktap_end
