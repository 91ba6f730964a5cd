"""Helpers for the API Gateway front-door e2e tests (stdlib only, plus boto3 where asked).

ApigwTestCase: each test gets its own temp dir, its own kemu.yaml (TOPOLOGY with the class
attribute API as its `api:` block), API key values in the environment (class attribute KEY_ENV,
`KEMU_API_KEY_{NAME}`) and its own running kemu; every stdout line kemu prints is kept (the
invoke URL, generated API keys).
"""

import http.client
import json
import os
import re
import shutil
import tempfile
import unittest

from kemu_harness import StdoutKemu, client_env

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


class CapturingKemu(StdoutKemu):
    """StdoutKemu whose wait_line takes the line's prefix."""

    def wait_line(self, prefix, timeout=5.0):
        return super().wait_line(lambda line: line.startswith(prefix), timeout,
                                 what=f"a line starting {prefix!r}")


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
    KEY_ENV = {}
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
        env = {k: v for k, v in env.items()
               if not k.startswith(("KEMU_APIGW_", "KEMU_API_KEY_"))}
        env.update(self.KEY_ENV)
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

    # ---- assertions shared by the tests ----

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
        """The request's one access-log line, with its status, extendedRequestId and error
        response type."""
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
