"""`kemu up -c kemu.yaml` creates each flow's DLQ as the Terraform module does, and
`kemu dlq count` / `kemu dlq list FLOW` show a running kemu's failure records without
receiving them."""

import json
import os
import subprocess
import unittest

from kemu_harness import Kemu, KemuTestCase, kemu_bin, run_main, sqs_client

TOPOLOGY = """\
version: 1
environment: dev
event_flows:
  - event_type: orders
    lambda_source_path: lambda/orders
  - event_type: clicks
    dlq_enabled: false
    lambda_source_path: lambda/clicks
"""

RECORD = {
    "requestContext": {
        "requestId": "5f0e2c1a-8d3b-4b7e-9a61-2f4c9d0e7b13",
        "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:dev-orders-processor",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 3,
    },
    "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                        "functionError": "Unhandled"},
    "version": "1.0",
    "timestamp": "2024-06-10T14:55:02.118Z",
    "KinesisBatchInfo": {
        "shardId": "shardId-000000000002",
        "startSequenceNumber": "49651505085739302134812766549128712234570113226409443330",
        "endSequenceNumber": "49651505085739302134812766550337638054184742401115619330",
        "approximateArrivalOfFirstRecord": "2024-06-10T14:54:05.512Z",
        "approximateArrivalOfLastRecord": "2024-06-10T14:54:06.040Z",
        "batchSize": 2,
        "streamArn": "arn:aws:kinesis:us-east-1:000000000000:stream/dev-orders-stream",
    },
}


