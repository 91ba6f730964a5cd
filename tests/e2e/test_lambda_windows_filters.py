"""Tumbling windows and filter criteria end to end: the real kemu with real handlers.
A Python handler sums its records over tumbling windows (state carried from invocation to
invocation and across a kemu restart, a final invocation per window); a Node handler behind
filter patterns of every kind gets only the records they match, and FilteredOutEventCount counts
the rest; `kemu validate` refuses a bad pattern naming the file, line and key.
docs/aws/lambda.md (Event filtering, Tumbling windows) says what AWS does."""

import datetime
import json
import os
import subprocess
import time

from kemu_harness import (NODE_PRELUDE, PY_PRELUDE, LambdaTestCase, kemu_bin, kemu_metrics,
                          run_main, wait_until)

WINDOW_S = 3  # seconds: room for a restart inside one window on a busy machine

# Sums the integers of its records over each window; says what it saw on every invocation.
SUM = PY_PRELUDE + '''
def process_event(event, context):
    recs = summary(event)
    state = dict(event["state"])
    state["sum"] = state.get("sum", 0) + sum(int(r["data"]) for r in recs)
    record(pid=_os.getpid(), window=event["window"], state_in=event["state"], records=recs,
           final=event["isFinalInvokeForWindow"], early=event["isWindowTerminatedEarly"],
           shard=event["shardId"], arn=event["eventSourceARN"], keys=list(event))
    return {"state": state}
'''

SEEN = NODE_PRELUDE + '''
exports.handler = async (event) => {
  record({ records: summary(event) });
  return {};
};
'''

# Five patterns (AWS's default quota), every kind among them.
FILTERS = [
    {"data": {"$or": [{"type": ["created"]}, {"id": [{"prefix": "ord-"}]}]}},
    {"data": {"file": [{"suffix": ".png"}], "qty": [{"numeric": [">", 0, "<=", 5]}]}},
    {"data": {"region": [{"anything-but": ["us-east-1", "us-west-2"]}], "vip": [{"exists": True}]}},
    {"data": {"status": [{"equals-ignore-case": "shipped"}], "note": [{"exists": False}]}},
    {"partitionKey": [{"prefix": "meta-"}]},
]

