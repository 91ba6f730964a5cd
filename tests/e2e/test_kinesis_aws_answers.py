"""kemu Kinesis answering as AWS answers, seen from real clients: the wire (raw HTTP, JSON 1.1
and CBOR) for what SDKs never send (members of the wrong JSON type, validation failures in AWS's
order), boto3 and the AWS CLI for the rest: sequence numbers AWS refuses (a date far in the
future: InvalidArgumentException; an old, small one: a 500 whose body is only `__type`), the tag
actions looking the stream up first, SplitShard naming a short shard id in full, PutRecords with
some records throttled. docs/aws/kinesis.md says what AWS does.

Run: python3 tests/e2e/test_kinesis_aws_answers.py   (KEMU_BIN, KEMU_AWS_CLI_V2 override)
"""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore.exceptions import ClientError  # noqa: E402

from clients import aws_cli_or_skip  # noqa: E402
from kemu_harness import ACCOUNT, KemuTestCase, boto3_client, run_main, wait_active  # noqa: E402
from test_kinesis_wire import CBOR, JSON, WireBase, cbor_encode  # noqa: E402

# A version-0 sequence number (hex 13bb2cc3d8 then zeros) whose shard creation date, hex digits
# 1-9, is 0x3bb2cc3d8 s (the year 2477): AWS refuses it as invalid. Its shard index is 0.
FAR_FUTURE = "26227199374822427428162556223570313216"
TRUNCATING = ("class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
              "converted to an String")


class WireAnswers(WireBase):
    """Both encodings: a CBOR body is the same request encoded as the Java SDKs do."""

    def ask(self, action, body, cbor):
        if cbor:
            r = self.send(action, cbor_encode(body), ctype=CBOR)
            self.assertEqual(r.header("content-type"), CBOR, r)
            return r.status, r.cbor()
        r = self.send(action, body, ctype=JSON)
        self.assertEqual(r.header("content-type"), JSON, r)
        return r.status, (r.json() if r.body else None)

    def each_encoding(self):
        for cbor in (False, True):
            with self.subTest(encoding="CBOR" if cbor else "JSON"):
                yield cbor

    def test_type_errors(self):
        cases = [
            ("PutRecord", {"StreamName": "s", "PartitionKey": 5, "Data": ""}, TRUNCATING),
            ("PutRecords", {"StreamName": "s", "Records": [["x"]]},
             "Start of list found where not expected"),
            ("PutRecord", {"StreamName": "s", "PartitionKey": "k", "Data": "=+/="},
             "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"),
        ]
        for cbor in self.each_encoding():
            for action, body, message in cases:
                status, answer = self.ask(action, body, cbor)
                self.assertEqual(status, 400)
                self.assertEqual(answer, {"__type": "SerializationException", "Message": message})

    def test_list_tags_validation_order(self):
        for cbor in self.each_encoding():
            status, answer = self.ask("ListTagsForStream",
                                      {"StreamName": "", "ExclusiveStartTagKey": "", "Limit": 0},
                                      cbor)
            self.assertEqual(status, 400)
            self.assertEqual(answer, {
                "__type": "ValidationException",
                "message": "4 validation errors detected: Value '' at 'exclusiveStartTagKey' "
                           "failed to satisfy constraint: Member must have length greater than "
                           "or equal to 1; Value '0' at 'limit' failed to satisfy constraint: "
                           "Member must have value greater than or equal to 1; Value '' at "
                           "'streamName' failed to satisfy constraint: Member must satisfy "
                           "regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at "
                           "'streamName' failed to satisfy constraint: Member must have length "
                           "greater than or equal to 1"})

    def test_sequence_numbers_aws_refuses(self):
        self.call("CreateStream", {"StreamName": "s1", "ShardCount": 1})
        for cbor in self.each_encoding():
            for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
                status, answer = self.ask("GetShardIterator", {
                    "StreamName": "s1", "ShardId": "shard-0", "ShardIteratorType": kind,
                    "StartingSequenceNumber": FAR_FUTURE}, cbor)
                self.assertEqual(status, 400)
                self.assertEqual(answer, {
                    "__type": "InvalidArgumentException",
                    "message": f"StartingSequenceNumber {FAR_FUTURE} used in GetShardIterator on "
                               f"shard shardId-000000000000 in stream s1 under account {ACCOUNT} "
                               "is invalid."})
            status, answer = self.ask("PutRecord", {
                "StreamName": "s1", "PartitionKey": "k", "Data": "",
                "SequenceNumberForOrdering": FAR_FUTURE}, cbor)
            self.assertEqual(status, 400)
            self.assertEqual(answer, {
                "__type": "InvalidArgumentException",
                "message": f"ExclusiveMinimumSequenceNumber {FAR_FUTURE} used in PutRecord on "
                           f"stream s1 under account {ACCOUNT} is invalid."})
            status, answer = self.ask("GetShardIterator", {
                "StreamName": "s1", "ShardId": "shardId-000000000000",
                "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": "0"}, cbor)
            self.assertEqual((status, answer), (500, {"__type": "InternalFailure"}))


