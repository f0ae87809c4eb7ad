#!/usr/bin/python3
"""Turns one `make bench` run's raw data into figures: results.json, table.txt, bench.png.

Usage: tests/bench/report.py OUTDIR

OUTDIR is what scripts/bench.sh and tests/bench/bench_guest.sh left in
out/bench/<timestamp>/: bench.env, host.env, raw/meta.env, raw/manifest.tsv and the
per-job files under raw/ (fio and iperf3 JSON, /proc/stat before/after, wall times).
Every figure is the median over rounds with its min-max spread; a figure a client
could not produce is n/a with the reason. Nothing here asserts on the figures.
tests/bench/report_test.py checks the parsing and arithmetic on recorded samples.
"""

import json
import os
import shlex
import statistics
import sys

MIB = 1024 * 1024

# Figures measured per client: id -> (label, unit, higher_is_better, kind).
# kind: "bw" fio throughput, "iops" fio operations/s, "wall" wall seconds of the job.
FIGURES = {
    "seq-write-buf": ("seq write 1M, buffered", "MiB/s", True, "bw"),
    "seq-read-buf": ("seq read 1M, buffered, cold", "MiB/s", True, "bw"),
    "seq-write-direct": ("seq write 1M, O_DIRECT qd8", "MiB/s", True, "bw"),
    "seq-read-direct": ("seq read 1M, O_DIRECT qd8", "MiB/s", True, "bw"),
    "rand-read-4k": ("rand read 4k, O_DIRECT qd16", "IOPS", True, "iops"),
    "rand-write-4k": ("rand write 4k, O_DIRECT qd16", "IOPS", True, "iops"),
    "meta-create": ("create files (fio filecreate)", "files/s", True, "iops"),
    "meta-stat": ("stat files (fio filestat)", "files/s", True, "iops"),
    "meta-delete": ("unlink files (fio filedelete)", "files/s", True, "iops"),
    "rm-rf": ("rm -rf of the files", "s", False, "wall"),
}
# Kernel CPU per MiB moved, for the data-moving jobs.
CPU_JOBS = ["seq-write-buf", "seq-read-buf", "seq-write-direct", "seq-read-direct",
            "rand-read-4k", "rand-write-4k"]
LINK = {
    "iperf-1": "iperf3, 1 stream",
    "iperf-4": "iperf3, 4 streams",
    "iperf-zc": "iperf3, 1 stream, -Z (sendfile)",
}
# The raw link the SMB throughput is compared with: one TCP connection.
LINK_REF = "iperf-1"


def cpu_id(job):
    return job + ":cpu"


# --- parsing ---------------------------------------------------------------------------

def read_env(path):
    """KEY='value' lines (as scripts/bench.sh writes them) or KEY=value lines."""
    env = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" not in line or line.startswith("#"):
                    continue
                key, value = line.split("=", 1)
                if value.startswith("'"):
                    try:
                        value = shlex.split(value)[0] if value != "''" else ""
                    except ValueError:
                        pass
                env[key] = value
    except OSError:
        pass
    return env


def load_json_text(text):
    """fio may print warnings before its JSON: start at the first '{'."""
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object")
    return json.loads(text[start:])


def parse_fio(text):
    """fio --output-format=json of one job -> dict of what the figures need."""
    doc = load_json_text(text)
    jobs = doc.get("jobs") or []
    if not jobs:
        raise ValueError("fio output has no jobs")
    io_bytes = 0
    bw_bytes = 0.0
    iops = 0.0
    runtime_ms = 0
    total_ios = 0
    error = 0
    usr = sys_ = 0.0
    for job in jobs:
        error = error or int(job.get("error", 0))
        usr += float(job.get("usr_cpu", 0.0))
        sys_ += float(job.get("sys_cpu", 0.0))
        for direction in ("read", "write", "trim"):
            d = job.get(direction) or {}
            if not d.get("total_ios") and not d.get("io_bytes"):
                continue
            io_bytes += int(d.get("io_bytes", 0))
            total_ios += int(d.get("total_ios", 0))
            iops += float(d.get("iops", 0.0))
            rt = int(d.get("runtime", 0))
            runtime_ms = max(runtime_ms, rt)
            if "bw_bytes" in d:
                bw_bytes += float(d["bw_bytes"])
            elif rt:
                bw_bytes += int(d.get("io_bytes", 0)) / (rt / 1000.0)
    return {
        "fio_version": doc.get("fio version"),
        "error": error,
        "io_bytes": io_bytes,
        "total_ios": total_ios,
        "runtime_s": runtime_ms / 1000.0,
        "bw_mib_s": bw_bytes / MIB,
        "iops": iops,
        "fio_usr_cpu": usr,
        "fio_sys_cpu": sys_,
    }


