# SPDX-License-Identifier: GPL-2.0
#
# smb3rs developer entry points. The kernel build itself reads ./Kbuild.
#
#   make            build smb3rs.ko (against the cached test kernel, or KDIR=...)
#   make demo       boot the VM with ksmbd, load smb3rs, show what works
#   make check      host tests, module + in-tree builds, VM selftests
#   make test-host  cargo test of the protocol core only
#   make fuzz       fuzz every protocol decoder (FUZZ_SECONDS=60 per target)
#   make clippy     build the module with CLIPPY=1
#   make intree     prove the in-tree (fs/smb/smb3rs, CONFIG_SMB3RS=m) build
#   make kernel     build (or reuse) the cached test kernel
#   make bench      cifs.ko vs smb3rs.ko figures on the bench kernel (BENCH_* knobs,
#                   see scripts/bench.sh); results in out/bench/latest/

KDIR ?=

.PHONY: all module demo check test-host fuzz clippy intree kernel setup clean bench

all: module

module:
	@scripts/build-module.sh $(KDIR)

demo:
	@scripts/demo.sh

check:
	@scripts/check.sh

test-host:
	cd host && cargo test

fuzz:
	@scripts/fuzz.sh

clippy:
	@scripts/build-module.sh --clippy $(KDIR)

intree:
	@scripts/check-intree.sh test

kernel:
	@scripts/build-kernel.sh test

bench:
	@scripts/bench.sh

setup:
	@scripts/setup.sh

clean:
	rm -rf out host/target
	find rust -name '*.o' -o -name '*.cmd' -o -name '*.d' -o -name '*.rmeta' | xargs rm -f
	rm -f smb3rs.ko smb3rs.mod smb3rs.mod.c smb3rs.mod.o smb3rs.o modules.order Module.symvers .*.cmd
