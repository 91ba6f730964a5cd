"""kemu Kinesis through boto3: must pass under both Pythons CTest runs it with, the one with
boto3 1.26 / botocore 1.29 (Debian 12's, no StreamARN members; KEMU_SYSTEM_PYTHON) and the PATH's
python3 with boto3 1.43. docs/aws/kinesis.md describes what AWS does.

Run: python3 tests/e2e/test_kinesis_boto3.py   (KEMU_BIN=... to pick the binary)
"""

import base64
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import botocore  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from kemu_harness import (ACCOUNT, KemuTestCase, boto3_client, run_main,  # noqa: E402
                          wait_active, wait_until)

MAX_HASH = 2**128 - 1
# The StartingSequenceNumbers of shards 0, 1, 2 of one stream differ by exactly this much.
START_SEQ_STEP = 22300745198530623141535718272648361505980432
# CreateStream's hash key ranges: w = floor(2^128 / N); shard i covers [i*w, (i+1)*w - 1], the
# last shard ends at 2^128 - 1.
RANGES = {
    1: [(0, MAX_HASH)],
    2: [(0, 170141183460469231731687303715884105727),
        (170141183460469231731687303715884105728, MAX_HASH)],
    3: [(0, 113427455640312821154458202477256070484),
        (113427455640312821154458202477256070485, 226854911280625642308916404954512140969),
        (226854911280625642308916404954512140970, MAX_HASH)],
    4: [(0, 85070591730234615865843651857942052863),
        (85070591730234615865843651857942052864, 170141183460469231731687303715884105727),
        (170141183460469231731687303715884105728, 255211775190703847597530955573826158591),
        (255211775190703847597530955573826158592, MAX_HASH)],
}
# Partition key -> shard index on a 3-shard / 4-shard stream (the hash is the MD5 of the key's
# UTF-8 bytes as a big-endian 128-bit integer).
ROUTING = {"a": (0, 0), "b": (1, 2), "e": (2, 3), "f": (1, 2), "1": (2, 3), "hello": (1, 1)}
LIMIT_TAIL = ("Refer to the AWS Service Limits page "
              "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "
              "for current limits and how to request higher limits.")


def sid(i):
    return f"shardId-{i:012d}"


def seq_fields(test, seq):
    """Decode a version-2 sequence number, asserting its shape: 56 decimal digits, 47 hex digits
    that are "2", the shard's creation time in epoch seconds (9), the shard index's last hex digit
    (1), the sequence index (16), "00", the record's time (9), the shard index (8), "2" (the
    version)."""
    test.assertIsInstance(seq, str)
    test.assertRegex(seq, r"^[0-9]{56}$", "sequence numbers are 56 decimal digits")
    h = format(int(seq), "x")
    test.assertEqual(len(h), 47, f"{seq} is not 47 hex digits")
    test.assertEqual(h[0], "2")
    test.assertEqual(h[46], "2", "version nibble")
    return {"create": int(h[1:10], 16), "seqix": int(h[11:27], 16),
            "rtime": int(h[29:38], 16), "shard": int(h[38:46], 16)}


def has_member(client, op, member):
    return member in client.meta.service_model.operation_model(op).input_shape.members


class Boto3Base(KemuTestCase):
    def setUp(self):
        super().setUp()
        self.c = boto3_client(self.endpoint)

    def create(self, name, shards):
        self.c.create_stream(StreamName=name, ShardCount=shards)
        return wait_active(self.c, name)

    def assert_error(self, code, message, fn, *args, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        err = cm.exception.response["Error"]
        self.assertEqual(err.get("Code"), code, f"{fn.__name__}: {cm.exception}")
        if message is not None:
            self.assertEqual(err.get("Message"), message)
        status = cm.exception.response["ResponseMetadata"]["HTTPStatusCode"]
        self.assertEqual(status, 500 if code == "InternalFailure" else 400)
        return err

    def read_all(self, iterator, expect, limit=None, max_calls=50):
        """GetRecords until `expect` records came back; returns (records, last iterator)."""
        records = []
        for _ in range(max_calls):
            kw = {"ShardIterator": iterator}
            if limit:
                kw["Limit"] = limit
            out = self.c.get_records(**kw)
            records += out["Records"]
            self.assertIsInstance(out["MillisBehindLatest"], int)
            nxt = out.get("NextShardIterator")
            if nxt is None or len(records) >= expect:
                return records, nxt
            self.assertNotEqual(nxt, iterator, "NextShardIterator must change every call")
            iterator = nxt
        self.fail(f"got {len(records)} of {expect} records after {max_calls} GetRecords")

    def iterator(self, name, shard, kind, **kw):
        return self.c.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType=kind,
                                         **kw)["ShardIterator"]