class Boto3Answers(KemuTestCase):
    kemu_args = ("--shard-limits",)

    def setUp(self):
        super().setUp()
        self.c = boto3_client(self.endpoint)

    def error_of(self, fn, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(**kwargs)
        e = cm.exception.response
        return e["ResponseMetadata"]["HTTPStatusCode"], e["Error"].get("Code"), e["Error"].get(
            "Message")

    def test_sequence_numbers(self):
        self.c.create_stream(StreamName="s1", ShardCount=1)
        wait_active(self.c, "s1")
        for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            self.assertEqual(
                self.error_of(self.c.get_shard_iterator, StreamName="s1", ShardId="shard-0",
                              ShardIteratorType=kind, StartingSequenceNumber=FAR_FUTURE),
                (400, "InvalidArgumentException",
                 f"StartingSequenceNumber {FAR_FUTURE} used in GetShardIterator on shard "
                 f"shardId-000000000000 in stream s1 under account {ACCOUNT} is invalid."))
        self.assertEqual(
            self.error_of(self.c.put_record, StreamName="s1", PartitionKey="k", Data=b"",
                          SequenceNumberForOrdering=FAR_FUTURE),
            (400, "InvalidArgumentException",
             f"ExclusiveMinimumSequenceNumber {FAR_FUTURE} used in PutRecord on stream s1 under "
             f"account {ACCOUNT} is invalid."))
        status, code, message = self.error_of(
            self.c.get_shard_iterator, StreamName="s1", ShardId="shard-0",
            ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="0")
        self.assertEqual((status, code), (500, "InternalFailure"))
        self.assertFalse(message, "AWS's answer has no message")

    def test_tag_actions_look_the_stream_up_first(self):
        not_found = (400, "ResourceNotFoundException",
                     f"Stream nope under account {ACCOUNT} not found.")
        for keys in (["a%b"], ["a\tb"]):
            self.assertEqual(self.error_of(self.c.remove_tags_from_stream, StreamName="nope",
                                           TagKeys=keys), not_found)
        self.assertEqual(self.error_of(self.c.add_tags_to_stream, StreamName="nope",
                                       Tags={"a%b": "v"}), not_found)

    def test_split_shard_names_a_short_shard_id_in_full(self):
        self.c.create_stream(StreamName="s3", ShardCount=3)
        wait_active(self.c, "s3")
        key = "999999999999999999999999999999999999999"  # past 2^128 - 1
        self.assertEqual(
            self.error_of(self.c.split_shard, StreamName="s3", ShardToSplit="shard-2",
                          NewStartingHashKey=key),
            (400, "InvalidArgumentException",
             f"NewStartingHashKey {key} used in SplitShard() on shard shardId-000000000002 in "
             f"stream s3 under account {ACCOUNT} is not both greater than one plus the shard's "
             "StartingHashKey 226854911280625642308916404954512140970 and less than the shard's "
             "EndingHashKey 340282366920938463463374607431768211455."))

    def test_put_records_with_throttled_records(self):
        self.c.create_stream(StreamName="t", ShardCount=2)
        wait_active(self.c, "t")
        # 1 MiB a second per shard: the third 400 KB record for "a"'s shard (shard 0) fails,
        # the others, and the one for "b" (shard 1), go in.
        big = {"PartitionKey": "a", "Data": b"x" * 400000}
        out = self.c.put_records(StreamName="t", Records=[big, big, big,
                                                          {"PartitionKey": "b", "Data": b"hi"}])
        self.assertEqual(out["FailedRecordCount"], 1)
        recs = out["Records"]
        self.assertEqual([r.get("ShardId") for r in recs],
                         ["shardId-000000000000", "shardId-000000000000", None,
                          "shardId-000000000001"])
        for i in (0, 1, 3):
            self.assertEqual(sorted(recs[i]), ["SequenceNumber", "ShardId"])
            self.assertRegex(recs[i]["SequenceNumber"], r"^[0-9]{56}$")
        self.assertEqual(recs[2], {
            "ErrorCode": "ProvisionedThroughputExceededException",
            "ErrorMessage": f"Rate exceeded for shard shardId-000000000000 in stream t under "
                            f"account {ACCOUNT}."})


class CliAnswers(KemuTestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary, cls.version = aws_cli_or_skip(2)

    def aws(self, *args):
        cmd = [self.binary, "--endpoint-url", self.endpoint, "--region", "us-east-1",
               "--output", "json", "kinesis", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=self.env,
                              cwd=self.tmp, stdin=subprocess.DEVNULL)

    def test_remove_tags_from_a_missing_stream(self):
        p = self.aws("remove-tags-from-stream", "--stream-name", "nope", "--tag-keys", "50%")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("(ResourceNotFoundException)", p.stderr)
        self.assertIn(f"Stream nope under account {ACCOUNT} not found.", p.stderr)


if __name__ == "__main__":
    run_main()
