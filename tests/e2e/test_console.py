"""The kemu console (GET /_kemu/console) in headless Debian chromium, driven step by step
(browser_support.py): the topology of examples/kemu.yaml, the send form through to the
record browser and the function log, a poisoned order showing its DLQ message and its alarm
in ALARM, and replay from the console once the handler is fixed. A POST from another origin
is refused and changes nothing. Screenshots go to build/<preset>/test-artifacts/console/
(docs/images/console.png is one of them). Without chromium or web/node_modules the test
prints "skipped: ..." and CTest reports it skipped."""

import json
import os
import shutil
import tempfile
import unittest
import urllib.error
import urllib.request

from browser_support import Browser, artifact_dir, missing_browser
from kemu_harness import REPO, StdoutKemu, run_main

WHY_SKIP = missing_browser()
STREAM = "dev-orders-stream"


class ConsoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if WHY_SKIP:
            print(f"skipped: {WHY_SKIP}", flush=True)

    def setUp(self):
        if WHY_SKIP:
            self.skipTest(WHY_SKIP)
        self.tmp = tempfile.mkdtemp(prefix="kemu-e2e-console-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.examples = os.path.join(self.tmp, "examples")
        shutil.copytree(os.path.join(REPO, "examples"), self.examples,
                        ignore=shutil.ignore_patterns("__pycache__", ".kemu"))
        self.kemu = StdoutKemu(in_memory=True, log_dir=self.tmp, extra_args=[
            "-c", os.path.join(self.examples, "kemu.yaml"), "--lambda-retry-backoff-ms", "10",
            "--scenario-hooks"])
        self.kemu.start()
        self.addCleanup(self.kemu.stop)
        self.browser = Browser(self.tmp, self.kemu.endpoint)
        self.closed = False
        self.addCleanup(self.close_browser)
        self.artifacts = artifact_dir("console")
        self.browser.step(op="goto", url=self.kemu.endpoint + "/_kemu/console")
        self.browser.step(op="wait_text", sel="#topology g.flow", text="dev-payments-stream")

    def close_browser(self):
        if not self.closed:
            self.closed = True
            self.browser.close()

    def finish(self, shot):
        """Screenshot, then the page must have logged no error and asked nothing elsewhere."""
        path = os.path.join(self.artifacts, shot)
        self.browser.step(op="shot", path=path)
        self.assertGreater(os.path.getsize(path), 0)
        self.closed = True
        out = self.browser.close()
        self.assertEqual(out["errors"], [])
        self.assertEqual(out["network"], [])

    def get(self, path):
        with urllib.request.urlopen(self.kemu.endpoint + path, timeout=10) as r:
            return json.loads(r.read())

    def post(self, path, body=b"", headers=None):
        req = urllib.request.Request(self.kemu.endpoint + path, data=body, method="POST",
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def send_from_form(self, event_type, body):
        b = self.browser
        b.step(op="wait_text", sel="#send-type option", text=event_type)
        b.step(op="select", sel="#send-type", value=event_type)
        b.step(op="fill", sel="#send-body", value=json.dumps(body))
        b.step(op="click", sel="#send-button")
        b.step(op="wait_text", sel="#send-result", text="POST /v1/events/" + event_type + " → 200")

    def test_topology_shows_the_three_flows_and_the_keyboard_selects_one(self):
        b = self.browser
        banner = "kemu console: " + self.kemu.endpoint + "/_kemu/console"
        self.kemu.wait_line(lambda l: l == banner, 10, what=banner)
        flows = b.step(op="text", sel="#topology g.flow")["texts"]
        self.assertEqual(len(flows), 3, flows)
        for flow, event_type in zip(flows, ("user_activity", "orders", "payments")):
            for name in (f"dev-{event_type}-stream", f"dev-{event_type}-processor",
                         f"dev-{event_type}-dlq", "1 shard", "ev/s", "rec/s", "depth 0",
                         "lambda-errors: OK"):
                self.assertIn(name, flow)
        # Keyboard: Enter on the orders row selects it and moves focus to its details.
        b.step(op="press", sel='#topology g.flow[data-flow="orders"]', key="Enter")
        b.step(op="wait_text", sel="#dlq-name", text="dev-orders-dlq")
        self.assertEqual(b.step(op="focused")["focused"], "flow")
        b.step(op="wait_text", sel="#shards td", text="shardId-000000000000")
        b.step(op="wait_text", sel="#mapping td", text="dev-orders-processor")
        b.step(op="wait_text", sel="#mapping tr", text="BatchSize100")
        self.finish("topology.png")

    def test_a_foreign_origin_post_is_refused_and_changes_nothing(self):
        for path in ("/_kemu/console/send?type=orders", "/_kemu/flows/orders/replay"):
            status, body = self.post(path, b'{"order_id":"ORD-X","total_amount":1}',
                                     {"Origin": "http://evil.example"})
            self.assertEqual(status, 403, body)
        records = self.get(f"/_kemu/streams/{STREAM}/records?type=TRIM_HORIZON")["records"]
        self.assertEqual(records, [])
        with urllib.request.urlopen(self.kemu.endpoint + "/_kemu/console", timeout=10) as r:
            self.assertEqual(r.headers["Content-Type"], "text/html; charset=utf-8")
            self.assertIn("frame-ancestors 'none'", r.headers["Content-Security-Policy"])
        # Reads that cannot be served say why.
        for path, code in (("/_kemu/streams/nope/shards", 404),
                           (f"/_kemu/streams/{STREAM}/records?type=SOMEWHERE", 400),
                           ("/_kemu/logs", 400)):
            with self.assertRaises(urllib.error.HTTPError) as e:
                self.get(path)
            self.assertEqual(e.exception.code, code, path)
        # The console's own origin is served.
        status, body = self.post("/_kemu/console/send?type=orders",
                                 b'{"order_id":"ORD-Y","total_amount":1}',
                                 {"Origin": self.kemu.endpoint})
        self.assertEqual((status, json.loads(body)["status"]), (200, 200), body)
        self.finish("foreign-origin.png")

    def test_an_event_from_the_form_shows_in_the_record_browser_and_the_log(self):
        b = self.browser
        self.send_from_form("orders", {"order_id": "ORD-CONSOLE-1", "type": "created",
                                       "items": [{"sku": "A", "quantity": 2}],
                                       "total_amount": 12.5, "currency": "USD"})
        b.step(op="wait_text", sel="#records tr.record", text='"order_id": "ORD-CONSOLE-1"')
        b.step(op="wait_text", sel="#logs li", text="order ORD-CONSOLE-1 created: 2 items")
        platform = b.step(op="text", sel="#logs li.platform")["texts"]
        for kind in ("START RequestId", "END RequestId", "REPORT RequestId"):
            self.assertTrue(any(kind in line for line in platform), platform)
        # The filter keeps the handler's line only.
        b.step(op="fill", sel="#logs-filter", value="ORD-CONSOLE-1")
        lines = b.step(op="text", sel="#logs li")["texts"]
        self.assertEqual(len(lines), 1, lines)
        self.finish("send-form.png")

    def test_a_poisoned_order_shows_its_dlq_message_and_alarm_and_replay_empties_the_dlq(self):
        b = self.browser
        self.send_from_form("orders", {"order_id": "ORD-POISON", "total_amount": -1,
                                       "currency": "USD"})
        b.step(op="wait_text", sel="#dlq tr.dlq-message", text="RetryAttemptsExhausted")
        row = b.step(op="text", sel="#dlq tr.dlq-message")["texts"]
        self.assertEqual(len(row), 1, row)
        self.assertIn("(Unhandled)", row[0])
        # The failure's records, read back from the stream.
        b.step(op="click", sel="#dlq tr.dlq-message button")
        b.step(op="wait_text", sel="#records tr.record", text='"order_id": "ORD-POISON"')
        self.assertEqual(b.step(op="count", sel="#records tr.record")["count"], 1)
        # The errors alarm's minute, passed on kemu's clock (scenario hooks) rather than waited.
        status, body = self.post("/_kemu/scenario/advance_time?ms=60000")
        self.assertEqual(status, 200, body)
        b.step(op="wait_text", sel="#alarms tr", text="dev-orders-lambda-errorsALARM")
        b.step(op="wait_text", sel="#topology g.flow.trouble", text="dev-orders-dlq")
        b.step(op="wait_text", sel="#alarm-history li", text="dev-orders-lambda-errors")
        b.step(op="shot", path=os.path.join(self.artifacts, "poisoned-order.png"))

        # Fixed handler: invalid orders are logged and skipped; replay then empties the DLQ.
        handler = os.path.join(self.examples, "lambda", "orders", "handler.py")
        with open(handler) as f:
            code = f.read()
        with open(handler, "w") as f:
            f.write(code.replace("REJECT_INVALID = True", "REJECT_INVALID = False"))
        b.step(op="click", sel="#replay-button")
        b.step(op="wait_text", sel="#replay-result", text="replayed 1, failed 0")
        b.step(op="wait_text", sel="#dlq td", text="empty")
        b.step(op="wait_text", sel="#logs li", text="order ORD-POISON skipped")
        self.assertEqual(self.get("/_kemu/sqs/queues/dev-orders-dlq/messages")["messages"], [])
        self.finish("replayed.png")


if __name__ == "__main__":
    run_main()
