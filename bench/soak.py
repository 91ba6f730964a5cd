#!/usr/bin/env python3
"""Soak: `kemu load` at a fixed rate for a long time while kemu's test clock runs fast, so the
24-hour retention trims records during the run; samples kemu's resident memory and the data
dir's size, and says whether both stay bounded.

    bench/soak.py                                  # 30 minutes, 200 events/s
    bench/soak.py --duration 4m --json soak.json   # a short run
    KEMU_BIN=build/release/tools/kemu/kemu bench/soak.py --rate 500

It starts `kemu up --scenario-hooks` (the hooks of `kemu test`: a clock that
POST /_kemu/scenario/advance_time moves on) on a fresh data dir with one flow (`orders`,
1 shard, 24 h retention, a Python handler that does nothing), runs `kemu load --endpoint` against
it through the front door, and moves the clock on in small steps so that `--sim-hours` (default
144: the 24-hour retention is a sixth of the run) pass during the run: records older than 24 h
(of the moved clock) are trimmed once a minute, and RocksDB must reclaim them. Every `--sample-s`
it records kemu's VmRSS and the data dir's bytes (RocksDB's files, and the whole dir with the
function logs). API access logging is off (its log file has no retention trimming). kemu runs
with KEMU_SCENARIO_INVOCATIONS=off: the hooks keep no record of invocations (a test's record,
which grows with the run by design).

Both RSS and RocksDB's files saw-tooth (memtables fill and flush, compactions rewrite files), so
the verdicts compare peaks, not single samples: the first third of the run is warm-up, and the
last third's peak is held against the middle third's. "rss flat" when the last third's peak RSS
is at most --rss-slack-mb (default 32) above the middle third's; "disk bounded" when the last
third's peak of RocksDB's files is at most --disk-slack (default 1.5) times the middle third's
(or 4 MB above it), i.e. trimmed records are not kept forever. Printed, and exit 1 if either
fails.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))

from kemu_harness import Kemu, client_env, kemu_bin  # noqa: E402

KEMU_YAML = """\
version: 1
environment: dev
api:
  stage_name: v1
  enable_access_logging: false
event_flows:
  - event_type: orders
    shard_count: 1
    retention_period: 24
    lambda_source_path: lambda/orders
    lambda_handler: handler.process_event
    # The clock jumps by up to a few minutes at a time: a shorter timeout would time out
    # invocations that are in flight across a jump.
    lambda_timeout: 900
    batch_size: 500
    batch_window_seconds: 1
    starting_position: TRIM_HORIZON
