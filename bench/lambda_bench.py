#!/usr/bin/env python3
"""End-to-end Lambda runner benchmark (not a test): records/s from PutRecords to a no-op
Python handler at batch sizes 1, 100 and 500, and the warm invocation overhead.

Starts `kemu up` (release build unless KEMU_BIN says otherwise) on a free port with one flow
per batch size (1 shard each, batch window 0, TRIM_HORIZON), then for each flow in turn puts
N records with PutRecords (500 per call) and waits until the flow's InvokedEventCount in
/_kemu/metrics reaches N. Figures:

  records/s             N / (time from the first PutRecords to the last record invoked)
  µs per invocation     batch size 1: wall time per invocation, all overhead included
                        (event JSON, Runtime API round trip, the bootstrap's json work,
                        checkpoint write); the handler itself does nothing
  Duration per call     kemu's REPORT Duration average (dispatch to response)

Knobs: BENCH_RECORDS_1 (2000), BENCH_RECORDS (20000), KEMU_BIN, PYTHON for the runtime.
"""

import base64
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEMU = os.environ.get("KEMU_BIN") or os.path.join(ROOT, "build/release/tools/kemu/kemu")
SIZES = [1, 100, 500]
N1 = int(os.environ.get("BENCH_RECORDS_1", "2000"))
N = int(os.environ.get("BENCH_RECORDS", "20000"))


def call(port, target, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("POST", "/", json.dumps(body), {
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202." + target,
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0",
        "X-Amz-Date": "20261126T000000Z"})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status != 200:
        raise RuntimeError(f"{target}: {r.status} {data[:300]}")
    return json.loads(data)


def metric(port, fn, name):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/_kemu/metrics")
    text = c.getresponse().read().decode()
    c.close()
    # kemu's cumulative families: kemu_lambda_{metric}_total, and Duration's seconds summary.
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    family, scale = (("kemu_lambda_duration_seconds_sum", 1000.0) if name == "Duration"
                     else ("kemu_lambda_%s_total" % snake, 1.0))
    m = re.search(r'^%s\{function_name="%s"\} (\S+)$' % (family, re.escape(fn)), text, re.M)
    return float(m.group(1)) * scale if m else 0.0


def main():
    if not os.path.exists(KEMU):
        sys.exit(f"no kemu binary at {KEMU}: cmake --preset release && cmake --build --preset release -j2")
    tmp = tempfile.mkdtemp(prefix="kemu-lambda-bench-")
    proc = None
    try:
        code = os.path.join(tmp, "noop")
        os.makedirs(code)
        with open(os.path.join(code, "handler.py"), "w") as f:
            f.write("def process_event(event, context):\n    return None\n")
        flows = "".join(f"""
  - event_type: b{s}
    lambda_source_path: noop
    batch_size: {s}
    batch_window_seconds: 0
    starting_position: TRIM_HORIZON
""" for s in SIZES)
        with open(os.path.join(tmp, "kemu.yaml"), "w") as f:
            f.write("version: 1\nenvironment: dev\nevent_flows:" + flows)
        proc = subprocess.Popen([KEMU, "up", "-c", os.path.join(tmp, "kemu.yaml"), "--port", "0",
                                 "--data-dir", os.path.join(tmp, "data"), "--no-function-logs",
                                 "--log-level", "warn"], stdout=subprocess.PIPE, text=True)
        port = None
        deadline = time.time() + 30
        while port is None and time.time() < deadline:
            line = proc.stdout.readline()
            m = re.search(r"listening on http://127.0.0.1:(\d+)", line)
            if m:
                port = int(m.group(1))
        if port is None:
            sys.exit("kemu did not start")
        payload = base64.b64encode(b"x" * 100).decode()
        print(f"kemu {KEMU}; no-op Python handler; 1 shard per flow; 100-byte records")
        print(f"{'batch size':>10} {'records':>8} {'records/s':>10} {'invocations':>12} {'us/invocation':>14} {'Duration avg ms':>16}")
        for s in SIZES:
            fn = f"dev-b{s}-processor"
            n = N1 if s == 1 else N
            # Cold start outside the measurement: one record, wait for it.
            call(port, "PutRecord", {"StreamName": f"dev-b{s}-stream", "Data": payload, "PartitionKey": "warm"})
            while metric(port, fn, "InvokedEventCount") < 1:
                time.sleep(0.01)
            inv0 = metric(port, fn, "Invocations")
            dur0 = metric(port, fn, "Duration")
            t0 = time.perf_counter()
            for start in range(0, n, 500):
                recs = [{"Data": payload, "PartitionKey": f"pk-{i}"} for i in range(start, min(n, start + 500))]
                r = call(port, "PutRecords", {"StreamName": f"dev-b{s}-stream", "Records": recs})
                if r.get("FailedRecordCount"):
                    sys.exit(f"PutRecords refused {r['FailedRecordCount']} records")
            while metric(port, fn, "InvokedEventCount") < n + 1:
                if time.perf_counter() - t0 > 600:
                    sys.exit(f"{fn}: not done after 600 s")
                time.sleep(0.005)
            elapsed = time.perf_counter() - t0
            inv = metric(port, fn, "Invocations") - inv0
            dur = metric(port, fn, "Duration") - dur0
            print(f"{s:>10} {n:>8} {n / elapsed:>10.0f} {inv:>12.0f} {elapsed * 1e6 / inv:>14.0f} {dur / inv:>16.2f}")
    finally:
        if proc:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
