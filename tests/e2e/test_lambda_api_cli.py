"""`aws lambda` with the AWS CLI v1 and v2 against `kemu up -c examples/kemu.yaml`: invoke with
a Kinesis-shaped event (the result, and the error fields of a raising handler),
update-event-source-mapping --batch-size, and AWS's errors for an unknown function, an unknown
mapping UUID and an invalid batch size."""

import base64
import json
import os
import re
import subprocess
import unittest

from clients import aws_cli_or_skip
from kemu_harness import REGION, run_main
from lambda_api_support import FUNCTION, LambdaKemu, kinesis_event, order

CLI_TIMEOUT_S = 60


class CliCase(LambdaKemu):
    major = None

    @classmethod
    def setUpClass(cls):
        if cls.major is None:
            raise unittest.SkipTest("base class")
        cls.binary, _ = aws_cli_or_skip(cls.major)
        super().setUpClass()

    def aws(self, *args, check=True):
        p = subprocess.run([self.binary, "--endpoint-url", self.endpoint, "--region", REGION,
                            "--output", "json", "--cli-read-timeout", "40", *args],
                           capture_output=True, text=True, timeout=CLI_TIMEOUT_S, env=self.env,
                           cwd=self.tmp, stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            self.fail(f"{' '.join(args)} -> rc {p.returncode}\nstderr: {p.stderr}")
        return p

    def assert_cli_error(self, p, code, operation, message):
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr, re.escape(f"An error occurred ({code}) when calling the "
                                             f"{operation} operation") +
                         r"( \(reached max retries: \d+\))?: " + re.escape(message))

    def invoke(self, event, name):
        """`aws lambda invoke` with the event in a file (both CLIs read fileb:// as bytes)."""
        path = os.path.join(self.tmp, name + ".json")
        with open(path, "w") as f:
            json.dump(event, f)
        out = os.path.join(self.tmp, name + ".out")
        meta = json.loads(self.aws("lambda", "invoke", "--function-name", FUNCTION,
                                   "--payload", "fileb://" + path, "--log-type", "Tail",
                                   out).stdout)
        with open(out) as f:
            return meta, json.load(f)

    def mapping_uuid(self):
        out = self.aws("lambda", "list-event-source-mappings", "--function-name", FUNCTION)
        return json.loads(out.stdout)["EventSourceMappings"][0]["UUID"]


# Each CLI call starts a Python process (about a second): the two CLIs share the checks between
# them, and test_lambda_api_boto3.py covers the rest.
class CliV1Test(CliCase):
    major = 1

    def test_invoke_update_batch_size_and_unknown_mapping(self):
        meta, result = self.invoke(kinesis_event(order(1)), "good")
        self.assertEqual((meta["StatusCode"], meta["ExecutedVersion"], result),
                         (200, "$LATEST", {"statusCode": 200}))
        self.assertIn("order ORD-1 created", base64.b64decode(meta["LogResult"]).decode())
        uuid = self.mapping_uuid()
        r = json.loads(self.aws("lambda", "update-event-source-mapping", "--uuid", uuid,
                                "--batch-size", "500").stdout)
        self.assertEqual((r["UUID"], r["BatchSize"], r["State"]), (uuid, 500, "Updating"))
        p = self.aws("lambda", "get-event-source-mapping", "--uuid",
                     "00000000-0000-4000-8000-000000000000", check=False)
        self.assert_cli_error(p, "ResourceNotFoundException", "GetEventSourceMapping",
                              "The resource you requested does not exist.")


class CliV2Test(CliCase):
    major = 2

    def test_invoke_error_fields_invalid_batch_size_and_unknown_function(self):
        meta, result = self.invoke(kinesis_event(order(2, amount=-1)), "bad")
        self.assertEqual((meta["StatusCode"], meta["FunctionError"]), (200, "Unhandled"))
        self.assertEqual(result["errorType"], "ValueError")
        p = self.aws("lambda", "update-event-source-mapping", "--uuid",
                     "00000000-0000-4000-8000-000000000000", "--batch-size", "20000",
                     check=False)
        self.assert_cli_error(p, "ValidationException", "UpdateEventSourceMapping",
                              "1 validation error detected: Value '20000' at 'batchSize' failed "
                              "to satisfy constraint: Member must have value less than or equal "
                              "to 10000")
        p = self.aws("lambda", "get-function", "--function-name", "nope", check=False)
        self.assert_cli_error(p, "ResourceNotFoundException", "GetFunction",
                              "Function not found: arn:aws:lambda:")


del CliCase

if __name__ == "__main__":
    run_main()
