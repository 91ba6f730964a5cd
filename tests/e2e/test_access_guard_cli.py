"""`kemu up --verify-signatures` through the AWS CLI v1 and v2 (clients.py finds them): the right
secret works on Kinesis and SQS, a wrong one gets each service's signature error and has no effect.

Run: python3 tests/e2e/test_access_guard_cli.py   (KEMU_BIN, KEMU_AWS_CLI_V1, KEMU_AWS_CLI_V2)
"""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from clients import aws_cli_or_skip  # noqa: E402
from kemu_harness import KemuTestCase, run_main  # noqa: E402

CLI_TIMEOUT_S = 60


class CliBase(KemuTestCase):
    major = None
    kemu_args = ("--verify-signatures",)

    @classmethod
    def setUpClass(cls):
        if cls.major is None:
            raise unittest.SkipTest("base class")
        cls.binary, cls.version = aws_cli_or_skip(cls.major)

    def aws(self, secret, *args):
        env = dict(self.env, AWS_SECRET_ACCESS_KEY=secret)
        cmd = [self.binary, "--endpoint-url", self.endpoint, "--region", "us-east-1",
               "--output", "json", "--cli-read-timeout", "20", "--cli-connect-timeout", "5", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, env=env,
                              cwd=self.tmp, stdin=subprocess.DEVNULL)

    def test_right_and_wrong_secrets(self):
        p = self.aws("test", "kinesis", "create-stream", "--stream-name", "ok",
                     "--shard-count", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.aws("test", "sqs", "create-queue", "--queue-name", "ok")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.aws("wrong", "kinesis", "create-stream", "--stream-name", "bad",
                     "--shard-count", "1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("InvalidSignatureException", p.stderr)
        p = self.aws("wrong", "sqs", "create-queue", "--queue-name", "bad")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("SignatureDoesNotMatch", p.stderr)
        p = self.aws("test", "sqs", "list-queues")
        self.assertNotIn("/bad", p.stdout)
        self.assertIn("/ok", p.stdout)
        p = self.aws("test", "kinesis", "list-streams")
        self.assertNotIn('"bad"', p.stdout)


class CliV1Test(CliBase):
    major = 1


class CliV2Test(CliBase):
    major = 2


if __name__ == "__main__":
    run_main()
