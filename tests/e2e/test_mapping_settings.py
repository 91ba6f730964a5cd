"""kemu.yaml's event source mapping and function settings end to end, on one kemu with real
Python handlers: AT_TIMESTAMP on a stream with records on both sides of the timestamp, an
ON_DEMAND stream (DescribeStreamSummary, its stream-wide write limit with --shard-limits),
environment_variables reaching the handler, and a handler whose boto3 has no endpoint in its code
putting a record into another kemu stream (kemu sets AWS_ENDPOINT_URL), and a Node handler doing
the same with the JS SDK v3."""

import json
import sys
import time

import os

from kemu_harness import NODE_PRELUDE, PY_PRELUDE, LambdaTestCase, run_main
from node_support import ensure_node_sdk

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

# The same with the JS SDK v3 (found through NODE_PATH, one of the flow's variables).
NODE_RELAY = NODE_PRELUDE + '''
const { KinesisClient, PutRecordCommand } = require('@aws-sdk/client-kinesis');
const KINESIS = new KinesisClient({});
exports.handler = async (event) => {
  for (const r of summary(event)) {
    const out = await KINESIS.send(new PutRecordCommand({ StreamName: process.env.TARGET_STREAM,
      Data: Buffer.from('node-relayed:' + r.data), PartitionKey: r.pk }));
    record({ endpoint: process.env.AWS_ENDPOINT_URL, put: out.SequenceNumber });
  }
};
'''


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

    def test_node_handler_sdk_reaches_kemu(self):
        node_modules = os.path.join(ensure_node_sdk(), "node_modules")
        self.add_flow("noderelay", {"index.js": NODE_RELAY}, lambda_runtime="nodejs20.x",
                      lambda_handler="index.handler", environment_variables=json.dumps(
                          {"TARGET_STREAM": self.stream_name("sink"), "NODE_PATH": node_modules}))
        self.add_flow("sink", {"handler.py": RECORDER})
        self.start_kemu("--python", sys.executable)
        self.put("noderelay", "pong", "node-pk")
        self.wait_seen("sink", lambda s: "node-relayed:pong" in self.datas("sink"), 30)
        self.assertEqual(self.seen("noderelay")[0]["endpoint"], self.kemu.endpoint)

    def get_status(self):
        import urllib.request
        with urllib.request.urlopen(self.kemu.endpoint + "/_kemu/status", timeout=10) as r:
            return r.read().decode()


if __name__ == "__main__":
    run_main()
