"""The Lambda API with boto3 against `kemu up -c examples/kemu.yaml`: invoke the orders processor
with a Kinesis-shaped event (its result, and the error fields for a poisoned order), read the
functions and the mappings, change the orders mapping's batch size live and see the handler get
smaller batches, disable it while records arrive and enable it to resume from the checkpoint,
and AWS's errors. Runs under boto3 1.43 and 1.26 (tests/CMakeLists.txt)."""

import base64
import json
import subprocess
import time

import boto3
import botocore
from botocore.config import Config

from kemu_harness import REGION, kemu_bin, run_main, wait_until
from lambda_api_support import FUNCTION, STREAM, UUID_RE, LambdaKemu, kinesis_event, order


class LambdaApiBoto3Test(LambdaKemu):
    @classmethod
    def connect(cls):
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                        region_name=REGION)
        cfg = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=40)
        cls.lam = session.client("lambda", endpoint_url=cls.endpoint, config=cfg)
        cls.kinesis = session.client("kinesis", endpoint_url=cls.endpoint, config=cfg)

    def assert_error(self, call, code, status, message):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call()
        err = ctx.exception.response
        self.assertEqual((err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
                          err["Error"]["Message"]), (code, status, message))

    def orders_mapping(self):
        ms = self.lam.list_event_source_mappings(FunctionName=FUNCTION)["EventSourceMappings"]
        self.assertEqual(len(ms), 1)
        return ms[0]

    def put_orders(self, first, count):
        self.kinesis.put_records(StreamName=STREAM, Records=[
            {"Data": json.dumps(order(f"B{n}")).encode(), "PartitionKey": "pk"}
            for n in range(first, first + count)])

    def test_invoke_returns_the_result_and_the_error_fields(self):
        r = self.lam.invoke(FunctionName=FUNCTION, Payload=json.dumps(kinesis_event(order(1))),
                            LogType="Tail")
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(json.loads(r["Payload"].read()), {"statusCode": 200})
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", r)
        log = base64.b64decode(r["LogResult"]).decode()
        self.assertIn("order ORD-1 created: 1 item, 10.00 USD", log)
        self.assertRegex(log, r"(?s)^START RequestId: .*REPORT RequestId: ")

        r = self.lam.invoke(FunctionName=FUNCTION, LogType="Tail",
                            Payload=json.dumps(kinesis_event(order(2, amount=-1))))
        self.assertEqual((r["StatusCode"], r["FunctionError"]), (200, "Unhandled"))
        err = json.loads(r["Payload"].read())
        self.assertEqual(err["errorType"], "ValueError")
        self.assertIn("invalid order ORD-2", err["errorMessage"])
        self.assertIn("ValueError", base64.b64decode(r["LogResult"]).decode())

        r = self.lam.invoke(FunctionName=FUNCTION, InvocationType="DryRun")
        self.assertEqual(r["StatusCode"], 204)
        r = self.lam.invoke(FunctionName=FUNCTION, InvocationType="Event",
                            Payload=json.dumps(kinesis_event(order("E1"))))
        self.assertEqual(r["StatusCode"], 202)
        self.kemu.wait_line(lambda l: "order ORD-E1 created" in l, 20, what="the Event invoke")

    def test_functions_and_mappings_read_as_on_aws(self):
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertIn(FUNCTION, names)
        c = self.lam.get_function_configuration(FunctionName=FUNCTION)
        self.assertEqual((c["Runtime"], c["Handler"], c["MemorySize"], c["Timeout"]),
                         ("python3.11", "handler.process_event", 256, 30))
        arn = c["FunctionArn"]
        self.assertEqual(self.lam.get_function(FunctionName=arn)["Configuration"]["FunctionName"],
                         FUNCTION)
        page = self.lam.list_event_source_mappings(MaxItems=1)
        self.assertEqual(len(page["EventSourceMappings"]), 1)
        self.assertIn("NextMarker", page)
        m = self.orders_mapping()
        self.assertRegex(m["UUID"], UUID_RE)
        self.assertEqual((m["FunctionArn"], m["StartingPosition"], m["MaximumRetryAttempts"]),
                         (arn, "TRIM_HORIZON", 3))
        self.assertTrue(m["EventSourceArn"].endswith(":stream/" + STREAM))
        by_arn = self.lam.list_event_source_mappings(EventSourceArn=m["EventSourceArn"])
        self.assertEqual([x["UUID"] for x in by_arn["EventSourceMappings"]], [m["UUID"]])
        self.assertEqual(self.lam.get_event_source_mapping(UUID=m["UUID"])["UUID"], m["UUID"])

    def test_update_batch_size_disable_and_enable(self):
        uuid = self.orders_mapping()["UUID"]
        r = self.lam.update_event_source_mapping(UUID=uuid, BatchSize=2)
        self.assertEqual((r["State"], r["BatchSize"]), ("Updating", 2))
        wait_until(lambda: self.lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled",
                   10, interval=0.1, what="the mapping Enabled")
        self.put_orders(0, 6)
        wait_until(lambda: sum(map(len, self.batches())) >= 6, 20, interval=0.1,
                   what="the six orders processed")
        self.assertTrue(all(len(b) <= 2 for b in self.batches()), self.batches())
        # `kemu status` marks the flow whose live settings differ from kemu.yaml.
        status = subprocess.run([kemu_bin(), "status", "--endpoint", self.endpoint],
                                capture_output=True, text=True, timeout=15)
        self.assertIn("* orders: mapping changed through the Lambda API (BatchSize 100 -> 2)",
                      status.stdout)

        r = self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)
        self.assertEqual(r["State"], "Disabling")
        wait_until(lambda: self.lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled",
                   10, interval=0.1, what="the mapping Disabled")
        time.sleep(0.3)  # a lane finishing its last look
        seen = len(self.order_lines())
        self.put_orders(6, 3)
        time.sleep(1.5)  # records arrive; nothing is invoked
        self.assertEqual(len(self.order_lines()), seen)
        r = self.lam.update_event_source_mapping(UUID=uuid, Enabled=True, BatchSize=100)
        self.assertEqual(r["State"], "Enabling")
        wait_until(lambda: len(self.order_lines()) >= seen + 3, 20, interval=0.1,
                   what="the orders put while disabled")
        got = [l.split(" order ")[1].split(" ")[0] for l in self.order_lines()]
        self.assertEqual(sorted(set(got)), [f"ORD-B{n}" for n in range(9)])

    def test_errors_unknown_function_unknown_mapping_invalid_batch_size(self):
        arn = f"arn:aws:lambda:{REGION}:000000000000:function:nope"
        account = self.lam.get_function(FunctionName=FUNCTION)["Configuration"]["FunctionArn"]
        arn = account.rsplit(":", 1)[0] + ":nope"
        self.assert_error(lambda: self.lam.invoke(FunctionName="nope", Payload=b"{}"),
                          "ResourceNotFoundException", 404, "Function not found: " + arn)
        self.assert_error(lambda: self.lam.get_function(FunctionName="nope"),
                          "ResourceNotFoundException", 404, "Function not found: " + arn)
        missing = "00000000-0000-4000-8000-000000000000"
        self.assert_error(lambda: self.lam.get_event_source_mapping(UUID=missing),
                          "ResourceNotFoundException", 404,
                          "The resource you requested does not exist.")
        self.assert_error(lambda: self.lam.update_event_source_mapping(UUID=missing, BatchSize=5),
                          "ResourceNotFoundException", 404,
                          "The resource you requested does not exist.")
        uuid = self.orders_mapping()["UUID"]
        self.assert_error(
            lambda: self.lam.update_event_source_mapping(UUID=uuid, BatchSize=20000),
            "ValidationException", 400,
            "1 validation error detected: Value '20000' at 'batchSize' failed to satisfy "
            "constraint: Member must have value less than or equal to 10000")


if __name__ == "__main__":
    run_main()
