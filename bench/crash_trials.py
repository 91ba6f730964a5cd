#!/usr/bin/env python3
"""Crash trials: `kill -9` kemu under load, restart it on the same data dir, and check that
nothing it acknowledged is lost.

    bench/crash_trials.py                  # 10 trials with build/dev/tools/kemu/kemu
    bench/crash_trials.py --trials 50 --json results.json
    KEMU_BIN=build/release/tools/kemu/kemu bench/crash_trials.py --seed 7

Each trial starts `kemu up` on a fresh data dir with one event flow (`orders`: a 2-shard stream,
a Python handler that appends every record it is given to a file, a DLQ) and an SQS queue.
Writers then go as fast as they can: two PutRecords writers (8 partition keys each, per-key
counters in the data), one through the front door (POST /v1/events/orders), one SendMessage
writer. At a random moment kemu gets SIGKILL (its handlers die with it); it is started again on
the same data dir, and the trial checks:

  * every acknowledged record is readable (GetRecords from TRIM_HORIZON), once, with the
    sequence number, shard, partition key and data it was acknowledged with;
  * per partition key, acknowledged records have increasing sequence numbers in the order they
    were acknowledged (a key's writer waits for each answer before the next call);
  * every acknowledged SQS message is receivable;
  * the flow delivers every stored record to the handler (at least once, none skipped), and
    after the restart each shard goes on from its checkpoint: its first batch starts no
    earlier than the last batch the handler saw before the kill.

Prints one line per trial, then `N passed, N failed`; exits 1 if any trial failed. Python stdlib
and boto3 (as tests/e2e); reuses tests/e2e/kemu_harness.py (the e2e tests' kill -9 harness).
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))

from kemu_harness import Kemu, boto3_client, client_env, sqs_client, wait_until  # noqa: E402

STREAM = "dev-orders-stream"
QUEUE = "crash-trial-queue"
KEYS_PER_WRITER = 8
PUT_BATCH = 25

KEMU_YAML = """\
version: 1
environment: dev
api:
  stage_name: v1
event_flows:
  - event_type: orders
    shard_count: 2
    lambda_source_path: lambda/orders
    lambda_handler: handler.process_event
    batch_size: 100
    batch_window_seconds: 0
    starting_position: TRIM_HORIZON
    max_retry_attempts: 3
"""

# One line per invocation, written with one write(2) on an O_APPEND file: never interleaved.
HANDLER = '''\
import base64, json, os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "seen.jsonl")


def process_event(event, context):
    recs = [[r["eventID"].split(":")[0], r["kinesis"]["sequenceNumber"],
             r["kinesis"]["partitionKey"], base64.b64decode(r["kinesis"]["data"]).decode()]
            for r in event["Records"]]
    fd = os.open(OUT, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(recs) + "\\n").encode())
    finally:
        os.close(fd)
    return {}
'''


class Acks:
    """What kemu acknowledged, appended by the writers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = []  # (shard, seq, pk or None, data)
        self.messages = []  # (message id, body)
        self.errors = []  # first error of each writer (the kill ends them)


def kinesis_writer(client, w, acks, stop):
    keys = [f"w{w}-k{i}" for i in range(KEYS_PER_WRITER)]
    counters = {k: 0 for k in keys}
    n = 0
    try:
        while not stop.is_set():
            entries = []
            for _ in range(PUT_BATCH):
                pk = keys[n % len(keys)]
                n += 1
                entries.append({"PartitionKey": pk, "Data": f"{pk}-{counters[pk]}".encode()})
                counters[pk] += 1
            out = client.put_records(StreamName=STREAM, Records=entries)
            with acks.lock:
                for e, r in zip(entries, out["Records"]):
                    if "SequenceNumber" in r:
                        acks.records.append((r["ShardId"], r["SequenceNumber"], e["PartitionKey"],
                                             e["Data"].decode()))
    except Exception as e:  # the kill: the call in flight is not acknowledged
        with acks.lock:
            acks.errors.append(f"kinesis writer {w}: {type(e).__name__}")


def front_door_writer(endpoint, acks, stop):
    n = 0
    try:
        while not stop.is_set():
            body = json.dumps({"order_id": f"fd-{n}", "total_amount": n}).encode()
            n += 1
            req = urllib.request.Request(f"{endpoint}/v1/events/orders", data=body,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=15) as resp:
                out = json.loads(resp.read())
            with acks.lock:
                acks.records.append((out["ShardId"], out["SequenceNumber"], None, body.decode()))
    except Exception as e:
        with acks.lock:
            acks.errors.append(f"front door writer: {type(e).__name__}")


