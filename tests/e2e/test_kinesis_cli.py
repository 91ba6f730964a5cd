"""kemu Kinesis through the AWS CLI v1 (1.45) and v2 (2.9), each found as clients.py says
(KEMU_AWS_CLI_V1 / KEMU_AWS_CLI_V2, else the matching `aws` on PATH).

Run: python3 tests/e2e/test_kinesis_cli.py   (KEMU_BIN, KEMU_AWS_CLI_V1, KEMU_AWS_CLI_V2 override)
"""

import base64
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from clients import aws_cli_or_skip  # noqa: E402
from kemu_harness import ACCOUNT, KemuTestCase, run_main  # noqa: E402

CLI_TIMEOUT_S = 60


class CliBase(KemuTestCase):
    major = None

    @classmethod
    def setUpClass(cls):
        if cls.major is None:
            raise unittest.SkipTest("base class")
        cls.binary, cls.version = aws_cli_or_skip(cls.major)

    def aws(self, *args, check=True):
        cmd = [self.binary, "--endpoint-url", self.endpoint, "--region", "us-east-1",
               "--output", "json", "--cli-read-timeout", "20", "--cli-connect-timeout", "5",
               "kinesis", *args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=CLI_TIMEOUT_S,
                           env=self.env, cwd=self.tmp, stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            self.fail(f"{' '.join(args)} -> rc {p.returncode}\nstdout: {p.stdout}\n"
                      f"stderr: {p.stderr}")
        return p

    def aws_json(self, *args):
        out = self.aws(*args).stdout
        return json.loads(out) if out.strip() else None

    def data_arg(self, raw):
        """--data value that makes this CLI send `raw` (v2 takes base64, v1 raw text that it
        base64-encodes itself)."""
        return base64.b64encode(raw).decode() if self.major == 2 else raw.decode()

    def test_stream_round_trip(self):
        self.aws("create-stream", "--stream-name", "cli", "--shard-count", "2")
        self.aws("wait", "stream-exists", "--stream-name", "cli")
        d = self.aws_json("describe-stream", "--stream-name", "cli")["StreamDescription"]
        self.assertEqual(d["StreamStatus"], "ACTIVE")
        self.assertEqual(d["StreamARN"], f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/cli")
        self.assertEqual([s["ShardId"] for s in d["Shards"]],
                         ["shardId-000000000000", "shardId-000000000001"])

        # "a" routes to shard 0 on a 2-shard stream (md5 0cc1... < 2^127).
        first = self.aws_json("put-record", "--stream-name", "cli", "--partition-key", "a",
                              "--data", self.data_arg(b"hello-cli"))
        self.assertEqual(first["ShardId"], "shardId-000000000000")
        self.assertRegex(first["SequenceNumber"], r"^[0-9]{56}$")
        second = self.aws_json("put-record", "--stream-name", "cli", "--partition-key", "a",
                               "--data", self.data_arg("ünïcode".encode()),
                               "--explicit-hash-key", "0")
        self.assertEqual(second["ShardId"], "shardId-000000000000")
        self.assertGreater(int(second["SequenceNumber"]), int(first["SequenceNumber"]))

        # put-records shorthand: v2 decodes the base64 value, v1 sends the text itself.
        batch = self.aws_json("put-records", "--stream-name", "cli", "--records",
                              "Data=aGk=,PartitionKey=a", "Data=Ynll,PartitionKey=a",
                              "Data=eA==,PartitionKey=z,ExplicitHashKey="
                              "340282366920938463463374607431768211455")
        self.assertEqual(batch["FailedRecordCount"], 0)
        self.assertEqual([r["ShardId"] for r in batch["Records"]],
                         ["shardId-000000000000", "shardId-000000000000",
                          "shardId-000000000001"])
        expect_batch = [b"hi", b"bye", b"x"] if self.major == 2 else [b"aGk=", b"Ynll", b"eA=="]

        it = self.aws_json("get-shard-iterator", "--stream-name", "cli", "--shard-id",
                           "shardId-000000000000", "--shard-iterator-type",
                           "TRIM_HORIZON")["ShardIterator"]
        out = self.aws_json("get-records", "--shard-iterator", it, "--limit", "3")
        self.assertEqual(len(out["Records"]), 3)
        nxt = out["NextShardIterator"]
        self.assertNotEqual(nxt, it)
        out2 = self.aws_json("get-records", "--shard-iterator", nxt)
        recs = out["Records"] + out2["Records"]
        self.assertEqual([base64.b64decode(r["Data"]) for r in recs],
                         [b"hello-cli", "ünïcode".encode()] + expect_batch[:2])
        self.assertEqual([r["SequenceNumber"] for r in recs],
                         [first["SequenceNumber"], second["SequenceNumber"]]
                         + [r["SequenceNumber"] for r in batch["Records"][:2]])
        self.assertEqual({r["PartitionKey"] for r in recs}, {"a"})
        for r in recs:
            self.assertIsInstance(r["ApproximateArrivalTimestamp"], (int, float, str))
        self.assertIsInstance(out2["MillisBehindLatest"], int)

        it = self.aws_json("get-shard-iterator", "--stream-name", "cli", "--shard-id",
                           "shardId-000000000001", "--shard-iterator-type",
                           "AT_SEQUENCE_NUMBER", "--starting-sequence-number",
                           batch["Records"][2]["SequenceNumber"])["ShardIterator"]
        recs = self.aws_json("get-records", "--shard-iterator", it)["Records"]
        self.assertEqual([base64.b64decode(r["Data"]) for r in recs], expect_batch[2:])

        self.aws("delete-stream", "--stream-name", "cli")
        self.aws("wait", "stream-not-exists", "--stream-name", "cli")
        self.assertEqual(self.aws_json("list-streams")["StreamNames"], [])

    def test_list_streams_pages_through_next_token(self):
        names = ["p1", "p2", "p3", "p4", "p5"]
        for n in names:
            self.aws("create-stream", "--stream-name", n, "--shard-count", "1")
        # --page-size 2: the CLI's paginator must follow NextToken to collect all five.
        out = self.aws_json("list-streams", "--page-size", "2")
        self.assertEqual(out["StreamNames"], names)
        self.assertNotIn("NextToken", out)
        # --max-items 3 stops early and hands out the CLI's resume token ...
        out = self.aws_json("list-streams", "--page-size", "2", "--max-items", "3")
        self.assertEqual(out["StreamNames"], names[:3])
        self.assertIn("NextToken", out)
        # ... and --starting-token continues from it.
        rest = self.aws_json("list-streams", "--page-size", "2", "--starting-token",
                             out["NextToken"])
        self.assertEqual(rest["StreamNames"], names[3:])
        self.assertNotIn("NextToken", rest)
        # Single raw page: HasMoreStreams must come with NextToken (both CLIs page on it and
        # stop after page 1 without it).
        page = self.aws_json("list-streams", "--no-paginate", "--limit", "2")
        self.assertEqual(page["StreamNames"], names[:2])
        self.assertTrue(page["HasMoreStreams"])
        self.assertIn("NextToken", page)
        page = self.aws_json("list-streams", "--no-paginate", "--limit", "2", "--next-token",
                             page["NextToken"])
        self.assertEqual(page["StreamNames"], names[2:4])

    def test_missing_stream_is_an_error(self):
        p = self.aws("describe-stream", "--stream-name", "missing", check=False)
        self.assertEqual(p.returncode, 254 if self.major == 2 else 255, p.stderr)
        self.assertIn("ResourceNotFoundException", p.stderr)
        self.assertIn(f"Stream missing under account {ACCOUNT} not found.", p.stderr)
        self.assertEqual(p.stdout.strip(), "")
        p = self.aws("put-record", "--stream-name", "missing", "--partition-key", "k",
                     "--data", self.data_arg(b"x"), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ResourceNotFoundException", p.stderr)


class CliV1Test(CliBase):
    major = 1


class CliV2Test(CliBase):
    major = 2

    def test_v2_rejects_raw_data_client_side(self):
        p = self.aws("put-record", "--stream-name", "s", "--partition-key", "k", "--data",
                     "hello", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Invalid base64", p.stderr)


del CliBase

if __name__ == "__main__":
    run_main()
