"""The examples/ project end to end: `kemu up -c examples/kemu.yaml` (a copy in the test's temp
dir) on a free port, the seed's three `curl` requests (tests/fixtures/seed/) sent with curl
itself, and then what a new user must see: each handler processing its events (its lines in
kemu's stdout and in the function log), the metrics counting them, and poisoned orders ending up
in dev-orders-dlq as Lambda's on-failure records (its invocation record for a Kinesis source:
requestContext, responseContext, KinesisBatchInfo), read back with boto3 SQS and `kemu dlq list`,
with the orders errors alarm going to ALARM (GET /_kemu/alarms)."""

import json
import os
import re
import shutil
import subprocess

from kemu_harness import (REPO, REGION, UUID_RE, LambdaTestCase, StdoutKemu, kemu_bin,
                          kemu_metrics, run_main, wait_until)
from seed_fixtures import seed_body

EXAMPLES = os.path.join(REPO, "examples")
DEADLINE_S = 20.0


class ExamplesTest(LambdaTestCase):
    """kemu on a copy of examples/ (the handlers and kemu.yaml as shipped), fast retries."""

    def setUp(self):
        super().setUp()
        self.examples = os.path.join(self.tmp, "examples")
        shutil.copytree(EXAMPLES, self.examples,
                        ignore=shutil.ignore_patterns("__pycache__", ".kemu"))
        self.config = os.path.join(self.examples, "kemu.yaml")
        self.kemu = StdoutKemu(self.data_dir, log_dir=self.tmp, extra_args=[
            "-c", self.config, "--lambda-retry-backoff-ms", "10"])
        self.kemu.start()
        self.api = self.kemu.endpoint + "/v1"

    # -- helpers --

    def curl(self, path, body):
        """POST with curl itself, as the seed does; returns (status, parsed JSON body)."""
        r = subprocess.run(["curl", "-sS", "-X", "POST", self.api + path,
                            "-H", "Content-Type: application/json", "-d", body,
                            "-w", "\n%{http_code}"],
                           capture_output=True, text=True, timeout=15)
        self.assertEqual(r.returncode, 0, r.stderr)
        text, status = r.stdout.rsplit("\n", 1)
        return int(status), json.loads(text)

    def wait_stdout(self, line, timeout=DEADLINE_S):
        return self.kemu.wait_line(lambda l: l == line, timeout, what=repr(line))

    def stdout_count(self, line):
        return sum(1 for l in list(self.kemu.lines) if l == line)

    def wait_metrics(self, expected, timeout=DEADLINE_S):
        """Waits until every (family, resource) has its value (or passes its check)."""
        last = {}

        def check():
            last.clear()
            last.update(kemu_metrics(self.kemu.endpoint))
            for key, want in expected.items():
                got = last.get(key)
                ok = want(got) if callable(want) else got == want
                if not ok:
                    return False
            return True
        try:
            wait_until(check, timeout, interval=0.1, what="the metrics")
        except AssertionError:
            diff = {k: last.get(k) for k in expected}
            raise AssertionError(f"metrics after {timeout} s: {diff}") from None
        return last

    def arrivals(self, event_type, shard_id):
        """{sequence number: arrival time in s} of the shard, read with GetRecords."""
        it = self.kinesis.get_shard_iterator(StreamName=self.stream_name(event_type),
                                             ShardId=shard_id,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        recs = self.kinesis.get_records(ShardIterator=it, Limit=1000)["Records"]
        return {r["SequenceNumber"]: r["ApproximateArrivalTimestamp"].timestamp() for r in recs}

    def alarms(self):
        import urllib.request
        with urllib.request.urlopen(self.kemu.endpoint + "/_kemu/alarms", timeout=5) as r:
            return json.loads(r.read())["MetricAlarms"]

    # -- the tests --

    def test_the_seeds_curl_requests_flow_through_every_handler(self):
        # Sent right after start: TRIM_HORIZON in examples/kemu.yaml means none is missed.
        status, single = self.curl("/events/user_activity", seed_body("/events/user_activity"))
        self.assertEqual(status, 200, single)
        self.assertEqual(single["ShardId"], "shardId-000000000000")
        self.assertEqual(single["EncryptionType"], "KMS")
        status, order = self.curl("/events/orders", seed_body("/events/orders"))
        self.assertEqual(status, 200, order)
        self.assertRegex(order["SequenceNumber"], r"^\d+$")
        status, batch = self.curl("/events/batch/user_activity",
                                  seed_body("/events/batch/user_activity"))
        self.assertEqual(status, 200, batch)
        self.assertEqual(batch["FailedRecordCount"], 0)
        self.assertEqual(len(batch["Records"]), 2)
        status, payment = self.curl("/events/payments", json.dumps(
            {"payment_id": "PAY-001", "order_id": "ORD-12345", "status": "captured",
             "amount": 99.99, "currency": "USD"}))
        self.assertEqual(status, 200, payment)

        printed = {
            "user_activity": ["user user123 page_view /products", "user user1 login",
                              "user user2 signup"],
            "orders": ["order ORD-12345 created: 2 items, 99.99 USD"],
            "payments": ["payment PAY-001 captured: 99.99 USD for ORD-12345"],
        }
        for event_type, lines in printed.items():
            for line in lines:
                self.wait_stdout(f"[{self.function_name(event_type)}] {line}")

        m = self.wait_metrics({
            ("kemu_kinesis_incoming_records_total", "dev-user_activity-stream"): 3,
            ("kemu_kinesis_incoming_records_total", "dev-orders-stream"): 1,
            ("kemu_kinesis_incoming_records_total", "dev-payments-stream"): 1,
            ("kemu_apigateway_count_total", "dev-events-ingestion"): 4,
            ("kemu_lambda_invocations_total", "dev-orders-processor"): 1,
            ("kemu_lambda_invocations_total", "dev-payments-processor"): 1,
            # 1 to 3 batches, depending on how the window cut the three records.
            ("kemu_lambda_invocations_total", "dev-user_activity-processor"): lambda v: v and 1 <= v <= 3,
        })
        for fn in ("dev-user_activity-processor", "dev-orders-processor", "dev-payments-processor"):
            self.assertEqual(m[("kemu_lambda_errors_total", fn)], 0, fn)
        self.assertEqual(m[("kemu_apigateway_4_xxerror_total", "dev-events-ingestion")], 0)
        self.assertEqual(m[("kemu_sqs_approximate_number_of_messages_visible", "dev-orders-dlq")], 0)

        # Each event processed exactly once (no errors, so no redelivery), and the same lines
        # are in the function logs under .kemu-style data dir logs/aws/lambda/<function>.log.
        for event_type, lines in printed.items():
            log = self.function_log(event_type).splitlines()
            for line in lines:
                self.assertEqual(self.stdout_count(f"[{self.function_name(event_type)}] {line}"), 1)
                self.assertIn(line, log)
            self.assertTrue(any(l.startswith("REPORT RequestId: ") for l in log), log)

    def test_poisoned_orders_end_up_in_the_dlq_and_good_ones_flow_on(self):
        good1 = {"order_id": "ORD-1", "type": "created", "items": [{"sku": "A", "quantity": 1}],
                 "total_amount": 10.0, "currency": "USD"}
        negative = {"order_id": "ORD-BAD", "type": "created", "items": [], "total_amount": -5.0,
                    "currency": "USD"}
        good2 = {"order_id": "ORD-2", "type": "created", "items": [{"sku": "B", "quantity": 3}],
                 "total_amount": 30.5, "currency": "EUR"}
        no_id = {"customer_id": "CUST-9", "type": "created", "total_amount": 1.0, "currency": "USD"}
        records = [{"data": json.dumps(o), "partitionKey": f"pk-{i}"}
                   for i, o in enumerate((good1, negative, good2, no_id))]
        status, put = self.curl("/events/batch/orders", json.dumps({"records": records}))
        self.assertEqual(status, 200, put)
        self.assertEqual(put["FailedRecordCount"], 0, put)
        seqs = [r["SequenceNumber"] for r in put["Records"]]
        shard = put["Records"][0]["ShardId"]

        # Good orders are processed (at least once: a failing batch is bisected and retried,
        # so a good order before a bad one in the same batch can run more than once).
        fn = self.function_name("orders")
        self.wait_stdout(f"[{fn}] order ORD-1 created: 1 item, 10.00 USD")
        self.wait_stdout(f"[{fn}] order ORD-2 created: 3 items, 30.50 EUR")

        # Each bad order alone: 1 attempt + 3 retries (max_retry_attempts: 3), then the DLQ.
        self.wait_metrics({("kemu_sqs_approximate_number_of_messages_visible", "dev-orders-dlq"): 2,
                           ("kemu_lambda_errors_total", fn): lambda v: v is not None and v >= 8})
        errors = [l for l in self.kemu.lines if l.startswith(f"[{fn}] [ERROR] ValueError: ")]
        # Alone 4 times, plus once in each bigger batch that failed on it before bisection.
        self.assertGreaterEqual(sum("invalid order ORD-BAD" in l and
                                    "total_amount is negative: -5.0" in l for l in errors), 4, errors)
        self.assertGreaterEqual(sum("invalid order ? " in l and "missing order_id" in l
                                    for l in errors), 4, errors)

        # `kemu dlq list orders` shows both without receiving them.
        listing = subprocess.run([kemu_bin(), "dlq", "list", "orders", "-c", self.config,
                                  "--endpoint", self.kemu.endpoint],
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        out = listing.stdout
        self.assertIn("dev-orders-dlq: 2 messages", out)
        self.assertEqual(out.count("RetryAttemptsExhausted after 4 attempts "
                                   "(functionError: Unhandled)"), 2, out)
        self.assertEqual(out.count(f"1 records of {shard}, {self.stream_arn('orders')}"), 2, out)
        for seq in (seqs[1], seqs[3]):
            self.assertIn(f"sequence {seq} .. {seq}", out)

        # boto3 SQS reads the same two messages: Lambda's on-failure records, no record data.
        bodies = self.receive_dlq("orders", 2)
        arrived = self.arrivals("orders", shard)
        log = self.function_log("orders")
        for body, seq, order in zip(bodies, (seqs[1], seqs[3]), (negative, no_id)):
            rec = {"seq": seq, "shard": shard, "ts": arrived[seq]}
            self.assert_failure_record(body, "orders", rec, rec, 1, "RetryAttemptsExhausted", 4,
                                       "Unhandled")
            # The requestId is an invocation of that record that failed with the ValueError.
            rid = body["requestContext"]["requestId"]
            self.assertRegex(rid, UUID_RE)
            self.assertRegex(log, re.compile(
                rf"START RequestId: {rid} [^\n]*\n\[ERROR\] ValueError: invalid order "
                rf"{re.escape(order.get('order_id', '?'))} \(sequence {seq}\)"))

        # The orders errors alarm (the module's: AWS/Lambda Errors, Sum, 60 s x 1, > 0) went to
        # ALARM, printed on kemu's terminal and shown by GET /_kemu/alarms.
        alarm = wait_until(lambda: next(
            (a for a in self.alarms() if a["AlarmName"] == "dev-orders-lambda-errors"
             and a["StateValue"] == "ALARM"), None), DEADLINE_S,
            interval=0.2, what="dev-orders-lambda-errors in ALARM")
        self.assertEqual((alarm["Namespace"], alarm["MetricName"], alarm["Statistic"],
                          alarm["Period"], alarm["EvaluationPeriods"], alarm["Threshold"],
                          alarm["ComparisonOperator"], alarm["Dimensions"]),
                         ("AWS/Lambda", "Errors", "Sum", 60, 1, 0.0, "GreaterThanThreshold",
                          [{"Name": "FunctionName", "Value": fn}]), alarm)
        self.kemu.wait_line(lambda l: "dev-orders-lambda-errors" in l and "ALARM" in l,
                            DEADLINE_S, what="the alarm's state change on kemu's terminal")
        # No other flow's alarm, nor an iterator-age alarm (the shard never fell behind).
        others = [a["AlarmName"] for a in self.alarms() if a["StateValue"] == "ALARM"]
        self.assertLessEqual(set(others), {"dev-orders-dlq-not-empty", "dev-orders-lambda-errors"})

        # The shard moved on: a later good order flows without waiting for anything.
        status, _ = self.curl("/events/orders", json.dumps(dict(good1, order_id="ORD-3")))
        self.assertEqual(status, 200)
        self.wait_stdout(f"[{fn}] order ORD-3 created: 1 item, 10.00 USD")


if __name__ == "__main__":
    run_main()