def parse_iperf(text):
    """iperf3 -J of a client run -> received MiB/s over the whole run."""
    doc = load_json_text(text)
    if doc.get("error"):
        raise ValueError("iperf3: " + str(doc["error"]))
    end = doc.get("end") or {}
    summary = end.get("sum_received") or end.get("sum") or {}
    if "bits_per_second" not in summary:
        raise ValueError("iperf3 output has no end.sum_received")
    return {
        "bw_mib_s": summary["bits_per_second"] / 8.0 / MIB,
        "seconds": summary.get("seconds"),
        "retransmits": (end.get("sum_sent") or {}).get("retransmits"),
    }


def parse_proc_stat(text):
    """Two `cpu ...` lines of /proc/stat (before, after) -> tick deltas."""
    lines = [ln.split() for ln in text.splitlines() if ln.startswith("cpu ")]
    if len(lines) != 2:
        raise ValueError("expected two cpu lines")
    names = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
    before, after = ([int(x) for x in ln[1:9]] for ln in lines)
    delta = dict(zip(names, (a - b for a, b in zip(after, before))))
    delta["kernel"] = delta["system"] + delta["irq"] + delta["softirq"]
    delta["total"] = sum(delta[n] for n in names)
    return delta


def read_manifest(path):
    """raw/manifest.tsv -> list of dicts (server, client, round, job, status, reason)."""
    rows = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 5:
                    continue
                parts += [""] * (6 - len(parts))
                server, client, rnd, job, status, reason = parts[:6]
                try:
                    rnd = int(rnd)
                except ValueError:
                    continue
                rows.append({"server": server, "client": client, "round": rnd,
                             "job": job, "status": status, "reason": reason})
    except OSError:
        pass
    return rows


def _read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def measure(outdir, row, user_hz=100):
    """One manifest row -> a sample: the figure's value plus everything raw."""
    s = dict(row)
    s["value"] = None
    if row["status"] != "ok":
        return s
    if row["server"] == "link":
        base = os.path.join(outdir, "raw", "link", "r%d" % row["round"], row["job"])
    else:
        base = os.path.join(outdir, "raw", row["server"], row["client"],
                            "r%d" % row["round"], row["job"])
    try:
        t0, t1 = (float(x) for x in _read(base + ".time").split()[:2])
        s["wall_s"] = t1 - t0
    except (OSError, ValueError):
        s["wall_s"] = None
    try:
        cpu = parse_proc_stat(_read(base + ".stat"))
        s["cpu_ticks"] = cpu
        s["kernel_cpu_ms"] = cpu["kernel"] * 1000.0 / user_hz
    except (OSError, ValueError):
        s["kernel_cpu_ms"] = None
    try:
        if row["server"] == "link":
            s.update(parse_iperf(_read(base + ".json")))
            s["value"] = s["bw_mib_s"]
            return s
        kind = FIGURES.get(row["job"], (None, None, None, None))[3]
        if kind == "wall":
            s["value"] = s["wall_s"]
            return s
        fio = parse_fio(_read(base + ".json"))
    except (OSError, ValueError, KeyError, TypeError) as e:
        s["status"] = "fail"
        s["reason"] = "unreadable result: %s" % e
        return s
    s.update(fio)
    if fio["error"]:
        s["status"] = "fail"
        s["reason"] = "fio reported error %d" % fio["error"]
        return s
    s["value"] = fio["bw_mib_s"] if kind == "bw" else fio["iops"]
    mib = fio["io_bytes"] / MIB
    if s.get("kernel_cpu_ms") is not None and mib > 0:
        s["cpu_ms_per_mib"] = s["kernel_cpu_ms"] / mib
    return s


# --- arithmetic ------------------------------------------------------------------------

