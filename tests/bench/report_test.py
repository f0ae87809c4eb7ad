#!/usr/bin/python3
"""Self-test of tests/bench/report.py on recorded data (no VM, no figures asserted).

The fixtures are real outputs from a `make bench` run in the VM (fio 3.33 and iperf3
3.12 JSON, /proc/stat lines): if fio's JSON layout or the parsing changes, the
figures parsed here change and the test fails. Run by tests/bench/report_test.sh.
"""

import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402

FIX = os.path.join(HERE, "fixtures")


def fixture(name):
    with open(os.path.join(FIX, name), encoding="utf-8") as f:
        return f.read()


class Parsing(unittest.TestCase):
    def test_fio_sequential_write(self):
        r = report.parse_fio(fixture("fio-seq-write-buf-cifs.json"))
        self.assertEqual(r["error"], 0)
        self.assertEqual(r["fio_version"], "fio-3.33")
        self.assertEqual(r["io_bytes"], 32 * 1024 * 1024)
        self.assertEqual(r["total_ios"], 32)
        self.assertAlmostEqual(r["bw_mib_s"], EXPECT["seq_bw_mib_s"], places=3)
        self.assertAlmostEqual(r["runtime_s"], EXPECT["seq_runtime_s"], places=3)
        self.assertAlmostEqual(r["fio_sys_cpu"], EXPECT["seq_sys_cpu"], places=3)

    def test_fio_random_read(self):
        r = report.parse_fio(fixture("fio-rand-read-4k-cifs.json"))
        self.assertEqual(r["error"], 0)
        self.assertAlmostEqual(r["iops"], EXPECT["rand_iops"], places=3)
        self.assertEqual(r["io_bytes"], r["total_ios"] * 4096)

    def test_fio_filecreate_counts_files(self):
        r = report.parse_fio(fixture("fio-meta-create-cifs.json"))
        self.assertEqual(r["total_ios"], EXPECT["meta_files"])
        self.assertAlmostEqual(r["iops"], EXPECT["meta_iops"], places=3)

    def test_fio_error_and_leading_noise(self):
        # fio can print warnings before the JSON; a failed job carries its errno.
        r = report.parse_fio("fio: some warning\n" + fixture("fio-eacces.json"))
        self.assertEqual(r["error"], 13)
        with self.assertRaises(ValueError):
            report.parse_fio("fio: no json at all\n")

    def test_iperf(self):
        r = report.parse_iperf(fixture("iperf3-1.json"))
        self.assertAlmostEqual(r["bw_mib_s"], EXPECT["iperf_mib_s"], places=3)

    def test_proc_stat(self):
        d = report.parse_proc_stat(fixture("proc-stat.txt"))
        self.assertEqual(d["system"], EXPECT["stat_system"])
        self.assertEqual(d["kernel"], d["system"] + d["irq"] + d["softirq"])
        with self.assertRaises(ValueError):
            report.parse_proc_stat("cpu  1 2 3 4 5 6 7 8 9 10\n")

    def test_env_quoting(self):
        tmp = tempfile.mkdtemp()
        try:
            p = os.path.join(tmp, "e.env")
            with open(p, "w") as f:
                f.write("A='x y,z=1'\nB=plain\nC=''\n# comment\n")
            self.assertEqual(report.read_env(p), {"A": "x y,z=1", "B": "plain", "C": ""})
        finally:
            shutil.rmtree(tmp)


class Arithmetic(unittest.TestCase):
    def test_summarize(self):
        self.assertEqual(report.summarize([3.0, 1.0, 2.0]),
                         {"median": 2.0, "min": 1.0, "max": 3.0, "n": 3})
        self.assertEqual(report.summarize([4.0, None, 2.0])["median"], 3.0)
        self.assertEqual(report.summarize([None, None]),
                         {"median": None, "min": None, "max": None, "n": 0})

    def test_ratio(self):
        self.assertAlmostEqual(report.ratio(50.0, 100.0), 0.5)
        self.assertIsNone(report.ratio(None, 100.0))
        self.assertIsNone(report.ratio(50.0, None))
        self.assertIsNone(report.ratio(50.0, 0.0))

    def test_formatting(self):
        self.assertEqual(report.fmt(None), "n/a")
        self.assertEqual(report.fmt(1234.4), "1234")
        self.assertEqual(report.fmt(63.14), "63.1")
        self.assertEqual(report.fmt(0.01234), "0.0123")
        e = report.summarize([60.0, 63.14, 65.0])
        self.assertEqual(report.fmt_entry(e), "63.1 [60.0-65.0]")
        self.assertEqual(report.fmt_ratio(None), "n/a")


