"""kemu on a disk that refuses writes (the "disk" fault of `kemu up --scenario-hooks`, a file
system that fails every write as a full disk does): PutRecord, PutRecords, SendMessage and the
front door answer AWS's 500 InternalFailure (never an acknowledgement); once the disk takes
writes again they succeed without a restart, and everything acknowledged before, during or
after the fault is read back, also after `kill -9` and a restart.

Run: python3 tests/e2e/test_disk_fault.py
"""

import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kemu_harness import (KemuTestCase, boto3_client, run_main, sqs_client,  # noqa: E402
                          wait_active)


class DiskFaultTest(KemuTestCase):
    kemu_args = ("--scenario-hooks",)

    def disk(self, fail):
        body = json.dumps({"kind": "disk", "fail_writes": fail}).encode()
        req = urllib.request.Request(f"{self.endpoint}/_kemu/scenario/faults", data=body,
                                     method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            self.assertEqual(resp.status, 200)

    def assert_internal_failure(self, call):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            call()
        err = cm.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 500)
        self.assertEqual(err["Error"]["Code"], "InternalFailure")

    def read_all(self, c):
        it = c.get_shard_iterator(StreamName="disk", ShardId="shardId-000000000000",
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return [bytes(r["Data"]) for r in c.get_records(ShardIterator=it)["Records"]]

    def receive_all(self, sqs, url):
        bodies = []
        while True:
            msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       VisibilityTimeout=0).get("Messages", [])
            new = [m["Body"] for m in msgs if m["Body"] not in bodies]
            if not new:
                return sorted(bodies)
            bodies += new

    def test_writes_fail_on_a_full_disk_and_recover_without_a_restart(self):
        c = boto3_client(self.endpoint)
        sqs = sqs_client(self.endpoint)
        c.create_stream(StreamName="disk", ShardCount=1)
        wait_active(c, "disk")
        url = sqs.create_queue(QueueName="disk-q")["QueueUrl"]
        c.put_record(StreamName="disk", Data=b"before", PartitionKey="pk")
        sqs.send_message(QueueUrl=url, MessageBody="m-before")

        self.disk(True)
        self.assert_internal_failure(
            lambda: c.put_record(StreamName="disk", Data=b"during", PartitionKey="pk"))
        self.assert_internal_failure(lambda: c.put_records(
            StreamName="disk", Records=[{"Data": b"during-batch", "PartitionKey": "pk"}]))
        self.assert_internal_failure(lambda: sqs.send_message(QueueUrl=url,
                                                              MessageBody="m-during"))
        # Reads still work on a full disk.
        self.assertEqual(self.read_all(c), [b"before"])

        self.disk(False)
        c.put_record(StreamName="disk", Data=b"after", PartitionKey="pk")
        out = c.put_records(StreamName="disk",
                            Records=[{"Data": b"after-batch", "PartitionKey": "pk"}])
        self.assertEqual(out["FailedRecordCount"], 0)
        sqs.send_message(QueueUrl=url, MessageBody="m-after")
        want = [b"before", b"after", b"after-batch"]
        self.assertEqual(self.read_all(c), want)
        self.assertEqual(self.receive_all(sqs, url), ["m-after", "m-before"])

        self.kemu.kill9()
        self.kemu.start()
        c = boto3_client(self.endpoint)
        sqs = sqs_client(self.endpoint)
        self.assertEqual(self.read_all(c), want)
        self.assertEqual(self.receive_all(sqs, sqs.get_queue_url(QueueName="disk-q")["QueueUrl"]),
                         ["m-after", "m-before"])


if __name__ == "__main__":
    run_main()
