# SPDX-License-Identifier: GPL-2.0
# Shared rules for the smb3rs selftest suites, in the manner of the kernel's
# tools/testing/selftests/lib.mk: each suite's Makefile sets TEST_PROGS and includes
# this file. `make list` prints the programs; `make run_tests` runs them in the VM
# guest (tests/run_tests.sh does that for all suites, with timeouts and totals).

.PHONY: all list run_tests

all:

list:
	@printf '%s\n' $(TEST_PROGS)

run_tests:
	@for t in $(TEST_PROGS); do ./$$t || exit 1; done
