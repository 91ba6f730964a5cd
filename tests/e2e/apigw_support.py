"""Helpers for the API Gateway front-door e2e tests (stdlib only, plus boto3 where asked).

ApigwTestCase: each test gets its own temp dir, a kemu.yaml (class attribute TOPOLOGY),
`KEMU_APIGW_*` settings (class attribute APIGW_ENV) and its own running kemu; every stdout
line kemu prints is kept (the invoke URL, the API key).
"""

import http.client
import json
import os
import re
import shutil
import tempfile
import threading
import time
import unittest

from kemu_harness import Kemu, client_env

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

TOPOLOGY = """\
version: 1
environment: dev
api:
{api}
event_flows:
  - event_type: orders
    shard_count: 2
    lambda_source_path: lambda/orders
  - event_type: user_activity
    lambda_source_path: lambda/user_activity
"""


class CapturingKemu(Kemu):
    """Kemu that keeps every stdout line after the listening line."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.lines = []
        self._cv = threading.Condition()

    def _read_listen_line(self, timeout):
        # Same as the harness, but keep what came after the first line in the same read.
        import selectors
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        buf = b""
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"kemu did not print its listening line in {timeout} s;"
                                         f" stderr: {self.stderr_tail()}")
                if not sel.select(left):
                    continue
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise AssertionError(f"kemu exited before listening (rc={self.proc.wait()});"
                                         f" stderr: {self.stderr_tail()}")
                buf += chunk
        first, self._rest = buf.split(b"\n", 1)
        return first

    def _drain_stdout(self):
        out = self.proc.stdout
        fd = out.fileno()
        buf = getattr(self, "_rest", b"")
        self._rest = b""
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            with self._cv:
                self.lines.append(line.decode(errors="replace"))
                self._cv.notify_all()
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    with self._cv:
                        self.lines.append(line.decode(errors="replace"))
                        self._cv.notify_all()
        except (OSError, ValueError):
            pass

    def wait_line(self, prefix, timeout=5.0):
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"kemu printed no line starting {prefix!r}: {self.lines}")
                self._cv.wait(left)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body)


class ApigwTestCase(unittest.TestCase):
    API = "  stage_name: v1"
    APIGW_ENV = {}
    EXTRA_ARGS = ()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kemu-apigw-")
        if os.environ.get("KEMU_E2E_KEEP"):
            print(f"\n[kemu-e2e] keeping {self.tmp}", flush=True)
        else:
            self.addCleanup(shutil.rmtree, self.tmp, True)
        saved = dict(os.environ)

        def restore_env():
            os.environ.clear()
            os.environ.update(saved)
        self.addCleanup(restore_env)
        env = client_env(self.tmp)
        env = {k: v for k, v in env.items() if not k.startswith("KEMU_APIGW_")}
        env.update(self.APIGW_ENV)
        os.environ.clear()
        os.environ.update(env)
        self.config_path = os.path.join(self.tmp, "kemu.yaml")
        with open(self.config_path, "w") as f:
            f.write(TOPOLOGY.format(api=self.API))
        self.data_dir = os.path.join(self.tmp, "data")
        os.makedirs(self.data_dir)
        self.kemu = CapturingKemu(self.data_dir, log_dir=self.tmp,
                                  extra_args=["-c", self.config_path, "--no-lambda", *self.EXTRA_ARGS])
        self.addCleanup(self._stop_kemu)
        self.kemu.start()
        self.port = self.kemu.port
        self.invoke_line = self.kemu.wait_line("kemu api gateway: ")

    def _stop_kemu(self):
        if self.kemu.proc is None:
            return
        crashed = not self.kemu.running()
        rc = self.kemu.stop()
        if crashed or rc != 0:
            raise AssertionError(f"kemu exited with {rc}; stderr:\n{self.kemu.stderr_tail()}")

    @property
    def endpoint(self):
        return self.kemu.endpoint

    def call(self, method, path, body=b"", headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if isinstance(body, str):
                body = body.encode()
            h = dict(headers or {})
            if body and not any(k.lower() == "content-type" for k in h):
                h["Content-Type"] = "application/json"
            conn.request(method, path, body=body if (body or method in ("POST", "PUT")) else None,
                         headers=h)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    # ---- assertions shared by the rows of spec §9 ----

    def assert_gateway_error(self, r, status, message, error_type):
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.body, json.dumps({"message": message}, separators=(",", ":")).encode())
        self.assertEqual(r.header("x-amzn-ErrorType"), error_type)
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertRegex(r.header("x-amzn-RequestId") or "", UUID_RE)
        self.assertTrue(r.header("x-amz-apigw-id"))

    def access_log(self):
        path = os.path.join(self.data_dir, "logs", "aws", "apigateway", "dev-events-ingestion",
                            "access-logs.log")
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def assert_logged(self, r, response_type="-"):
        """Spec §9 row 15: the request's access-log line, with its status and response type."""
        rid = r.header("x-amzn-RequestId")
        lines = [e for e in self.access_log() if e["requestId"] == rid]
        self.assertEqual(len(lines), 1, f"no single access-log line for {rid}")
        e = lines[0]
        self.assertEqual(e["status"], str(r.status))
        self.assertEqual(e["extendedRequestId"], r.header("x-amz-apigw-id"))
        self.assertEqual(e["errorResponseType"], response_type)
        return e

    def kinesis(self):
        from kemu_harness import boto3_client
        return boto3_client(self.endpoint)

    def read_all(self, stream):
        """Every record of every shard, shard by shard, in sequence order."""
        c = self.kinesis()
        out = []
        for s in c.list_shards(StreamName=stream)["Shards"]:
            it = c.get_shard_iterator(StreamName=stream, ShardId=s["ShardId"],
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                got = c.get_records(ShardIterator=it, Limit=10000)
                out.extend(got["Records"])
                if not got["Records"] and got.get("MillisBehindLatest", 0) == 0:
                    break
                it = got.get("NextShardIterator")
        return out
