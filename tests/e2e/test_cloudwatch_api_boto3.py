"""The CloudWatch and CloudWatch Logs APIs with boto3 against `kemu up -c examples/kemu.yaml`.
Under boto3 1.43 CloudWatch speaks AWS JSON 1.0 in query-compatible mode; under boto3 1.26 (the
second run, see tests/CMakeLists.txt) the query protocol with XML answers."""

import datetime
import gzip
import json
import os
import unittest

import boto3
import botocore
import botocore.session
import botocore.utils
from botocore.config import Config

from cloudwatch_support import (ALARM_REASON_RE, ERRORS_ALARM, FUNCTION, GOOD_LINE, GROUP,
                                STREAM, PipelineKemu)
from kemu_harness import REGION, run_main


class CloudWatchBoto3Test(PipelineKemu):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                        region_name=REGION)
        cfg = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=15)
        cls.cw = session.client("cloudwatch", endpoint_url=cls.endpoint, config=cfg)
        cls.logs = session.client("logs", endpoint_url=cls.endpoint, config=cfg)

    def cbor_client(self):
        """botocore's own RPC v2 CBOR client for CloudWatch: the model as shipped, with CBOR as
        its only protocol (botocore prefers JSON 1.0 when both are listed, as the JS SDK does)."""
        utils = botocore.utils
        if "smithy-rpc-v2-cbor" not in getattr(utils, "PRIORITY_ORDERED_SUPPORTED_PROTOCOLS", ()):
            raise unittest.SkipTest(f"botocore {botocore.__version__} has no RPC v2 CBOR")
        data = os.path.join(os.path.dirname(botocore.__file__), "data", "cloudwatch",
                            "2010-08-01")
        name = next(n for n in os.listdir(data) if n.startswith("service-2.json"))
        opener = gzip.open if name.endswith(".gz") else open
        with opener(os.path.join(data, name), "rt") as f:
            model = json.load(f)
        model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
        model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
        models = os.path.join(self.tmp, "models")
        os.makedirs(os.path.join(models, "cloudwatch", "2010-08-01"), exist_ok=True)
        with open(os.path.join(models, "cloudwatch", "2010-08-01", "service-2.json"), "w") as f:
            json.dump(model, f)
        session = botocore.session.get_session()
        session.get_component("data_loader").search_paths.insert(0, models)
        client = session.create_client("cloudwatch", endpoint_url=self.endpoint,
                                       region_name=REGION, aws_access_key_id="test",
                                       aws_secret_access_key="test",
                                       config=Config(retries={"total_max_attempts": 1}))
        self.assertEqual(client.meta.service_model.protocol, "smithy-rpc-v2-cbor")
        return client

    def test_rpc_v2_cbor_answers_as_the_other_protocols(self):
        cw = self.cbor_client()
        a = cw.describe_alarms(AlarmNames=[ERRORS_ALARM])["MetricAlarms"][0]
        self.assertEqual(a["StateValue"], "ALARM")
        self.assertRegex(a["StateReason"], ALARM_REASON_RE)
        self.assertIsInstance(a["StateUpdatedTimestamp"], datetime.datetime)
        end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
        r = cw.get_metric_data(MetricDataQueries=[{"Id": "incoming", "MetricStat": {"Metric": {
            "Namespace": "AWS/Kinesis", "MetricName": "IncomingRecords",
            "Dimensions": [{"Name": "StreamName", "Value": STREAM}]}, "Period": 60,
            "Stat": "Sum"}}], StartTime=end - datetime.timedelta(minutes=15), EndTime=end)
        self.assertEqual(sum(r["MetricDataResults"][0]["Values"]), 2.0)
        self.assert_error(lambda: cw.set_alarm_state(
            AlarmName="no-such-alarm", StateValue="OK", StateReason="x"),
            "ResourceNotFound", 404, "Alarm no-such-alarm not found")
        self.assert_error(lambda: cw.get_metric_statistics(
            Namespace="AWS/Lambda", MetricName="Errors", StartTime=end - datetime.timedelta(hours=1),
            EndTime=end, Period=61, Statistics=["Sum"]),
            "InvalidParameterValue", 400, "The parameter Period must be a multiple of 60.")

    def assert_error(self, call, code, status, message):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call()
        err = ctx.exception.response
        self.assertEqual((err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"],
                          err["Error"]["Message"]), (code, status, message))

    # -- CloudWatch --

    def test_describe_alarms_shows_the_errors_alarm_in_alarm_with_aws_reason(self):
        alarms = self.cw.describe_alarms(AlarmNames=[ERRORS_ALARM])["MetricAlarms"]
        self.assertEqual(len(alarms), 1)
        a = alarms[0]
        self.assertEqual(a["StateValue"], "ALARM")
        self.assertRegex(a["StateReason"], ALARM_REASON_RE)
        self.assertEqual((a["Namespace"], a["MetricName"], a["Statistic"], a["Threshold"],
                          a["ComparisonOperator"], a["Dimensions"]),
                         ("AWS/Lambda", "Errors", "Sum", 0.0, "GreaterThanThreshold",
                          [{"Name": "FunctionName", "Value": FUNCTION}]))
        self.assertIn('"statistic":"Sum"', a["StateReasonData"])
        self.assertIsInstance(a["StateUpdatedTimestamp"], datetime.datetime)
        every = self.cw.describe_alarms()["MetricAlarms"]
        self.assertIn("dev-payments-iterator-age", [x["AlarmName"] for x in every])
        in_alarm = self.cw.describe_alarms(StateValue="ALARM")["MetricAlarms"]
        self.assertIn(ERRORS_ALARM, [x["AlarmName"] for x in in_alarm])
        history = self.cw.describe_alarm_history(AlarmName=ERRORS_ALARM)["AlarmHistoryItems"]
        self.assertEqual(history[0]["HistorySummary"], "Alarm updated from OK to ALARM")

    def test_get_metric_data_returns_incoming_records_and_iterator_age(self):
        end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
        start = end - datetime.timedelta(minutes=15)
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
        r = self.cw.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end)
        by_id = {x["Id"]: x for x in r["MetricDataResults"]}
        self.assertEqual(sum(by_id["incoming"]["Values"]), 2.0)
        self.assertEqual(by_id["incoming"]["Label"], "IncomingRecords")
        self.assertEqual(by_id["incoming"]["StatusCode"], "Complete")
        self.assertTrue(by_id["age"]["Values"])
        self.assertEqual(len(by_id["age"]["Values"]), len(by_id["age"]["Timestamps"]))
        stats = self.cw.get_metric_statistics(
            Namespace="AWS/Lambda", MetricName="Errors", StartTime=start, EndTime=end,
            Period=60, Statistics=["Sum", "SampleCount"],
            Dimensions=[{"Name": "FunctionName", "Value": FUNCTION}])
        self.assertGreaterEqual(sum(d["Sum"] for d in stats["Datapoints"]), 1.0)
        names = {(m["Namespace"], m["MetricName"]) for m in
                 self.cw.list_metrics(Namespace="AWS/Kinesis")["Metrics"]}
        self.assertIn(("AWS/Kinesis", "IncomingRecords"), names)

    def test_set_alarm_state_changes_the_state_and_unknown_alarm_is_resource_not_found(self):
        self.cw.set_alarm_state(AlarmName="dev-payments-dlq-not-empty", StateValue="ALARM",
                                StateReason="testing the runbook")
        a = self.cw.describe_alarms(AlarmNames=["dev-payments-dlq-not-empty"])["MetricAlarms"][0]
        self.assertEqual((a["StateValue"], a["StateReason"]), ("ALARM", "testing the runbook"))
        self.assert_error(lambda: self.cw.set_alarm_state(
            AlarmName="no-such-alarm", StateValue="OK", StateReason="x"),
            "ResourceNotFound", 404, "Alarm no-such-alarm not found")

    def test_an_invalid_period_is_invalid_parameter_value(self):
        end = datetime.datetime.now(datetime.timezone.utc)
        self.assert_error(lambda: self.cw.get_metric_statistics(
            Namespace="AWS/Lambda", MetricName="Errors", StartTime=end - datetime.timedelta(hours=1),
            EndTime=end, Period=61, Statistics=["Sum"]),
            "InvalidParameterValue", 400, "The parameter Period must be a multiple of 60.")

    # -- CloudWatch Logs --

    def test_filter_and_get_log_events_show_the_handler_lines(self):
        groups = self.logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/dev-orders")
        self.assertEqual([g["logGroupName"] for g in groups["logGroups"]], [GROUP])
        self.assertNotIn("nextToken", groups)
        events = self.logs.filter_log_events(logGroupName=GROUP, filterPattern='"ORD-12345"')
        # The good order may be logged more than once: it can share its batch with the poison,
        # which the mapping retries.
        self.assertEqual({e["message"] for e in events["events"]}, {GOOD_LINE})
        self.assertNotIn("nextToken", events)
        both = self.logs.filter_log_events(logGroupName=GROUP, filterPattern="ERROR ORD-POISON")
        self.assertTrue(both["events"])
        self.assertTrue(all("ERROR" in e["message"] and "ORD-POISON" in e["message"]
                            for e in both["events"]))
        streams = self.logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
        self.assertTrue(streams)
        got = self.logs.get_log_events(logGroupName=GROUP,
                                       logStreamName=streams[0]["logStreamName"],
                                       startFromHead=True)
        messages = [e["message"] for e in got["events"]]
        self.assertIn(GOOD_LINE, messages)
        line = next(e for e in got["events"] if e["message"] == GOOD_LINE)
        self.assertLessEqual(line["timestamp"], line["ingestionTime"])

    def test_the_gateway_access_log_group_has_a_line_per_request(self):
        groups = self.logs.describe_log_groups(logGroupNamePrefix="/aws/apigateway/")["logGroups"]
        self.assertEqual(len(groups), 1)
        name = groups[0]["logGroupName"]
        self.assertRegex(name, r"^/aws/apigateway/dev-[a-z0-9-]+/access-logs$")
        events = self.logs.filter_log_events(logGroupName=name,
                                             filterPattern='"/v1/events/orders"')["events"]
        self.assertGreaterEqual(len(events), 2)  # the good order and the poisoned one
        line = json.loads(events[0]["message"])
        self.assertEqual((line["httpMethod"], line["status"]), ("POST", "200"))
        self.assertRegex(events[0]["logStreamName"], r"^[0-9a-f]{32}$")

    def test_an_unknown_log_group_is_resource_not_found(self):
        self.assert_error(lambda: self.logs.filter_log_events(logGroupName="/aws/lambda/nope"),
                          "ResourceNotFoundException", 400,
                          "The specified log group does not exist.")
        self.assert_error(lambda: self.logs.get_log_events(logGroupName="/aws/lambda/nope",
                                                           logStreamName="x"),
                          "ResourceNotFoundException", 400,
                          "The specified log group does not exist.")


if __name__ == "__main__":
    run_main()