def summarize(values):
    """Median and min-max of the values that exist; None for all when none do."""
    vals = [v for v in values if v is not None]
    if not vals:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals),
            "n": len(vals)}


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def _na_reason(samples, rounds):
    reasons = [s["reason"] for s in samples if s.get("value") is None and s.get("reason")]
    if reasons:
        return max(set(reasons), key=reasons.count)
    if len(samples) < rounds:
        return "not run (the VM run ended early?)"
    return "no value"


def figure_entry(label, unit, better, samples, rounds):
    values = [s.get("value") for s in samples]
    entry = {"label": label, "unit": unit, "higher_is_better": better}
    entry.update(summarize(values))
    entry["samples"] = [{"round": s["round"], "value": s.get("value"),
                         "status": s["status"], "reason": s.get("reason", "")}
                        for s in sorted(samples, key=lambda s: s["round"])]
    if entry["n"] < rounds:
        entry["na_reason"] = _na_reason(samples, rounds)
    return entry


def build_results(outdir):
    """Everything of one run as one JSON-able dict."""
    knobs = read_env(os.path.join(outdir, "bench.env"))
    host = read_env(os.path.join(outdir, "host.env"))
    meta = read_env(os.path.join(outdir, "raw", "meta.env"))
    rows = read_manifest(os.path.join(outdir, "raw", "manifest.tsv"))
    try:
        rounds = int(knobs.get("BENCH_ROUNDS", "0"))
    except ValueError:
        rounds = 0
    try:
        user_hz = int(meta.get("user_hz", "100"))
    except ValueError:
        user_hz = 100
    servers = [x for x in knobs.get("BENCH_SERVERS", "").split(",") if x]
    clients = [x for x in knobs.get("BENCH_CLIENTS", "").split(",") if x]
    samples = [measure(outdir, r, user_hz) for r in rows]

    def pick(server, client, job):
        return [s for s in samples
                if s["server"] == server and s["client"] == client and s["job"] == job]

    link = {}
    for job, label in LINK.items():
        link[job] = figure_entry(label, "MiB/s", True, pick("link", "iperf3", job), rounds)

    per_server = {}
    ratios = {}
    mounts = {}
    for server in servers:
        per_server[server] = {}
        mounts[server] = {}
        for client in clients:
            figs = {}
            for job, (label, unit, better, _kind) in FIGURES.items():
                figs[job] = figure_entry(label, unit, better, pick(server, client, job), rounds)
            for job in CPU_JOBS:
                cpu_samples = []
                for s in pick(server, client, job):
                    c = dict(s)
                    c["value"] = s.get("cpu_ms_per_mib")
                    if s.get("value") is not None and c["value"] is None:
                        c["reason"] = "no CPU counters"
                    cpu_samples.append(c)
                figs[cpu_id(job)] = figure_entry(
                    FIGURES[job][0] + ": kernel CPU", "ms/MiB", False, cpu_samples, rounds)
            per_server[server][client] = figs
            try:
                mounts[server][client] = _read(os.path.join(
                    outdir, "raw", server, client, "mount.txt")).strip()
            except OSError:
                mounts[server][client] = None
        ratios[server] = {}
        ref = link[LINK_REF]["median"]
        for fig in list(FIGURES) + [cpu_id(j) for j in CPU_JOBS]:
            r = {}
            med = {c: per_server[server][c][fig]["median"] for c in clients}
            if "cifs" in clients and "smb3rs" in clients:
                r["smb3rs/cifs"] = ratio(med["smb3rs"], med["cifs"])
            unit = per_server[server][clients[0]][fig]["unit"] if clients else None
            if unit == "MiB/s":
                for c in clients:
                    r[c + "/link"] = ratio(med[c], ref)
            ratios[server][fig] = r

    return {
        "schema": "smb3rs-bench/1",
        "date": host.get("date"),
        "stamp": host.get("stamp"),
        "git": {"commit": host.get("git_commit"), "dirty": host.get("git_dirty") == "1"},
        "module_source": host.get("module_source"),
        "kernel": {"release": meta.get("kernel_release"), "version": meta.get("kernel_version"),
                   "flavour": host.get("kernel_flavour"), "build": host.get("kernel_build"),
                   "source_package": host.get("kernel_source")},
        "vm": {"accel": meta.get("accel"), "cpus": meta.get("cpus"),
               "mem_kib": meta.get("mem_kib"), "cpu_model": meta.get("cpu_model"),
               "exit_status": host.get("vm_status"), "kernel_log": meta.get("kernel_log"),
               "guest_seconds": meta.get("guest_seconds")},
        "host": {"cpus": host.get("host_cpus"), "load_before": host.get("host_load_before"),
                 "load_after": host.get("host_load_after"),
                 "wall_seconds": host.get("wall_seconds")},
        "tools": {"fio": meta.get("fio_version"), "iperf3": meta.get("iperf3_version")},
        "rounds": rounds,
        "knobs": knobs,
        "servers_list": servers,
        "clients_list": clients,
        "mounts": mounts,
        "link": link,
        "servers": per_server,
        "ratios": ratios,
        "samples": samples,
    }


