"""kemu SQS through the AWS CLI v1 (1.45: JSON 1.0 protocol) and v2 (2.9: query protocol), each
found as clients.py says (KEMU_AWS_CLI_V1 / KEMU_AWS_CLI_V2, else the matching `aws` on PATH).
docs/aws/sqs.md describes what AWS does.

Run: python3 tests/e2e/test_sqs_cli.py   (KEMU_BIN, KEMU_AWS_CLI_V1, KEMU_AWS_CLI_V2 override)
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from clients import aws_cli_or_skip  # noqa: E402
from kemu_harness import ACCOUNT, REGION, KemuTestCase, run_main  # noqa: E402

CLI_TIMEOUT_S = 60
NON_EXISTENT = "AWS.SimpleQueueService.NonExistentQueue"


def md5_hex(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class SqsCliBase(KemuTestCase):
    major = None
    # What each protocol says for a missing queue: JSON "The specified queue does not exist.",
    # query "... does not exist for this wsdl version."
    missing_message = None

    @classmethod
    def setUpClass(cls):
        if cls.major is None:
            raise unittest.SkipTest("base class")
        cls.binary, _ = aws_cli_or_skip(cls.major)

    def aws(self, *args, check=True):
        cmd = [self.binary, "--endpoint-url", self.endpoint, "--region", REGION,
               "--output", "json", "--cli-read-timeout", "30", "--cli-connect-timeout", "5",
               "sqs", *args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=CLI_TIMEOUT_S,
                           env=self.env, cwd=self.tmp, stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            self.fail(f"{' '.join(args)} -> rc {p.returncode}\nstdout: {p.stdout}\n"
                      f"stderr: {p.stderr}")
        return p

    def aws_json(self, *args):
        out = self.aws(*args).stdout
        return json.loads(out) if out.strip() else {}

    def url(self, name):
        return f"{self.endpoint}/{ACCOUNT}/{name}"

    def assert_cli_error(self, p, code, operation, message):
        """Exit status 255 (v1) / 254 (v2) on a service error and the CLI's one-line error
        "An error occurred (Code) when calling the Op operation: message". The CLI may
        insert " (reached max retries: N)" after the operation name."""
        self.assertEqual(p.returncode, 254 if self.major == 2 else 255, p.stderr)
        pattern = (re.escape(f"An error occurred ({code}) when calling the {operation} "
                             f"operation") + r"(?: \(reached max retries: \d+\))?: "
                   + re.escape(message) + "\n")
        self.assertRegex(p.stderr, pattern)
        self.assertEqual(p.stdout.strip(), "")

    def counts(self, url):
        a = self.aws_json("get-queue-attributes", "--queue-url", url, "--attribute-names",
                          "ApproximateNumberOfMessages",
                          "ApproximateNumberOfMessagesNotVisible")["Attributes"]
        return int(a["ApproximateNumberOfMessages"]), \
            int(a["ApproximateNumberOfMessagesNotVisible"])

    def test_queue_and_message_round_trip(self):
        # Few CLI calls on purpose: each v1 call costs about a second of start-up.
        out = self.aws_json("create-queue", "--queue-name", "cli-q", "--attributes",
                            json.dumps({"VisibilityTimeout": "20", "DelaySeconds": "0"}))
        url = out["QueueUrl"]
        self.assertEqual(url, self.url("cli-q"))
        self.assertEqual(self.aws_json("get-queue-url", "--queue-name", "cli-q")["QueueUrl"], url)

        # Long poll on the empty queue: empty after the wait.
        start = time.monotonic()
        out = self.aws_json("receive-message", "--queue-url", url, "--wait-time-seconds", "1")
        self.assertGreaterEqual(time.monotonic() - start, 1.0)
        self.assertNotIn("Messages", out)

        attrs = {"kind": {"DataType": "String", "StringValue": "ünï"}}
        sent = self.aws_json("send-message", "--queue-url", url, "--message-body", "hello <cli>",
                             "--message-attributes", json.dumps(attrs))
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex("hello <cli>"))
        self.assertRegex(sent["MD5OfMessageAttributes"], r"^[0-9a-f]{32}$")
        batch = self.aws_json("send-message-batch", "--queue-url", url, "--entries", json.dumps([
            {"Id": "one", "MessageBody": "batch-1"},
            {"Id": "two", "MessageBody": "batch-2", "DelaySeconds": 0}]))
        self.assertEqual(sorted(e["Id"] for e in batch["Successful"]), ["one", "two"])
        self.assertNotIn("Failed", batch)
        for e in batch["Successful"]:
            self.assertEqual(e["MD5OfMessageBody"],
                             md5_hex({"one": "batch-1", "two": "batch-2"}[e["Id"]]))

        a = self.aws_json("get-queue-attributes", "--queue-url", url, "--attribute-names",
                          "All")["Attributes"]
        self.assertEqual(a["ApproximateNumberOfMessages"], "3")
        self.assertEqual(a["ApproximateNumberOfMessagesNotVisible"], "0")
        self.assertEqual(a["VisibilityTimeout"], "20")
        self.assertEqual(a["QueueArn"], f"arn:aws:sqs:{REGION}:{ACCOUNT}:cli-q")
        self.assertEqual(a["MaximumMessageSize"], "1048576")

        # Receive everything with a 1 s visibility timeout and long polling.
        got = {}
        deadline = time.monotonic() + 10
        while len(got) < 3 and time.monotonic() < deadline:
            out = self.aws_json("receive-message", "--queue-url", url, "--wait-time-seconds", "2",
                                "--max-number-of-messages", "10", "--visibility-timeout", "1",
                                "--attribute-names", "All", "--message-attribute-names", "All")
            for m in out.get("Messages", []):
                got[m["MessageId"]] = m
        self.assertEqual(sorted(m["Body"] for m in got.values()),
                         ["batch-1", "batch-2", "hello <cli>"])
        for m in got.values():
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
            self.assertEqual(m["MD5OfBody"], md5_hex(m["Body"]))
        hello = next(m for m in got.values() if m["Body"] == "hello <cli>")
        self.assertEqual(hello["MessageAttributes"], attrs)
        self.assertEqual(hello["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])

        # Visibility expires: the same messages come back, counted twice, with new handles.
        again = {}
        deadline = time.monotonic() + 10
        while len(again) < 3 and time.monotonic() < deadline:
            out = self.aws_json("receive-message", "--queue-url", url, "--wait-time-seconds", "5",
                                "--max-number-of-messages", "10",
                                "--attribute-names", "ApproximateReceiveCount")
            for m in out.get("Messages", []):
                again[m["MessageId"]] = m
        self.assertEqual(set(again), set(got))
        for mid, m in again.items():
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "2")
            self.assertNotEqual(m["ReceiptHandle"], got[mid]["ReceiptHandle"])

        # Delete one with its latest handle, the others in a batch.
        handle = again[hello["MessageId"]]["ReceiptHandle"]
        self.aws("delete-message", "--queue-url", url, "--receipt-handle", handle)
        p = self.aws("change-message-visibility", "--queue-url", url, "--receipt-handle",
                     handle, "--visibility-timeout", "5", check=False)
        self.assert_cli_error(p, "InvalidParameterValue", "ChangeMessageVisibility",
                              f"Value {handle} for parameter ReceiptHandle is invalid. Reason: "
                              "Message does not exist or is not available for visibility "
                              "timeout change.")
        rest = [m for mid, m in again.items() if mid != hello["MessageId"]]
        out = self.aws_json("delete-message-batch", "--queue-url", url, "--entries", json.dumps(
            [{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(rest)]))
        self.assertEqual(sorted(e["Id"] for e in out["Successful"]), ["d0", "d1"])
        self.assertNotIn("Failed", out)

        # Purge what is left; a second purge within the lockout fails (403).
        self.aws("send-message", "--queue-url", url, "--message-body", "to be purged")
        self.aws("purge-queue", "--queue-url", url)
        self.assertEqual(self.counts(url), (0, 0))
        p = self.aws("purge-queue", "--queue-url", url, check=False)
        self.assert_cli_error(p, "AWS.SimpleQueueService.PurgeQueueInProgress", "PurgeQueue",
                              "Only one PurgeQueue operation on cli-q is allowed every 60 "
                              "seconds.")

    def test_missing_queue_is_an_error(self):
        for args in (("get-queue-url", "--queue-name", "missing"),
                     ("receive-message", "--queue-url", self.url("missing"))):
            with self.subTest(op=args[0]):
                p = self.aws(*args, check=False)
                op = "".join(w.capitalize() for w in args[0].split("-"))
                self.assert_cli_error(p, NON_EXISTENT, op, self.missing_message)


class SqsCliV1Test(SqsCliBase):
    major = 1
    missing_message = "The specified queue does not exist."

    def test_move_task_on_a_queue_that_is_nobodys_dlq(self):
        self.aws("create-queue", "--queue-name", "on-failure")
        p = self.aws("start-message-move-task", "--source-arn",
                     f"arn:aws:sqs:{REGION}:{ACCOUNT}:on-failure", check=False)
        self.assert_cli_error(p, "InvalidParameterValue", "StartMessageMoveTask",
                              "Source queue must be configured as a Dead Letter Queue.")


class SqsCliV2Test(SqsCliBase):
    major = 2
    missing_message = "The specified queue does not exist for this wsdl version."

    def test_v2_has_no_move_task_commands(self):
        # This CLI's model (2.9) predates message move tasks: no such commands.
        p = self.aws("start-message-move-task", "--source-arn",
                     f"arn:aws:sqs:{REGION}:{ACCOUNT}:x", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Invalid choice", p.stderr)


del SqsCliBase

if __name__ == "__main__":
    run_main()
