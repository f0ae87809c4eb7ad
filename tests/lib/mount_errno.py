#!/usr/bin/env python3
"""Calls mount(2) directly and prints OK or the errno name (EACCES, ENOENT...).

mount(8) rewrites some errors (it retries read-only on EACCES), so tests that assert
an errno use this instead. Usage: mount_errno.py SOURCE TARGET FSTYPE OPTIONS
"""
import ctypes
import errno
import sys

libc = ctypes.CDLL(None, use_errno=True)
src, target, fstype, opts = sys.argv[1:5]
if libc.mount(src.encode(), target.encode(), fstype.encode(), 0, opts.encode()) == 0:
    print("OK")
    sys.exit(0)
e = ctypes.get_errno()
print(errno.errorcode.get(e, str(e)))
sys.exit(1)
