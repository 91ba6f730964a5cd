"""kemu.yaml's event source mapping and function settings end to end, on one kemu with real
Python handlers: AT_TIMESTAMP on a stream with records on both sides of the timestamp, an
ON_DEMAND stream (DescribeStreamSummary, its stream-wide write limit with --shard-limits),
environment_variables reaching the handler, and a handler whose boto3 has no endpoint in its code
putting a record into another kemu stream (kemu sets AWS_ENDPOINT_URL)."""

import json
import sys
import time

from kemu_harness import PY_PRELUDE, LambdaTestCase, run_main

RECORDER = PY_PRELUDE + '''

def process_event(event, context):
    record(records=summary(event))
'''

# Puts what it gets into the stream named by its own variable, with boto3 as a handler on AWS
# would: no endpoint, no credentials in the code.
RELAY = PY_PRELUDE + '''
import boto3

KINESIS = boto3.client("kinesis")


def process_event(event, context):
    env = {k: _os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "TARGET_STREAM", "GREETING",
                                           "EVENT_TYPE", "STREAM_NAME")}
    for r in summary(event):
        out = KINESIS.put_record(StreamName=_os.environ["TARGET_STREAM"],
                                 Data=("relayed:" + r["data"]).encode(), PartitionKey=r["pk"])
        record(env=env, put=out["SequenceNumber"])
'''

NOTHING = "def process_event(event, context):\n    return None\n"


class MappingSettingsTest(LambdaTestCase):

    def datas(self, event_type):
        return [r["data"] for line in self.seen(event_type) for r in line.get("records", [])]

    def test_at_timestamp_on_demand_environment_and_handler_endpoint(self):
        self.add_flow("stamped", {"handler.py": RECORDER}, starting_position="AT_TIMESTAMP",
                      starting_position_timestamp=1)
        self.add_flow("wide", {"handler.py": NOTHING}, stream_mode="ON_DEMAND")
        del self.flows[-1][1]["shard_count"]  # an on-demand stream takes none
        self.add_flow("relay", {"handler.py": RELAY}, environment_variables=json.dumps(
            {"TARGET_STREAM": self.stream_name("sink"), "GREETING": "hello from kemu.yaml"}))
        self.add_flow("sink", {"handler.py": RECORDER})

        # Records on both sides of a timestamp, put while no mapping reads the stream.
        self.start_kemu("--no-lambda")
        for i in range(3):
            self.put("stamped", f"before-{i}")
        time.sleep(0.05)
        stamp = time.time()
        time.sleep(0.05)
        for i in range(3):
            self.put("stamped", f"after-{i}")
        self.assertEqual(self.kemu.stop(), 0)
        self.flows[0][1]["starting_position_timestamp"] = f"{stamp:.3f}"  # Unix seconds
        self.start_kemu("--shard-limits", "--python", sys.executable)

        # AT_TIMESTAMP: the mapping starts at the first record at or after the timestamp.
        self.put("stamped", "later")
        self.wait_seen("stamped", lambda s: "later" in self.datas("stamped"), 20)
        self.assertEqual(sorted(self.datas("stamped")), ["after-0", "after-1", "after-2", "later"])

        # ON_DEMAND: 4 shards, the mode in DescribeStreamSummary, and with --shard-limits the
        # whole stream takes 4 MB a second: four 1 MB records into one shard pass (a provisioned
        # shard takes 1 MiB), the fifth is throttled.
        summary = self.kinesis.describe_stream_summary(
            StreamName=self.stream_name("wide"))["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertEqual(summary["OpenShardCount"], 4)
        out = self.kinesis.put_records(
            StreamName=self.stream_name("wide"),
            Records=[{"Data": bytes([65 + i]) * 1_000_000, "PartitionKey": "one-shard"}
                     for i in range(5)])
        self.assertEqual(out["FailedRecordCount"], 1, [r.get("ErrorCode") for r in out["Records"]])
        self.assertEqual(len({r["ShardId"] for r in out["Records"][:4]}), 1)
        self.assertEqual(out["Records"][4]["ErrorCode"], "ProvisionedThroughputExceededException")
        status = {f["event_type"]: f for f in json.loads(self.get_status())["flows"]}
        self.assertEqual(status["wide"]["stream_mode"], "ON_DEMAND")
        self.assertEqual(status["wide"]["lanes"], 4)
        self.assertEqual(status["sink"]["stream_mode"], "PROVISIONED")

        # The relay's boto3 reaches kemu, and its variables are kemu.yaml's.
        self.put("relay", "ping", "relay-pk")
        seen = self.wait_seen("sink", lambda s: "relayed:ping" in self.datas("sink"), 30)
        relayed = [r for line in seen for r in line["records"] if r["data"] == "relayed:ping"]
        self.assertEqual(relayed[0]["pk"], "relay-pk")
        env = self.seen("relay")[0]["env"]
        self.assertEqual(env, {"AWS_ENDPOINT_URL": self.kemu.endpoint,
                               "TARGET_STREAM": self.stream_name("sink"),
                               "GREETING": "hello from kemu.yaml", "EVENT_TYPE": "relay",
                               "STREAM_NAME": self.stream_name("relay")})

    def get_status(self):
        import urllib.request
        with urllib.request.urlopen(self.kemu.endpoint + "/_kemu/status", timeout=10) as r:
            return r.read().decode()


if __name__ == "__main__":
    run_main()