# (data, partition key, delivered?)
RECORDS = [
    ({"type": "created"}, "a", True),
    ({"type": "deleted"}, "a", False),
    ({"id": "ord-1"}, "a", True),
    ({"id": "xord-1"}, "a", False),
    ({"file": "a.png", "qty": 5}, "a", True),
    ({"file": "a.png", "qty": 6}, "a", False),
    ({"file": "a.jpg", "qty": 1}, "a", False),
    ({"region": "eu-west-1", "vip": True}, "a", True),
    ({"region": "us-east-1", "vip": True}, "a", False),
    ({"region": "eu-west-1"}, "a", False),
    ({"status": "SHIPPED"}, "a", True),
    ({"status": "shipped", "note": "x"}, "a", False),
    ("not json", "meta-1", True),
    ("not json", "other", False),
    ({"type": "created", "id": "last"}, "a", True),
]


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def window_of(ts):
    start = int(ts // WINDOW_S) * WINDOW_S
    return iso(start), iso(start + WINDOW_S)


def next_window():
    """Sleeps into the next window, a little past its start."""
    now = time.time()
    time.sleep(WINDOW_S - now % WINDOW_S + 0.05)


class WindowsAndFiltersTest(LambdaTestCase):

    def _yaml_value(self, v):
        if isinstance(v, (list, dict)):
            return json.dumps(v)  # JSON is YAML flow style
        return super()._yaml_value(v)

    def test_tumbling_window_sum_carries_state_across_invocations_and_a_restart(self):
        self.add_flow("sums", {"handler.py": SUM}, tumbling_window_seconds=WINDOW_S, batch_size=1)
        self.start_kemu()
        put_values = []

        def put(v):
            self.put("sums", str(v))
            put_values.append(v)
            self.wait_seen("sums", lambda s: any(r["data"] == str(v) for e in s
                                                  for r in e["records"]), 10, f"record {v}")

        next_window()
        put(1)
        put(2)
        next_window()
        put(10)
        # A restart while this window is open: its state must come back from the checkpoint.
        self.restart_kemu()
        put(20)
        next_window()
        put(100)
        seen = self.wait_seen("sums", lambda s: sum(e["final"] for e in s) >= 3
                              and s[-1]["final"], 20, "the final invocations")
        by_window = {}
        for e in seen:
            by_window.setdefault(e["window"]["start"], []).append(e)
        self.assertGreaterEqual(len(by_window), 3, by_window)
        for start, events in by_window.items():
            finals = [e for e in events if e["final"]]
            self.assertEqual(len(finals), 1, events)
            self.assertIs(events[-1], finals[0], "the final invocation closes its window")
            self.assertEqual(finals[0]["records"], [])
            running = 0
            for e in events:
                self.assertEqual(e["state_in"].get("sum", 0), running, events)
                self.assertFalse(e["early"])
                self.assertEqual(e["keys"], ["Records", "window", "state", "shardId",
                                             "eventSourceARN", "isFinalInvokeForWindow",
                                             "isWindowTerminatedEarly"])
                self.assertEqual(e["shard"], "shardId-000000000000")
                self.assertEqual(e["arn"], self.stream_arn("sums"))
                for r in e["records"]:
                    # Windows are aligned to multiples of their length since the epoch.
                    self.assertEqual(window_of(r["ts"]), (start, e["window"]["end"]))
                    running += int(r["data"])
        delivered = sorted(int(r["data"]) for e in seen for r in e["records"])
        self.assertEqual(delivered, sorted(put_values))
        # The window open at the restart: its state was carried by the new kemu.
        w10 = next(s for s, events in by_window.items()
                   if any(r["data"] == "10" for e in events for r in e["records"]))
        events = by_window[w10]
        self.assertNotEqual(events[0]["pid"], events[-1]["pid"], "no restart inside the window")
        self.assertGreaterEqual(events[-1]["state_in"]["sum"], 10)

    def test_filter_patterns_of_every_kind_deliver_only_what_they_match(self):
        self.add_flow("picky", {"index.js": SEEN}, lambda_runtime="nodejs20.x",
                      lambda_handler="index.handler", batch_size=100, filter_criteria=FILTERS)
        self.start_kemu()
        self.put_many("picky", [(d if isinstance(d, str) else json.dumps(d), pk)
                                for d, pk, _ in RECORDS])
        seen = self.wait_seen("picky", lambda s: any('"last"' in r["data"] for e in s
                                                     for r in e["records"]), 15, "the last record")
        got = [(r["data"], r["pk"]) for e in seen for r in e["records"]]
        want = [(d if isinstance(d, str) else json.dumps(d), pk) for d, pk, ok in RECORDS if ok]
        self.assertEqual(got, want)
        fn = self.function_name("picky")
        filtered = sum(1 for *_, ok in RECORDS if not ok)
        wait_until(lambda: kemu_metrics(self.kemu.endpoint).get(
            ("kemu_lambda_filtered_out_event_count_total", fn)) == filtered, 10,
            what=f"FilteredOutEventCount {filtered}")
        # Counted when the invocation ends, a moment after the handler saw the records.
        wait_until(lambda: kemu_metrics(self.kemu.endpoint).get(
            ("kemu_lambda_invoked_event_count_total", fn)) == len(want), 10,
            what=f"InvokedEventCount {len(want)}")

    def test_validate_refuses_a_bad_filter_pattern_naming_file_line_and_key(self):
        self.write_code("picky", {"handler.py": "def process_event(event, context):\n    pass\n"})
        with open(self.config_path, "w") as f:
            f.write("version: 1\n"
                    "event_flows:\n"
                    "  - event_type: picky\n"
                    "    lambda_source_path: lambda/picky\n"
                    "    filter_criteria:\n"
                    "      - data: {type: [created]}\n"
                    "      - data:\n"
                    "          qty: [{numeric: ['>=']}]\n")
        r = subprocess.run([kemu_bin(), "validate", "-c", self.config_path], capture_output=True,
                           text=True, timeout=10, stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 2, r)
        self.assertIn(f"{self.config_path}:8: event_flows[0].filter_criteria[1].data.qty[0]: "
                      "Invalid filter pattern definition.", r.stderr)


if __name__ == "__main__":
    run_main()