class StreamShapeTest(Boto3Base):
    def test_create_describe_hash_ranges_and_start_numbers(self):
        before = time.time()
        for n in (1, 2, 3, 4):
            self.c.create_stream(StreamName=f"s{n}", ShardCount=n)
        for n in (1, 2, 3, 4):
            d = wait_active(self.c, f"s{n}")
            self.assertEqual(d["StreamName"], f"s{n}")
            self.assertEqual(d["StreamARN"], f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s{n}")
            self.assertFalse(d["HasMoreShards"])
            self.assertEqual(d["RetentionPeriodHours"], 24)
            self.assertEqual(d["EnhancedMonitoring"], [{"ShardLevelMetrics": []}])
            self.assertEqual(d.get("EncryptionType"), "NONE")
            self.assertEqual(d.get("StreamModeDetails"), {"StreamMode": "PROVISIONED"})
            created = d["StreamCreationTimestamp"].timestamp()
            self.assertEqual(created, int(created), "creation time is floored to seconds")
            self.assertLessEqual(abs(created - before), 10)
            shards = d["Shards"]
            self.assertEqual([s["ShardId"] for s in shards], [sid(i) for i in range(n)])
            got = [(int(s["HashKeyRange"]["StartingHashKey"]),
                    int(s["HashKeyRange"]["EndingHashKey"])) for s in shards]
            self.assertEqual(got, RANGES[n])
            starts = []
            for i, s in enumerate(shards):
                self.assertNotIn("ParentShardId", s)
                self.assertNotIn("EndingSequenceNumber", s["SequenceNumberRange"])
                start = s["SequenceNumberRange"]["StartingSequenceNumber"]
                f = seq_fields(self, start)
                self.assertEqual(f["shard"], i)
                self.assertEqual(f["seqix"], 0)
                self.assertEqual(f["create"], f["rtime"])
                starts.append(int(start))
            for a, b in zip(starts, starts[1:]):
                self.assertEqual(b - a, START_SEQ_STEP)
            summary = self.c.describe_stream_summary(StreamName=f"s{n}")
            summary = summary["StreamDescriptionSummary"]
            self.assertEqual(summary["OpenShardCount"], n)
            self.assertEqual(summary["StreamStatus"], "ACTIVE")
            self.assertEqual(summary["RetentionPeriodHours"], 24)

    def test_describe_stream_paging_by_exclusive_start_shard_id(self):
        self.create("five", 5)
        d = self.c.describe_stream(StreamName="five", Limit=2)["StreamDescription"]
        self.assertEqual([s["ShardId"] for s in d["Shards"]], [sid(0), sid(1)])
        self.assertTrue(d["HasMoreShards"])
        d = self.c.describe_stream(StreamName="five", Limit=2,
                                   ExclusiveStartShardId=sid(3))["StreamDescription"]
        self.assertEqual([s["ShardId"] for s in d["Shards"]], [sid(4)])
        self.assertFalse(d["HasMoreShards"])
        pages = self.c.get_paginator("describe_stream").paginate(
            StreamName="five", PaginationConfig={"PageSize": 2})
        ids = [s["ShardId"] for p in pages for s in p["StreamDescription"]["Shards"]]
        self.assertEqual(ids, [sid(i) for i in range(5)])

    def test_region_from_credential_scope_and_account_from_access_key(self):
        self.create("here", 1)
        eu = boto3_client(self.endpoint, region="eu-west-1")
        self.assertEqual(eu.list_streams()["StreamNames"], [])
        eu.create_stream(StreamName="there", ShardCount=1)
        d = wait_active(eu, "there")
        self.assertEqual(d["StreamARN"], f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/there")
        self.assertEqual(self.c.list_streams()["StreamNames"], ["here"])
        acct = boto3_client(self.endpoint, access_key="123456789012")
        acct.create_stream(StreamName="mine", ShardCount=1)
        d = wait_active(acct, "mine")
        self.assertEqual(d["StreamARN"], "arn:aws:kinesis:us-east-1:123456789012:stream/mine")
        self.assertEqual(self.c.list_streams()["StreamNames"], ["here"])

    def test_stream_arn_addressing(self):
        if not has_member(self.c, "DescribeStream", "StreamARN"):
            self.skipTest(f"botocore {botocore.__version__} has no StreamARN member")
        self.create("byarn", 1)
        arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/byarn"
        d = self.c.describe_stream(StreamARN=arn)["StreamDescription"]
        self.assertEqual(d["StreamName"], "byarn")
        out = self.c.put_record(StreamARN=arn, Data=b"x", PartitionKey="k")
        self.assertEqual(out["ShardId"], sid(0))
        shards = self.c.list_shards(StreamARN=arn)["Shards"]
        self.assertEqual([s["ShardId"] for s in shards], [sid(0)])


class PutRecordTest(Boto3Base):
    def test_routing_vectors_three_and_four_shards(self):
        self.create("r3", 3)
        self.create("r4", 4)
        for key, (i3, i4) in ROUTING.items():
            out3 = self.c.put_record(StreamName="r3", Data=key.encode(), PartitionKey=key)
            out4 = self.c.put_record(StreamName="r4", Data=key.encode(), PartitionKey=key)
            self.assertEqual(out3["ShardId"], sid(i3), f"key {key!r} on 3 shards")
            self.assertEqual(out4["ShardId"], sid(i4), f"key {key!r} on 4 shards")
            self.assertEqual(seq_fields(self, out3["SequenceNumber"])["shard"], i3)
            self.assertEqual(seq_fields(self, out4["SequenceNumber"])["shard"], i4)
            self.assertNotIn("EncryptionType", out3)
        w = 2**128 // 3
        for ehk, want in ((MAX_HASH, 2), (2 * w - 1, 1), (2 * w, 2), (0, 0)):
            out = self.c.put_record(StreamName="r3", Data=b"x", PartitionKey="a",
                                    ExplicitHashKey=str(ehk))
            self.assertEqual(out["ShardId"], sid(want), f"ExplicitHashKey {ehk}")
        self.assert_error(
            "InvalidArgumentException",
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            f"Specified value was {2**128}",
            self.c.put_record, StreamName="r3", Data=b"x", PartitionKey="a",
            ExplicitHashKey=str(2**128))

    def test_sequence_numbers_increase_per_shard_and_data_is_byte_exact(self):
        self.create("seq", 2)
        payloads = [bytes(range(256)), b"", b"\x00\xff\x00", "héllo €".encode(), b"z" * 1000]
        per_shard = {}
        puts = []
        for i in range(20):
            data = payloads[i % len(payloads)]
            out = self.c.put_record(StreamName="seq", Data=data, PartitionKey=f"pk{i}")
            f = seq_fields(self, out["SequenceNumber"])
            self.assertEqual(sid(f["shard"]), out["ShardId"])
            self.assertLessEqual(abs(f["rtime"] - time.time()), 10)
            prev = per_shard.get(out["ShardId"])
            if prev is not None:
                self.assertGreater(int(out["SequenceNumber"]), int(prev))
            per_shard[out["ShardId"]] = out["SequenceNumber"]
            puts.append((out["ShardId"], out["SequenceNumber"], data, f"pk{i}"))
        # boto3 sends a str as its UTF-8 bytes (base64 on the wire).
        out = self.c.put_record(StreamName="seq", Data="héllo", PartitionKey="pk-str")
        puts.append((out["ShardId"], out["SequenceNumber"], "héllo".encode(), "pk-str"))
        for shard in ("shardId-000000000000", "shardId-000000000001"):
            want = [(s, d, k) for (sh, s, d, k) in puts if sh == shard]
            it = self.iterator("seq", shard, "TRIM_HORIZON")
            recs, _ = self.read_all(it, len(want))
            got = [(r["SequenceNumber"], bytes(r["Data"]), r["PartitionKey"]) for r in recs]
            self.assertEqual(got, want)
            for r in recs:
                self.assertIsInstance(r["ApproximateArrivalTimestamp"], datetime.datetime)
                self.assertNotIn("EncryptionType", r)

    def test_put_records_mixed_entries_in_request_order(self):
        self.create("batch", 3)
        entries = [{"Data": k.encode() * 3, "PartitionKey": k} for k in ("a", "b", "e", "f")]
        entries.append({"Data": b"\x00\x01", "PartitionKey": "a", "ExplicitHashKey": str(MAX_HASH)})
        entries.append({"Data": "ü-text", "PartitionKey": "hello"})
        entries.append({"Data": b"", "PartitionKey": "1"})
        out = self.c.put_records(StreamName="batch", Records=entries)
        self.assertEqual(out["FailedRecordCount"], 0)
        self.assertEqual(len(out["Records"]), 7)
        self.assertEqual([r["ShardId"] for r in out["Records"]],
                         [sid(i) for i in (0, 1, 2, 1, 2, 1, 2)])
        last = {}
        for r in out["Records"]:
            self.assertNotIn("ErrorCode", r)
            f = seq_fields(self, r["SequenceNumber"])
            self.assertEqual(sid(f["shard"]), r["ShardId"])
            if r["ShardId"] in last:
                self.assertGreater(int(r["SequenceNumber"]), int(last[r["ShardId"]]))
            last[r["ShardId"]] = r["SequenceNumber"]
        recs, _ = self.read_all(self.iterator("batch", sid(2), "TRIM_HORIZON"), 3)
        self.assertEqual([bytes(r["Data"]) for r in recs], [b"eee", b"\x00\x01", b""])
        self.assertEqual([r["SequenceNumber"] for r in recs],
                         [out["Records"][i]["SequenceNumber"] for i in (2, 4, 6)])
        recs, _ = self.read_all(self.iterator("batch", sid(1), "TRIM_HORIZON"), 3)
        self.assertEqual([bytes(r["Data"]) for r in recs], [b"bbb", b"fff", "ü-text".encode()])

        many = [{"Data": b"x", "PartitionKey": "k"}] * 501
        err = self.assert_error("ValidationException", None, self.c.put_records,
                                StreamName="batch", Records=many)
        self.assertTrue(err["Message"].startswith("1 validation error detected: Value '"),
                        err["Message"])
        self.assertTrue(err["Message"].endswith(
            "' at 'records' failed to satisfy constraint: "
            "Member must have length less than or equal to 500"), err["Message"][-200:])
        out = self.c.put_records(StreamName="batch", Records=many[:500])
        self.assertEqual((out["FailedRecordCount"], len(out["Records"])), (0, 500))

    def test_put_records_whole_request_errors(self):
        self.create("big", 1)
        mib = b"m" * 1_000_000
        self.assert_error("InvalidArgumentException", "Records size exceeds 5 MB limit",
                          self.c.put_records, StreamName="big",
                          Records=[{"Data": mib, "PartitionKey": "k"}] * 6)
        # One record whose data and key together pass 1 MiB fails the request, as PutRecord.
        self.assert_error("InvalidArgumentException",
                          "The size of the record (data and partition key) exceeds 1 MiB.",
                          self.c.put_records, StreamName="big",
                          Records=[{"Data": b"ok", "PartitionKey": "k"},
                                   {"Data": b"d" * (1 << 20), "PartitionKey": "key"}])
        self.assert_error(
            "InvalidArgumentException",
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            f"Specified value was {2**128 + 5}",
            self.c.put_records, StreamName="big",
            Records=[{"Data": b"ok", "PartitionKey": "k"},
                     {"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": str(2**128 + 5)}])
        self.assert_error("ResourceNotFoundException",
                          f"Stream nope under account {ACCOUNT} not found.",
                          self.c.put_records, StreamName="nope",
                          Records=[{"Data": b"x", "PartitionKey": "k"}])
        # Nothing from the refused requests was stored.
        out = self.c.get_records(ShardIterator=self.iterator("big", sid(0), "TRIM_HORIZON"))
        self.assertEqual(out["Records"], [])


class ReadTest(Boto3Base):
    def put_n(self, name, n, prefix="rec"):
        seqs = []
        for i in range(n):
            out = self.c.put_record(StreamName=name, Data=f"{prefix}-{i}".encode() + b"\x00\xfe",
                                    PartitionKey="same")
            seqs.append(out["SequenceNumber"])
        return seqs

    def test_every_iterator_type_limit_and_next_iterator(self):
        self.create("rd", 1)
        seqs = self.put_n("rd", 10)
        data = [f"rec-{i}".encode() + b"\x00\xfe" for i in range(10)]

        it = self.iterator("rd", sid(0), "TRIM_HORIZON")
        raw = base64.b64decode(it, validate=True)
        self.assertEqual(raw[:8], b"\x00" * 7 + b"\x01")
        self.assertGreaterEqual(len(raw), 152)
        self.assertEqual((len(raw) - 152) % 16, 0)
        self.assertLessEqual(len(it), 512)

        out = self.c.get_records(ShardIterator=it, Limit=3)
        self.assertEqual([bytes(r["Data"]) for r in out["Records"]], data[:3])
        self.assertEqual([r["SequenceNumber"] for r in out["Records"]], seqs[:3])
        self.assertEqual({r["PartitionKey"] for r in out["Records"]}, {"same"})
        nxt = out["NextShardIterator"]
        self.assertNotEqual(nxt, it)
        out = self.c.get_records(ShardIterator=nxt, Limit=100)
        self.assertEqual([bytes(r["Data"]) for r in out["Records"]], data[3:])
        self.assertEqual(out["MillisBehindLatest"], 0)
        tip = out["NextShardIterator"]
        empty = self.c.get_records(ShardIterator=tip)
        self.assertEqual(empty["Records"], [])
        self.assertNotEqual(empty["NextShardIterator"], tip, "new iterator even when empty")
        self.assertEqual(empty["MillisBehindLatest"], 0)

        out = self.c.get_records(ShardIterator=self.iterator(
            "rd", sid(0), "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[4]), Limit=2)
        self.assertEqual([r["SequenceNumber"] for r in out["Records"]], seqs[4:6])
        out = self.c.get_records(ShardIterator=self.iterator(
            "rd", sid(0), "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[4]), Limit=2)
        self.assertEqual([r["SequenceNumber"] for r in out["Records"]], seqs[5:7])
        out = self.c.get_records(ShardIterator=self.iterator(
            "rd", sid(0), "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[9]))
        self.assertEqual(out["Records"], [])

        latest = self.iterator("rd", sid(0), "LATEST")
        out = self.c.get_records(ShardIterator=latest)
        self.assertEqual(out["Records"], [])
        new = self.c.put_record(StreamName="rd", Data=b"after-latest", PartitionKey="same")
        # Both the original LATEST iterator and the one GetRecords returned see the new record.
        for token in (latest, out["NextShardIterator"]):
            recs = self.c.get_records(ShardIterator=token)["Records"]
            self.assertEqual([(r["SequenceNumber"], bytes(r["Data"])) for r in recs],
                             [(new["SequenceNumber"], b"after-latest")])
        # An old iterator can be re-used: it is a position, not a cursor.
        again = self.c.get_records(ShardIterator=it, Limit=1)["Records"]
        self.assertEqual([r["SequenceNumber"] for r in again], seqs[:1])

    def test_at_timestamp(self):
        self.create("ts", 1)
        first = self.put_n("ts", 3, "early")
        recs = self.c.get_records(ShardIterator=self.iterator("ts", sid(0), "TRIM_HORIZON"))
        t1 = max(r["ApproximateArrivalTimestamp"].timestamp() for r in recs["Records"])
        boundary = int(t1) + 1  # boto3 sends whole seconds
        wait_until(lambda: time.time() >= boundary + 0.05, 3, what="next second")
        later = self.put_n("ts", 2, "late")
        at = datetime.datetime.fromtimestamp(boundary, tz=datetime.timezone.utc)
        out = self.c.get_records(ShardIterator=self.iterator("ts", sid(0), "AT_TIMESTAMP",
                                                             Timestamp=at))
        self.assertEqual([r["SequenceNumber"] for r in out["Records"]], later)
        old = datetime.datetime(2001, 1, 1, tzinfo=datetime.timezone.utc)
        out = self.c.get_records(ShardIterator=self.iterator("ts", sid(0), "AT_TIMESTAMP",
                                                             Timestamp=old))
        self.assertEqual([r["SequenceNumber"] for r in out["Records"]], first + later)
        # No qualifying record: an empty read at the tip, promptly (not a hang).
        recs = self.c.get_records(ShardIterator=self.iterator("ts", sid(0), "TRIM_HORIZON"))
        t2 = max(r["ApproximateArrivalTimestamp"].timestamp() for r in recs["Records"])
        wait_until(lambda: time.time() >= int(t2) + 1.05, 3, what="next second")
        at = datetime.datetime.fromtimestamp(int(t2) + 1, tz=datetime.timezone.utc)
        started = time.monotonic()
        it = self.iterator("ts", sid(0), "AT_TIMESTAMP", Timestamp=at)
        out = self.c.get_records(ShardIterator=it)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(out["Records"], [])
        self.assertIn("NextShardIterator", out)
        tail = self.c.put_record(StreamName="ts", Data=b"tail", PartitionKey="k")
        recs = self.c.get_records(ShardIterator=out["NextShardIterator"])["Records"]
        self.assertEqual([r["SequenceNumber"] for r in recs], [tail["SequenceNumber"]])

        self.assert_error(
            "InvalidArgumentException",
            "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
            "Current request has no timestamp parameter.",
            self.c.get_shard_iterator, StreamName="ts", ShardId=sid(0),
            ShardIteratorType="AT_TIMESTAMP")
        future = datetime.datetime.fromtimestamp(time.time() + 3600, tz=datetime.timezone.utc)
        err = self.assert_error("InvalidArgumentException", None, self.c.get_shard_iterator,
                                StreamName="ts", ShardId=sid(0),
                                ShardIteratorType="AT_TIMESTAMP", Timestamp=future)
        self.assertRegex(err["Message"],
                         r"^The timestampInMillis parameter cannot be greater than the "
                         r"currentTimestampInMillis\. timestampInMillis: "
                         f"{int(future.timestamp()) * 1000}"
                         r", currentTimestampInMillis: \d{13}$")

    def test_shard_iterator_errors(self):
        self.create("gi", 3)
        for lenient in ("shard-0", "xyz-0", "2", "shardId-1", "-00000000001"):
            self.assertTrue(self.iterator("gi", lenient, "TRIM_HORIZON"))
        for bad in ("ABKLFD8", "2147483648", "shardId-002147483648"):
            self.assert_error("ResourceNotFoundException",
                              f"Could not find shard {bad} in stream gi under account {ACCOUNT}.",
                              self.c.get_shard_iterator, StreamName="gi", ShardId=bad,
                              ShardIteratorType="LATEST")
        self.assert_error("ResourceNotFoundException",
                          f"Shard {sid(5)} in stream gi under account {ACCOUNT} does not exist",
                          self.c.get_shard_iterator, StreamName="gi", ShardId="shardId-5",
                          ShardIteratorType="LATEST")
        self.assert_error("ResourceNotFoundException",
                          f"Shard {sid(0)} in stream nope under account {ACCOUNT} does not exist",
                          self.c.get_shard_iterator, StreamName="nope", ShardId=sid(0),
                          ShardIteratorType="LATEST")
        seq1 = self.c.put_record(StreamName="gi", Data=b"x", PartitionKey="b")["SequenceNumber"]
        must = ("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                "StartingSequenceNumber. Request specified ")
        self.assert_error("InvalidArgumentException",
                          must + "LATEST and also a StartingSequenceNumber.",
                          self.c.get_shard_iterator, StreamName="gi", ShardId=sid(1),
                          ShardIteratorType="LATEST", StartingSequenceNumber=seq1)
        self.assert_error("InvalidArgumentException",
                          must + "AT_SEQUENCE_NUMBER and no StartingSequenceNumber.",
                          self.c.get_shard_iterator, StreamName="gi", ShardId=sid(1),
                          ShardIteratorType="AT_SEQUENCE_NUMBER")
        self.assert_error("InvalidArgumentException",
                          "Invalid StartingSequenceNumber. It encodes shardId-000000000001, "
                          "while it was used in a call to a shard with shardId-000000000000",
                          self.c.get_shard_iterator, StreamName="gi", ShardId=sid(0),
                          ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=seq1)
        self.assert_error("InvalidArgumentException",
                          "Invalid StartingSequenceNumber. It encodes shardId-000000000005, "
                          "while it was used in a call to a shard with shardId-000000000000",
                          self.c.get_shard_iterator, StreamName="gi", ShardId=sid(0),
                          ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="5")
        self.assert_error("InternalFailure", None, self.c.get_shard_iterator, StreamName="gi",
                          ShardId=sid(0), ShardIteratorType="AT_SEQUENCE_NUMBER",
                          StartingSequenceNumber="0")
        for garbage in ("notatoken", "AAAAAAAAAAE" + "A" * 190 + "=", base64.b64encode(
                b"\x00" * 7 + b"\x01" + b"\x07" * 160).decode()):
            self.assert_error("InvalidArgumentException", "Invalid ShardIterator.",
                              self.c.get_records, ShardIterator=garbage)
        # A token in one pair of double quotes is accepted (as AWS does).
        it = self.iterator("gi", sid(1), "TRIM_HORIZON")
        recs = self.c.get_records(ShardIterator=f'"{it}"')["Records"]
        self.assertEqual([r["SequenceNumber"] for r in recs], [seq1])
        # A valid token whose stream is gone.
        self.c.delete_stream(StreamName="gi")
        wait_until(lambda: "gi" not in self.c.list_streams()["StreamNames"], 10,
                   what="stream gone")
        self.assert_error("ResourceNotFoundException",
                          f"Shard {sid(1)} in stream gi under account {ACCOUNT} does not exist",
                          self.c.get_records, ShardIterator=it)


class ReshardTest(Boto3Base):
    def drain(self, name, shard):
        """Read a closed shard to its end; returns (records, final response)."""
        it = self.iterator(name, shard, "TRIM_HORIZON")
        records = []
        for _ in range(20):
            out = self.c.get_records(ShardIterator=it)
            records += out["Records"]
            if out.get("NextShardIterator") is None:
                return records, out
            it = out["NextShardIterator"]
        self.fail(f"{shard} never ended (NextShardIterator kept coming)")

    def test_split_then_merge_and_read_across_lineage(self):
        self.create("rs", 1)
        parent_seqs = [self.c.put_record(StreamName="rs", Data=f"p{i}".encode(),
                                         PartitionKey=f"k{i}")["SequenceNumber"]
                       for i in range(5)]
        split_at = 2**127
        self.assert_error(
            "InvalidArgumentException",
            f"NewStartingHashKey 1 used in SplitShard() on shard {sid(0)} in stream rs under "
            f"account {ACCOUNT} is not both greater than one plus the shard's StartingHashKey 0 "
            f"and less than the shard's EndingHashKey {MAX_HASH}.",
            self.c.split_shard, StreamName="rs", ShardToSplit=sid(0), NewStartingHashKey="1")
        self.c.split_shard(StreamName="rs", ShardToSplit=sid(0), NewStartingHashKey=str(split_at))
        d = wait_active(self.c, "rs")
        shards = {s["ShardId"]: s for s in d["Shards"]}
        self.assertEqual(sorted(shards), [sid(0), sid(1), sid(2)])
        end = shards[sid(0)]["SequenceNumberRange"].get("EndingSequenceNumber")
        self.assertIsNotNone(end, "split parent is closed")
        self.assertEqual(seq_fields(self, end)["seqix"], 0x7FFFFFFFFFFFFFFF)
        self.assertEqual(seq_fields(self, end)["shard"], 0)
        for child, rng in ((sid(1), (0, split_at - 1)), (sid(2), (split_at, MAX_HASH))):
            s = shards[child]
            self.assertEqual(s.get("ParentShardId"), sid(0))
            self.assertNotIn("AdjacentParentShardId", s)
            self.assertNotIn("EndingSequenceNumber", s["SequenceNumberRange"])
            self.assertEqual((int(s["HashKeyRange"]["StartingHashKey"]),
                              int(s["HashKeyRange"]["EndingHashKey"])), rng)
        self.assert_error(
            "InvalidArgumentException",
            f"Shard {sid(0)} in stream rs under account {ACCOUNT} has already been merged or "
            "split, and thus is not eligible for merging or splitting.",
            self.c.split_shard, StreamName="rs", ShardToSplit=sid(0), NewStartingHashKey="5")
        self.assertEqual(self.c.describe_stream_summary(StreamName="rs")
                         ["StreamDescriptionSummary"]["OpenShardCount"], 2)

        low = self.c.put_record(StreamName="rs", Data=b"low", PartitionKey="k",
                                ExplicitHashKey="7")
        high = self.c.put_record(StreamName="rs", Data=b"high", PartitionKey="k",
                                 ExplicitHashKey=str(MAX_HASH))
        self.assertEqual((low["ShardId"], high["ShardId"]), (sid(1), sid(2)))

        recs, final = self.drain("rs", sid(0))
        self.assertEqual([r["SequenceNumber"] for r in recs], parent_seqs)
        self.assertEqual([bytes(r["Data"]) for r in recs], [f"p{i}".encode() for i in range(5)])
        children = sorted(final.get("ChildShards") or [], key=lambda c: c["ShardId"])
        self.assertEqual([c["ShardId"] for c in children], [sid(1), sid(2)])
        for c, rng in zip(children, ((0, split_at - 1), (split_at, MAX_HASH))):
            self.assertEqual(c["ParentShards"], [sid(0)])
            self.assertEqual((int(c["HashKeyRange"]["StartingHashKey"]),
                              int(c["HashKeyRange"]["EndingHashKey"])), rng)
        for child, want in ((sid(1), low), (sid(2), high)):
            out = self.c.get_records(ShardIterator=self.iterator("rs", child, "TRIM_HORIZON"))
            self.assertEqual([r["SequenceNumber"] for r in out["Records"]],
                             [want["SequenceNumber"]])
            self.assertIn("NextShardIterator", out, "open child shard has a next iterator")

        not_adjacent = (f"Shards {sid(2)} and {sid(1)} in stream rs under account {ACCOUNT} "
                        "are not an adjacent pair of shards eligible for merging")
        self.assert_error("InvalidArgumentException", not_adjacent, self.c.merge_shards,
                          StreamName="rs", ShardToMerge=sid(2), AdjacentShardToMerge=sid(1))
        self.c.merge_shards(StreamName="rs", ShardToMerge=sid(1), AdjacentShardToMerge=sid(2))
        d = wait_active(self.c, "rs")
        shards = {s["ShardId"]: s for s in d["Shards"]}
        self.assertEqual(sorted(shards), [sid(i) for i in range(4)])
        merged = shards[sid(3)]
        self.assertEqual(merged.get("ParentShardId"), sid(1))
        self.assertEqual(merged.get("AdjacentParentShardId"), sid(2))
        self.assertEqual((int(merged["HashKeyRange"]["StartingHashKey"]),
                          int(merged["HashKeyRange"]["EndingHashKey"])), (0, MAX_HASH))
        for closed in (sid(1), sid(2)):
            self.assertIn("EndingSequenceNumber", shards[closed]["SequenceNumberRange"])
        after = self.c.put_record(StreamName="rs", Data=b"merged", PartitionKey="a")
        self.assertEqual(after["ShardId"], sid(3))

        recs, final = self.drain("rs", sid(1))
        self.assertEqual([bytes(r["Data"]) for r in recs], [b"low"])
        children = final.get("ChildShards") or []
        self.assertEqual([c["ShardId"] for c in children], [sid(3)])
        self.assertEqual(sorted(children[0]["ParentShards"]), [sid(1), sid(2)])
        out = self.c.get_records(ShardIterator=self.iterator("rs", sid(3), "TRIM_HORIZON"))
        self.assertEqual([bytes(r["Data"]) for r in out["Records"]], [b"merged"])


    def test_merge_refuses_last_shard_with_first(self):
        # The last shard ends at 2^128-1; End + 1 must not wrap around to shard 0's start 0.
        self.create("wrap", 3)
        self.assert_error("InvalidArgumentException",
                          f"Shards {sid(2)} and {sid(0)} in stream wrap under account {ACCOUNT} "
                          "are not an adjacent pair of shards eligible for merging",
                          self.c.merge_shards, StreamName="wrap", ShardToMerge=sid(2),
                          AdjacentShardToMerge=sid(0))
        self.assert_error("InvalidArgumentException",
                          f"Shards {sid(0)} and {sid(2)} in stream wrap under account {ACCOUNT} "
                          "are not an adjacent pair of shards eligible for merging",
                          self.c.merge_shards, StreamName="wrap", ShardToMerge=sid(0),
                          AdjacentShardToMerge=sid(2))
        shards = wait_active(self.c, "wrap")["Shards"]
        self.assertEqual([s["ShardId"] for s in shards], [sid(0), sid(1), sid(2)])
        for s in shards:
            self.assertNotIn("EndingSequenceNumber", s["SequenceNumberRange"])
        self.c.merge_shards(StreamName="wrap", ShardToMerge=sid(1), AdjacentShardToMerge=sid(2))
        merged = wait_active(self.c, "wrap")["Shards"][3]
        self.assertEqual((merged["ShardId"], int(merged["HashKeyRange"]["StartingHashKey"]),
                          int(merged["HashKeyRange"]["EndingHashKey"])),
                         (sid(3), RANGES[3][1][0], MAX_HASH))


class LifecycleTest(Boto3Base):
    """Stream states CREATING -> ACTIVE <-> UPDATING -> DELETING, and what each state allows,
    with status delays switched on (`--status-delay-ms`)."""

    kemu_args = ("--status-delay-ms", "1500")

    def test_creating_updating_deleting(self):
        not_found = f"Stream life under account {ACCOUNT} not found."
        self.c.create_stream(StreamName="life", ShardCount=1)
        d = self.c.describe_stream(StreamName="life")["StreamDescription"]
        self.assertEqual((d["StreamStatus"], d["Shards"]), ("CREATING", []))
        self.assertEqual(self.c.describe_stream_summary(StreamName="life")
                         ["StreamDescriptionSummary"]["OpenShardCount"], 0)
        self.assertEqual(self.c.list_streams()["StreamNames"], ["life"])
        self.assert_error("ResourceNotFoundException", not_found, self.c.put_record,
                          StreamName="life", Data=b"x", PartitionKey="k")
        self.assert_error("ResourceNotFoundException",
                          f"Shard {sid(0)} in stream life under account {ACCOUNT} does not exist",
                          self.c.get_shard_iterator, StreamName="life", ShardId=sid(0),
                          ShardIteratorType="LATEST")
        self.assert_error("ResourceInUseException",
                          f"Stream life under account {ACCOUNT} not ACTIVE, instead in state "
                          "CREATING", self.c.split_shard, StreamName="life", ShardToSplit=sid(0),
                          NewStartingHashKey="5")
        self.assertEqual(len(wait_active(self.c, "life")["Shards"]), 1)

        self.c.split_shard(StreamName="life", ShardToSplit=sid(0), NewStartingHashKey=str(2**127))
        d = self.c.describe_stream(StreamName="life")["StreamDescription"]
        self.assertEqual((d["StreamStatus"], len(d["Shards"])), ("UPDATING", 1))
        out = self.c.put_record(StreamName="life", Data=b"during", PartitionKey="k",
                                ExplicitHashKey=str(MAX_HASH))
        self.assertEqual(out["ShardId"], sid(0), "writes during UPDATING use the old shard map")
        self.assert_error("ResourceInUseException",
                          f"Stream life under account {ACCOUNT} not ACTIVE, instead in state "
                          "UPDATING", self.c.split_shard, StreamName="life", ShardToSplit=sid(0),
                          NewStartingHashKey="5")
        self.assertEqual(len(wait_active(self.c, "life")["Shards"]), 3)

        self.c.delete_stream(StreamName="life")
        d = self.c.describe_stream(StreamName="life")["StreamDescription"]
        self.assertEqual(d["StreamStatus"], "DELETING")
        self.assert_error("ResourceNotFoundException", not_found, self.c.put_record,
                          StreamName="life", Data=b"x", PartitionKey="k")
        wait_until(lambda: self.c.list_streams()["StreamNames"] == [], 10,
                   what="DELETING stream to vanish")
        self.assert_error("ResourceNotFoundException", not_found, self.c.describe_stream,
                          StreamName="life")


class ListingTest(Boto3Base):
    def test_list_streams_paging(self):
        names = ["b-2", "a.1", "c_3", "A0", "d4"]
        for n in names:
            self.c.create_stream(StreamName=n, ShardCount=1)
        expect = sorted(names)  # byte order: "A0" < "a.1" < "b-2" < ...
        out = self.c.list_streams()
        self.assertEqual(out["StreamNames"], expect)
        self.assertFalse(out["HasMoreStreams"])
        out = self.c.list_streams(Limit=2)
        self.assertEqual(out["StreamNames"], expect[:2])
        self.assertTrue(out["HasMoreStreams"])
        out = self.c.list_streams(Limit=2, ExclusiveStartStreamName=expect[1])
        self.assertEqual(out["StreamNames"], expect[2:4])
        out = self.c.list_streams(ExclusiveStartStreamName="b")
        self.assertEqual(out["StreamNames"], [n for n in expect if n > "b"])
        pages = list(self.c.get_paginator("list_streams").paginate(
            PaginationConfig={"PageSize": 2}))
        self.assertEqual([n for p in pages for n in p["StreamNames"]], expect)
        self.assertEqual(len(pages), 3)
        if not has_member(self.c, "ListStreams", "NextToken"):
            return  # botocore 1.29: no NextToken member; the CLI test covers it on the wire
        out = self.c.list_streams(Limit=1)
        self.assertTrue(out["HasMoreStreams"])
        self.assertIn("NextToken", out, "HasMoreStreams true needs a NextToken (CLIs page on it)")
        seen = list(out["StreamNames"])
        summaries = list(out["StreamSummaries"])
        for _ in range(10):
            out = self.c.list_streams(Limit=1, NextToken=out["NextToken"])
            seen += out["StreamNames"]
            summaries += out["StreamSummaries"]
            if not out["HasMoreStreams"]:
                self.assertNotIn("NextToken", out)
                break
        self.assertEqual(seen, expect)
        self.assertEqual([s["StreamName"] for s in summaries], expect)
        for s in summaries:
            self.assertEqual(s["StreamARN"],
                             f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{s['StreamName']}")
            self.assertIn(s["StreamStatus"], ("CREATING", "ACTIVE"))
        self.assert_error("InvalidArgumentException", None, self.c.list_streams,
                          NextToken=self.c.list_streams(Limit=1)["NextToken"],
                          ExclusiveStartStreamName="a")

    def test_list_shards(self):
        self.create("ls", 3)
        out = self.c.list_shards(StreamName="ls")
        self.assertNotIn("NextToken", out)
        self.assertEqual([s["ShardId"] for s in out["Shards"]], [sid(i) for i in range(3)])
        for s, rng in zip(out["Shards"], RANGES[3]):
            self.assertEqual((int(s["HashKeyRange"]["StartingHashKey"]),
                              int(s["HashKeyRange"]["EndingHashKey"])), rng)
            seq_fields(self, s["SequenceNumberRange"]["StartingSequenceNumber"])
        out = self.c.list_shards(StreamName="ls", ExclusiveStartShardId=sid(0))
        self.assertEqual([s["ShardId"] for s in out["Shards"]], [sid(1), sid(2)])
        out = self.c.list_shards(StreamName="ls", MaxResults=1)
        seen = [s["ShardId"] for s in out["Shards"]]
        for _ in range(10):
            self.assertIn("NextToken", out)
            out = self.c.list_shards(NextToken=out["NextToken"], MaxResults=1)
            seen += [s["ShardId"] for s in out["Shards"]]
            if "NextToken" not in out:
                break
        self.assertEqual(seen, [sid(i) for i in range(3)])
        token = self.c.list_shards(StreamName="ls", MaxResults=1)["NextToken"]
        self.assert_error("InvalidArgumentException",
                          "Either NextToken or StreamName should be provided.",
                          self.c.list_shards)
        self.assert_error("InvalidArgumentException",
                          "NextToken and StreamName cannot be provided together.",
                          self.c.list_shards, StreamName="ls", NextToken=token)
        self.assert_error("InvalidArgumentException",
                          "NextToken and ExclusiveStartShardId cannot be provided together.",
                          self.c.list_shards, NextToken=token, ExclusiveStartShardId=sid(0))
        self.assert_error("ResourceNotFoundException",
                          f"Stream nope under account {ACCOUNT} not found.",
                          self.c.list_shards, StreamName="nope")


class TagsRetentionErrorsTest(Boto3Base):
    def test_tags(self):
        self.create("tg", 1)
        tags = {"b": "2", "a": "1", "Zb": "x", " ": "sp", "_": "u", "ÿ": "y", "k/=+-@.": ""}
        self.c.add_tags_to_stream(StreamName="tg", Tags=tags)
        out = self.c.list_tags_for_stream(StreamName="tg")
        order = [" ", "Zb", "_", "a", "b", "k/=+-@.", "ÿ"]
        self.assertEqual([t["Key"] for t in out["Tags"]], order)
        self.assertEqual({t["Key"]: t.get("Value") for t in out["Tags"]}, tags)
        self.assertFalse(out["HasMoreTags"])
        out = self.c.list_tags_for_stream(StreamName="tg", Limit=2)
        self.assertEqual([t["Key"] for t in out["Tags"]], order[:2])
        self.assertTrue(out["HasMoreTags"])
        out = self.c.list_tags_for_stream(StreamName="tg", ExclusiveStartTagKey="Y")
        self.assertEqual([t["Key"] for t in out["Tags"]], order[1:])
        out = self.c.list_tags_for_stream(StreamName="tg", ExclusiveStartTagKey="b")
        self.assertEqual([t["Key"] for t in out["Tags"]], order[5:])
        self.c.add_tags_to_stream(StreamName="tg", Tags={"a": "one"})
        self.c.remove_tags_from_stream(StreamName="tg", TagKeys=["b", "not-there"])
        got = {t["Key"]: t["Value"] for t in self.c.list_tags_for_stream(StreamName="tg")["Tags"]}
        self.assertEqual(got["a"], "one")
        self.assertNotIn("b", got)
        self.assertEqual(len(got), 6)

        self.assert_error("InvalidArgumentException",
                          "Some tags contain invalid characters. Valid characters: Unicode "
                          "letters, digits, white space, _ . / = + - % @.",
                          self.c.add_tags_to_stream, StreamName="tg", Tags={"tab\there": "v"})
        allowed = ("The allowed characters are Unicode letters, white-spaces, "
                   "'_',',','/','=','+','-','@'.")
        self.assert_error("InvalidArgumentException",
                          f"Failed to add tags to stream tg under account {ACCOUNT} because some "
                          f"tags contained illegal characters. {allowed}",
                          self.c.add_tags_to_stream, StreamName="tg", Tags={"50%": "v"})
        self.assert_error("InvalidArgumentException",
                          f"Failed to remove tags from stream tg under account {ACCOUNT} because "
                          f"some tags contained illegal characters. {allowed}",
                          self.c.remove_tags_from_stream, StreamName="tg", TagKeys=["50%"])
        self.assert_error("InvalidArgumentException",
                          f"Failed to add tags to stream tg under account {ACCOUNT} because a "
                          "given stream cannot have more than 10 tags associated with it.",
                          self.c.add_tags_to_stream, StreamName="tg",
                          Tags={f"t{i:02d}": "v" for i in range(45)})
        self.c.add_tags_to_stream(StreamName="tg", Tags={f"t{i:02d}": "v" for i in range(44)})
        self.assertEqual(len(self.c.list_tags_for_stream(StreamName="tg")["Tags"]), 50)
        self.assert_error("ResourceNotFoundException",
                          f"Stream nope under account {ACCOUNT} not found.",
                          self.c.list_tags_for_stream, StreamName="nope")

    def test_retention_period_errors(self):
        self.create("rt", 1)
        inc, dec = self.c.increase_stream_retention_period, self.c.decrease_stream_retention_period
        too_short = ("Minimum allowed retention period is 24 hours. Requested retention period "
                     "(23 hours) is too short.")
        self.assert_error("InvalidArgumentException", too_short, dec, StreamName="rt",
                          RetentionPeriodHours=23)
        self.assert_error("InvalidArgumentException", too_short, inc, StreamName="rt",
                          RetentionPeriodHours=23)
        self.assert_error("InvalidArgumentException",
                          "Maximum allowed retention period is 8760 hours. Requested retention "
                          "period (8761 hours) is too long.",
                          inc, StreamName="rt", RetentionPeriodHours=8761)
        inc(StreamName="rt", RetentionPeriodHours=25)
        self.assertEqual(self.c.describe_stream(StreamName="rt")["StreamDescription"]
                         ["RetentionPeriodHours"], 25)
        self.assert_error("InvalidArgumentException",
                          "Requested retention period (24 hours) for stream rt can not be shorter "
                          "than existing retention period (25 hours). Use DecreaseRetentionPeriod "
                          "API.", inc, StreamName="rt", RetentionPeriodHours=24)
        self.assert_error("InvalidArgumentException",
                          "Requested retention period (26 hours) for stream rt can not be longer "
                          "than existing retention period (25 hours). Use IncreaseRetentionPeriod "
                          "API.", dec, StreamName="rt", RetentionPeriodHours=26)
        inc(StreamName="rt", RetentionPeriodHours=25)  # equal value succeeds
        dec(StreamName="rt", RetentionPeriodHours=24)
        inc(StreamName="rt", RetentionPeriodHours=8760)
        self.assertEqual(self.c.describe_stream_summary(StreamName="rt")
                         ["StreamDescriptionSummary"]["RetentionPeriodHours"], 8760)
        self.assert_error("ResourceNotFoundException",
                          f"Stream nope under account {ACCOUNT} not found.",
                          inc, StreamName="nope", RetentionPeriodHours=48)

    def test_stream_level_errors_and_delete(self):
        self.create("dup", 3)
        self.assert_error("ResourceInUseException",
                          f"Stream dup under account {ACCOUNT} already exists.",
                          self.c.create_stream, StreamName="dup", ShardCount=1)
        self.assert_error(
            "LimitExceededException",
            f"This request would exceed the shard limit for the account {ACCOUNT} in us-east-1. "
            "Current shard count for the account: 3. Limit: 500. Number of additional shards "
            f"that would have resulted from this request: 498. {LIMIT_TAIL}",
            self.c.create_stream, StreamName="big", ShardCount=498)
        self.assertNotIn("big", self.c.list_streams()["StreamNames"])
        limits = self.c.describe_limits()
        self.assertEqual((limits["ShardLimit"], limits["OpenShardCount"]), (500, 3))
        with self.assertRaises(self.c.exceptions.ResourceNotFoundException) as cm:
            self.c.describe_stream(StreamName="nope")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         f"Stream nope under account {ACCOUNT} not found.")
        for call in (lambda: self.c.describe_stream_summary(StreamName="nope"),
                     lambda: self.c.delete_stream(StreamName="nope"),
                     lambda: self.c.put_record(StreamName="nope", Data=b"x", PartitionKey="k")):
            with self.assertRaises(self.c.exceptions.ResourceNotFoundException) as cm:
                call()
            self.assertEqual(cm.exception.response["Error"]["Message"],
                             f"Stream nope under account {ACCOUNT} not found.")
        self.c.delete_stream(StreamName="dup")

        def gone():
            try:
                status = self.c.describe_stream(StreamName="dup")["StreamDescription"][
                    "StreamStatus"]
                self.assertEqual(status, "DELETING")
                return False
            except self.c.exceptions.ResourceNotFoundException:
                return True
        wait_until(gone, 10, what="deleted stream to vanish")
        self.assertEqual(self.c.list_streams()["StreamNames"], [])
        self.assertEqual(self.c.describe_limits()["OpenShardCount"], 0)
        self.c.create_stream(StreamName="dup", ShardCount=1)  # name is free again
        self.assertEqual(len(wait_active(self.c, "dup")["Shards"]), 1)


if __name__ == "__main__":
    run_main()