"""

HANDLER = "def process_event(event, context):\n    return {}\n"


def parse_duration(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a duration: {text}")
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
    return float(m.group(1)) * scale


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def store_bytes(path):
    """RocksDB's files: those directly in the data dir."""
    total = 0
    for entry in os.scandir(path):
        if entry.is_file():
            total += entry.stat().st_size
    return total


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def post(url):
    req = urllib.request.Request(url, data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def advance_clock(endpoint, step_ms, every_s, stop):
    while not stop.wait(every_s):
        try:
            post(f"{endpoint}/_kemu/scenario/advance_time?ms={step_ms}")
        except OSError:
            return


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=parse_duration, default=parse_duration("30m"))
    p.add_argument("--rate", type=float, default=200.0, help="events per second")
    p.add_argument("--sim-hours", type=float, default=144.0,
                   help="test-clock hours that pass during the run")
    p.add_argument("--sample-s", type=float, default=10.0)
    p.add_argument("--rss-slack-mb", type=float, default=32.0)
    p.add_argument("--disk-slack", type=float, default=1.5)
    p.add_argument("--json", metavar="FILE", help="also write the samples and verdicts as JSON")
    p.add_argument("--keep", action="store_true", help="keep the run's directory")
    args = p.parse_args(argv)
    # SIGTERM ends the run as Ctrl-C does: kemu and kemu load are stopped in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    root = tempfile.mkdtemp(prefix="kemu-soak-")
    os.environ.update(client_env(root))
    # kemu keeps no scenario invocations (they would grow with the run, by design).
    os.environ["KEMU_SCENARIO_INVOCATIONS"] = "off"
    code = os.path.join(root, "lambda", "orders")
    os.makedirs(code)
    with open(os.path.join(code, "handler.py"), "w") as f:
        f.write(HANDLER)
    config = os.path.join(root, "kemu.yaml")
    with open(config, "w") as f:
        f.write(KEMU_YAML)
    data_dir = os.path.join(root, "data")
    kemu = Kemu(data_dir, extra_args=["-c", config, "--scenario-hooks"], log_dir=root)
    stop = threading.Event()
    samples = []
    load = None
    try:
        kemu.start()
        every_s = 0.1
        step_ms = int(args.sim_hours * 3600e3 / args.duration * every_s)
        clock = threading.Thread(target=advance_clock,
                                 args=(kemu.endpoint, step_ms, every_s, stop), daemon=True)
        load_log = open(os.path.join(root, "load.out"), "wb")
        load = subprocess.Popen(
            [kemu_bin(), "load", "-c", config, "--flow", "orders", "--endpoint", kemu.endpoint,
             "--rate", str(args.rate), "--duration", f"{int(args.duration)}s", "--drain", "5s"],
            stdout=load_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        start = time.monotonic()
        clock.start()
        while load.poll() is None:
            t = time.monotonic() - start
            samples.append({"t_s": round(t, 1), "rss_mb": round(rss_kb(kemu.proc.pid) / 1024, 1),
                            "store_mb": round(store_bytes(data_dir) / 2**20, 2),
                            "data_dir_mb": round(dir_bytes(data_dir) / 2**20, 2)})
            print(f"{samples[-1]['t_s']:8.1f} s  rss {samples[-1]['rss_mb']:7.1f} MB  RocksDB "
                  f"{samples[-1]['store_mb']:8.2f} MB  data dir {samples[-1]['data_dir_mb']:8.2f}"
                  " MB", flush=True)
            if t > args.duration + 60:
                load.terminate()
            time.sleep(min(args.sample_s, max(0.5, args.duration / 20)))
        stop.set()
        load_log.close()
    finally:
        stop.set()
        if load is not None and load.poll() is None:
            load.kill()
        rc = kemu.stop() if kemu.proc is not None else None

    third = args.duration / 3
    warm = [s for s in samples if s["t_s"] >= third] or samples[-1:]
    middle = [s for s in warm if s["t_s"] < 2 * third] or warm[:1]
    last = [s for s in warm if s["t_s"] >= 2 * third] or warm[-1:]
    rss_growth = max(s["rss_mb"] for s in last) - max(s["rss_mb"] for s in middle)
    disk_peak = max(s["store_mb"] for s in samples)
    disk_middle = max(s["store_mb"] for s in middle)
    disk_last = max(s["store_mb"] for s in last)
    disk_end = samples[-1]["store_mb"]
    rss_flat = rss_growth <= args.rss_slack_mb
    disk_bounded = disk_last <= max(disk_middle * args.disk_slack, disk_middle + 4.0)
    with open(os.path.join(root, "load.out"), "rb") as f:
        load_out = f.read().decode(errors="replace")
    summary = {
        "duration_s": args.duration, "rate": args.rate, "sim_hours": args.sim_hours,
        "rss_mb_after_warmup": [min(s["rss_mb"] for s in warm), max(s["rss_mb"] for s in warm)],
        "rss_peak_growth_mb": round(rss_growth, 1),
        "store_mb": {"peak_middle_third": disk_middle, "peak_last_third": disk_last,
                     "peak": disk_peak, "end": disk_end},
        "data_dir_mb_end": samples[-1]["data_dir_mb"],
        "rss_flat": rss_flat, "disk_bounded": disk_bounded, "kemu_exit": rc,
    }
    print(f"soak: {args.duration:.0f} s at {args.rate:g} events/s, {args.sim_hours:g} h of test "
          f"clock; rss after warm-up {summary['rss_mb_after_warmup'][0]}-"
          f"{summary['rss_mb_after_warmup'][1]} MB (peak of the last third {rss_growth:+.1f} MB "
          f"against the middle third): {'flat' if rss_flat else 'GROWING'}; RocksDB files peak "
          f"{disk_middle} MB in the middle third, {disk_last} MB in the last, end {disk_end} MB: "
          f"{'bounded' if disk_bounded else 'GROWING'} "
          f"(whole data dir at the end: {samples[-1]['data_dir_mb']} MB)")
    print("kemu load: " + " | ".join(load_out.strip().splitlines()[-6:]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "samples": samples, "load_output": load_out}, f,
                      indent=2)
    if args.keep:
        print(f"kept {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if rss_flat and disk_bounded and rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