def sqs_writer(client, queue_url, acks, stop):
    n = 0
    try:
        while not stop.is_set():
            body = f"message-{n}"
            n += 1
            out = client.send_message(QueueUrl=queue_url, MessageBody=body)
            with acks.lock:
                acks.messages.append((out["MessageId"], body))
    except Exception as e:
        with acks.lock:
            acks.errors.append(f"sqs writer: {type(e).__name__}")


def read_stream(client):
    """Every stored record: {shard: [(seq, pk, data)]} in shard order."""
    shards = [s["ShardId"] for s in client.list_shards(StreamName=STREAM)["Shards"]]
    out = {}
    for shard in shards:
        it = client.get_shard_iterator(StreamName=STREAM, ShardId=shard,
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        recs = []
        while True:
            page = client.get_records(ShardIterator=it, Limit=10000)
            recs += [(r["SequenceNumber"], r["PartitionKey"], bytes(r["Data"]).decode())
                     for r in page["Records"]]
            it = page["NextShardIterator"]
            if not page["Records"] and page["MillisBehindLatest"] == 0:
                break
        out[shard] = recs
    return out


def receive_all(client, queue_url):
    got = {}
    empty = 0
    while empty < 2:
        page = client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                      VisibilityTimeout=600, WaitTimeSeconds=0)
        msgs = page.get("Messages", [])
        empty = 0 if msgs else empty + 1
        for m in msgs:
            got[m["MessageId"]] = m["Body"]
    return got


def read_seen(path, start=0, end=None):
    """The handler's batches from byte `start` to `end`: [[(shard, seq, pk, data)]]."""
    try:
        with open(path, "rb") as f:
            f.seek(start)
            text = f.read() if end is None else f.read(end - start)
    except FileNotFoundError:
        return []
    return [[tuple(r) for r in json.loads(line)] for line in text.decode().splitlines() if line]


def check_records(acks, stored, problems):
    by_seq = {}
    datas = set()
    for shard, recs in stored.items():
        for seq, pk, data in recs:
            if (shard, seq) in by_seq:
                problems.append(f"sequence number {seq} read twice in {shard}")
            by_seq[(shard, seq)] = (pk, data)
            if data in datas:
                problems.append(f"record {data!r} stored twice")
            datas.add(data)
        seqs = [int(s) for s, _, _ in recs]
        if seqs != sorted(seqs):
            problems.append(f"{shard} does not read in sequence order")
    for shard, seq, pk, data in acks.records:
        got = by_seq.get((shard, seq))
        if got is None:
            problems.append(f"acknowledged record {data!r} ({shard} {seq}) lost")
        elif got[1] != data or (pk is not None and got[0] != pk):
            problems.append(f"{shard} {seq} reads {got!r}, acknowledged as {(pk, data)!r}")
    last = {}
    for shard, seq, pk, data in acks.records:  # in acknowledgement order
        if pk is None:
            continue
        if pk in last and int(seq) <= last[pk]:
            problems.append(f"key {pk}: {data!r} acknowledged after a later sequence number")
        last[pk] = int(seq)


def check_flow(seen_path, boundary, stored, problems, timeout):
    want = {(shard, seq) for shard, recs in stored.items() for seq, _, _ in recs}

    def delivered():
        got = {(r[0], r[1]) for batch in read_seen(seen_path) for r in batch}
        return want <= got
    try:
        wait_until(delivered, timeout, interval=0.2, what="the flow to deliver every record")
    except AssertionError:
        got = {(r[0], r[1]) for batch in read_seen(seen_path) for r in batch}
        problems.append(f"flow skipped {len(want - got)} stored records")
        return
    before = read_seen(seen_path, 0, boundary)
    after = read_seen(seen_path, boundary)
    for shard in stored:
        last_before = [b for b in before if b and b[0][0] == shard]
        first_after = [b for b in after if b and b[0][0] == shard]
        if not last_before or not first_after:
            continue
        resumed_at = int(first_after[0][0][1])
        floor = int(last_before[-1][0][1])
        if resumed_at < floor:
            problems.append(f"{shard} restarted at {resumed_at}, before its checkpoint {floor}")


def write_project(root):
    code = os.path.join(root, "lambda", "orders")
    os.makedirs(code)
    with open(os.path.join(code, "handler.py"), "w") as f:
        f.write(HANDLER)
    with open(os.path.join(root, "kemu.yaml"), "w") as f:
        f.write(KEMU_YAML)


