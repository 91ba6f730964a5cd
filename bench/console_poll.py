#!/usr/bin/env python3
"""What the kemu console's polling costs kemu in CPU: a benchmark, not a test.

Starts `kemu up` on a copy of examples/kemu.yaml (in memory, a free port) and measures kemu's
own CPU time (/proc/PID/stat, user + system) over four phases of the same length: idle, idle
with the console open, `kemu load --endpoint` on the user_activity flow, and the same load with
the console open. The console is the real page in headless Debian chromium (tests/e2e's
browser_support.py), polling once a second. Prints each phase's CPU as a percentage of one core
and the console's share. Run from the repository root:

    python3 bench/console_poll.py [--seconds 20] [--rate 500]

kemu binary: $KEMU_BIN, else build/release/tools/kemu/kemu, else build/dev/tools/kemu/kemu.
The machine's other load shows in the figures: run it on a quiet machine, more than once."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from browser_support import Browser, missing_browser  # noqa: E402

LISTEN = re.compile(r"^kemu listening on (http://127\.0\.0\.1:\d+)")


def kemu_bin():
    for p in (os.environ.get("KEMU_BIN"), os.path.join(REPO, "build/release/tools/kemu/kemu"),
              os.path.join(REPO, "build/dev/tools/kemu/kemu")):
        if p and os.access(p, os.X_OK):
            return p
    sys.exit("no kemu binary (build it, or set KEMU_BIN)")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def phase(pid, seconds, load_cmd=None):
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    if load_cmd:
        subprocess.run(load_cmd, check=True, stdout=subprocess.DEVNULL, timeout=seconds + 120)
    else:
        time.sleep(seconds)
    return 100 * (cpu_seconds(pid) - start_cpu) / (time.monotonic() - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--rate", type=int, default=500)
    a = ap.parse_args()
    why = missing_browser()
    if why:
        sys.exit(f"needs headless chromium: {why}")
    binary = kemu_bin()
    tmp = tempfile.mkdtemp(prefix="kemu-console-bench-")
    shutil.copytree(os.path.join(REPO, "examples"), os.path.join(tmp, "examples"),
                    ignore=shutil.ignore_patterns("__pycache__", ".kemu"))
    config = os.path.join(tmp, "examples", "kemu.yaml")
    kemu = subprocess.Popen([binary, "up", "-c", config, "--in-memory", "--port", "0",
                             "--no-function-logs"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    browser = None
    try:
        m = LISTEN.match(kemu.stdout.readline())
        if not m:
            sys.exit("kemu did not start")
        endpoint = m.group(1)
        # Keep reading kemu's stdout so that it never blocks on a full pipe.
        import threading
        threading.Thread(target=lambda: [None for _ in kemu.stdout], daemon=True).start()
        load = [binary, "load", "-c", config, "--flow", "user_activity", "--rate", str(a.rate),
                "--duration", f"{a.seconds}s", "--endpoint", endpoint, "--drain", "5s"]
        time.sleep(2)
        results = {"idle": phase(kemu.pid, a.seconds)}
        browser = Browser(tmp, endpoint)
        browser.step(op="goto", url=endpoint + "/_kemu/console")
        browser.step(op="wait_text", sel="#topology g.flow", text="dev-payments-stream")
        results["idle, console open"] = phase(kemu.pid, a.seconds)
        results["load, console open"] = phase(kemu.pid, a.seconds, load)
        browser.close()
        browser = None
        time.sleep(2)
        results["load"] = phase(kemu.pid, a.seconds, load)
        print(f"kemu {binary}, {os.cpu_count()} cores, {a.seconds} s phases, "
              f"load {a.rate} events/s through the front door")
        for name, pct in results.items():
            print(f"  {name:20} {pct:6.2f} % of one core")
        print(f"  console's polling: {results['idle, console open'] - results['idle']:+.2f} points "
              f"idle, {results['load, console open'] - results['load']:+.2f} points under load")
    finally:
        if browser:
            browser.close()
        kemu.terminate()
        kemu.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