class DlqTest(KemuTestCase):
    def setUp(self):
        super().setUp()
        self.config = os.path.join(self.tmp, "kemu.yaml")
        with open(self.config, "w") as f:
            f.write(TOPOLOGY)
        self.kemu.stop()
        self.kemu = Kemu(self.data_dir, extra_args=["-c", self.config, "--no-lambda"],
                         log_dir=self.tmp)
        self.kemu.start()
        self.sqs = sqs_client(self.endpoint)

    def kemu_cmd(self, *args):
        return subprocess.run([kemu_bin(), "dlq", *args], capture_output=True, text=True,
                              timeout=30, cwd=self.tmp)

    def test_flows_get_their_dlq_with_the_module_attributes(self):
        urls = self.sqs.list_queues().get("QueueUrls", [])
        names = sorted(u.rsplit("/", 1)[1] for u in urls)
        self.assertEqual(names, ["dev-orders-dlq"])  # clicks has dlq_enabled: false
        url = self.sqs.get_queue_url(QueueName="dev-orders-dlq")["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["MessageRetentionPeriod"], "1209600")
        self.assertEqual(attrs["SqsManagedSseEnabled"], "true")
        self.assertNotIn("RedrivePolicy", attrs)

    def test_a_restart_keeps_the_dlq_and_its_messages(self):
        url = self.sqs.get_queue_url(QueueName="dev-orders-dlq")["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(RECORD))
        self.kemu.stop()
        self.kemu.start()
        self.sqs = sqs_client(self.endpoint)
        url = self.sqs.get_queue_url(QueueName="dev-orders-dlq")["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url,
                                              AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessages"], "1")

    def test_count_and_list_show_failure_records_without_receiving_them(self):
        url = self.sqs.get_queue_url(QueueName="dev-orders-dlq")["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(RECORD))
        self.sqs.send_message(QueueUrl=url, MessageBody="not a failure record")

        count = self.kemu_cmd("count", "--endpoint", self.endpoint, "-c", self.config)
        self.assertEqual(count.returncode, 0, count.stderr)
        rows = [line.split() for line in count.stdout.splitlines()[1:]]
        self.assertEqual(rows, [["dev-orders-dlq", "2", "0", "0"]])

        listing = self.kemu_cmd("list", "orders", "--endpoint", self.endpoint, "-c", self.config)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        out = listing.stdout
        self.assertIn("dev-orders-dlq: 2 messages", out)
        self.assertIn("RetryAttemptsExhausted after 3 attempts (functionError: Unhandled)", out)
        self.assertIn("2 records of shardId-000000000002", out)
        self.assertIn("sequence 49651505085739302134812766549128712234570113226409443330 .. "
                      "49651505085739302134812766550337638054184742401115619330", out)
        self.assertIn("body: not a failure record", out)

        as_json = self.kemu_cmd("list", "dev-orders-dlq", "--json", "--endpoint", self.endpoint)
        self.assertEqual(as_json.returncode, 0, as_json.stderr)
        lines = [json.loads(l) for l in as_json.stdout.splitlines()]
        self.assertEqual(json.loads(lines[0]["body"]), RECORD)

        # A peek: both are still visible and were never received.
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       AttributeNames=["ApproximateReceiveCount"])["Messages"]
        self.assertEqual(sorted(m["Attributes"]["ApproximateReceiveCount"] for m in got),
                         ["1", "1"])

    def test_unknown_flow_and_unreachable_kemu_are_one_clear_line(self):
        missing = self.kemu_cmd("list", "nope", "--endpoint", self.endpoint, "-c", self.config)
        self.assertEqual(missing.returncode, 2)
        self.assertIn("no queue nope", missing.stderr)
        down = self.kemu_cmd("count", "--endpoint", "http://127.0.0.1:1")
        self.assertEqual(down.returncode, 1)
        self.assertIn("cannot reach kemu at http://127.0.0.1:1", down.stderr)
        self.assertEqual(len(down.stderr.strip().splitlines()), 1)


REPLAY_TOPOLOGY = """\
version: 1
environment: dev
event_flows:
  - event_type: orders
    lambda_source_path: lambda/orders
    batch_size: 1
    batch_window_seconds: 0
    starting_position: TRIM_HORIZON
    max_retry_attempts: 0
    bisect_batch_on_function_error: false
"""

# Fails while a file named `broken` sits next to it; records every record it processed.
REPLAY_HANDLER = """\
import base64, json, os
HERE = os.path.dirname(os.path.abspath(__file__))
def process_event(event, context):
    if os.path.exists(os.path.join(HERE, "broken")):
        raise RuntimeError("downstream is down")
    with open(os.path.join(HERE, "seen.jsonl"), "a") as f:
        for r in event["Records"]:
            f.write(json.dumps(base64.b64decode(r["kinesis"]["data"]).decode()) + "\\n")
"""


class ReplayTest(KemuTestCase):
    def setUp(self):
        super().setUp()
        self.config = os.path.join(self.tmp, "kemu.yaml")
        with open(self.config, "w") as f:
            f.write(REPLAY_TOPOLOGY)
        self.code = os.path.join(self.tmp, "lambda", "orders")
        os.makedirs(self.code)
        with open(os.path.join(self.code, "handler.py"), "w") as f:
            f.write(REPLAY_HANDLER)
        self.kemu.stop()
        self.kemu = Kemu(self.data_dir, log_dir=self.tmp,
                         extra_args=["-c", self.config, "--lambda-retry-backoff-ms", "10",
                                     "--no-function-logs"])
        self.kemu.start()
        self.sqs = sqs_client(self.endpoint)

    def seen(self):
        path = os.path.join(self.code, "seen.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f]

    def dlq_depth(self):
        url = self.sqs.get_queue_url(QueueName="dev-orders-dlq")["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url,
                                              AttributeNames=["ApproximateNumberOfMessages"])
        return int(attrs["Attributes"]["ApproximateNumberOfMessages"])

    def test_replay_reruns_failed_batches_from_the_stream_and_empties_the_dlq(self):
        from kemu_harness import boto3_client, wait_until
        open(os.path.join(self.code, "broken"), "w").close()
        kinesis = boto3_client(self.endpoint)
        for i in range(3):
            kinesis.put_record(StreamName="dev-orders-stream", Data=f"order-{i}".encode(),
                               PartitionKey="p")
        wait_until(lambda: self.dlq_depth() == 3, 30, what="three failure records in the DLQ")
        self.assertEqual(self.seen(), [])

        # Still broken: nothing is deleted, the exit status says some are left.
        still = subprocess.run([kemu_bin(), "dlq", "replay", "orders", "--endpoint", self.endpoint],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(still.returncode, 3, still.stdout + still.stderr)
        self.assertIn("replayed 0 failure records, 3 left", still.stdout)
        self.assertIn("RuntimeError", still.stdout)
        self.assertEqual(self.dlq_depth(), 3)

        os.remove(os.path.join(self.code, "broken"))
        fixed = subprocess.run([kemu_bin(), "dlq", "replay", "orders", "--endpoint", self.endpoint],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(fixed.returncode, 0, fixed.stdout + fixed.stderr)
        self.assertIn("replayed 3 failure records, 0 left", fixed.stdout)
        self.assertEqual(sorted(self.seen()), ["order-0", "order-1", "order-2"])
        self.assertEqual(self.dlq_depth(), 0)

    def test_replay_of_an_unknown_flow_is_a_clear_error(self):
        r = subprocess.run([kemu_bin(), "dlq", "replay", "nope", "--endpoint", self.endpoint],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no running processor for flow nope", r.stderr)


if __name__ == "__main__":
    run_main()