def run_trial(index, rng, args):
    root = tempfile.mkdtemp(prefix="kemu-crash-")
    result = {"trial": index, "ok": False, "problems": []}
    kemu = None
    try:
        write_project(root)
        data_dir = os.path.join(root, "data")
        extra = ["-c", os.path.join(root, "kemu.yaml"), "--lambda-retry-backoff-ms", "10"]
        kemu = Kemu(data_dir, extra_args=extra, log_dir=root)
        kemu.start()
        kinesis = boto3_client(kemu.endpoint)
        wait_until(lambda: kinesis.describe_stream_summary(StreamName=STREAM)
                   ["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE", 10, what="stream")
        queue_url = sqs_client(kemu.endpoint).create_queue(QueueName=QUEUE)["QueueUrl"]

        acks = Acks()
        stop = threading.Event()
        ep = kemu.endpoint
        # Clients first (making one takes a while): the load starts at once.
        writers = [threading.Thread(target=kinesis_writer, args=(boto3_client(ep), w, acks, stop))
                   for w in range(2)]
        writers.append(threading.Thread(target=front_door_writer, args=(ep, acks, stop)))
        writers.append(threading.Thread(target=sqs_writer,
                                        args=(sqs_client(ep), queue_url, acks, stop)))
        for t in writers:
            t.start()
        kill_after = rng.uniform(args.min_kill_s, args.max_kill_s)
        time.sleep(kill_after)
        kemu.kill9()
        stop.set()
        for t in writers:
            t.join(timeout=30)
        time.sleep(0.2)  # the handler runtimes die with kemu (PDEATHSIG)
        seen_path = os.path.join(root, "seen.jsonl")
        boundary = os.path.getsize(seen_path) if os.path.exists(seen_path) else 0
        result.update(kill_after_s=round(kill_after, 3), acked_records=len(acks.records),
                      acked_messages=len(acks.messages))

        kemu.start()
        kinesis = boto3_client(kemu.endpoint)
        sqs = sqs_client(kemu.endpoint)
        queue_url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
        problems = result["problems"]
        stored = read_stream(kinesis)
        result["stored_records"] = sum(len(v) for v in stored.values())
        check_records(acks, stored, problems)
        received = receive_all(sqs, queue_url)
        lost = [b for mid, b in acks.messages if received.get(mid) != b]
        if lost:
            problems.append(f"{len(lost)} acknowledged messages lost, e.g. {lost[0]!r}")
        check_flow(seen_path, boundary, stored, problems, args.flow_timeout_s)
        result["ok"] = not problems
    except Exception as e:
        result["problems"].append(f"trial error: {type(e).__name__}: {e}")
    finally:
        if kemu is not None:
            try:
                kemu.stop()
            except Exception as e:
                result["ok"] = False
                result["problems"].append(f"stop: {e}")
            if not result["ok"] and kemu.log_path:
                result["kemu_stderr"] = kemu.stderr_tail(2000)
        if args.keep or (not result["ok"] and args.keep_failed):
            result["dir"] = root
        else:
            shutil.rmtree(root, ignore_errors=True)
    return result


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=10)
    p.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    p.add_argument("--min-kill-s", type=float, default=0.3, help="earliest kill after load starts")
    p.add_argument("--max-kill-s", type=float, default=2.0, help="latest kill after load starts")
    p.add_argument("--flow-timeout-s", type=float, default=30.0)
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON ('-': stdout)")
    p.add_argument("--keep", action="store_true", help="keep every trial's directory")
    p.add_argument("--keep-failed", action="store_true", help="keep failed trials' directories")
    args = p.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    os.environ.update(client_env(tempfile.gettempdir()))
    results = []
    for i in range(args.trials):
        r = run_trial(i + 1, rng, args)
        results.append(r)
        status = "ok" if r["ok"] else "FAILED"
        print(f"trial {i + 1}: {status}: killed after {r.get('kill_after_s', '?')} s,"
              f" {r.get('acked_records', 0)} records and {r.get('acked_messages', 0)} messages"
              f" acknowledged, {r.get('stored_records', 0)} stored", flush=True)
        for problem in r["problems"][:10]:
            print(f"  {problem}", flush=True)
    passed = sum(1 for r in results if r["ok"])
    summary = f"{passed} passed, {len(results) - passed} failed"
    print(summary, flush=True)
    if args.json:
        doc = {"seed": seed, "trials": len(results), "passed": passed,
               "failed": len(results) - passed, "results": results}
        if args.json == "-":
            json.dump(doc, sys.stdout, indent=2)
            print()
        else:
            with open(args.json, "w") as f:
                json.dump(doc, f, indent=2)
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
