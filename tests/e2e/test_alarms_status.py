"""The module's CloudWatch alarms evaluated by a running kemu (GET /_kemu/alarms and the lines
kemu prints), `kemu status`, and GET /_kemu/metrics, driven by a real failing handler."""

import http.client
import json
import re
import subprocess
import time

from kemu_harness import LambdaTestCase, kemu_bin, kemu_metrics, run_main, wait_until

HANDLER = '''
import base64


def process_event(event, context):
    for r in event["Records"]:
        if base64.b64decode(r["kinesis"]["data"]) == b"poison":
            raise ValueError("poisoned event")
'''


class AlarmsTest(LambdaTestCase):
    def get(self, path):
        c = http.client.HTTPConnection("127.0.0.1", int(self.kemu.endpoint.rsplit(":", 1)[1]), timeout=10)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read().decode()
        c.close()
        self.assertEqual(r.status, 200, body)
        return body

    def alarms(self):
        return {a["AlarmName"]: a for a in json.loads(self.get("/_kemu/alarms"))["MetricAlarms"]}

    def test_a_poisoned_event_raises_the_errors_and_dlq_alarms_and_they_clear(self):
        self.add_flow("orders", {"handler.py": HANDLER}, max_retry_attempts=1,
                      starting_position="TRIM_HORIZON", batch_window_seconds=0)
        self.start_kemu("--alarm-period-s", "2", "--no-function-logs")

        alarms = self.alarms()
        self.assertEqual(sorted(alarms), ["dev-orders-dlq-not-empty", "dev-orders-iterator-age",
                                          "dev-orders-lambda-errors", "dev-orders-lambda-iterator-age"])
        errors = alarms["dev-orders-lambda-errors"]
        self.assertEqual((errors["Namespace"], errors["MetricName"], errors["Statistic"]),
                         ("AWS/Lambda", "Errors", "Sum"))
        self.assertEqual(errors["Dimensions"], [{"Name": "FunctionName", "Value": "dev-orders-processor"}])
        self.assertEqual((errors["EvaluationPeriods"], errors["Threshold"], errors["TreatMissingData"]),
                         (1, 0.0, "notBreaching"))
        age = alarms["dev-orders-iterator-age"]
        self.assertEqual((age["Namespace"], age["MetricName"], age["Statistic"], age["EvaluationPeriods"],
                          age["Threshold"]),
                         ("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "Maximum", 5, 60000.0))
        self.assertEqual(alarms["dev-orders-dlq-not-empty"]["MetricName"],
                         "ApproximateNumberOfMessagesVisible")
        wait_until(lambda: all(a["StateValue"] == "OK" for a in self.alarms().values()), 10,
                   what="every alarm OK at rest")

        # "fine" is processed on its own first, so the poison's batch holds the poison alone.
        self.put("orders", "fine")
        wait_until(lambda: kemu_metrics(self.kemu.endpoint).get(
            ("kemu_lambda_invocations_total", "dev-orders-processor")) == 1, 10,
            what="the first invocation")
        self.put("orders", "poison")
        self.kemu.wait_line(lambda l: l.startswith("kemu alarm dev-orders-lambda-errors: OK -> ALARM"), 20)
        self.kemu.wait_line(lambda l: l.startswith("kemu alarm dev-orders-dlq-not-empty: OK -> ALARM"), 20)
        line = self.kemu.wait_line(lambda l: "dev-orders-lambda-errors: OK -> ALARM" in l, 1)
        self.assertRegex(line, r"Threshold Crossed: 1 out of the last 1 datapoints \[\d+\.0 \(")

        # kemu status shows the flow and its alarms.
        status = subprocess.run([kemu_bin(), "status", "--endpoint", self.kemu.endpoint],
                                capture_output=True, text=True, timeout=20)
        self.assertEqual(status.returncode, 0, status.stderr)
        header, row = status.stdout.splitlines()[:2]
        self.assertEqual(header.split()[:3], ["FLOW", "RECORDS", "IN"])
        cols = row.split()
        self.assertEqual(cols[0], "orders")
        self.assertEqual(cols[1], "2")           # records in
        self.assertEqual(cols[4], "3")           # invocations: fine, then poison twice
        self.assertEqual(cols[5], "2")           # errors
        self.assertEqual(cols[7], "1")           # DLQ depth
        self.assertIn("dlq-not-empty ALARM", status.stdout)
        as_json = json.loads(subprocess.run([kemu_bin(), "status", "--json", "--endpoint", self.kemu.endpoint],
                                            capture_output=True, text=True, timeout=20).stdout)
        flow = as_json["flows"][0]
        self.assertEqual((flow["function"], flow["dlq"], flow["errors"]),
                         ("dev-orders-processor", "dev-orders-dlq", 2))

        # The errors alarm clears once a period passes without errors; the DLQ one once it is empty.
        self.kemu.wait_line(lambda l: l.startswith("kemu alarm dev-orders-lambda-errors: ALARM -> OK"), 20)
        url = self.sqs.get_queue_url(QueueName="dev-orders-dlq")["QueueUrl"]
        self.sqs.purge_queue(QueueUrl=url)
        self.kemu.wait_line(lambda l: l.startswith("kemu alarm dev-orders-dlq-not-empty: ALARM -> OK"), 20)
        history = json.loads(self.get("/_kemu/alarms"))["AlarmHistory"]
        summaries = [(h["AlarmName"], h["HistorySummary"]) for h in history]
        self.assertIn(("dev-orders-lambda-errors", "Alarm updated from OK to ALARM"), summaries)
        self.assertIn(("dev-orders-lambda-errors", "Alarm updated from ALARM to OK"), summaries)

        # The metrics endpoint counts the same things: kemu's counters since start, and the AWS
        # metrics over the last 60 s named as the CloudWatch exporters name them.
        metrics = self.get("/_kemu/metrics")
        def value(family, label, name):
            m = re.search(r'^%s\{%s="%s"\} (\S+)$' % (family, label, re.escape(name)), metrics, re.M)
            self.assertIsNotNone(m, f"{family} in\n{metrics}")
            return float(m.group(1))
        fn = "dev-orders-processor"
        self.assertEqual(value("kemu_lambda_invocations_total", "function_name", fn), 3)
        self.assertEqual(value("kemu_lambda_errors_total", "function_name", fn), 2)
        self.assertEqual(value("kemu_kinesis_incoming_records_total", "stream_name", "dev-orders-stream"), 2)
        self.assertEqual(value("kemu_sqs_approximate_number_of_messages_visible", "queue_name",
                               "dev-orders-dlq"), 0)
        self.assertEqual(value("aws_lambda_invocations_sum", "function_name", fn), 3)
        self.assertEqual(value("aws_lambda_errors_sum", "function_name", fn), 2)
        self.assertEqual(value("aws_kinesis_incoming_records_sum", "stream_name", "dev-orders-stream"), 2)
        self.assertEqual(value("aws_sqs_approximate_number_of_messages_visible_maximum", "queue_name",
                               "dev-orders-dlq"), 1)
        self.assertGreater(value("aws_lambda_duration_maximum", "function_name", fn), 0)
        for family, kind in (("aws_lambda_errors_sum", "gauge"), ("kemu_lambda_errors_total", "counter"),
                             ("kemu_http_request_duration_seconds", "histogram")):
            self.assertIn(f"# TYPE {family} {kind}\n", metrics)
            self.assertIn(f"# HELP {family} ", metrics)
        self.assertRegex(metrics, r'kemu_http_request_duration_seconds_bucket\{service="kinesis",'
                                  r'action="PutRecord",le="\+Inf"\} [1-9]')


    def test_log_format_json_makes_every_log_line_an_object(self):
        self.add_flow("orders", {"handler.py": HANDLER}, max_retry_attempts=0,
                      starting_position="TRIM_HORIZON", batch_window_seconds=0)
        self.start_kemu("--alarm-period-s", "2", "--log-format", "json")
        banner = self.kemu.wait_line(lambda l: l.startswith("kemu event type orders: POST "), 5)
        self.assertIn("/v1/events/orders (batches: ", banner)
        self.kemu.wait_line(lambda l: l.startswith("kemu metrics: "), 5)
        self.put("orders", "poison")
        def json_line(pred):
            def match(line):
                if not line.startswith("{"):
                    return False
                return pred(json.loads(line))
            return json.loads(self.kemu.wait_line(match, 20))
        start = json_line(lambda j: j.get("function") == "dev-orders-processor"
                          and j["message"].startswith("START RequestId: "))
        self.assertRegex(start["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        json_line(lambda j: j.get("function") == "dev-orders-processor"
                  and j["message"] == "[ERROR] ValueError: poisoned event")
        alarm = json_line(lambda j: j.get("alarm") == "dev-orders-lambda-errors" and j["to"] == "ALARM")
        self.assertEqual(alarm["from"], "OK")
        self.assertIn("Threshold Crossed", alarm["reason"])
        # kemu's own log (stderr) is JSON too.
        self.kemu.stop()
        err_lines = [l for l in self.kemu.stderr_tail(100000).splitlines() if l.strip()]
        self.assertTrue(err_lines)
        for l in err_lines:
            j = json.loads(l)
            self.assertEqual(sorted(j), ["component", "level", "message", "ts"])


if __name__ == "__main__":
    run_main()
