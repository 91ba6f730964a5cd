"""A web page in headless Debian chromium against kemu (tests/e2e/node/browser_page.cjs): from a
second local origin, fetch() to the Kinesis API and a form post of CreateQueue have no effect
(checked through the API); from an origin given with --allow-origin, the same fetch() works.
Skips, saying why, when /usr/bin/chromium (or KEMU_CHROMIUM) is missing."""

import http.server
import os
import socket
import threading
import unittest

import boto3
from botocore.config import Config

from kemu_harness import KemuTestCase, run_main
from node_support import run_node

CHROMIUM = os.environ.get("KEMU_CHROMIUM", "/usr/bin/chromium")
# A SigV4-shaped header: kemu without --verify-signatures asks for the shape only.
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/{svc}/aws4_request, "
        "SignedHeaders=host, Signature=00")

PAGE = """<!doctype html><html><head><title>page</title></head><body>
<iframe name="sink"></iframe>
<script>
const KEMU = "%(kemu)s", NAME = "%(name)s";
async function call(target, ctype, body, svc) {
  try {
    const r = await fetch(KEMU + "/", {method: "POST", body, headers: {
      "Content-Type": ctype, "X-Amz-Target": target, "X-Amz-Date": "20240101T000000Z",
      "Authorization": "%(auth)s".replace("{svc}", svc)}});
    return {status: r.status, body: await r.text()};
  } catch (e) {
    return {blocked: String(e)};
  }
}
(async () => {
  const out = {};
  out.kinesis = await call("Kinesis_20131202.CreateStream", "application/x-amz-json-1.1",
                           JSON.stringify({StreamName: NAME, ShardCount: 1}), "kinesis");
  out.list = await call("Kinesis_20131202.ListStreams", "application/x-amz-json-1.1", "{}",
                        "kinesis");
  document.title = "done:" + JSON.stringify(out);
  const f = document.createElement("form");
  f.method = "POST"; f.action = KEMU + "/"; f.target = "sink";
  for (const [k, v] of [["Action", "CreateQueue"], ["QueueName", NAME]]) {
    const i = document.createElement("input"); i.name = k; i.value = v; f.appendChild(i);
  }
  document.body.appendChild(f);
  f.submit();
})();
</script></body></html>"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BrowserTest(KemuTestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(CHROMIUM, os.X_OK):
            raise unittest.SkipTest(f"no chromium at {CHROMIUM} (apt-get install chromium)")

    def setUp(self):
        self.allowed_port = free_port()
        self.kemu_args = ("--allow-origin", f"http://localhost:{self.allowed_port}")
        super().setUp()

    def serve_page(self, host, port, name):
        html = PAGE % {"kemu": self.kemu.endpoint, "name": name, "auth": AUTH}

        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Page)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return f"http://{host}:{port}/"

    def aws(self, service):
        return boto3.client(service, endpoint_url=self.kemu.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))

    def test_a_foreign_page_has_no_effect_and_an_allowed_one_works(self):
        foreign = self.serve_page("127.0.0.1", free_port(), "pwned")
        out = run_node("browser_page.cjs", [CHROMIUM, foreign], timeout=120, env=self.env)
        self.assertIn("blocked", out["result"]["kinesis"], out)
        self.assertIn("blocked", out["result"]["list"], out)
        self.assertEqual(out["form"], 403, out)
        self.assertEqual(self.aws("kinesis").list_streams()["StreamNames"], [])
        self.assertEqual(self.aws("sqs").list_queues().get("QueueUrls", []), [])

        allowed = self.serve_page("localhost", self.allowed_port, "fromapp")
        out = run_node("browser_page.cjs", [CHROMIUM, allowed], timeout=120, env=self.env)
        self.assertEqual(out["result"]["kinesis"]["status"], 200, out)
        self.assertIn("fromapp", out["result"]["list"]["body"], out)
        self.assertEqual(self.aws("kinesis").list_streams()["StreamNames"], ["fromapp"])
        # A form post cannot carry credentials: AWS's MissingAuthenticationToken, no queue.
        self.assertEqual(out["form"], 403, out)
        self.assertEqual(self.aws("sqs").list_queues().get("QueueUrls", []), [])


if __name__ == "__main__":
    run_main()