def make_run(tmp, rounds=3):
    """An out/bench/<stamp> tree: cifs measured in every round from the fixtures (with
    distinct wall times and CPU counters), smb3rs mounting but failing every job, and
    the iperf3 link; as bench_guest.sh lays it out."""
    with open(os.path.join(tmp, "bench.env"), "w") as f:
        f.write("BENCH_ROUNDS='%d'\nBENCH_SIZE='32M'\nBENCH_RUNTIME='5'\n"
                "BENCH_FILES='%d'\nBENCH_SERVERS='ksmbd'\nBENCH_CLIENTS='cifs,smb3rs'\n"
                % (rounds, EXPECT["meta_files"]))
    with open(os.path.join(tmp, "host.env"), "w") as f:
        f.write("date='2026-11-21T10:00:00Z'\ngit_commit='0123456789abcdef'\n"
                "git_dirty='0'\nkernel_build='bench-f7e95ca8d765ef45'\nvm_status='0'\n")
    raw = os.path.join(tmp, "raw")
    os.makedirs(raw)
    with open(os.path.join(raw, "meta.env"), "w") as f:
        f.write("kernel_release=6.12.57\naccel=tcg\ncpus=2\nmem_kib=2000000\nuser_hz=100\n")
    stat = fixture("proc-stat.txt")
    manifest = []
    for r in range(1, rounds + 1):
        d = os.path.join(raw, "link", "r%d" % r)
        os.makedirs(d)
        shutil.copy(os.path.join(FIX, "iperf3-1.json"), os.path.join(d, "iperf-1.json"))
        manifest.append("link\tiperf3\t%d\tiperf-1\tok\t" % r)
        d = os.path.join(raw, "ksmbd", "cifs", "r%d" % r)
        os.makedirs(d)
        for job, name in (("seq-write-buf", "fio-seq-write-buf-cifs.json"),
                          ("rand-read-4k", "fio-rand-read-4k-cifs.json"),
                          ("meta-create", "fio-meta-create-cifs.json")):
            shutil.copy(os.path.join(FIX, name), os.path.join(d, job + ".json"))
            with open(os.path.join(d, job + ".stat"), "w") as f:
                f.write(stat)
            manifest.append("ksmbd\tcifs\t%d\t%s\tok\t" % (r, job))
        with open(os.path.join(d, "rm-rf.time"), "w") as f:
            f.write("1000.0 %.1f\n" % (1000.0 + r))  # 1 s, 2 s, 3 s
        manifest.append("ksmbd\tcifs\t%d\trm-rf\tok\t" % r)
        for job in report.FIGURES:
            manifest.append("ksmbd\tsmb3rs\t%d\t%s\tfail\tfio: pid=0, err=13/file:"
                            "filesetup.c:174, func=open, error=Permission denied" % (r, job))
    with open(os.path.join(raw, "manifest.tsv"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    os.makedirs(os.path.join(raw, "ksmbd", "cifs"), exist_ok=True)
    with open(os.path.join(raw, "ksmbd", "cifs", "mount.txt"), "w") as f:
        f.write("//127.0.0.1/share /tmp/bench-mnt cifs rw,vers=3.1.1,rsize=4194304\n")


class EndToEnd(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        make_run(self.tmp)
        self.res = report.build_results(self.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_figures(self):
        cifs = self.res["servers"]["ksmbd"]["cifs"]
        self.assertAlmostEqual(cifs["seq-write-buf"]["median"], EXPECT["seq_bw_mib_s"], places=3)
        self.assertEqual(cifs["seq-write-buf"]["n"], 3)
        self.assertEqual((cifs["rm-rf"]["median"], cifs["rm-rf"]["min"], cifs["rm-rf"]["max"]),
                         (2.0, 1.0, 3.0))
        self.assertAlmostEqual(cifs["meta-create"]["median"], EXPECT["meta_iops"], places=3)
        # Kernel CPU per MiB: /proc/stat system+irq+softirq ticks (10 ms) / MiB moved.
        d = report.parse_proc_stat(fixture("proc-stat.txt"))
        self.assertAlmostEqual(cifs["seq-write-buf:cpu"]["median"], d["kernel"] * 10.0 / 32)
        # Not measured at all: n/a with a reason, never a number.
        self.assertIsNone(cifs["seq-read-buf"]["median"])
        self.assertIn("not run", cifs["seq-read-buf"]["na_reason"])

    def test_failed_client_is_na_with_reason(self):
        smb3rs = self.res["servers"]["ksmbd"]["smb3rs"]
        for job in report.FIGURES:
            self.assertIsNone(smb3rs[job]["median"])
            self.assertIn("Permission denied", smb3rs[job]["na_reason"])

    def test_ratios(self):
        r = self.res["ratios"]["ksmbd"]
        self.assertIsNone(r["seq-write-buf"]["smb3rs/cifs"])
        self.assertIsNone(r["seq-write-buf"]["smb3rs/link"])
        self.assertAlmostEqual(r["seq-write-buf"]["cifs/link"],
                               EXPECT["seq_bw_mib_s"] / EXPECT["iperf_mib_s"])
        self.assertNotIn("cifs/link", r["rand-read-4k"])  # IOPS: no link ratio

    def test_results_json_has_raw_samples(self):
        doc = json.loads(json.dumps(self.res))
        self.assertEqual(doc["schema"], "smb3rs-bench/1")
        self.assertEqual(doc["rounds"], 3)
        self.assertEqual(doc["vm"]["accel"], "tcg")
        self.assertEqual(doc["git"]["commit"], "0123456789abcdef")
        seq = [s for s in doc["samples"]
               if s["client"] == "cifs" and s["job"] == "seq-write-buf"]
        self.assertEqual(sorted(s["round"] for s in seq), [1, 2, 3])
        self.assertTrue(all(s["io_bytes"] == 32 * 1024 * 1024 for s in seq))

    def test_table(self):
        t = report.render_table(self.res)
        row = [ln for ln in t.splitlines() if "seq write 1M, buffered " in ln][0]
        self.assertIn(report.fmt(EXPECT["seq_bw_mib_s"]), row)
        self.assertIn("n/a", row)
        self.assertIn("rm -rf of the files", t)
        self.assertIn("2.00 [1.00-3.00]", t)
        self.assertIn("smb3rs (all figures): fio: pid=0", t)
        self.assertIn("iperf3, 1 stream", t)

    def test_vm_died_before_measuring(self):
        tmp = tempfile.mkdtemp()
        try:
            with open(os.path.join(tmp, "bench.env"), "w") as f:
                f.write("BENCH_ROUNDS='3'\nBENCH_SERVERS='ksmbd'\nBENCH_CLIENTS='cifs,smb3rs'\n")
            with open(os.path.join(tmp, "host.env"), "w") as f:
                f.write("vm_status='125'\n")
            res = report.build_results(tmp)
            t = report.render_table(res)
            self.assertIn("WARNING: the VM run ended with status 125", t)
            self.assertIsNone(res["servers"]["ksmbd"]["cifs"]["seq-read-direct"]["median"])
        finally:
            shutil.rmtree(tmp)


# What the fixtures hold, read off the recorded JSON with jq (fixtures/expected.json).
EXPECT = {}
with open(os.path.join(FIX, "expected.json"), encoding="utf-8") as _f:
    EXPECT.update(json.load(_f))

if __name__ == "__main__":
    unittest.main(verbosity=1)
