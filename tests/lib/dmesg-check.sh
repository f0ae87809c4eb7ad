#!/bin/bash
# Reads a kernel log on stdin and prints every line that reports a kernel bug: BUG,
# WARNING, Oops, KASAN, UBSAN, lockdep, kmemleak, hung tasks, soft lockups and Rust
# panics. Exits 1 if it found any, 0 if the log is clean.
set -u
grep -E \
	-e '(^|[^a-z_])BUG:' \
	-e 'WARNING:' \
	-e 'Oops' \
	-e 'general protection fault' \
	-e 'kernel BUG at' \
	-e 'KASAN' \
	-e 'UBSAN' \
	-e 'possible (circular|recursive) locking' \
	-e 'inconsistent lock state' \
	-e 'suspicious RCU usage' \
	-e 'lock held when returning to user space' \
	-e 'unreferenced object' \
	-e 'kmemleak: .*new suspected memory leaks' \
	-e 'blocked for more than [0-9]+ seconds' \
	-e 'soft lockup' \
	-e 'rcu_sched self-detected stall|rcu: INFO: .* stall' \
	-e 'panicked at' \
	-e 'Kernel panic' \
	-e 'Call Trace:' \
	&& exit 1
exit 0
