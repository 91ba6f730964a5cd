"""`aws cloudwatch` and `aws logs` with the AWS CLI v1 (1.45: CloudWatch over AWS JSON 1.0) and
v2 (2.9: the query protocol) against `kemu up -c examples/kemu.yaml`, including `aws logs tail
--follow` (v2) showing a handler's line as its event arrives."""

import json
import os
import re
import selectors
import signal
import subprocess
import time
import unittest

from clients import aws_cli_or_skip
from cloudwatch_support import (ALARM_REASON_RE, ERRORS_ALARM, FUNCTION, GOOD_LINE, GROUP,
                                STREAM, PipelineKemu)
from kemu_harness import DEADLINE_SCALE, REGION, run_main
from seed_fixtures import seed_body

CLI_TIMEOUT_S = 60


class CliCase(PipelineKemu):
    major = None
    in_memory = False  # the boto3 and JS SDK tests run kemu --in-memory

    @classmethod
    def setUpClass(cls):
        if cls.major is None:
            raise unittest.SkipTest("base class")
        cls.binary, _ = aws_cli_or_skip(cls.major)
        super().setUpClass()

    def cmd(self, *args):
        return [self.binary, "--endpoint-url", self.endpoint, "--region", REGION, "--output",
                "json", "--cli-read-timeout", "30", "--cli-connect-timeout", "5", *args]

    def aws(self, *args, check=True):
        p = subprocess.run(self.cmd(*args), capture_output=True, text=True,
                           timeout=CLI_TIMEOUT_S, env=self.env, cwd=self.tmp,
                           stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            self.fail(f"{' '.join(args)} -> rc {p.returncode}\nstdout: {p.stdout}\n"
                      f"stderr: {p.stderr}")
        return p

    def aws_json(self, *args):
        out = self.aws(*args).stdout
        return json.loads(out) if out.strip() else {}

    def assert_cli_error(self, p, code, operation, message):
        self.assertNotEqual(p.returncode, 0)
        # The CLI adds "(reached max retries: 0)" when it considered retrying (v2 on a 404).
        self.assertRegex(p.stderr, re.escape(f"An error occurred ({code}) when calling the "
                                             f"{operation} operation") +
                         r"( \(reached max retries: \d+\))?: " + re.escape(message))

    def test_describe_alarms_shows_the_errors_alarm_in_alarm(self):
        out = self.aws_json("cloudwatch", "describe-alarms", "--alarm-names", ERRORS_ALARM)
        a = out["MetricAlarms"][0]
        self.assertEqual((a["AlarmName"], a["StateValue"]), (ERRORS_ALARM, "ALARM"))
        self.assertRegex(a["StateReason"], ALARM_REASON_RE)

    def test_get_metric_data_returns_incoming_records_and_iterator_age(self):
        now = int(time.time())
        queries = [
            {"Id": "incoming", "MetricStat": {"Metric": {
                "Namespace": "AWS/Kinesis", "MetricName": "IncomingRecords",
                "Dimensions": [{"Name": "StreamName", "Value": STREAM}]}, "Period": 60,
                "Stat": "Sum"}},
            {"Id": "age", "MetricStat": {"Metric": {
                "Namespace": "AWS/Lambda", "MetricName": "IteratorAge",
                "Dimensions": [{"Name": "FunctionName", "Value": FUNCTION}]}, "Period": 60,
                "Stat": "Maximum"}},
        ]
        out = self.aws_json("cloudwatch", "get-metric-data", "--metric-data-queries",
                            json.dumps(queries), "--start-time", str(now - 900), "--end-time",
                            str(now + 60))
        by_id = {x["Id"]: x for x in out["MetricDataResults"]}
        self.assertEqual(sum(by_id["incoming"]["Values"]), 2.0)
        self.assertTrue(by_id["age"]["Values"])

    def test_errors_unknown_alarm_invalid_period_unknown_log_group(self):
        self.assert_cli_error(
            self.aws("cloudwatch", "set-alarm-state", "--alarm-name", "no-such-alarm",
                     "--state-value", "OK", "--state-reason", "x", check=False),
            "ResourceNotFound", "SetAlarmState", "Alarm no-such-alarm not found")
        now = int(time.time())
        self.assert_cli_error(
            self.aws("cloudwatch", "get-metric-statistics", "--namespace", "AWS/Lambda",
                     "--metric-name", "Errors", "--start-time", str(now - 3600), "--end-time",
                     str(now), "--period", "61", "--statistics", "Sum", check=False),
            "InvalidParameterValue", "GetMetricStatistics",
            "The parameter Period must be a multiple of 60.")
        self.assert_cli_error(
            self.aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/nope",
                     check=False),
            "ResourceNotFoundException", "FilterLogEvents",
            "The specified log group does not exist.")

    def test_filter_and_get_log_events_show_the_handler_lines(self):
        out = self.aws_json("logs", "filter-log-events", "--log-group-name", GROUP,
                            "--filter-pattern", '"ORD-12345" created')
        self.assertEqual({e["message"] for e in out["events"]}, {GOOD_LINE})
        streams = self.aws_json("logs", "describe-log-streams", "--log-group-name", GROUP)
        name = streams["logStreams"][0]["logStreamName"]
        got = self.aws_json("logs", "get-log-events", "--log-group-name", GROUP,
                            "--log-stream-name", name, "--start-from-head")
        self.assertIn(GOOD_LINE, [e["message"] for e in got["events"]])


class CliV1Test(CliCase):
    major = 1


class CliV2Test(CliCase):
    major = 2

    def test_logs_tail_shows_the_lines_and_follow_shows_new_ones(self):
        out = self.aws("logs", "tail", GROUP, "--since", "15m").stdout
        self.assertIn(GOOD_LINE, out)
        tail = subprocess.Popen(self.cmd("logs", "tail", GROUP, "--follow", "--since", "15m",
                                         "--format", "short"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
                                cwd=self.tmp, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            self.read_until(tail, GOOD_LINE)
            body = json.loads(seed_body("/events/orders"))
            body["order_id"] = "ORD-FOLLOW"
            self.post("/events/orders", json.dumps(body))
            self.read_until(tail, "order ORD-FOLLOW created")
        finally:
            os.killpg(tail.pid, signal.SIGKILL)
            tail.wait()
            tail.stdout.close()
            tail.stderr.close()

    def read_until(self, proc, text, timeout=30):
        deadline = time.monotonic() + timeout * DEADLINE_SCALE
        seen = b""
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while text.encode() not in seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.fail(f"`aws logs tail --follow` did not show {text!r}; got {seen!r}")
                if sel.select(left):
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    if not chunk:
                        self.fail(f"`aws logs tail --follow` ended (rc {proc.wait()}): "
                                  f"{proc.stderr.read()!r}")
                    seen += chunk


del CliCase

if __name__ == "__main__":
    run_main()