# --- rendering -------------------------------------------------------------------------

def fmt(x):
    if x is None:
        return "n/a"
    a = abs(x)
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    if a >= 1:
        return "%.2f" % x
    return "%.3g" % x


def fmt_entry(e):
    if e["median"] is None:
        return "n/a"
    if e["n"] == 1 or e["min"] == e["max"]:
        return fmt(e["median"])
    return "%s [%s-%s]" % (fmt(e["median"]), fmt(e["min"]), fmt(e["max"]))


def fmt_ratio(x):
    return "n/a" if x is None else "%.2f" % x


def _table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    out = []
    for j, r in enumerate([header] + rows):
        cells = [str(c).ljust(w) if i < 2 else str(c).rjust(w)
                 for i, (c, w) in enumerate(zip(r, widths))]
        out.append("  ".join(cells).rstrip())
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def render_table(res):
    lines = []
    k = res["knobs"]
    commit = (res["git"]["commit"] or "?")[:12] + (" (dirty)" if res["git"]["dirty"] else "")
    lines.append("smb3rs bench %s: kernel %s (%s), %s, %s vCPUs, %s MiB, host load %s"
                 % (res.get("date") or "?", res["kernel"]["release"] or "?",
                    res["kernel"]["build"] or "?", res["vm"]["accel"] or "?",
                    res["vm"]["cpus"] or "?",
                    (int(res["vm"]["mem_kib"]) // 1024) if res["vm"]["mem_kib"] else "?",
                    res["host"]["load_before"] or "?"))
    lines.append("commit %s, smb3rs.ko from %s; %d rounds, size %s, random %ss, %s files;"
                 " guest ran %ss"
                 % (commit, res.get("module_source") or "?", res["rounds"],
                    k.get("BENCH_SIZE", "?"), k.get("BENCH_RUNTIME", "?"),
                    k.get("BENCH_FILES", "?"), res["vm"].get("guest_seconds") or "?"))
    lines.append("figures: median [min-max] over rounds; TCG emulation: compare ratios, "
                 "not absolutes")
    if res["vm"].get("exit_status") not in (None, "0"):
        lines.append("WARNING: the VM run ended with status %s: figures may be missing"
                     % res["vm"]["exit_status"])
    if res["vm"].get("kernel_log") == "reports":
        lines.append("WARNING: the guest kernel log has BUG/WARN reports "
                     "(raw/dmesg-reports.txt)")
    lines.append("")
    lines.append("link (loopback in the VM):")
    for job, e in res["link"].items():
        lines.append("  %-34s %s MiB/s" % (e["label"], fmt_entry(e)))

    clients = res["clients_list"]
    for server in res["servers_list"]:
        lines.append("")
        lines.append("server %s" % server)
        header = ["figure", "unit"] + clients
        ratio_keys = []
        if "cifs" in clients and "smb3rs" in clients:
            ratio_keys.append("smb3rs/cifs")
        ratio_keys += [c + "/link" for c in clients]
        header += ratio_keys
        rows = []
        figs = list(FIGURES) + [cpu_id(j) for j in CPU_JOBS]
        for fig in figs:
            entries = [res["servers"][server][c][fig] for c in clients]
            e0 = entries[0] if entries else None
            label = e0["label"] if e0 else fig
            unit = e0["unit"] if e0 else ""
            if e0 and not e0["higher_is_better"]:
                unit += " (lower better)"
            r = res["ratios"][server].get(fig, {})
            rows.append([label, unit] + [fmt_entry(e) for e in entries]
                        + [fmt_ratio(r.get(key)) if key in r else "" for key in ratio_keys])
        lines += ["  " + ln for ln in _table(header, rows)]
        notes = []
        for c in clients:
            reasons = {}
            for fig in FIGURES:
                e = res["servers"][server][c][fig]
                if e.get("na_reason"):
                    reasons.setdefault(e["na_reason"], []).append(fig)
            for reason, jobs in reasons.items():
                what = "all figures" if len(jobs) == len(FIGURES) else ", ".join(jobs)
                notes.append("  %s (%s): %s" % (c, what, reason))
        if notes:
            lines.append("  n/a or incomplete:")
            lines += ["  " + n for n in notes]
        for c in clients:
            m = res["mounts"][server].get(c)
            if m:
                lines.append("  mount %s: %s" % (c, m))
    return "\n".join(lines) + "\n"


def plot(res, path):
    """bench.png: per server, throughput, operation rates and kernel CPU per client."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
    except ImportError:
        return False
    clients = res["clients_list"]
    servers = res["servers_list"]
    if not servers or not clients:
        return False
    panels = [
        ("sequential 1M (MiB/s)", ["seq-write-buf", "seq-read-buf", "seq-write-direct",
                                   "seq-read-direct"]),
        ("random 4k (IOPS)", ["rand-read-4k", "rand-write-4k"]),
        ("metadata (files/s)", ["meta-create", "meta-stat", "meta-delete"]),
        ("kernel CPU (ms/MiB, lower is better)", [cpu_id(j) for j in CPU_JOBS]),
    ]
    fig, axes = plt.subplots(len(servers), len(panels),
                             figsize=(4.8 * len(panels), 4.8 * len(servers)), squeeze=False,
                             gridspec_kw={"width_ratios": [len(f) + 1 for _, f in panels]})
    width = 0.8 / len(clients)
    # Fixed colours: a client with no bars must not shift the others' colours.
    palette = ["tab:blue", "tab:orange", "tab:green", "tab:red"]
    colour = {c: palette[i % len(palette)] for i, c in enumerate(clients)}
    for si, server in enumerate(servers):
        for pi, (title, figs) in enumerate(panels):
            ax = axes[si][pi]
            for ci, client in enumerate(clients):
                xs, ys, lo, hi = [], [], [], []
                for fi, f in enumerate(figs):
                    e = res["servers"][server][client][f]
                    x = fi + (ci - (len(clients) - 1) / 2.0) * width
                    if e["median"] is None:
                        ax.text(x, 0, "n/a", ha="center", va="bottom", fontsize=7,
                                rotation=90)
                        continue
                    xs.append(x)
                    ys.append(e["median"])
                    lo.append(e["median"] - e["min"])
                    hi.append(e["max"] - e["median"])
                if xs:
                    ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, color=colour[client])
            # (An empty bar set has no colour of its own: build the legend by hand.)
            handles = [Patch(color=colour[c], label=c) for c in clients]
            if pi == 0 and res["link"][LINK_REF]["median"] is not None:
                ax.axhline(res["link"][LINK_REF]["median"], linestyle="--", color="grey")
                handles.append(Line2D([], [], linestyle="--", color="grey",
                                      label="iperf3 1 stream"))
            ax.set_xlim(-0.5, len(figs) - 0.5)
            labels = [res["servers"][server][clients[0]][f]["label"].replace(": kernel CPU", "")
                      for f in figs]
            ax.set_xticks(range(len(figs)))
            ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=7)
            ax.set_title("%s: %s" % (server, title), fontsize=9)
            ax.legend(handles=handles, fontsize=7)
    fig.suptitle("smb3rs bench %s, kernel %s, %s; median, bars min-max over %d rounds"
                 % (res.get("date") or "", res["kernel"]["release"] or "?",
                    res["vm"]["accel"] or "?", res["rounds"]), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    outdir = argv[1]
    res = build_results(outdir)
    with open(os.path.join(outdir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1, sort_keys=False)
        f.write("\n")
    table = render_table(res)
    with open(os.path.join(outdir, "table.txt"), "w", encoding="utf-8") as f:
        f.write(table)
    sys.stdout.write(table)
    if not plot(res, os.path.join(outdir, "bench.png")):
        print("(no plot: python3-matplotlib missing or no data)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
