#!/bin/bash
# File and directory operations through -t smb3rs, against ksmbd and Samba: each
# result is checked against the share's directory on the server side (the ground
# truth), after dropping the client's caches where it matters.
. "$TESTS_DIR/lib/ktap.sh"
. "$TESTS_DIR/lib/servers.sh"
MNT=/tmp/mnt-fs
mkdir -p "$MNT"
insmod "$SMB3RS_TOP/smb3rs.ko" || exit 1

opts() { echo "username=$SMB_USER,password=$SMB_PASS,port=$(server_port "$1")${2:+,$2}"; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
expect() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
# (Programs are started sparingly: each start costs about half a second under TCG.)
sum() { local h; h=$(sha256sum < "$1") && echo "${h%% *}"; }

# Waits (10 s at most) until no handle is kept open for a reopen (a deferred
# close): a change made on the server's side, not through SMB, breaks no lease,
# so a reopen within closetimeo would not see it (as with cifs.ko).
handles_closed() {
	local k v end=$((SECONDS + 10))
	while ((SECONDS <= end)); do
		while IFS=: read -r k v; do
			[ "$k" = "Handles kept open" ] && [ "${v# }" = 0 ] && return 0
		done < /proc/fs/smb3rs/Stats
		sleep 0.1
	done
	echo "handles still kept open after 10 s"
	return 1
}

# Each test runs in a fresh directory T on the mount, S being the same on the server
# (made there: the previous test's handles kept for reopens must be closed first).
fresh() { handles_closed; rm -rf "$SRV/t"; mkdir -p "$SRV/t"; chmod 777 "$SRV/t"; T=$MNT/t; S=$SRV/t; }

# Sets smbd to the Samba process serving us, for tests that stop it; empty on
# ksmbd.
samba_smbd() {
	smbd=
	[ "$server" = samba ] || return 0
	smbd=$(smbd_child)
	[ -n "$smbd" ] || { echo "no smbd child found"; return 1; }
}

t_create_read_write() {
	local r0 r1
	fresh
	echo "hello smb3rs" > "$T/a.txt" || return 1
	expect "$(<"$S/a.txt")" "hello smb3rs" || return 1
	# Our own write is no change at the next open: what we cached is read.
	requests r0 Read && expect "$(<"$T/a.txt")" "hello smb3rs" && requests r1 Read || return 1
	[ "$r1" = "$r0" ] || { echo "$((r1 - r0)) READs of what was just written"; return 1; }
	handles_closed || return 1
	echo "changed there" > "$S/a.txt"
	expect "$(<"$T/a.txt")" "changed there" || return 1
	# A writable open that wrote nothing does not vouch for what it cached.
	exec 6<>"$T/a.txt" && read -r _ <&6 || return 1
	echo "changed once more" > "$S/a.txt"
	exec 6<&-
	handles_closed || return 1
	expect "$(<"$T/a.txt")" "changed once more" || return 1
	: > "$T/empty" && expect "$(stat -c %s "$T/empty")" 0 || return 1
	echo "server side" > "$S/b.txt"
	expect "$(<"$T/b.txt")" "server side"
}

t_large_file() {
	fresh
	head -c $((4 * 1024 * 1024 + 4321)) /dev/urandom > /tmp/fs-src
	cp /tmp/fs-src "$T/big" || return 1
	expect "$(sum "$S/big")" "$(sum /tmp/fs-src)" || return 1
	drop_caches
	expect "$(sum "$T/big")" "$(sum /tmp/fs-src)" || return 1
	expect "$(stat -c %s "$T/big")" $((4 * 1024 * 1024 + 4321))
}

t_overwrite_middle() {
	fresh
	head -c 300000 /dev/urandom > /tmp/fs-src
	cp /tmp/fs-src "$T/f" || return 1
	printf 'XYZ' | dd of="$T/f" bs=1 seek=100000 conv=notrunc status=none || return 1
	printf 'XYZ' | dd of=/tmp/fs-src bs=1 seek=100000 conv=notrunc status=none
	sync
	expect "$(sum "$S/f")" "$(sum /tmp/fs-src)" || return 1
	drop_caches
	expect "$(sum "$T/f")" "$(sum /tmp/fs-src)"
}

# A file opened for writing alone, its pages not cached: a write into part of
# a page reads the rest from the server, through the writer's own handle.
t_write_only_open() {
	fresh
	printf 'hello\n' > "$S/f"
	echo more >> "$T/f" || return 1
	# Again through a new handle (none kept), with no page cached.
	handles_closed && drop_caches
	printf 'XY' | dd of="$T/f" bs=1 seek=1 conv=notrunc status=none || return 1
	expect "$(<"$S/f")" "$(printf 'hXYlo\nmore')"
}

t_dirs() {
	fresh
	mkdir -p "$T/a/b/c" || return 1
	touch "$T/a/b/c/f" || return 1
	[ -d "$S/a/b/c" ] && [ -f "$S/a/b/c/f" ] || { echo "not on the server"; return 1; }
	expect "$(ls "$T/a/b/c")" f || return 1
	rmdir "$T/a/b/c" 2>/dev/null && { echo "removed a non-empty directory"; return 1; }
	rm -r "$T/a" || return 1
	[ ! -e "$S/a" ] || { echo "still on the server"; return 1; }
}

t_rename() {
	fresh
	echo one > "$T/one" && echo two > "$T/two" && mkdir "$T/d" || return 1
	mv "$T/one" "$T/uno" || return 1
	[ -f "$S/uno" ] && [ ! -e "$S/one" ] || return 1
	mv -f "$T/uno" "$T/two" || return 1
	expect "$(<"$S/two")" one || return 1
	mv "$T/two" "$T/d/" && mv "$T/d" "$T/e" || return 1
	expect "$(<"$S/e/two")" one || return 1
	expect "$(<"$T/e/two")" one || return 1
	# A name just looked up and missing (a negative dentry, trusted for actimeo)
	# is the new name at once after a rename to it, and the old name is gone.
	[ ! -e "$T/f" ] && mv "$T/e" "$T/f" || return 1
	expect "$(<"$T/f/two")" one && [ ! -e "$T/e" ]
}

t_truncate() {
	fresh
	echo 0123456789 > "$T/f" || return 1
	truncate -s 4 "$T/f" && expect "$(<"$S/f")" 0123 || return 1
	truncate -s 100000 "$T/f" && expect "$(stat -c %s "$S/f")" 100000 || return 1
	expect "$(stat -c %s "$T/f")" 100000 || return 1
	: > "$T/f" && expect "$(stat -c %s "$T/f")" 0
}

t_large_directory() {
	local i mine theirs found name=aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeee
	fresh
	for i in $(seq 1 700); do : > "$S/$name-$i"; done
	# ls and the shell's glob sort alike (same locale).
	mine=$(ls "$T") && theirs=$(cd "$S" && printf '%s\n' *) || return 1
	[ "$mine" = "$theirs" ] || { echo "listing differs from the server's"; return 1; }
	expect "$(wc -l <<< "$mine")" 700 || return 1
	# find reads the directory with its own buffer size.
	found=$(find "$T" -mindepth 1 -printf x)
	expect "${#found}" 700
}

t_names() {
	local n
	fresh
	for n in "with space" "héllo wörld ✓" "$(printf 'L%.0s' $(seq 1 200))" "dot.in.name"; do
		echo "$n" > "$T/$n" || { echo "create '$n'"; return 1; }
		expect "$(<"$S/$n")" "$n" || return 1
	done
	expect "$(ls "$T")" "$(ls "$S")"
}

t_times_and_stat() {
	fresh
	echo x > "$T/f" || return 1
	touch -d '2001-02-03 04:05:06' "$T/f" || return 1
	expect "$(stat -c %Y "$S/f")" "$(date -d '2001-02-03 04:05:06' +%s)" || return 1
	sleep 1.2
	expect "$(stat -c %Y "$T/f")" "$(date -d '2001-02-03 04:05:06' +%s)" || return 1
	[ -d "$T" ] && [ -f "$T/f" ] || return 1
	expect "$(stat -c %a "$T/f")" 755
}

t_sparse_and_4g() {
	fresh
	truncate -s 5G "$T/sparse" || return 1
	printf 'far' | dd of="$T/sparse" bs=1 seek=$((4 * 1024 * 1024 * 1024 + 12345)) \
		conv=notrunc status=none || return 1
	sync
	expect "$(dd if="$S/sparse" bs=1 skip=$((4 * 1024 * 1024 * 1024 + 12345)) count=3 status=none)" far || return 1
	drop_caches
	expect "$(dd if="$T/sparse" bs=1 skip=$((4 * 1024 * 1024 * 1024 + 12345)) count=3 status=none)" far || return 1
	expect "$(stat -c %s "$T/sparse")" $((5 * 1024 * 1024 * 1024))
}

# Without the POSIX extensions a mode is not kept, but whether a file may be
# written is, as its read-only attribute (as with cifs.ko): chmod without write
# bits sets it, and the mode shows none, also once refreshed from the server
# (after actimeo); Samba then refuses to open the file for writing (ksmbd does
# not). chmod with write bits clears it. Servers refuse to delete or replace a
# read-only file: rm and mv over one clear the attribute first (as cifs.ko).
t_chmod_readonly() {
	fresh
	echo data > "$T/f" || return 1
	chmod 444 "$T/f" && expect "$(stat -c %a "$T/f")" 555 || return 1
	sleep 1.5
	expect "$(stat -c %a "$T/f")" 555 || return 1
	# (Not through the handle kept from the write: an open is what is refused.)
	handles_closed || return 1
	if [ "$server" = samba ] && echo more 2>/dev/null >> "$T/f"; then
		echo "wrote a read-only file"
		return 1
	fi
	chmod 640 "$T/f" && expect "$(stat -c %a "$T/f")" 755 || return 1
	sleep 1.5
	expect "$(stat -c %a "$T/f")" 755 && echo more >> "$T/f" &&
		expect "$(<"$S/f")" "$(printf 'data\nmore')" || return 1
	echo new > "$T/g" && chmod 444 "$T/f" && mv -f "$T/g" "$T/f" &&
		expect "$(<"$S/f")" new || { echo "no replacing a read-only file"; return 1; }
	chmod 444 "$T/f" && rm -f "$T/f" && [ ! -e "$S/f" ] ||
		{ echo "no removing a read-only file"; return 1; }
}

t_mmap() {
	fresh
	head -c 200000 /dev/urandom > "$T/m" || return 1
	python3 - "$T/m" "$S/m" <<'PY' || return 1
import ctypes, mmap, os, sys
with open(sys.argv[1], "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    m[1000:1005] = b"MMAP!"
    m[150000:150003] = b"end"
    m.flush()
    m.close()
# Written after the file's close, and not synced: the unmap lets the last
# handle go, and that writes it. (Python's mmap keeps a descriptor of its own,
# which close would flush: hence libc's mmap.)
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
fd = os.open(sys.argv[1], os.O_RDWR)
addr = libc.mmap(None, 4096, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0)
assert addr not in (None, ctypes.c_void_p(-1).value), os.strerror(ctypes.get_errno())
os.close(fd)
ctypes.memmove(addr + 2000, b"LATE!", 5)
assert libc.munmap(addr, 4096) == 0
with open(sys.argv[2], "rb") as f:
    f.seek(2000)
    assert f.read(5) == b"LATE!", "a mapping's last writes were not written"
PY
	drop_caches
	expect "$(dd if="$S/m" bs=1 skip=1000 count=5 status=none)" "MMAP!" || return 1
	expect "$(dd if="$T/m" bs=1 skip=150000 count=3 status=none)" "end"
}

t_concurrent_writers() {
	fresh
	head -c 2000000 /dev/urandom > /tmp/fs-a
	head -c 2000000 /dev/urandom > /tmp/fs-b
	cp /tmp/fs-a "$T/a" & cp /tmp/fs-b "$T/b" & wait
	drop_caches
	expect "$(sum "$T/a")" "$(sum /tmp/fs-a)" && expect "$(sum "$T/b")" "$(sum /tmp/fs-b)" || return 1
	expect "$(sum "$S/a")" "$(sum /tmp/fs-a)" && expect "$(sum "$S/b")" "$(sum /tmp/fs-b)"
}

# Data integrity: four writers put patterned data (each 4 KiB block stamped with
# its offset) into one file in interleaved 1 MiB chunks, first with pwrite (the
# file growing under them), then through one shared mapping each of a file half
# that size; with the client's caches dropped, the file reads back as written,
# here and on the server. 64 MiB by default: under TCG with the debug kernel data
# moves at about 1 MiB/s, so SMB3RS_INTEGRITY_MIB=512 make check runs the full
# size in about 50 minutes more, both servers together.
INTEGRITY_MIB=${SMB3RS_INTEGRITY_MIB:-64}
t_integrity() {
	fresh
	python3 - "$T" "$S" "$INTEGRITY_MIB" <<'PY'
import hashlib, mmap, os, struct, sys, time
t, s, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
MiB, WRITERS = 1 << 20, 4
base = os.urandom(MiB)
fails = []

def chunk(i):
    b = bytearray(base)
    for off in range(0, MiB, 4096):
        struct.pack_into("<Q", b, off, i * MiB + off)
    return b

def write_share(path, k, n, use_mmap):
    fd = os.open(path, os.O_RDWR)
    if use_mmap:
        m = mmap.mmap(fd, n * MiB)
        for i in range(k, n, WRITERS):
            m[i * MiB:(i + 1) * MiB] = chunk(i)
        m.flush()
        m.close()
    else:
        for i in range(k, n, WRITERS):
            assert os.pwrite(fd, chunk(i), i * MiB) == MiB
    os.close(fd)

def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while b := f.read(4 * MiB):
            h.update(b)
    return h.hexdigest()

for name, n, use_mmap in (("written", mib, False), ("mapped", mib // 2, True)):
    start = time.monotonic()
    with open(t + "/" + name, "wb") as f:
        if use_mmap:
            f.truncate(n * MiB)
    pids = []
    for k in range(WRITERS):
        pid = os.fork()
        if pid == 0:
            try:
                write_share(t + "/" + name, k, n, use_mmap)
                os._exit(0)
            except BaseException as e:
                print(f"{name}: writer {k}: {e!r}")
                os._exit(1)
        pids.append(pid)
    if [p for p in pids if os.waitpid(p, 0)[1]]:
        fails.append(f"{name}: a writer failed")
        continue
    want = hashlib.sha256()
    for i in range(n):
        want.update(chunk(i))
    os.sync()
    wrote = time.monotonic()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3")
    for where, path in (("server", s), ("read back", t)):
        if digest(path + "/" + name) != want.hexdigest():
            fails.append(f"{name}: {where}: {n} MiB differ")
    print(f"{name}: {n} MiB written in {wrote - start:.0f} s, "
          f"checked in {time.monotonic() - wrote:.0f} s")
    os.unlink(t + "/" + name)
print("\n".join(fails))
sys.exit(1 if fails else 0)
PY
}

t_unlink_open() {
	fresh
	echo "still here" > "$T/f" || return 1
	exec 7< "$T/f"
	rm "$T/f" || { exec 7<&-; return 1; }
	local got
	got=$(cat <&7)
	exec 7<&-
	expect "$got" "still here" || return 1
	sleep 0.5
	[ ! -e "$S/f" ] || { echo "not deleted on the server after the last close"; return 1; }
}

# close() does not wait for its CLOSE (on Samba, stopped, it returns at once);
# removing and renaming wait for the CLOSEs before them, so that no handle left
# open on the server holds up what follows: a name removed and made again, a
# directory renamed or removed right after its files were closed.
t_close_nowait() {
	local smbd
	fresh
	samba_smbd || return 1
	python3 - "$T" "$S" "$smbd" <<'PY'
import os, signal, sys, threading, time
t, s, smbd = sys.argv[1], sys.argv[2], sys.argv[3]

for i in range(5):
    with open(t + "/f", "w"):
        pass
    with open(t + "/f") as f:
        f.read()
    os.unlink(t + "/f")
    with open(t + "/f", "x"):  # not delete pending
        pass
    os.unlink(t + "/f")
os.mkdir(t + "/d")
with open(t + "/d/x", "w"):
    pass
os.listdir(t + "/d")
os.rename(t + "/d", t + "/e")  # Samba refuses it with a file open below
assert os.path.exists(s + "/e/x"), "rename of the directory"
os.unlink(t + "/e/x")
os.rmdir(t + "/e")  # not "not empty" for a delete pending
assert not os.path.exists(s + "/e"), "rmdir"
# Removed while open: its last close is waited for, and the name is free.
fd = os.open(t + "/g", os.O_CREAT | os.O_RDWR)
os.unlink(t + "/g")
os.close(fd)
with open(t + "/g", "x"):
    pass
os.mkdir(t + "/dd")
fd = os.open(t + "/dd", os.O_RDONLY | os.O_DIRECTORY)
os.rmdir(t + "/dd")
os.close(fd)
os.mkdir(t + "/dd")
if not smbd:
    sys.exit(0)

fd = os.open(t + "/h", os.O_CREAT | os.O_RDONLY)
state = {"closed": False, "watchdog": False}
def watchdog():
    time.sleep(30)
    if not state["closed"]:
        state["watchdog"] = True
        os.kill(int(smbd), signal.SIGCONT)
os.kill(int(smbd), signal.SIGSTOP)
threading.Thread(target=watchdog, daemon=True).start()
try:
    os.close(fd)
    state["closed"] = True
finally:
    os.kill(int(smbd), signal.SIGCONT)
assert not state["watchdog"], "close() waited for the stopped server"
os.unlink(t + "/h")
assert not os.path.exists(s + "/h"), "still on the server after unlink"
PY
}

# Mounts -t smb3rs at $1 with the extra options $2, and cifs.ko at
# /tmp/mnt-fs-other (another client, closing its handles at once); neither is
# left mounted on failure.
mount_with_other() {
	mkdir -p "$1" /tmp/mnt-fs-other
	mount -t smb3rs "//127.0.0.1/$SMB_SHARE" "$1" -o "$(opts "$server" "$2")" || return 1
	mount -t cifs "//127.0.0.1/$SMB_SHARE" /tmp/mnt-fs-other \
		-o "$(opts "$server" closetimeo=0)" && return 0
	umount "$1"
	return 1
}

# Leases (the default): our opens of a file ask for a read-caching lease,
# which another client's change of the file breaks: our cached pages go, and a
# read through a file we still hold open sees the new data (without leases, it
# reads the pages cached before, until the next open). The other client is
# cifs.ko. ksmbd grants no lease in its default configuration: there our opens
# ask for an oplock, a read-only open gets level II, and another client's
# truncating open or write breaks it. (A break does not wait for the change it
# announces: a read in between caches the old data again, which the next
# refresh that shows the change drops.)
t_lease() {
	fresh
	local l=/tmp/mnt-fs-lease o=/tmp/mnt-fs-other rc=0
	mount_with_other "$l" || return 1
	! grep -q " $l smb3rs .*,nolease" /proc/mounts || { echo "nolease shown"; rc=1; }
	python3 - "$l/t" "$o/t" "$(caching "$server")" <<'PY' || rc=1
import os, sys, time
t, o, kind = sys.argv[1:4]

def stat(name):
    with open("/proc/fs/smb3rs/Stats") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k == name:
                return int(v)
    sys.exit("no %r in /proc/fs/smb3rs/Stats" % name)

def reads(fd, want, what):
    got = None
    for _ in range(50):
        got = os.pread(fd, len(want), 0)
        if got == want:
            return
        time.sleep(0.2)
    sys.exit("%s: the open file still reads %r, not %r" % (what, got, want))

def leased_open():
    n = stat(kind + "s granted")
    fd = os.open(t + "/f", os.O_RDONLY)
    assert stat(kind + "s granted") > n, "no %s granted" % kind
    return fd

with open(t + "/f", "w") as f:
    f.write("old data " * 1000)
fd = leased_open()
reads(fd, b"old data old", "our own")  # now cached
breaks = stat(kind + " breaks")
with open(o + "/f", "w") as f:  # O_TRUNC
    f.write("new data " * 1000)
reads(fd, b"new data new", "truncated and written by cifs.ko")
assert stat(kind + " breaks") > breaks, "no %s break counted" % kind
os.close(fd)
fd = leased_open()
reads(fd, b"new data new", "reopened")
with open(o + "/f", "r+") as f:
    f.write("NEW")
reads(fd, b"NEW data new", "written in place by cifs.ko")
os.close(fd)
PY
	umount "$o" || rc=1
	umount "$l" || rc=1
	return $rc
}

# Deferred close: with a lease that has handle caching (Samba) or a batch oplock
# (ksmbd), a closed file's handle stays open for closetimeo, and a reopen for the
# same access takes it without a CREATE; then it closes. Our own removal or
# rename of the file, or a rename of a directory above it, closes it first;
# another client's change of the file breaks the lease or oplock, which closes it
# and makes the reopen see the change; a change after the lease went (its handles
# closed) is seen too. A mount of its own, with closetimeo and actimeo long enough
# for the emulated VM's pace.
t_deferred_close() {
	fresh
	local d=/tmp/mnt-fs-dc o=/tmp/mnt-fs-other rc=0
	mount_with_other "$d" closetimeo=5,actimeo=5 || return 1
	grep -q " $d smb3rs .*,closetimeo=5," /proc/mounts || { echo "closetimeo not shown"; rc=1; }
	python3 - "$d/t" "$S" "$o/t" "$server" "$(caching "$server")" <<'PY' || rc=1
import os, sys, time
t, s, o, server, kind = sys.argv[1:6]
os.chdir(t)  # names relative to it: no revalidation of the directory is counted

def stats():
    with open("/proc/fs/smb3rs/Stats") as f:
        pairs = (line.strip().partition(": ") for line in f)
        return {k: int(v) for k, _, v in pairs if v.isdigit()}

def write(path, data, flags=os.O_CREAT | os.O_WRONLY | os.O_TRUNC):
    fd = os.open(path, flags)
    os.write(fd, data)
    os.close(fd)

def read(path):
    with open(path, "rb") as f:
        return f.read()

def wait_for(what, cond):
    for _ in range(200):
        if cond():
            return
        time.sleep(0.1)
    sys.exit(what)

def all_closed():
    wait_for("handles still kept open after 20 s", lambda: stats()["Handles kept open"] == 0)

write("f", b"one")
before = stats()
write("f", b"two", os.O_WRONLY | os.O_APPEND)
after = stats()
assert before["Handles kept open"] == 1, "the closed handle was not kept"
assert after["Create"] == before["Create"], "the reopen sent a CREATE"
assert after["Reopens of kept handles"] == before["Reopens of kept handles"] + 1
assert read("f") == b"onetwo"
assert read(s + "/f") == b"onetwo", "not on the server at close"
all_closed()
# (At least: the count is all mounts', and another may close meanwhile.)
closes = stats()["Close"] - before["Close"]
creates = stats()["Create"] - before["Create"]
assert closes >= 2, "the kept handles did not close: %d CLOSEs, %d CREATEs" % (closes, creates)

# Our own removal, rename, and a directory rename above a kept handle.
write("g", b"g")
os.unlink("g")
assert not os.path.exists(s + "/g"), "removed, but still there (delete pending)"
write("g", b"again", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
os.rename("g", "h")
assert read(s + "/h") == b"again"
os.mkdir("d")
write("d/x", b"x")
os.rename("d", "e")  # Samba refuses it with a handle open below
assert read(s + "/e/x") == b"x"

# Another client's removal breaks no lease on Samba (we share delete): the name
# stays delete pending until the kept handle's time is up (as with cifs.ko).
write("k", b"k")
os.unlink(o + "/k")
wait_for("removed by cifs.ko, still there after 20 s", lambda: not os.path.exists(s + "/k"))
# Another client's change: the reopen sees it, not what we cached. (On ksmbd a
# read-only open gets level II and closes the writer's kept handle: the writer's
# stays the one kept.)
write("m", b"old data")
if kind == "Lease":
    assert read("m") == b"old data"
breaks = stats()[kind + " breaks"]
write(o + "/m", b"new data from cifs.ko")
wait_for("no %s break" % kind, lambda: stats()[kind + " breaks"] > breaks)
assert read("m") == b"new data from cifs.ko", "stale data through a kept handle"

# A hard link's second name gets no lease (Samba refuses the key for another
# name): once the handle that held the lease has closed, the lease is gone, and
# another client's change breaks nothing; the next open must not take our cache
# for current (a new lease starts at the epoch the old one had).
write("a", b"old")
os.link("a", "b")
all_closed()  # the lease went with its handles
assert read("a") == b"old"  # cached under a new lease, its handle kept
fb = os.open("b", os.O_RDONLY)
all_closed()
write(o + "/a", b"new and longer")
assert read("a") == b"new and longer", "stale data after the lease went"
os.close(fb)
PY
	umount "$o" || rc=1
	umount "$d" || rc=1
	return $rc
}

# What our opens cache under on server $1: ksmbd grants no lease in its default
# configuration (no "smb2 leases = yes"), so they ask for an oplock there.
caching() {
	if [ "$1" = ksmbd ]; then echo Oplock; else echo Lease; fi
}

# Sets variable $1 to the $2 requests (Create, Read, ...) sent so far, with
# builtins only.
requests() {
	local k v
	while IFS=: read -r k v; do
		[ "$k" = "  $2" ] && { printf -v "$1" '%s' "${v# }"; return 0; }
	done < /proc/fs/smb3rs/Stats
	return 1
}

# open(O_CREAT) of a new name is one CREATE that stays open, and asks for nothing
# more (the index number comes with it); O_EXCL of an existing name is EEXIST;
# O_CREAT of an existing file opens it with its content; O_CREAT|O_TRUNC empties
# it.
t_open_create() {
	fresh
	local n
	# From inside the directory, so that no revalidation of it is counted, and with
	# shell builtins only (a program started there looks names up in it): the
	# shell's own open(O_CREAT|O_TRUNC) of a new name.
	n=$(cd "$T" && requests c0 Create && requests q0 QueryInfo && echo -n created > new &&
		requests c1 Create && requests q1 QueryInfo && echo "$((c1 - c0)) $((q1 - q0))") \
		|| return 1
	[ "$n" = "1 0" ] || { echo "CREATEs and QUERY_INFOs for one open(O_CREAT): $n"; return 1; }
	# The index number the CREATE gave is the one a lookup finds.
	n=$(stat -c %i "$T/new") && drop_caches && expect "$(stat -c %i "$T/new")" "$n" || return 1
	sync
	expect "$(<"$S/new")" created || return 1
	# Opening a file whose attributes are stale asks nothing first: its CREATE
	# refreshes them. A file gone on the server, or replaced, is looked up anew.
	sleep 1.2
	n=$(cd "$T" && requests c0 Create && requests q0 QueryInfo && : < new &&
		requests c1 Create && requests q1 QueryInfo && echo "$((c1 - c0)) $((q1 - q0))") \
		|| return 1
	[ "$n" = "1 0" ] || { echo "CREATEs and QUERY_INFOs for a stale open: $n"; return 1; }
	echo 1 > "$T/gone" && echo 2 > "$T/gone2" && echo old > "$T/replaced" && sleep 1.2 \
		&& handles_closed && rm "$S/gone" "$S/gone2" "$S/replaced" \
		&& echo new > "$S/replaced" || return 1
	local err
	err=$(cat "$T/gone" 2>&1) && { echo "a file gone opened"; return 1; }
	[[ "$err" == *"No such file"* ]] || { echo "open of a file gone: $err"; return 1; }
	expect "$(<"$T/replaced")" new || return 1
	echo again >> "$T/gone2" && expect "$(<"$S/gone2")" again || return 1
	echo "server made" > "$S/theirs"
	mkdir "$S/dir" || return 1
	python3 - "$T" <<'PY' || return 1
import errno, os, sys
t = sys.argv[1]
try:
    os.open(t + "/new", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    sys.exit("O_EXCL of an existing file succeeded")
except OSError as e:
    if e.errno != errno.EEXIST:
        raise
fd = os.open(t + "/new", os.O_CREAT | os.O_RDWR)
assert os.read(fd, 100) == b"created", "content lost"
os.close(fd)
fd = os.open(t + "/theirs", os.O_CREAT | os.O_RDONLY)
assert os.read(fd, 100) == b"server made\n", "not the server's file"
os.close(fd)
fd = os.open(t + "/theirs", os.O_CREAT | os.O_TRUNC | os.O_WRONLY)
os.close(fd)
assert os.stat(t + "/theirs").st_size == 0, "O_TRUNC did not empty it"
try:
    os.open(t + "/dir", os.O_CREAT | os.O_WRONLY)
    sys.exit("O_CREAT|O_WRONLY of a directory succeeded")
except IsADirectoryError:
    pass
PY
	[ "$(stat -c %s "$S/theirs")" = 0 ] || { echo "not truncated on the server"; return 1; }
}

# link(2): both names are one file on the server and here (same inode, link count
# 2 at once), the data is shared, the second name outlives the first; linking over an
# existing name is EEXIST.
t_hardlink() {
	fresh
	echo shared > "$T/a" || return 1
	ln "$T/a" "$T/b" || return 1
	[ "$S/a" -ef "$S/b" ] || { echo "not one file on the server"; return 1; }
	[ "$T/a" -ef "$T/b" ] || { echo "two inodes here"; return 1; }
	expect "$(stat -c %h "$T/a")" 2 || return 1
	echo more >> "$T/b" && expect "$(<"$T/a")" "$(printf 'shared\nmore')" || return 1
	echo other > "$T/c" && ! ln "$T/c" "$T/b" 2>/dev/null || { echo "linked over a name"; return 1; }
	rm "$T/a" || return 1
	expect "$(<"$S/b")" "$(printf 'shared\nmore')" || return 1
	expect "$(stat -c %h "$T/b")" 1
}

# user.* xattrs are the file's EAs on the server: set here, seen there, and the
# other way round; binary values; XATTR_CREATE/REPLACE; removal; directories; other
# namespaces refused.
t_xattrs() {
	fresh
	echo x > "$T/f" && mkdir "$T/d" || return 1
	python3 - "$T" "$S" <<'PY'
import errno, os, sys
t, s = sys.argv[1:3]
f = t + "/f"

def fails(err, fn, *args):
    try:
        fn(*args)
    except OSError as e:
        assert e.errno == err, f"{fn.__name__}{args[1:2]}: {os.strerror(e.errno)}"
        return
    sys.exit(f"{fn.__name__}{args[1:2]} succeeded")

os.setxattr(f, "user.colour", b"blue")
assert os.getxattr(f, "user.colour") == b"blue"
assert os.getxattr(s + "/f", "user.colour") == b"blue", "not on the server"
os.setxattr(s + "/f", "user.origin", b"server")
assert os.getxattr(f, "user.origin") == b"server", "server's EA not seen"
assert sorted(os.listxattr(f)) == ["user.colour", "user.origin"], os.listxattr(f)
big = bytes(range(256)) * 12
os.setxattr(f, "user.big", big)
assert os.getxattr(f, "user.big") == big, "3 KiB binary value"
fails(errno.E2BIG, os.setxattr, f, "user.huge", big * 3)
fails(errno.EEXIST, os.setxattr, f, "user.colour", b"x", os.XATTR_CREATE)
fails(errno.ENODATA, os.setxattr, f, "user.none", b"x", os.XATTR_REPLACE)
os.setxattr(f, "user.colour", b"red", os.XATTR_REPLACE)
assert os.getxattr(f, "user.colour") == b"red"
os.removexattr(f, "user.colour")
fails(errno.ENODATA, os.getxattr, f, "user.colour")
fails(errno.ENODATA, os.removexattr, f, "user.colour")
assert "user.colour" not in os.listxattr(s + "/f"), "not removed on the server"
os.setxattr(t + "/d", "user.dir", b"yes")
assert os.getxattr(s + "/d", "user.dir") == b"yes", "directory EA not on the server"
fails(errno.EOPNOTSUPP, os.setxattr, f, "trusted.x", b"1")
PY
}

# fallocate: punch a hole and zero a range (the server's copy and ours read back
# zeros there), extend with mode 0, keep the size with -n; other modes refused.
t_fallocate() {
	fresh
	head -c 300000 /dev/urandom > /tmp/fs-src
	cp /tmp/fs-src "$T/f" || return 1
	fallocate -p -o 100000 -l 50000 "$T/f" || return 1
	dd if=/dev/zero of=/tmp/fs-src bs=10000 seek=10 count=5 conv=notrunc status=none
	expect "$(sum "$T/f")" "$(sum /tmp/fs-src)" || return 1
	fallocate -z -o 290000 -l 20000 "$T/f" || return 1
	dd if=/dev/zero of=/tmp/fs-src bs=10000 seek=29 count=2 conv=notrunc status=none
	expect "$(stat -c %s "$T/f")" 310000 || return 1
	fallocate -l 400000 "$T/f" && fallocate -n -l 500000 "$T/f" || return 1
	truncate -s 400000 /tmp/fs-src
	expect "$(stat -c %s "$T/f")" 400000 || return 1
	fallocate -c -o 0 -l 4096 "$T/f" 2>/dev/null && { echo "collapse range accepted"; return 1; }
	expect "$(sum "$S/f")" "$(sum /tmp/fs-src)" || return 1
	drop_caches
	expect "$(sum "$T/f")" "$(sum /tmp/fs-src)"
}

# Symlinks are symlink files on the server (1067 bytes, the format of cifs.ko's
# mfsymlinks): made here, seen as links after the caches go, followed for reading,
# writing and open(O_CREAT), listed, renamed and removed without touching their
# target; 1024 bytes is the longest target; cifs.ko with mfsymlinks reads ours and
# we read its; nomfsymlinks shows the plain file and refuses to make links (those
# two on ksmbd only).
t_symlink() {
	fresh
	local first long
	echo data > "$T/f" && mkdir "$T/d" || return 1
	ln -s f "$T/l" && ln -s ../f "$T/d/up" && ln -s /tmp/fs-abs "$T/abs" || return 1
	expect "$(stat -c %s "$S/l")" 1067 || return 1
	read -r first < "$S/l" && expect "$first" XSym || return 1
	drop_caches
	expect "$(stat -c '%F %s' "$T/l" "$T/d/up")" "$(printf 'symbolic link 1\nsymbolic link 4')" \
		|| return 1
	expect "$(readlink "$T/l")" f || return 1
	expect "$(<"$T/l")" data && expect "$(<"$T/d/up")" data || return 1
	echo more >> "$T/l" && expect "$(<"$S/f")" "$(printf 'data\nmore')" || return 1
	# open(O_CREAT) of a name not in the dcache that is a link: follows it.
	rm -f /tmp/fs-abs
	drop_caches
	echo via > "$T/abs" && expect "$(</tmp/fs-abs)" via || return 1
	expect "$(cd "$T" && find . -type l | sort | tr '\n' ' ')" "./abs ./d/up ./l " || return 1
	ln -s g "$T/l" 2>/dev/null && { echo "symlink over an existing name"; return 1; }
	mv "$T/l" "$T/l2" && expect "$(readlink "$T/l2")" f || return 1
	rm "$T/l2" && [ ! -e "$S/l2" ] && [ -f "$S/f" ] || { echo "rm of the link"; return 1; }
	printf -v long '%01024d' 0
	ln -s "$long" "$T/long" && expect "$(readlink "$T/long")" "$long" || return 1
	ln -s "${long}1" "$T/toolong" 2>/dev/null && { echo "1025-byte target accepted"; return 1; }
	# The format does not depend on the server: the mounts below are made once.
	[ "$server" = ksmbd ] || return 0
	mkdir -p /tmp/mnt-fs-other
	mount -t cifs "//127.0.0.1/$SMB_SHARE" /tmp/mnt-fs-other -o "$(opts "$server" mfsymlinks)" \
		|| return 1
	expect "$(readlink /tmp/mnt-fs-other/t/d/up)" ../f && ln -s f /tmp/mnt-fs-other/t/theirs
	first=$?
	umount /tmp/mnt-fs-other
	[ $first = 0 ] && expect "$(readlink "$T/theirs")" f || return 1
	mount -t smb3rs "//127.0.0.1/$SMB_SHARE" /tmp/mnt-fs-other -o "$(opts "$server" nomfsymlinks)" \
		|| return 1
	[ -f /tmp/mnt-fs-other/t/theirs ] && ! ln -s f /tmp/mnt-fs-other/t/no 2>/dev/null
	first=$?
	umount /tmp/mnt-fs-other
	[ $first = 0 ] || { echo "nomfsymlinks"; return 1; }
}

# O_DIRECT goes straight to the server at any alignment of buffer, offset and size:
# what the server has is read at once (within actimeo too), a write past the end
# extends the file, reads past the end are short, and our dirty cached data lands
# before a direct read; each read is a READ whose data lands in the caller's own
# pages. With cache=none all reads and writes are direct: written
# data is on the server before close, appends go to the server's end. (That mount
# also has nobrl: its locks stay on this machine.)
t_direct() {
	fresh
	python3 - "$T" "$S" <<'PY' || return 1
import os, sys
t, s = sys.argv[1:3]
data = os.urandom(2500001)
fd = os.open(t + "/d", os.O_CREAT | os.O_RDWR | os.O_DIRECT)
unaligned = memoryview(bytearray(b"x" + data))[1:]
assert os.pwrite(fd, unaligned, 7) == len(data)
assert os.fstat(fd).st_size == len(data) + 7, os.fstat(fd).st_size
with open(s + "/d", "rb") as f:
    assert f.read() == bytes(7) + data, "server copy differs"
with open(s + "/d", "r+b") as f:
    f.seek(100)
    f.write(b"SERVER")
def stats():
    with open("/proc/fs/smb3rs/Stats") as f:
        pairs = (line.strip().partition(": ") for line in f)
        return {k: int(v) for k, _, v in pairs if v.isdigit()}
before = stats()
for _ in range(2):
    assert os.pread(fd, 6, 100) == b"SERVER", "server's write not seen"
after = stats()
assert after["Read"] - before["Read"] == 2, "direct reads were not each a READ"
with open(s + "/d", "rb") as f:
    srv = f.read()
assert os.pread(fd, 1000003, 1234567) == srv[1234567:2234570], "odd read"
landed = stats()["Bytes read into pages"] - after["Bytes read into pages"]
assert landed >= 1000003, f"only {landed} bytes landed in the caller's pages"
whole = memoryview(bytearray(len(srv) + 101))[1:]
assert os.preadv(fd, [whole], 3) == len(srv) - 3 and whole[:len(srv) - 3] == srv[3:], \
    "read of several READs in flight"
assert os.pread(fd, 100, len(srv) - 8) == srv[-8:], "read across the end"
assert os.pread(fd, 100, len(srv) + 10) == b"", "read past the end"
bufs = [bytearray(5000), bytearray(3)]
assert os.preadv(fd, bufs, 11) == 5003 and bytes(bufs[0] + bufs[1]) == srv[11:5014], "readv"
os.close(fd)
with open(t + "/d", "r+b") as f:
    f.seek(5)
    f.write(b"BUFFERED")
    f.flush()
    fd = os.open(t + "/d", os.O_RDONLY | os.O_DIRECT)
    assert os.pread(fd, 8, 5) == b"BUFFERED", "dirty page not written first"
    os.close(fd)
PY
	mkdir -p /tmp/mnt-fs-other
	mount -t smb3rs "//127.0.0.1/$SMB_SHARE" /tmp/mnt-fs-other \
		-o "$(opts "$server" cache=none,nobrl)" || return 1
	python3 - /tmp/mnt-fs-other/t "$S" "$T" <<'PY'
import fcntl, os, sys
t, s, main = sys.argv[1:4]
with open("/proc/mounts") as m:
    line = [l for l in m if " /tmp/mnt-fs-other " in l][0]
assert ",cache=none," in line and line.split()[3].endswith(",nobrl"), line
open(s + "/l", "w").close()
with open(t + "/l", "r+b") as f:
    fcntl.lockf(f, fcntl.LOCK_EX)
    pid = os.fork()
    if pid == 0:  # the other mount is another client: a server lock would stop it
        try:
            fcntl.lockf(os.open(main + "/l", os.O_RDWR), fcntl.LOCK_EX | fcntl.LOCK_NB)
            os._exit(0)
        except OSError:
            os._exit(1)
    assert os.waitpid(pid, 0)[1] == 0, "nobrl: the lock went to the server"
with open(t + "/n", "wb", buffering=0) as f:
    f.write(b"A" * 10000)
    with open(s + "/n", "rb") as g:
        assert g.read() == b"A" * 10000, "not on the server before close"
    with open(s + "/n", "ab") as g:
        g.write(b"S")
    with open(t + "/n", "ab", buffering=0) as a:
        a.write(b"Z")
with open(s + "/n", "rb") as g:
    assert g.read() == b"A" * 10000 + b"SZ", "append not at the server's end"
with open(s + "/n", "r+b") as g:
    g.write(b"B")
with open(t + "/n", "rb") as f:
    assert f.read(2) == b"BA", "server's write not seen"
PY
	local rc=$?
	umount /tmp/mnt-fs-other
	return $rc
}

# A truncate by path (no writable handle of ours: closetimeo=0) holds the
# inode lock while its CREATE may break the oplock of another process's open
# of the same file, whose reply has come but which is not installed yet: the
# install must not wait for that inode lock, or the server holds the truncate
# until its break times out (35 s on ksmbd). Each truncate here takes about a
# second; one held for the break's timeout fails the test.
t_truncate_racing_open() {
	fresh
	local d=/tmp/mnt-fs-race rc=0 i t0 took opener
	mkdir -p "$d"
	mount -t smb3rs "//127.0.0.1/$SMB_SHARE" "$d" -o "$(opts "$server" closetimeo=0)" || return 1
	echo data > "$d/t/f"
	(while :; do : >>"$d/t/f"; done) &
	opener=$!
	for i in $(seq 12); do
		t0=$SECONDS
		perl -e 'truncate($ARGV[0], 3) or die "truncate: $!\n"' "$d/t/f" || rc=1
		took=$((SECONDS - t0))
		((took < 20)) || { echo "truncate $i took $took s"; rc=1; }
	done
	kill "$opener"
	wait "$opener"
	[ "$(stat -c %s "$d/t/f")" = 3 ] || { echo "size $(stat -c %s "$d/t/f")"; rc=1; }
	umount "$d" || rc=1
	return $rc
}

# flock is a whole-file lock on the server, held by the open file's handle:
# another client (cifs.ko, which sends SMB2 LOCK for flock) and another open here
# are refused while it is exclusive, share it while it is shared, and get it once it
# is released or its file closed; the holder reads and writes through its lock;
# a blocked flock waits until the holder lets go, and can be killed.
t_flock() {
	fresh
	local o=/tmp/mnt-fs-other/t/f rc=0
	echo data > "$T/f" || return 1
	mkdir -p /tmp/mnt-fs-other
	# closetimeo=0: each flock(1) below opens and closes the file anew; cifs.ko
	# would otherwise keep closed handles (and what they hold) for a while.
	mount -t cifs "//127.0.0.1/$SMB_SHARE" /tmp/mnt-fs-other \
		-o "$(opts "$server" closetimeo=0)" || return 1
	exec 8<>"$T/f"
	{
		flock -x 8 || { echo "flock -x"; false; }
	} && {
		! flock -n -s "$o" true || { echo "cifs.ko got a shared lock"; false; }
	} && {
		! flock -n -x "$T/f" true || { echo "another open got it"; false; }
	} && {
		read -r line <&8 && [ "$line" = data ] && echo more >&8 \
			|| { echo "the holder cannot use its file"; false; }
	} && {
		flock -u 8 && flock -n -s "$o" true || { echo "not released"; false; }
	} && {
		flock -s 8 && flock -n -s "$o" true && ! flock -n -x "$o" true \
			|| { echo "shared lock"; false; }
	} && {
		flock -x 8 && ! timeout -s KILL 3 flock -x "$T/f" true
	} && {
		(sleep 2; flock -u 8) &
		flock -x "$T/f" true || { echo "blocked flock did not get the lock"; false; }
		wait
	} && {
		flock -x 8 && exec 8>&- && flock -n -x "$o" true || { echo "close did not release"; false; }
	} && {
		t_fcntl_locks "$T/g" /tmp/mnt-fs-other/t/g "$S/g"
	} && {
		[ "$server" != samba ] || t_fsync_waited "$T/h" /tmp/mnt-fs-other/t/h "$S/h"
	} || rc=1
	exec 8>&- 2>/dev/null
	umount /tmp/mnt-fs-other
	[ $rc = 0 ] && expect "$(<"$S/f")" "$(printf 'data\nmore')" &&
		expect "$(head -c 30 "$S/g" | tail -c 6)" ".X...."
}

# fcntl (POSIX and OFD) byte-range locks of file $1 against cifs.ko's view $2 of
# it ($3 on the server); each probe is a new process with its own open, so its
# own lock owner. Last, writeback that cifs.ko's lock refuses keeps its data.
t_fcntl_locks() {
	python3 - "$1" "$2" "$3" "$server" <<'PY'
import errno, fcntl, os, struct, sys, time
ours, theirs, on_server, server = sys.argv[1:5]
EX, SH, UN, NB = fcntl.LOCK_EX, fcntl.LOCK_SH, fcntl.LOCK_UN, fcntl.LOCK_NB
FLOCK = "hhxxxxqqixxxx"  # struct flock on 64-bit Linux
fails = []

def check(what, ok):
    if not ok:
        fails.append(what)

def can(path, kind, start, length):
    """Whether a new process gets the lock at once through its own open."""
    pid = os.fork()
    if pid == 0:
        try:
            fcntl.lockf(os.open(path, os.O_RDWR), kind | NB, length, start)
            os._exit(0)
        except OSError:
            os._exit(1)
    return os.waitpid(pid, 0)[1] == 0

def getlk(fd, kind, start, length):
    got = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(FLOCK, kind, 0, start, length, 0))
    return struct.unpack(FLOCK, got)[0]

with open(ours, "wb") as f:
    f.write(b"." * 400)
fd = os.open(ours, os.O_RDWR)
fcntl.lockf(fd, EX, 100, 0)
check("cifs.ko got a locked range", not can(theirs, SH, 50, 10))
check("cifs.ko was refused a free range", can(theirs, EX, 100, 10))
check("another process here got a locked range", not can(ours, SH, 0, 1))
fcntl.lockf(fd, UN, 10, 40)
check("partial unlock kept the hole", can(theirs, EX, 40, 10))
check("partial unlock dropped the rest",
      not can(theirs, SH, 30, 5) and not can(theirs, SH, 95, 5))
fcntl.lockf(fd, SH, 100, 0)
check("downgrade: shared refused", can(theirs, SH, 0, 100))
check("downgrade: exclusive granted", not can(theirs, EX, 20, 1))
fcntl.lockf(fd, EX, 10, 20)
check("upgrade of a middle piece", not can(theirs, SH, 25, 1)
      and can(theirs, SH, 0, 10) and can(theirs, SH, 60, 10))
check("the holder writes through its lock",
      os.pwrite(fd, b"X", 25) == 1 and os.pread(fd, 1, 25) == b"X")
check("F_GETLK: a free range", getlk(fd, fcntl.F_WRLCK, 300, 10) == fcntl.F_UNLCK)

held, go = os.pipe(), os.pipe()

def child(work, then):
    """Forks a process that runs `work`, reports on `held` whether it worked
    (b"h", or b"f" and why on stderr), then runs `then` if it did; returns its
    pid and whether `work` worked. The child never returns into this script,
    and does not outlive the parent by waiting on `go`."""
    pid = os.fork()
    if pid == 0:
        # Only the parent writes `go`: should it die, reading it ends.
        os.close(go[1])
        ok = False
        try:
            work()
            ok = True
        except BaseException as e:
            print(f"child: {e!r}", file=sys.stderr)
        try:
            os.write(held[1], b"h" if ok else b"f")
            if ok:
                then()
        finally:
            os._exit(0 if ok else 1)
    worked = os.read(held[0], 1) == b"h"
    if not worked:
        os.waitpid(pid, 0)
    return pid, worked

def cifs_holds(path, start, length, linger):
    """Starts a process that holds cifs.ko's lock of a range until told (a byte
    on `go`), then `linger` seconds more; returns its pid once it holds it, or
    None if it could not take the lock."""
    def then():
        os.read(go[0], 1)
        time.sleep(linger)
    pid, worked = child(lambda: fcntl.lockf(os.open(path, os.O_RDWR), EX, length, start), then)
    check(f"cifs.ko's lock of [{start}, {start + length})", worked)
    return pid if worked else None

pid = cifs_holds(theirs, 200, 10, 1)
if pid:
    check("F_GETLK: cifs.ko's lock", getlk(fd, fcntl.F_RDLCK, 195, 10) == fcntl.F_WRLCK)
    os.write(go[1], b"g")
    start = time.monotonic()
    fcntl.lockf(fd, EX, 10, 200)
    check("a blocking lock did not wait", time.monotonic() - start > 0.5)
    os.waitpid(pid, 0)

os.close(os.open(ours, os.O_RDONLY))
check("closing another descriptor kept locks", can(theirs, EX, 0, 300))
other = os.open(ours, os.O_RDONLY)
fcntl.flock(other, fcntl.LOCK_EX)
try:  # both are SMB locks: waiting would be waiting for ourselves
    fcntl.lockf(fd, EX, 10, 0)
    check("a lock under our own flock was granted", False)
except OSError as e:
    check(f"waiting for our own flock: {e}", e.errno == errno.EDEADLK)
os.close(other)
# Another process's flock is waited for.
pid, worked = child(lambda: fcntl.flock(os.open(ours, os.O_RDONLY), fcntl.LOCK_EX),
                    lambda: time.sleep(1))
check("another process's flock", worked)
start = time.monotonic()
try:
    fcntl.lockf(fd, EX, 10, 0)
    check("a lock under another process's flock did not wait",
          not worked or time.monotonic() - start > 0.5)
except OSError as e:
    check(f"waiting for another process's flock: {e}", False)
os.waitpid(pid, 0)
os.close(fd)

fd = os.open(ours, os.O_RDWR)
fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack(FLOCK, fcntl.F_RDLCK, 0, 0, 0, 0))
os.close(os.open(ours, os.O_RDONLY))
check("OFD lock", not can(theirs, EX, 0, 1) and can(theirs, SH, 0, 1))
os.close(fd)
check("closing the OFD lock's file kept it", can(theirs, EX, 0, 1))

# Samba refuses our WRITE under cifs.ko's lock: writeback keeps the data, and
# writes it once the lock is gone. Or, when the lock broke our lease (Samba
# breaks read leases for byte-range locks) and so dropped the cached page, the
# READ the partial-page write needs is refused, and so the write, at once.
# ksmbd checks no locks for a client with the POSIX extensions, as we are.
ours_w, theirs_w, on_server_w = ours + "w", theirs + "w", on_server + "w"
with open(ours_w, "wb") as f:
    f.write(b"." * 400)
w = os.open(ours_w, os.O_RDWR)
os.pread(w, 400, 0)  # cached, so the write below needs no READ
pid = cifs_holds(theirs_w, 300, 10, 0)
written = False
try:
    os.pwrite(w, b"KEPT", 302)
    written = True
    os.fsync(w)
    refused = None
except OSError as e:
    refused = e
if pid:
    check(f"write or writeback under cifs.ko's lock on {server}: {refused}",
          (refused and refused.errno == errno.EACCES) if server == "samba" else not refused)
    os.write(go[1], b"g")
    os.waitpid(pid, 0)
if not written:
    os.pwrite(w, b"KEPT", 302)
os.fsync(w)
os.close(w)
with open(on_server_w, "rb") as f:
    check("the refused data was not kept", f.read() == b"." * 302 + b"KEPT" + b"." * 94)
print("\n".join(fails))
sys.exit(1 if fails else 0)
PY
}

# fsync reports a WRITE that cifs.ko's lock refused also when the WRITE was
# another writeback's, found under way and only waited for (a lease break's,
# or here another thread's data-integrity sync, held on the wire by stopping
# the smbd processes, ours and cifs.ko's). A second mount without leases keeps the page cached through the lock
# (no break drops it), so the write lands in the cache. File $1 on our mount,
# $2 through cifs.ko, $3 on the server.
t_fsync_waited() {
	local nl=/tmp/mnt-fs-nolease rc=0
	mkdir -p $nl
	mount -t smb3rs "//127.0.0.1/$SMB_SHARE" $nl -o "$(opts "$server" nolease)" || return 1
	python3 - "$nl/t/${1##*/}" "$2" "$3" "$SAMBA_PORT" <<'PY' || rc=1
import ctypes, errno, fcntl, os, re, signal, subprocess, sys, threading, time
ours, theirs, on_server, port = sys.argv[1:5]
fails = []
with open(ours, "wb") as f:
    f.write(b"." * 400)
w = os.open(ours, os.O_RDWR)
os.pread(w, 400, 0)  # cached, so the write below needs no READ
go_r, go_w = os.pipe()
held_r, held_w = os.pipe()
pid = os.fork()
if pid == 0:  # holds cifs.ko's lock until `go` closes; always exits
    try:
        os.close(go_w)
        os.close(held_r)
        fcntl.lockf(os.open(theirs, os.O_RDWR), fcntl.LOCK_EX, 10, 300)
        os.write(held_w, b"h")
        os.read(go_r, 1)
    finally:
        os._exit(0)
os.close(go_r)
os.close(held_w)
if os.read(held_r, 1) != b"h":
    fails.append("cifs.ko's lock of [300, 310)")
else:
    os.pwrite(w, b"KEPT", 302)
    sync_file_range = ctypes.CDLL(None, use_errno=True).sync_file_range
    sync_file_range.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    ss = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
                        capture_output=True, text=True).stdout
    smbds = sorted({int(p) for p in re.findall(r"pid=(\d+)", ss)})
    def signal_smbds(sig):
        for p in smbds:
            os.kill(p, sig)
    signal_smbds(signal.SIGSTOP)
    try:
        # WAIT_BEFORE | WRITE | WAIT_AFTER: a data-integrity writeback
        other = threading.Thread(target=sync_file_range, args=(w, 0, 0, 7))
        other.start()
        time.sleep(1)  # its WRITE is sent, the folio under writeback
        threading.Timer(1, signal_smbds, (signal.SIGCONT,)).start()
        os.fsync(w)
        fails.append("fsync under cifs.ko's lock reported no refusal")
    except OSError as e:
        if e.errno != errno.EACCES:
            fails.append(f"fsync under cifs.ko's lock: {e}")
    finally:
        signal_smbds(signal.SIGCONT)
    other.join()
    if not smbds:
        fails.append("no smbd found to hold the WRITE")
os.close(go_w)  # the holder exits, and its lock goes
os.waitpid(pid, 0)
try:
    os.fsync(w)
except OSError as e:
    fails.append(f"fsync once the lock is gone: {e}")
os.close(w)
with open(on_server, "rb") as f:
    if f.read() != b"." * 302 + b"KEPT" + b"." * 94:
        fails.append("the refused data was not written once the lock was gone")
print("\n".join(fails))
sys.exit(1 if fails else 0)
PY
	umount $nl || rc=1
	return $rc
}

# A listing primes the dcache: `ls -l` of a directory nobody looked into
# asks nothing per entry (31 here: at most the directory's own lookup and open),
# and shows the sizes and types the server has. A server-side symlink (ksmbd
# lists it as a reparse point) looks the same listed first as looked up.
t_listing_attrs() {
	local i c0 c1 out listed
	fresh
	for i in $(seq 30); do printf "%${i}s" > "$S/f$i"; done
	mkdir "$S/sub" && ln -s ../f3 "$S/sub/lnk" || return 1
	drop_caches
	requests c0 Create && out=$(ls -l "$T") && requests c1 Create || return 1
	(( c1 - c0 <= 3 )) || { echo "CREATEs for ls -l of 31 entries: $((c1 - c0))"; return 1; }
	expect "$(grep -c '^-' <<< "$out") $(grep -c '^d' <<< "$out")" "30 1" &&
		expect "$(stat -c %s "$T/f17") $(stat -c %F "$T/sub")" "17 directory" || return 1
	ls -l "$T/sub" > /dev/null 2>&1
	listed=$(stat -c '%F %s' "$T/sub/lnk" 2>&1)
	drop_caches
	expect "$(stat -c '%F %s' "$T/sub/lnk" 2>&1)" "$listed"
}

# The posix option (the SMB 3.1.1 POSIX extensions) on ksmbd: modes, owners
# and link counts are the server's; a new file or directory gets the mode asked
# for (the umask applied); chmod sets it on the server; changes made there show
# once the attributes are stale. The default mount keeps the mount's modes.
# Samba here offers no POSIX extensions: the mount is refused, with a message.
t_posix() {
	local px=/tmp/mnt-fs-posix m f
	fresh
	mkdir -p $px
	if [ "$server" = samba ]; then
		if mount -t smb3rs "//127.0.0.1/$SMB_SHARE" $px -o "$(opts "$server" posix)" 2>/dev/null; then
			umount $px
			echo "posix mount of a server without the POSIX extensions"
			return 1
		fi
		dmesg | tail -n 20 | grep -q "server does not offer the SMB 3.1.1 POSIX extensions" \
			|| { echo "no message for the refused posix mount"; return 1; }
		return 0
	fi
	mount -t smb3rs "//127.0.0.1/$SMB_SHARE" $px -o "$(opts "$server" posix)" || return 1
	local rc=0
	{
		grep -q " $px smb3rs .*,posix" /proc/mounts || { echo "posix not in /proc/mounts"; false; }
	} && {
		(umask 022 && : > $px/t/f && mkdir $px/t/d && umask 077 && : > $px/t/g) &&
			m=$(stat -c %a "$S/f" "$S/d" "$S/g" | tr '\n' ' ') &&
			expect "$(stat -c %a $px/t/f $px/t/d $px/t/g | tr '\n' ' ')" "$m" &&
			# ksmbd gives a new file a POSIX ACL, whose mask is the
			# group's bits: the owner's and others' are the ones asked for.
			for f in f:644 d:755 g:600; do
				set -- $(stat -c %a "$S/${f%:*}") "${f#*:}"
				(( (8#$1 & 8#707) == (8#$2 & 8#707) )) ||
					{ echo "${f%:*}: $1 on the server, $2 asked for"; m=bad; }
			done && [ "$m" != bad ]
	} && {
		chmod 0640 $px/t/f && chmod 0710 $px/t/d &&
			expect "$(stat -c %a "$S/f" "$S/d" | tr '\n' ' ')" "640 710 " &&
			expect "$(stat -c %a $px/t/f $px/t/d | tr '\n' ' ')" "640 710 "
	} && {
		chown 1234:567 "$S/f" && chmod 0604 "$S/f" && ln "$S/f" "$S/f2" && sleep 1.5 &&
			cat $px/t/f && expect "$(stat -c '%a %u %g %h' $px/t/f)" "604 1234 567 2"
	} && {
		expect "$(stat -c %a "$T/f")" "755"
	} || rc=1
	umount $px || rc=1
	return $rc
}

# Asynchronous direct I/O (Linux AIO, raw syscalls): 16 writes of 4 KiB in one
# io_submit all land; on Samba, with the server stopped (SIGSTOP), io_submit
# returns and none of them has completed, so they were in flight together, not
# done one by one inside io_submit. Then reads of the same blocks, a write that
# extends the file and a read across the end of the file, checked on the server.
t_aio() {
	local smbd
	fresh
	samba_smbd || return 1
	python3 - "$T" "$S" "$smbd" <<'PY'
import ctypes, os, signal, sys, threading, time
t, s, smbd = sys.argv[1], sys.argv[2], sys.argv[3]
libc = ctypes.CDLL(None, use_errno=True)
IO_SETUP, IO_DESTROY, IO_GETEVENTS, IO_SUBMIT = 206, 207, 208, 209
PREAD, PWRITE, BLOCK, N = 0, 1, 4096, 16

def syscall(nr, *args):
    r = libc.syscall(ctypes.c_long(nr), *args)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r

class Iocb(ctypes.Structure):
    _fields_ = [("data", ctypes.c_uint64), ("key", ctypes.c_uint32),
                ("rw_flags", ctypes.c_int32), ("opcode", ctypes.c_uint16),
                ("reqprio", ctypes.c_int16), ("fd", ctypes.c_uint32),
                ("buf", ctypes.c_uint64), ("nbytes", ctypes.c_uint64),
                ("offset", ctypes.c_int64), ("reserved2", ctypes.c_uint64),
                ("flags", ctypes.c_uint32), ("resfd", ctypes.c_uint32)]

class Event(ctypes.Structure):
    _fields_ = [("data", ctypes.c_uint64), ("obj", ctypes.c_uint64),
                ("res", ctypes.c_int64), ("res2", ctypes.c_int64)]

class Timespec(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]

ctx = ctypes.c_ulong(0)
syscall(IO_SETUP, ctypes.c_long(64), ctypes.byref(ctx))

def submit(ops):
    """ops: (opcode, offset, buffer); returns how many io_submit took."""
    iocbs = (Iocb * len(ops))()
    for i, (op, off, buf) in enumerate(ops):
        iocbs[i].data, iocbs[i].opcode, iocbs[i].fd = i, op, fd
        iocbs[i].buf, iocbs[i].nbytes = ctypes.addressof(buf), len(buf)
        iocbs[i].offset = off
    ptrs = (ctypes.POINTER(Iocb) * len(ops))(*[ctypes.pointer(c) for c in iocbs])
    return syscall(IO_SUBMIT, ctx, ctypes.c_long(len(ops)), ptrs)

def events(min_nr, nr, timeout):
    evs = (Event * nr)()
    n = syscall(IO_GETEVENTS, ctx, ctypes.c_long(min_nr), ctypes.c_long(nr), evs,
                ctypes.byref(Timespec(timeout, 0)))
    return {e.data: e.res for e in evs[:n]}

def reap(nr):
    got = {}
    while len(got) < nr:
        more = events(1, nr - len(got), 120)
        assert more, f"only {len(got)} of {nr} completed in 120 s"
        got.update(more)
    return got

size = 256 * BLOCK
expected = bytearray(os.urandom(size))
with open(t + "/a", "wb") as f:
    f.write(expected)
fd = os.open(t + "/a", os.O_RDWR | os.O_DIRECT)
blocks = [(i * 61 + 7) % 256 for i in range(N)]  # distinct, scattered
bufs = [ctypes.create_string_buffer(bytes([65 + i]) * BLOCK, BLOCK) for i in range(N)]
for i, b in enumerate(blocks):
    expected[b * BLOCK:(b + 1) * BLOCK] = bytes([65 + i]) * BLOCK

# A synchronous io_submit would wait for the stopped server: after 30 s the
# watchdog lets the server go on, and the test fails.
state = {"submitted": False, "watchdog": False}
def watchdog(st):
    time.sleep(30)
    if not st["submitted"]:
        st["watchdog"] = True
        os.kill(int(smbd), signal.SIGCONT)
if smbd:
    os.kill(int(smbd), signal.SIGSTOP)
    threading.Thread(target=watchdog, args=(state,), daemon=True).start()
try:
    took = submit([(PWRITE, b * BLOCK, bufs[i]) for i, b in enumerate(blocks)])
    state["submitted"] = True
    early = events(0, N, 0) if smbd else {}
finally:
    if smbd:
        os.kill(int(smbd), signal.SIGCONT)
assert not state["watchdog"], "io_submit waited for the stopped server"
assert took == N, f"io_submit took {took} of {N}"
assert not early, f"{len(early)} writes completed while the server was stopped"
got = reap(N)
assert all(r == BLOCK for r in got.values()), f"write results {sorted(got.values())}"

back = [ctypes.create_string_buffer(BLOCK) for _ in range(N)]
submit([(PREAD, b * BLOCK, back[i]) for i, b in enumerate(blocks)])
got = reap(N)
assert all(r == BLOCK for r in got.values()), f"read results {sorted(got.values())}"
for i in range(N):
    assert back[i].raw == bytes([65 + i]) * BLOCK, f"read {i} differs"

tail = ctypes.create_string_buffer(b"T" * BLOCK, BLOCK)
submit([(PWRITE, size, tail)])
assert reap(1)[0] == BLOCK, "extending write"
expected += b"T" * BLOCK
assert os.fstat(fd).st_size == size + BLOCK, os.fstat(fd).st_size
across = ctypes.create_string_buffer(2 * BLOCK)
submit([(PREAD, size + BLOCK - 100, across)])
assert reap(1)[0] == 100, "read across the end"
assert across.raw[:100] == b"T" * 100

if smbd:
    # A READ in flight across fork(): then the parent writes to the page. The
    # data must land in the parent's page, not in one only the child keeps
    # (the page is pinned, so fork copies it for the child).
    import mmap
    anon = mmap.mmap(-1, BLOCK, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    anon.write(b"\0" * BLOCK)
    dest = (ctypes.c_char * BLOCK).from_buffer(anon)
    child = 0
    # As above: a READ that waited in io_submit would hang on the stopped server.
    forked = {"submitted": False, "watchdog": False}
    os.kill(int(smbd), signal.SIGSTOP)
    threading.Thread(target=watchdog, args=(forked,), daemon=True).start()
    try:
        submit([(PREAD, blocks[1] * BLOCK, dest)])
        forked["submitted"] = True
        child = os.fork()
        if child == 0:
            time.sleep(300)
            os._exit(0)
        anon[BLOCK - 1] = 0x5A
        early = events(0, 1, 0)
        os.kill(int(smbd), signal.SIGCONT)
        r = reap(1)[0]
    finally:
        os.kill(int(smbd), signal.SIGCONT)
        if child:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
    assert not forked["watchdog"], "io_submit of a READ waited for the stopped server"
    assert not early, "the READ completed while the server was stopped"
    assert r == BLOCK, f"read across fork: {r}"
    assert anon[:] == bytes([66]) * BLOCK, \
        f"read across fork: the parent's page holds {anon[:4]!r}...{anon[-4:]!r}"

syscall(IO_DESTROY, ctx)
os.close(fd)
with open(s + "/a", "rb") as f:
    assert f.read() == expected, "the server's copy differs"
PY
}

t_errors() {
	fresh
	mkdir "$T/d" && echo x > "$T/d/f" || return 1
	mkdir "$T/d" 2>/dev/null && return 1
	cat "$T/missing" 2>/dev/null && return 1
	rmdir "$T/d" 2>/dev/null && return 1
	[ -d "$S/d" ] && [ -f "$S/d/f" ]
}

ktap_begin 62
for server in ksmbd samba; do
	SRV=$(server_share_dir "$server")
	if ! mount -t smb3rs "//127.0.0.1/$SMB_SHARE" "$MNT" -o "$(opts "$server")"; then
		for t in $(seq 31); do ktap_fail "$server: mount failed"; done
		continue
	fi
	ktap_test "$server: create, write, read small files" t_create_read_write
	ktap_test "$server: 4 MiB file round trip, caches dropped" t_large_file
	ktap_test "$server: overwrite in the middle" t_overwrite_middle
	ktap_test "$server: a write-only open writes into part of a page not cached" t_write_only_open
	ktap_test "$server: nested directories, rmdir non-empty refused" t_dirs
	ktap_test "$server: rename files and directories, replace" t_rename
	ktap_test "$server: truncate and extend" t_truncate
	ktap_test "$server: 700-entry directory (several QUERY_DIRECTORY batches)" t_large_directory
	ktap_test "$server: names with spaces, Unicode, 200 characters" t_names
	ktap_test "$server: set mtime, stat" t_times_and_stat
	ktap_test "$server: chmod without write bits: the read-only attribute" t_chmod_readonly
	ktap_test "$server: sparse 5 GiB file, write beyond 4 GiB" t_sparse_and_4g
	ktap_test "$server: shared writable mmap" t_mmap
	ktap_test "$server: two concurrent writers" t_concurrent_writers
	ktap_test "$server: $INTEGRITY_MIB MiB by four writers, pwrite and mmap, read back" t_integrity
	ktap_test "$server: unlink of an open file" t_unlink_open
	ktap_test "$server: close does not wait; remove and rename wait for it" t_close_nowait
	ktap_test "$server: $(caching "$server")s: another client's change breaks ours, cache dropped" \
		t_lease
	ktap_test "$server: deferred close: a reopen takes the handle kept; breaks close it" \
		t_deferred_close
	ktap_test "$server: hard links" t_hardlink
	ktap_test "$server: symlinks (symlink files), cifs.ko mfsymlinks reads them" t_symlink
	ktap_test "$server: user.* xattrs are the server's EAs" t_xattrs
	ktap_test "$server: fallocate: punch hole, zero range, extend" t_fallocate
	ktap_test "$server: O_DIRECT at any alignment; cache=none" t_direct
	ktap_test "$server: AIO: io_submit does not wait; reads, writes, extending, fork" t_aio
	ktap_test "$server: a truncate by path racing an open for writing" t_truncate_racing_open
	ktap_test "$server: flock and fcntl locks are locks on the server" t_flock
	ktap_test "$server: EEXIST, ENOENT, ENOTEMPTY" t_errors
	ktap_test "$server: open(O_CREAT): one round trip, O_EXCL, existing files" t_open_create
	ktap_test "$server: posix: modes, owners and link counts are the server's; chmod" t_posix
	ktap_test "$server: ls -l: the listing's attributes, no request per entry" t_listing_attrs
	rm -rf "$SRV/t"
	umount "$MNT" || echo "# umount failed"
done
grep " smb3rs " /proc/mounts | sed 's/^/# still mounted: /'
rmmod smb3rs || echo "# rmmod failed: refcnt $(cat /sys/module/smb3rs/refcnt 2>&1)"
ktap_end
