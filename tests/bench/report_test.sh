#!/bin/bash
# Host-side self-test of the bench report code (fio/iperf3 JSON parsing, medians,
# ratios, table) on recorded samples; no VM. For `make check`:
#   step bench-report-selftest tests/bench/report_test.sh
set -u
cd "$(dirname "$0")" && exec /usr/bin/python3 report_test.py "$@"
