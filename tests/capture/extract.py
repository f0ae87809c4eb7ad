#!/usr/bin/env python3
"""Turns a pcap of one SMB2 TCP connection into fixture files for the host tests.

For each pcap: <out>/<name>/c2s.bin and s2c.bin, the client-to-server and
server-to-client TCP payloads in order (each a run of 4-byte-framed SMB2 PDUs), as
reassembled by tshark's "follow tcp" (first stream only).
Usage: extract.py OUTDIR PCAP...
"""
import os
import subprocess
import sys


def follow(pcap):
    out = subprocess.run(
        ["tshark", "-r", pcap, "-q", "-z", "follow,tcp,raw,0"],
        check=True, capture_output=True, text=True).stdout
    c2s, s2c = bytearray(), bytearray()
    started = False
    for line in out.splitlines():
        if line.startswith("Node 1:"):
            started = True
            continue
        if not started or not line.strip() or line.startswith("="):
            continue
        # Server-to-client chunks are indented by a tab.
        target = s2c if line.startswith("\t") else c2s
        target += bytes.fromhex(line.strip())
    return bytes(c2s), bytes(s2c)


def main():
    outdir = sys.argv[1]
    for pcap in sys.argv[2:]:
        name = os.path.basename(pcap).split(".")[0]
        c2s, s2c = follow(pcap)
        if not c2s or not s2c:
            sys.exit(f"{pcap}: no TCP payload found")
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "c2s.bin"), "wb") as f:
            f.write(c2s)
        with open(os.path.join(d, "s2c.bin"), "wb") as f:
            f.write(s2c)
        print(f"{name}: {len(c2s)} bytes client->server, {len(s2c)} bytes server->client")


main()
