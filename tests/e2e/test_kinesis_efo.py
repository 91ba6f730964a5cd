"""Enhanced fan-out end to end: the consumer actions (RegisterStreamConsumer, Describe, List with
paging, Deregister, their limits and errors) through boto3; SubscribeToShard through boto3
(HTTP/1.1, chunked event stream) and the JS SDK v3 (HTTP/2, its event-stream iterator): pushed
records in order and exactly once, resuming after the last ContinuationSequenceNumber, shard end
with ChildShards, the checks before the stream opens, take-over and deregistration ending a
subscription with an exception event.
"""

import threading
import time
import unittest

from botocore.exceptions import ClientError

from kemu_harness import KemuTestCase, boto3_client, run_main, wait_active, wait_until
from node_support import run_node

SHARD0 = "shardId-000000000000"
HALF = str(2 ** 127)


class EfoTestCase(KemuTestCase):
    def setUp(self):
        super().setUp()
        self.k = boto3_client(self.endpoint)

    def stream(self, name="efo", shards=1):
        self.k.create_stream(StreamName=name, ShardCount=shards)
        wait_active(self.k, name)
        return self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]

    def active_consumer(self, stream_arn, name="c1"):
        c = self.k.register_stream_consumer(StreamARN=stream_arn, ConsumerName=name)["Consumer"]
        wait_until(lambda: self.k.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])
                   ["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE", 5, what="consumer ACTIVE")
        return c["ConsumerARN"]

    def error(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        e = cm.exception.response
        return e["Error"]["Code"], e["Error"]["Message"], e["ResponseMetadata"]["HTTPStatusCode"]


class ConsumerTest(EfoTestCase):
    def test_register_describe_list_deregister(self):
        arn = self.stream()
        c = self.k.register_stream_consumer(StreamARN=arn, ConsumerName="c1")["Consumer"]
        self.assertEqual(c["ConsumerStatus"], "CREATING")
        self.assertRegex(c["ConsumerARN"], "^" + arn + r"/consumer/c1:\d{10}$")
        self.assertEqual(c["ConsumerARN"].rsplit(":", 1)[1],
                         str(int(c["ConsumerCreationTimestamp"].timestamp())))
        self.assertEqual(self.k.describe_stream_summary(StreamName="efo")
                         ["StreamDescriptionSummary"]["ConsumerCount"], 1)
        wait_until(lambda: self.k.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])
                   ["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE", 5, what="ACTIVE")
        by_name = self.k.describe_stream_consumer(StreamARN=arn, ConsumerName="c1")["ConsumerDescription"]
        self.assertEqual(by_name["ConsumerARN"], c["ConsumerARN"])
        self.assertEqual(by_name["StreamARN"], arn)
        listed = self.k.list_stream_consumers(StreamARN=arn)
        self.assertEqual([x["ConsumerName"] for x in listed["Consumers"]], ["c1"])
        self.assertNotIn("StreamARN", listed["Consumers"][0])
        self.assertNotIn("NextToken", listed)

        self.assertEqual(self.error(self.k.register_stream_consumer, StreamARN=arn, ConsumerName="c1"),
                         ("ResourceInUseException", "Consumer c1 exists", 400))
        self.assertEqual(self.error(self.k.delete_stream, StreamName="efo"),
                         ("ResourceInUseException",
                          "Stream efo under account 000000000000 has registered consumers.", 400))
        self.assertEqual(self.error(self.k.describe_stream_consumer, StreamARN=arn),
                         ("InvalidArgumentException", "ConsumerArn or both ConsumerName and "
                          "StreamARN are required for this request.", 400))
        code, msg, _ = self.error(self.k.register_stream_consumer, StreamARN=arn, ConsumerName="bad name")
        self.assertEqual(code, "ValidationException")
        self.assertIn("at 'consumerName' failed to satisfy constraint: Member must satisfy regular "
                      "expression pattern: [a-zA-Z0-9_.-]+", msg)
        missing = arn + "/consumer/nope:1700000000"
        self.assertEqual(self.error(self.k.describe_stream_consumer, ConsumerARN=missing),
                         ("ResourceNotFoundException",
                          f"Consumer {missing}, account 000000000000 not found.", 400))

        self.k.deregister_stream_consumer(ConsumerARN=c["ConsumerARN"])
        self.assertEqual(self.k.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])
                         ["ConsumerDescription"]["ConsumerStatus"], "DELETING")

        def gone():
            try:
                self.k.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])
                return False
            except ClientError as e:
                return e.response["Error"]["Code"] == "ResourceNotFoundException"
        wait_until(gone, 5, what="consumer gone")
        self.assertEqual(self.k.list_stream_consumers(StreamARN=arn)["Consumers"], [])
        self.k.delete_stream(StreamName="efo")

    def test_limits_and_paging(self):
        arn = self.stream()
        for i in range(5):
            self.k.register_stream_consumer(StreamARN=arn, ConsumerName=f"c{i}")
        self.assertEqual(self.error(self.k.register_stream_consumer, StreamARN=arn, ConsumerName="c5"),
                         ("LimitExceededException",
                          "Only 5 consumers can be created at the same time", 400))
        names, token, pages = [], None, 0
        while True:
            kw = {"StreamARN": arn, "MaxResults": 2}
            if token:
                kw["NextToken"] = token
            page = self.k.list_stream_consumers(**kw)
            pages += 1
            names += [c["ConsumerName"] for c in page["Consumers"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(names), [f"c{i}" for i in range(5)])


def collect(response, out, stop_after=None):
    """Reads a boto3 event stream into `out` (a list of events) until it ends or raises."""
    try:
        for event in response["EventStream"]:
            out.append(event)
            if stop_after and stop_after(out):
                return
    except Exception as e:  # noqa: BLE001 - the exception event is what we check
        out.append({"error": e})


class SubscribeBoto3Test(EfoTestCase):
    def test_records_before_and_after_then_shard_end(self):
        arn = self.stream()
        for i in range(3):
            self.k.put_record(StreamName="efo", PartitionKey="pk", Data=f"before-{i}".encode())
        carn = self.active_consumer(arn)
        started = time.monotonic()
        res = self.k.subscribe_to_shard(ConsumerARN=carn, ShardId=SHARD0,
                                        StartingPosition={"Type": "TRIM_HORIZON"})
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertEqual(res["ResponseMetadata"]["HTTPHeaders"]["content-type"],
                         "application/vnd.amazon.eventstream")
        self.assertEqual(res["ResponseMetadata"]["HTTPHeaders"]["transfer-encoding"], "chunked")
        events = []
        reader = threading.Thread(target=collect, args=(res, events), daemon=True)
        reader.start()
        wait_until(lambda: events, 5, what="first event")
        acks = []
        for i in range(3):
            acks.append(self.k.put_record(StreamName="efo", PartitionKey="pk",
                                          Data=f"after-{i}".encode())["SequenceNumber"])
        wait_until(lambda: sum(len(e.get("SubscribeToShardEvent", {}).get("Records", []))
                               for e in events) >= 6, 5, what="six records")
        self.k.split_shard(StreamName="efo", ShardToSplit=SHARD0, NewStartingHashKey=HALF)
        reader.join(10)
        self.assertFalse(reader.is_alive(), "the event stream did not end at shard end")
        self.assertFalse([e for e in events if "error" in e], events)
        records = [r for e in events for r in e["SubscribeToShardEvent"]["Records"]]
        self.assertEqual([r["Data"] for r in records],
                         [b"before-0", b"before-1", b"before-2", b"after-0", b"after-1", b"after-2"])
        self.assertEqual([r["SequenceNumber"] for r in records][3:], acks)
        last = events[-1]["SubscribeToShardEvent"]
        self.assertNotIn("ContinuationSequenceNumber", last)
        self.assertEqual(sorted(c["ShardId"] for c in last["ChildShards"]),
                         ["shardId-000000000001", "shardId-000000000002"])
        for e in events[:-1]:
            ev = e["SubscribeToShardEvent"]
            self.assertNotIn("ChildShards", ev)
            if ev["Records"]:
                self.assertEqual(ev["ContinuationSequenceNumber"], ev["Records"][-1]["SequenceNumber"])

    def test_resume_after_continuation_neither_skips_nor_repeats(self):
        arn = self.stream()
        carn = self.active_consumer(arn)
        for i in range(4):
            self.k.put_record(StreamName="efo", PartitionKey="pk", Data=f"r{i}".encode())
        res = self.k.subscribe_to_shard(ConsumerARN=carn, ShardId=SHARD0,
                                        StartingPosition={"Type": "TRIM_HORIZON"})
        events = []
        collect(res, events, stop_after=lambda ev: True)  # the first event only
        first = events[0]["SubscribeToShardEvent"]
        self.assertEqual([r["Data"] for r in first["Records"]], [b"r0", b"r1", b"r2", b"r3"])
        cont = first["ContinuationSequenceNumber"]
        res["EventStream"].close()
        for i in range(4, 6):
            self.k.put_record(StreamName="efo", PartitionKey="pk", Data=f"r{i}".encode())
        # Within 5 s of the last success the pair is in use; a second later it is free again.
        code, msg, status = self.error(self.k.subscribe_to_shard, ConsumerARN=carn, ShardId=SHARD0,
                                       StartingPosition={"Type": "LATEST"})
        self.assertEqual((code, status), ("LimitExceededException", 400))
        time.sleep(1.1)
        code, msg, status = self.error(self.k.subscribe_to_shard, ConsumerARN=carn, ShardId=SHARD0,
                                       StartingPosition={"Type": "LATEST"})
        self.assertEqual((code, msg, status), (
            "ResourceInUseException", "Another active subscription exists for this consumer: "
            f"000000000000:efo:{SHARD0}:c1", 400))
        time.sleep(4.2)
        res = self.k.subscribe_to_shard(ConsumerARN=carn, ShardId=SHARD0, StartingPosition={
            "Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": cont})
        events = []
        collect(res, events, stop_after=lambda ev: True)
        self.assertEqual([r["Data"] for r in events[0]["SubscribeToShardEvent"]["Records"]],
                         [b"r4", b"r5"])
        res["EventStream"].close()

    def test_takeover_and_deregistration_end_streams_with_exception_events(self):
        arn = self.stream()
        carn = self.active_consumer(arn)
        first = self.k.subscribe_to_shard(ConsumerARN=carn, ShardId=SHARD0,
                                          StartingPosition={"Type": "LATEST"})
        events1 = []
        t1 = threading.Thread(target=collect, args=(first, events1), daemon=True)
        t1.start()
        time.sleep(5.1)  # AWS: a subscription 5 s or more after the last one takes over
        second = self.k.subscribe_to_shard(ConsumerARN=carn, ShardId=SHARD0,
                                           StartingPosition={"Type": "LATEST"})
        t1.join(5)
        self.assertFalse(t1.is_alive())
        err = events1[-1]["error"]
        self.assertIn("ResourceInUseException", str(err))
        self.assertIn(f"Another active subscription exists for this consumer: 000000000000:efo:{SHARD0}:c1",
                      str(err))
        events2 = []
        t2 = threading.Thread(target=collect, args=(second, events2), daemon=True)
        t2.start()
        wait_until(lambda: events2, 5, what="first event of the second subscription")
        self.k.deregister_stream_consumer(ConsumerARN=carn)
        t2.join(5)
        self.assertFalse(t2.is_alive())
        self.assertIn("ResourceNotFoundException", str(events2[-1]["error"]))
        self.assertIn(f"Consumer {carn}, account 000000000000 not found.", str(events2[-1]["error"]))

    def test_checks_before_the_stream_opens(self):
        arn = self.stream()
        c = self.k.register_stream_consumer(StreamARN=arn, ConsumerName="c1")["Consumer"]
        code, msg, status = self.error(self.k.subscribe_to_shard, ConsumerARN=c["ConsumerARN"],
                                       ShardId=SHARD0, StartingPosition={"Type": "LATEST"})
        self.assertEqual((code, status), ("ResourceInUseException", 400))
        self.assertRegex(msg, r"^Consumer c1 with creation timestamp \d+ under stream: efo , "
                              r"account 000000000000 is not in ACTIVE status\.$")
        code, msg, _ = self.error(self.k.subscribe_to_shard, ConsumerARN=c["ConsumerARN"],
                                  ShardId=SHARD0, StartingPosition={"Type": "SOMETIMES"})
        self.assertEqual(code, "ValidationException")
        self.assertIn("at 'startingPosition.type' failed to satisfy constraint: Member must "
                      "satisfy enum value set:", msg)


class SubscribeJsTest(KemuTestCase):
    def test_js_sdk_event_stream_over_http2(self):
        out = run_node("sdk_efo.cjs", [self.endpoint], timeout=120, env=self.env)
        self.assertEqual(out["handler"], "NodeHttp2Handler")
        self.assertEqual(out["registered"]["status"], "CREATING")
        self.assertEqual(out["statuses"][-1], "ACTIVE")
        # send() resolves once initial-response arrives, which kemu writes at once (not with the
        # first record or the 5 s heartbeat; the bound leaves room for a loaded sanitizer run).
        self.assertLess(out["send_ms"], 2000)
        self.assertEqual([r["data"] for r in out["records"]],
                         ["before-0", "before-1", "before-2", "after-0", "after-1", "after-2"])
        self.assertTrue(all(r["date"] for r in out["records"]))
        seqs = [int(r["seq"]) for r in out["records"]]
        self.assertEqual(seqs, sorted(set(seqs)))
        self.assertLess(out["push_latency_ms"], 2000)  # pushed, not found by the 5 s heartbeat
        self.assertTrue(out["loop_ended"])
        last = out["events"][-1]
        self.assertIsNone(last["continuation"])
        self.assertEqual(last["children"], ["shardId-000000000001", "shardId-000000000002"])
        self.assertEqual(out["events"][0]["records"], 3)
        self.assertEqual(out["second"]["name"], "ResourceInUseException")
        self.assertEqual(out["second"]["status"], 400)


if __name__ == "__main__":
    run_main()
