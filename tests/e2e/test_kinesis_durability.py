"""kemu Kinesis durability: acknowledged records survive `kill -9` and a restart on the same
data dir, with the same sequence numbers, in order; iterators from before the crash still work;
numbering continues above the old numbers.

Run: python3 tests/e2e/test_kinesis_durability.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kemu_harness import (KemuTestCase, boto3_client, run_main, wait_active,  # noqa: E402
                          wait_until)

N_SINGLE = 120
N_BATCH = 4 * 100
SHARDS = ("shardId-000000000000", "shardId-000000000001")


class DurabilityTest(KemuTestCase):
    def setUp(self):
        super().setUp()
        self.c = boto3_client(self.endpoint)

    def restart_after_kill9(self):
        self.kemu.kill9()
        self.kemu.start()
        self.c = boto3_client(self.endpoint)

    def read_shard(self, iterator, max_calls=100):
        records = []
        for _ in range(max_calls):
            out = self.c.get_records(ShardIterator=iterator, Limit=97)
            records += out["Records"]
            if not out["Records"] and out["MillisBehindLatest"] == 0:
                return records, out["NextShardIterator"]
            iterator = out["NextShardIterator"]
        self.fail(f"shard not drained after {max_calls} GetRecords calls")

    def dump(self, name):
        got = {}
        for shard in SHARDS:
            it = self.c.get_shard_iterator(StreamName=name, ShardId=shard,
                                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            recs, _ = self.read_shard(it)
            got[shard] = [(r["SequenceNumber"], bytes(r["Data"]), r["PartitionKey"])
                          for r in recs]
        return got

    def test_acknowledged_records_survive_kill9(self):
        self.c.create_stream(StreamName="dur", ShardCount=2)
        before = wait_active(self.c, "dur")
        self.c.add_tags_to_stream(StreamName="dur", Tags={"team": "kemu"})
        self.c.increase_stream_retention_period(StreamName="dur", RetentionPeriodHours=48)
        acked = {s: [] for s in SHARDS}
        for i in range(N_SINGLE):
            data = b"single-%d-" % i + bytes([i % 256]) * (i % 50)
            out = self.c.put_record(StreamName="dur", Data=data, PartitionKey=f"pk{i}")
            acked[out["ShardId"]].append((out["SequenceNumber"], data, f"pk{i}"))
        for b in range(4):
            entries = [{"Data": b"batch-%d-%d" % (b, j), "PartitionKey": f"bk{j}"}
                       for j in range(N_BATCH // 4)]
            out = self.c.put_records(StreamName="dur", Records=entries)
            self.assertEqual(out["FailedRecordCount"], 0)
            for e, r in zip(entries, out["Records"]):
                acked[r["ShardId"]].append((r["SequenceNumber"], e["Data"], e["PartitionKey"]))
        self.assertTrue(all(len(v) > 50 for v in acked.values()), "keys spread over both shards")
        # Iterators taken before the crash: one at the start, one in the middle.
        old_trim = self.c.get_shard_iterator(StreamName="dur", ShardId=SHARDS[0],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        mid_seq = acked[SHARDS[1]][len(acked[SHARDS[1]]) // 2][0]
        old_after = self.c.get_shard_iterator(
            StreamName="dur", ShardId=SHARDS[1], ShardIteratorType="AFTER_SEQUENCE_NUMBER",
            StartingSequenceNumber=mid_seq)["ShardIterator"]
        self.assertEqual(self.dump("dur"), acked, "sanity: readable before the crash")

        self.restart_after_kill9()

        after = wait_active(self.c, "dur")
        self.assertEqual(after["StreamARN"], before["StreamARN"])
        self.assertEqual(after["StreamCreationTimestamp"], before["StreamCreationTimestamp"])
        self.assertEqual(after["Shards"], before["Shards"])
        self.assertEqual(after["RetentionPeriodHours"], 48)
        self.assertEqual(self.c.list_tags_for_stream(StreamName="dur")["Tags"],
                         [{"Key": "team", "Value": "kemu"}])
        self.assertEqual(self.dump("dur"), acked)

        recs, _ = self.read_shard(old_trim)
        self.assertEqual([r["SequenceNumber"] for r in recs], [a[0] for a in acked[SHARDS[0]]])
        recs, _ = self.read_shard(old_after)
        half = len(acked[SHARDS[1]]) // 2
        self.assertEqual([r["SequenceNumber"] for r in recs],
                         [a[0] for a in acked[SHARDS[1]][half + 1:]])

        # New writes are numbered above everything acknowledged before the crash.
        for i in range(20):
            out = self.c.put_record(StreamName="dur", Data=b"post-%d" % i, PartitionKey=f"pk{i}")
            self.assertGreater(int(out["SequenceNumber"]), int(acked[out["ShardId"]][-1][0]),
                               "sequence numbers must not be reused after a restart")
            acked[out["ShardId"]].append((out["SequenceNumber"], b"post-%d" % i, f"pk{i}"))
        self.assertEqual(self.dump("dur"), acked)

    def test_lineage_and_deletes_survive_kill9_and_sigterm_restart(self):
        self.c.create_stream(StreamName="keep", ShardCount=1)
        self.c.create_stream(StreamName="gone", ShardCount=1)
        wait_active(self.c, "keep")
        wait_active(self.c, "gone")
        seq = self.c.put_record(StreamName="keep", Data=b"before-split",
                                PartitionKey="k")["SequenceNumber"]
        self.c.split_shard(StreamName="keep", ShardToSplit="shardId-000000000000",
                           NewStartingHashKey=str(2**127))
        shards = wait_active(self.c, "keep")["Shards"]
        self.c.delete_stream(StreamName="gone")
        wait_until(lambda: self.c.list_streams()["StreamNames"] == ["keep"], 10,
                   what="deleted stream to vanish")

        self.restart_after_kill9()
        self.assertEqual(wait_active(self.c, "keep")["Shards"], shards)
        self.assertEqual(self.c.list_streams()["StreamNames"], ["keep"])

        # A clean stop and start keeps it all too.
        self.assertEqual(self.kemu.stop(), 0)
        self.kemu.start()
        self.c = boto3_client(self.endpoint)
        self.assertEqual(wait_active(self.c, "keep")["Shards"], shards)
        it = self.c.get_shard_iterator(StreamName="keep", ShardId="shardId-000000000000",
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        out = self.c.get_records(ShardIterator=it)
        self.assertEqual([r["SequenceNumber"] for r in out["Records"]], [seq])
        out = self.c.put_record(StreamName="keep", Data=b"x", PartitionKey="k",
                                ExplicitHashKey="1")
        self.assertEqual(out["ShardId"], "shardId-000000000001")



class PendingTransitionTest(KemuTestCase):
    """A restart finishes pending status transitions (CREATING -> ACTIVE, ...) at once."""

    kemu_args = ("--status-delay-ms", "600000")

    def test_restart_finishes_creating(self):
        c = boto3_client(self.endpoint)
        c.create_stream(StreamName="slow", ShardCount=2)
        self.assertEqual(c.describe_stream(StreamName="slow")["StreamDescription"]
                         ["StreamStatus"], "CREATING")
        self.kemu.kill9()
        self.kemu.start()
        c = boto3_client(self.endpoint)
        d = wait_active(c, "slow", timeout=5)
        self.assertEqual(len(d["Shards"]), 2)


if __name__ == "__main__":
    run_main()
