"""SubscribeToShard under stress: hundreds of subscriptions in a row, several at a time, over
HTTP/1.1 (boto3's chunked event stream) and HTTP/2 (the JS SDK v3). Each subscription must
deliver the five records put before it opened and one put while it is open, within a deadline.

kemu runs with a 60 s heartbeat here, far beyond the deadline, so a subscription that misses an
append's wake-up cannot be rescued by the next heartbeat: it fails. Records go on the same
keep-alive connection that then subscribes (as boto3 does), with a writer appending to the
same stream all the while. This once caught an HTTP/1.1 stream that went quiet for good in about
one subscription in seventy (a blocking EOF probe on the edge).
"""

import json
import os
import statistics
import threading
import time
import unittest

from kemu_harness import DEADLINE_SCALE, KemuTestCase, boto3_client, run_main, wait_active
from node_support import run_node

SUBSCRIPTIONS = 240  # per protocol: 3 streams x 4 shards x 20 consumers, each pair used once
PARALLEL = 6
SHARDS = 4
CONSUMERS = 20  # AWS's limit of consumers per stream
DEADLINE_S = 10.0 * DEADLINE_SCALE  # each subscription's records; the heartbeat is 60 s


class EfoStressTest(KemuTestCase):
    kemu_args = ("--efo-heartbeat-ms", "60000", "--no-lambda")

    def setUp(self):
        super().setUp()
        self.k = boto3_client(self.endpoint)

    def pairs(self, prefix):
        """(stream, consumer ARN, shard id, a hash key of the shard) for SUBSCRIPTIONS pairs."""
        out = []
        per_stream = SHARDS * CONSUMERS
        for s in range((SUBSCRIPTIONS + per_stream - 1) // per_stream):
            name = f"{prefix}{s}"
            self.k.create_stream(StreamName=name, ShardCount=SHARDS)
            wait_active(self.k, name)
            arn = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
            shards = self.k.list_shards(StreamName=name)["Shards"]
            for c in range(CONSUMERS):
                carn = self.k.register_stream_consumer(StreamARN=arn, ConsumerName=f"c{c}")[
                    "Consumer"]["ConsumerARN"]
                # AWS allows 5 consumers in CREATING at once: wait for each to be ACTIVE.
                deadline = time.monotonic() + 10 * DEADLINE_SCALE
                while self.k.describe_stream_consumer(ConsumerARN=carn)["ConsumerDescription"][
                        "ConsumerStatus"] != "ACTIVE":
                    self.assertLess(time.monotonic(), deadline, f"consumer {carn} not ACTIVE")
                    time.sleep(0.05)
                for sh in shards:
                    out.append((name, carn, sh["ShardId"], sh["HashKeyRange"]["StartingHashKey"]))
        return out[:SUBSCRIPTIONS]

    def noise(self, stream, stop):
        """Appends to `stream` until `stop` is set: wake-ups race with subscriptions opening."""
        client = boto3_client(self.endpoint)
        n = 0
        while not stop.is_set():
            client.put_record(StreamName=stream, PartitionKey=f"noise-{n % 7}", Data=b"noise")
            n += 1
            time.sleep(0.005)

    def judge(self, results, protocol):
        failed = [r for r in results if not r["ok"]]
        latencies = sorted(r["push_ms"] for r in results if r["push_ms"] is not None)
        p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else None
        p50 = round(statistics.median(latencies), 1) if latencies else None
        print(f"\n[{protocol}] {len(results)} subscriptions, {len(failed)} missed the "
              f"{DEADLINE_S:.0f} s deadline; push latency p50 {p50} ms, p99 {p99} ms", flush=True)
        self.assertEqual(len(results), SUBSCRIPTIONS)
        self.assertEqual(failed, [], f"{len(failed)} {protocol} subscriptions missed their records")

    def test_http1_subscriptions_each_deliver_within_deadline(self):
        pairs = self.pairs("h1-")
        stop = threading.Event()
        writer = threading.Thread(target=self.noise, args=("h1-0", stop), daemon=True)
        writer.start()
        results = []
        lock = threading.Lock()

        def worker(w):
            client = boto3_client(self.endpoint)  # one keep-alive pool per worker
            for i in range(w, len(pairs), PARALLEL):
                r = subscribe_once(client, i, *pairs[i])
                with lock:
                    results.append(r)
        workers = [threading.Thread(target=worker, args=(w,)) for w in range(PARALLEL)]
        for t in workers:
            t.start()
        for t in workers:
            t.join(SUBSCRIPTIONS * DEADLINE_S)
        stop.set()
        writer.join(5)
        self.judge(results, "HTTP/1.1")

    def test_http2_subscriptions_each_deliver_within_deadline(self):
        pairs = self.pairs("h2-")
        path = os.path.join(self.tmp, "pairs.json")
        with open(path, "w") as f:
            json.dump([{"stream": s, "consumer": c, "shard": sh, "hash_key": hk}
                       for s, c, sh, hk in pairs], f)
        stop = threading.Event()
        writer = threading.Thread(target=self.noise, args=("h2-0", stop), daemon=True)
        writer.start()
        try:
            out = run_node("sdk_efo_stress.cjs",
                           [self.endpoint, path, str(PARALLEL), str(int(DEADLINE_S * 1000))],
                           timeout=int(60 + SUBSCRIPTIONS * DEADLINE_S / PARALLEL), env=self.env)
        finally:
            stop.set()
            writer.join(5)
        self.assertEqual(out["handler"], "NodeHttp2Handler")
        self.judge(out["results"], "HTTP/2")


def subscribe_once(client, i, stream, consumer, shard, hash_key):
    """Puts 5 records on `shard`, subscribes from TRIM_HORIZON, waits for them, puts one more
    and waits for it to be pushed. Returns what happened."""
    mine = {f"pre-{i}-{j}".encode() for j in range(5)}
    post = f"post-{i}".encode()
    for data in sorted(mine):
        client.put_record(StreamName=stream, PartitionKey="pk", ExplicitHashKey=hash_key, Data=data)
    res = client.subscribe_to_shard(ConsumerARN=consumer, ShardId=shard,
                                    StartingPosition={"Type": "TRIM_HORIZON"})
    seen = set()
    cond = threading.Condition()
    events = []

    def reader():
        try:
            for ev in res["EventStream"]:
                records = ev["SubscribeToShardEvent"]["Records"]
                with cond:
                    events.append(len(records))
                    seen.update(r["Data"] for r in records)
                    cond.notify_all()
                    if post in seen:
                        return
        except Exception as e:  # noqa: BLE001 - reported as the subscription's failure
            with cond:
                events.append(repr(e))
                cond.notify_all()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    with cond:
        got_pre = cond.wait_for(lambda: mine <= seen, DEADLINE_S)
    push_ms = None
    got_post = False
    if got_pre:
        started = time.monotonic()
        client.put_record(StreamName=stream, PartitionKey="pk", ExplicitHashKey=hash_key, Data=post)
        with cond:
            got_post = cond.wait_for(lambda: post in seen, DEADLINE_S)
        if got_post:
            push_ms = round((time.monotonic() - started) * 1000, 1)
    res["EventStream"].close()
    t.join(1)
    return {"i": i, "ok": got_pre and got_post, "pre": got_pre, "post": got_post,
            "push_ms": push_ms, "events": events[:8]}


if __name__ == "__main__":
    run_main()
