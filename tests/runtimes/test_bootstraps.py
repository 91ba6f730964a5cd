#!/usr/bin/env python3
"""Contract tests for kemu's runtime bootstraps (tools/runtimes/{python,node}).

Each test writes real handler files into a temp dir, starts the bootstrap as a real subprocess
against a small in-test Lambda Runtime API (GET invocation/next with its Lambda-Runtime-*
headers, POST invocation/{id}/response and /error, POST init/error, as kemu serves them) and
checks what arrives on the API and on the function log (stdout/stderr).

Python bootstraps run under this interpreter and, in test_system_python, under the other
python3 that tests/e2e/clients.py finds (KEMU_SYSTEM_PYTHON, else the python3 on PATH whose
boto3 is 1.26, e.g. Debian 12's 3.11.2); without one that test skips and says why.
"""

import http.server
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY_BOOTSTRAP = os.path.join(REPO, "tools", "runtimes", "python", "bootstrap.py")
NODE_BOOTSTRAP = os.path.join(REPO, "tools", "runtimes", "node", "bootstrap.js")
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from clients import system_python  # noqa: E402

# The real interpreter, not a version manager's shim in front of it: kemu resolves the runtime's
# interpreter once at start-up, as starting through a shim costs ~100 ms per process.
PYTHON = os.path.realpath(sys.executable)
NODE = shutil.which("node") or "node"
FUNCTION_ARN = "arn:aws:lambda:eu-west-1:000000000000:function:dev-orders-processor"
WAIT = 15.0  # seconds: the longest any single expectation may take
ISO_MS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


class FakeRuntimeApi:
    """The Runtime API as kemu serves it: /next long-polls a queue; posts are recorded."""

    def __init__(self):
        self.events = queue.Queue()
        self.records = []  # (method, path, headers dict, body bytes), in arrival order
        self.cond = threading.Condition()
        self.stopping = False
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _record(self, body):
                with api.cond:
                    api.records.append((self.command, self.path, dict(self.headers), body))
                    api.cond.notify_all()

            def do_GET(self):
                if self.path != "/2018-06-01/runtime/invocation/next":
                    return self._reply(404, b'{"errorType":"NotFound"}')
                self._record(b"")
                while True:  # long poll: no timeout, only our own shutdown ends it
                    if api.stopping:
                        return self._reply(500, b'{"errorType":"ShuttingDown"}')
                    try:
                        inv = api.events.get(timeout=0.1)
                        break
                    except queue.Empty:
                        continue
                headers = {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": inv["id"],
                    "Lambda-Runtime-Deadline-Ms": str(inv["deadline_ms"]),
                    "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
                    "Lambda-Runtime-Trace-Id": inv["trace_id"],
                }
                self._reply(200, inv["body"], headers)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self._record(body)
                ok = re.fullmatch(
                    r"/2018-06-01/runtime/(invocation/[0-9a-f-]{36}/(response|error)|init/error)",
                    self.path)
                if not ok:
                    return self._reply(404, b'{"errorType":"NotFound"}')
                self._reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # A bootstrap killed at cleanup drops its long-poll: expected, not a failure.
                if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.address = "127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.stopping = True
        self.server.shutdown()
        self.server.server_close()

    def enqueue(self, event, timeout_ms=3000, deadline_ms=None):
        inv = {
            "id": str(uuid.uuid4()),
            "body": json.dumps(event).encode(),
            "deadline_ms": deadline_ms if deadline_ms is not None
            else int(time.time() * 1000) + timeout_ms,
            "trace_id": "Root=1-%08x-%s;Parent=%s;Sampled=0" % (
                int(time.time()), uuid.uuid4().hex[:24], uuid.uuid4().hex[:16]),
        }
        self.events.put(inv)
        return inv

    def wait_for(self, predicate, what, timeout=WAIT):
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for rec in self.records:
                    if predicate(rec):
                        return rec
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for %s; got %r" % (
                        what, [(r[0], r[1]) for r in self.records]))
                self.cond.wait(left)

    def result(self, inv, timeout=WAIT):
        """(kind, headers, body) of the first /response or /error for an invocation."""
        prefix = "/2018-06-01/runtime/invocation/%s/" % inv["id"]
        rec = self.wait_for(lambda r: r[0] == "POST" and r[1].startswith(prefix),
                            "result of " + inv["id"], timeout)
        return rec[1][len(prefix):], rec[2], rec[3]

    def count(self, path_suffix):
        with self.cond:
            return sum(1 for r in self.records if r[1].endswith(path_suffix))


class Output:
    """Collects one stream of the subprocess (the function log) as it arrives."""

    def __init__(self, stream):
        self.chunks = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream):
        for chunk in iter(lambda: stream.read1(65536), b""):
            with self.lock:
                self.chunks.append(chunk)

    def text(self):
        with self.lock:
            return b"".join(self.chunks).decode("utf-8", "replace")

    def wait_for(self, pattern, timeout=WAIT):
        end = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.text(), re.M)
            if m:
                return m
            if time.monotonic() > end:
                raise AssertionError("pattern %r not in output:\n%s" % (pattern, self.text()))
            time.sleep(0.02)


class BootstrapTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.api = FakeRuntimeApi()
        self.addCleanup(self.api.close)
        self.task_root = tempfile.mkdtemp(prefix="kemu-rt-")
        self.addCleanup(shutil.rmtree, self.task_root, True)
        self.proc = None

    def start(self, runtime, files, handler, env_overrides=None, interpreter=None):
        for name, text in files.items():
            path = os.path.join(self.task_root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(textwrap.dedent(text))
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": os.path.expanduser("~"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "_HANDLER": handler,
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "LAMBDA_TASK_ROOT": self.task_root,
            "AWS_LAMBDA_FUNCTION_NAME": "dev-orders-processor",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/dev-orders-processor",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/06/10/[$LATEST]0123456789abcdef0123456789abcdef",
            "AWS_REGION": "eu-west-1",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        }
        if runtime == "python":
            env["AWS_EXECUTION_ENV"] = "AWS_Lambda_python3.11"
            argv = [interpreter or PYTHON, "-u", PY_BOOTSTRAP]
        else:
            env["AWS_EXECUTION_ENV"] = "AWS_Lambda_nodejs20.x"
            argv = [NODE, NODE_BOOTSTRAP]
        for k, v in (env_overrides or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        self.proc = subprocess.Popen(argv, cwd=self.task_root, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self._kill)
        self.stdout = Output(self.proc.stdout)
        self.stderr = Output(self.proc.stderr)

    def _kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=WAIT)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def invoke(self, event, **kw):
        inv = self.api.enqueue(event, **kw)
        kind, headers, body = self.api.result(inv)
        return inv, kind, headers, json.loads(body)

    def expect_exit(self):
        try:
            return self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.fail("bootstrap did not exit; stderr:\n" + self.stderr.text())

    def init_error(self):
        rec = self.api.wait_for(lambda r: r[1] == "/2018-06-01/runtime/init/error", "init/error")
        return rec[2], json.loads(rec[3])


# --- Python ---------------------------------------------------------------------------------------

PY_ECHO = """
    import os, sys, decimal
    def process_event(event, context):
        return {
            "event": event,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "memory_type": type(context.memory_limit_in_mb).__name__,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "identity": [context.identity.cognito_identity_id,
                         context.identity.cognito_identity_pool_id],
            "client_context": context.client_context,
            "remaining": context.get_remaining_time_in_millis(),
            "remaining_type": type(context.get_remaining_time_in_millis()).__name__,
            "trace": os.environ.get("_X_AMZN_TRACE_ID"),
            "cwd": os.getcwd(),
            "path0": sys.path[0],
            "decimal": decimal.Decimal("12.50"),
            "none": None,
        }
"""


class PythonBootstrapTest(BootstrapTest):
    def check_echo(self):
        event = {"Records": [{"kinesis": {"data": "eyJxdHkiOiAzfQ=="}}], "n": 1}
        inv, kind, headers, body = self.invoke(event, timeout_ms=3000)
        self.assertEqual(kind, "response")
        self.assertEqual(headers.get("Content-Type"), "application/json")
        self.assertEqual(body["event"], event)
        self.assertEqual(body["function_name"], "dev-orders-processor")
        self.assertEqual(body["function_version"], "$LATEST")
        self.assertEqual(body["invoked_function_arn"], FUNCTION_ARN)
        self.assertEqual(body["memory_limit_in_mb"], "128")
        self.assertEqual(body["memory_type"], "str")
        self.assertEqual(body["aws_request_id"], inv["id"])
        self.assertEqual(body["log_group_name"], "/aws/lambda/dev-orders-processor")
        self.assertTrue(body["log_stream_name"].startswith("2024/06/10/[$LATEST]"))
        self.assertEqual(body["identity"], [None, None])
        self.assertIsNone(body["client_context"])
        self.assertEqual(body["remaining_type"], "int")
        self.assertTrue(0 < body["remaining"] <= 3000, body["remaining"])
        self.assertEqual(body["trace"], inv["trace_id"])
        self.assertEqual(os.path.realpath(body["cwd"]), os.path.realpath(self.task_root))
        self.assertEqual(body["path0"], self.task_root)
        self.assertIsNone(body["none"])
        self.assertEqual(self.api.result(inv)[2].count(b'"decimal": 12.50'), 1)  # exact number

    def test_event_context_and_response(self):
        self.start("python", {"handler.py": PY_ECHO}, "handler.process_event")
        self.check_echo()
        self.assertEqual(self.stdout.text(), "")  # no protocol data on the function log

    def test_system_python(self):
        python, why = system_python()
        if python is None:
            self.skipTest(why)
        self.start("python", {"handler.py": PY_ECHO}, "handler.process_event",
                   interpreter=os.path.realpath(python))
        self.check_echo()

    def test_package_handler_with_slash(self):
        self.start("python", {"pkg/__init__.py": "", "pkg/sub/__init__.py": "",
                              "pkg/sub/mod.py": "def fn(event, context):\n    return event['x'] * 2\n"},
                   "pkg/sub/mod.fn")
        _, kind, _, body = self.invoke({"x": 21})
        self.assertEqual((kind, body), ("response", 42))

    def test_warm_reuse_and_log_format(self):
        self.start("python", {"handler.py": """
            import logging, os
            logger = logging.getLogger()
            logger.setLevel(logging.INFO)
            logger.info("cold start")
            COUNT = 0
            def process_event(event, context):
                global COUNT
                COUNT += 1
                logger.info("invocation %d", COUNT)
                print("plain print", COUNT)
                context.log("via context.log\\n")
                return {"count": COUNT, "pid": os.getpid()}
        """}, "handler.process_event")
        inv1, _, _, first = self.invoke({})
        inv2, _, _, second = self.invoke({})
        self.assertEqual((first["count"], second["count"]), (1, 2))
        self.assertEqual(first["pid"], second["pid"])
        self.assertEqual(first["pid"], self.proc.pid)
        self.stdout.wait_for(r"^\[INFO\]\t%s\t\tcold start$" % ISO_MS)
        for n, inv in ((1, inv1), (2, inv2)):
            self.stdout.wait_for(r"^\[INFO\]\t%s\t%s\tinvocation %d$" % (ISO_MS, inv["id"], n))
            self.stdout.wait_for(r"^plain print %d$" % n)
        self.assertEqual(self.stdout.text().count("via context.log\n"), 2)
        # The timestamp is UTC.
        stamp = re.search(r"^\[INFO\]\t(\S+)\t%s" % inv2["id"], self.stdout.text(), re.M).group(1)
        self.assertLess(abs(time.mktime(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
                            - time.mktime(time.gmtime())), 60)

    def test_handler_exception(self):
        self.start("python", {"handler.py": """
            def parse(payload):
                return int(payload["qty"])

            def process_event(event, context):
                if event.get("ok"):
                    return "fine"
                qty = parse(event)
                return qty
        """}, "handler.process_event")
        inv, kind, headers, body = self.invoke({"qty": "three"})
        self.assertEqual(kind, "error")
        self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"), "ValueError")
        self.assertEqual(list(body), ["errorMessage", "errorType", "requestId", "stackTrace"])
        self.assertEqual(body["errorType"], "ValueError")
        self.assertEqual(body["errorMessage"], "invalid literal for int() with base 10: 'three'")
        self.assertEqual(body["requestId"], inv["id"])
        path = os.path.join(self.task_root, "handler.py")
        self.assertEqual(body["stackTrace"], [
            '  File "%s", line 8, in process_event\n    qty = parse(event)\n' % path,
            '  File "%s", line 3, in parse\n    return int(payload["qty"])\n' % path,
        ])
        self.stderr.wait_for(r"^\[ERROR\] ValueError: invalid literal for int\(\) with base 10: "
                             r"'three'\nTraceback \(most recent call last\):\n  File \"%s\", "
                             r"line 8, in process_event\n    qty = parse\(event\)\n"
                             % re.escape(path))
        # The environment stays warm after a handler error.
        _, kind, _, body = self.invoke({"ok": True})
        self.assertEqual((kind, body), ("response", "fine"))
        self.assertIsNone(self.proc.poll())

    def test_marshal_error(self):
        self.start("python", {"handler.py": "def h(event, context):\n    return {1, 2}\n"},
                   "handler.h")
        inv, kind, headers, body = self.invoke({})
        self.assertEqual(kind, "error")
        self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"), "Runtime.MarshalError")
        self.assertEqual(body, {
            "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
            "errorType": "Runtime.MarshalError", "requestId": inv["id"], "stackTrace": []})
        self.stderr.wait_for(r"^\[ERROR\] Runtime.MarshalError: Unable to marshal response: "
                             r"Object of type set is not JSON serializable\n"
                             r"Traceback \(most recent call last\):$")

    def check_init_error(self, expected_type, expected_message=None):
        headers, body = self.init_error()
        self.assertEqual(self.expect_exit(), 1)
        self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"), expected_type)
        self.assertEqual(body["errorType"], expected_type)
        self.assertEqual(body["requestId"], "")
        if expected_message is not None:
            self.assertEqual(body["errorMessage"], expected_message)
        self.assertEqual(self.api.count("/invocation/next"), 0)  # init never completed
        self.stderr.wait_for(r"^\[ERROR\] %s: " % re.escape(expected_type))
        self.stdout.wait_for(r"^\[WARNING\]\t%s\t\tLAMBDA_WARNING: Unhandled exception\." % ISO_MS)
        return body

    def test_import_error(self):
        self.start("python", {"handler.py": "import requests_kemu_missing\n"
                                            "def process_event(e, c):\n    return 1\n"},
                   "handler.process_event")
        body = self.check_init_error(
            "Runtime.ImportModuleError",
            "Unable to import module 'handler': No module named 'requests_kemu_missing'")
        self.assertEqual(body, {
            "errorMessage": "Unable to import module 'handler': No module named "
                            "'requests_kemu_missing'",
            "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []})

    def test_missing_handler(self):
        self.start("python", {"handler.py": "def other(e, c):\n    return 1\n"},
                   "handler.process_event")
        body = self.check_init_error("Runtime.HandlerNotFound",
                                     "Handler 'process_event' missing on module 'handler'")
        self.assertEqual(body["stackTrace"], [])

    def test_malformed_handler(self):
        self.start("python", {"handler.py": "def h(e, c):\n    return 1\n"}, "handler")
        self.check_init_error("Runtime.MalformedHandlerName",
                              "Bad handler 'handler': not enough values to unpack "
                              "(expected 2, got 1)")

    def test_syntax_error(self):
        self.start("python", {"handler.py": "def process_event(e, c)\n    return 1\n"},
                   "handler.process_event")
        body = self.check_init_error("Runtime.UserCodeSyntaxError")
        self.assertTrue(body["errorMessage"].startswith(
            "Syntax error in module 'handler': expected ':' (handler.py, line 1)"),
            body["errorMessage"])
        self.assertEqual(len(body["stackTrace"]), 1)
        self.assertTrue(body["stackTrace"][0].startswith(
            '  File "%s" Line 1\n    def process_event(e, c)' %
            os.path.join(self.task_root, "handler.py")), body["stackTrace"])

    def test_exception_at_module_load(self):
        self.start("python", {"handler.py": "CONFIG = {}\nTABLE = CONFIG['TABLE']\n"
                                            "def h(e, c):\n    return 1\n"}, "handler.h")
        body = self.check_init_error("KeyError", "'TABLE'")
        self.assertEqual(body["stackTrace"][-1], '  File "%s", line 2, in <module>\n'
                         "    TABLE = CONFIG['TABLE']\n" % os.path.join(self.task_root, "handler.py"))
        self.assertFalse(any(PY_BOOTSTRAP in f for f in body["stackTrace"]), body["stackTrace"])

    def test_remaining_time_decreases_and_clamps(self):
        self.start("python", {"handler.py": """
            import time
            def h(event, context):
                first = context.get_remaining_time_in_millis()
                time.sleep(0.2)
                return [first, context.get_remaining_time_in_millis()]
        """}, "handler.h")
        _, _, _, (first, second) = self.invoke({}, timeout_ms=5000)
        self.assertTrue(0 < second < first <= 5000, (first, second))
        self.assertGreaterEqual(first - second, 150)
        _, _, _, (first, second) = self.invoke({}, deadline_ms=int(time.time() * 1000) - 1000)
        self.assertEqual((first, second), (0, 0))


# --- Node -----------------------------------------------------------------------------------------

NODE_ECHO = """
    let count = 0;
    exports.handler = async (event, context) => {
      count += 1;
      console.log('hello %d', 42);
      return {
        event,
        count,
        pid: process.pid,
        functionName: context.functionName,
        functionVersion: context.functionVersion,
        invokedFunctionArn: context.invokedFunctionArn,
        memoryLimitInMB: context.memoryLimitInMB,
        awsRequestId: context.awsRequestId,
        logGroupName: context.logGroupName,
        logStreamName: context.logStreamName,
        remaining: context.getRemainingTimeInMillis(),
        waits: context.callbackWaitsForEmptyEventLoop,
        trace: process.env._X_AMZN_TRACE_ID,
        cwd: process.cwd(),
      };
    };
"""


class NodeBootstrapTest(BootstrapTest):
    def test_event_context_log_format_and_warm_reuse(self):
        self.start("node", {"index.js": NODE_ECHO}, "index.handler")
        event = {"Records": [{"eventSource": "aws:kinesis"}]}
        inv1, kind, _, first = self.invoke(event, timeout_ms=3000)
        self.assertEqual(kind, "response")
        self.assertEqual(first["event"], event)
        self.assertEqual(first["functionName"], "dev-orders-processor")
        self.assertEqual(first["functionVersion"], "$LATEST")
        self.assertEqual(first["invokedFunctionArn"], FUNCTION_ARN)
        self.assertEqual(first["memoryLimitInMB"], "128")
        self.assertEqual(first["awsRequestId"], inv1["id"])
        self.assertEqual(first["logGroupName"], "/aws/lambda/dev-orders-processor")
        self.assertTrue(first["logStreamName"].startswith("2024/06/10/[$LATEST]"))
        self.assertTrue(0 < first["remaining"] <= 3000, first["remaining"])
        self.assertIs(first["waits"], True)
        self.assertEqual(first["trace"], inv1["trace_id"])
        self.assertEqual(os.path.realpath(first["cwd"]), os.path.realpath(self.task_root))
        inv2, _, _, second = self.invoke({})
        self.assertEqual((first["count"], second["count"]), (1, 2))
        self.assertEqual(first["pid"], second["pid"])
        for inv in (inv1, inv2):
            self.stdout.wait_for(r"^%s\t%s\tINFO\thello 42$" % (ISO_MS, inv["id"]))
        # Nothing but the handler's log lines on stdout (no protocol data).
        lines = self.stdout.text().splitlines()
        self.assertEqual(len(lines), 2, lines)
        for line in lines:
            self.assertRegex(line, r"^%s\t[0-9a-f-]{36}\tINFO\thello 42$" % ISO_MS)

    def test_type_error(self):
        self.start("node", {"index.js": """
            exports.handler = async (event) => {
              if (event.ok) return 'fine';
              const order = null;
              return order.id;
            };
        """}, "index.handler")
        inv, kind, headers, body = self.invoke({})
        self.assertEqual(kind, "error")
        self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"), "TypeError")
        self.assertEqual(sorted(body), ["errorMessage", "errorType", "trace"])
        self.assertEqual(body["errorType"], "TypeError")
        self.assertEqual(body["errorMessage"], "Cannot read properties of null (reading 'id')")
        self.assertEqual(body["trace"][0], "TypeError: Cannot read properties of null (reading 'id')")
        self.assertTrue(body["trace"][1].startswith("    at "), body["trace"])
        self.assertIn(os.path.join(self.task_root, "index.js"), body["trace"][1])
        self.stdout.wait_for(r'^%s\t%s\tERROR\tInvoke Error \t\{"errorType":"TypeError",'
                             r'"errorMessage":"Cannot read properties of null \(reading \'id\'\)"'
                             % (ISO_MS, inv["id"]))
        _, kind, _, body = self.invoke({"ok": True})  # stays warm
        self.assertEqual((kind, body), ("response", "fine"))

    def test_non_error_throw(self):
        self.start("node", {"index.js": "exports.handler = async () => { throw 'boom'; };\n"},
                   "index.handler")
        _, kind, headers, body = self.invoke({})
        self.assertEqual(kind, "error")
        self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"), "string")
        self.assertEqual(body, {"errorType": "string", "errorMessage": "boom", "trace": []})

    def test_es_module_mjs(self):
        self.start("node", {"app.mjs": """
            import { sep } from 'node:path';
            let n = 0;
            export const handler = async (event, context) => ({ n: ++n, sep, id: context.awsRequestId });
        """}, "app.handler")
        inv, kind, _, body = self.invoke({})
        self.assertEqual((kind, body), ("response", {"n": 1, "sep": "/", "id": inv["id"]}))
        _, _, _, body = self.invoke({})
        self.assertEqual(body["n"], 2)

    def test_es_module_type_module_in_subdir(self):
        self.start("node", {"package.json": '{"type": "module"}',
                            "src/app.js": "export async function handler(e) { return e.x + 1; }\n"},
                   "src/app.handler")
        _, kind, _, body = self.invoke({"x": 41})
        self.assertEqual((kind, body), ("response", 42))

    def test_callback_handlers(self):
        self.start("node", {"index.cjs": """
            exports.handler = (event, context, callback) => {
              if (event.mode === 'late') {
                setTimeout(() => callback(null, { late: true }), 50);
              } else if (event.mode === 'wait') {
                setTimeout(() => { globalThis.timerRan = true; }, 400);
                callback(null, { waited: true });
              } else if (event.mode === 'nowait') {
                context.callbackWaitsForEmptyEventLoop = false;
                setTimeout(() => {}, 3000);
                callback(null, { waited: false });
              } else if (event.mode === 'error') {
                callback(new RangeError('too big'));
              } else {
                callback(null, { timerRan: globalThis.timerRan === true });
              }
            };
        """}, "index.handler")
        _, kind, _, body = self.invoke({"mode": "late"})
        self.assertEqual((kind, body), ("response", {"late": True}))
        # callbackWaitsForEmptyEventLoop (default true): the answer waits for the pending timer.
        started = time.monotonic()
        _, kind, _, body = self.invoke({"mode": "wait"})
        self.assertGreaterEqual(time.monotonic() - started, 0.35)
        self.assertEqual((kind, body), ("response", {"waited": True}))
        _, _, _, body = self.invoke({"mode": "check"})
        self.assertEqual(body, {"timerRan": True})
        # ... and false: answered at once, the timer left pending.
        started = time.monotonic()
        _, kind, _, body = self.invoke({"mode": "nowait"})
        self.assertLess(time.monotonic() - started, 2.5)
        self.assertEqual((kind, body), ("response", {"waited": False}))
        _, kind, _, body = self.invoke({"mode": "error"})
        self.assertEqual(kind, "error")
        self.assertEqual((body["errorType"], body["errorMessage"]), ("RangeError", "too big"))
        self.assertEqual(body["trace"][0], "RangeError: too big")

    def test_unhandled_rejection_fails_the_invocation(self):
        self.start("node", {"index.js": """
            exports.handler = async () => {
              new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 10));
              await new Promise((r) => setTimeout(r, 500));
              return 'never';
            };
        """}, "index.handler")
        _, kind, headers, body = self.invoke({})
        self.assertEqual(kind, "error")
        self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"),
                         "Runtime.UnhandledPromiseRejection")
        self.assertEqual((body["errorType"], body["errorMessage"]),
                         ("Runtime.UnhandledPromiseRejection", "Error: late"))
        self.assertEqual(self.expect_exit(), 128)  # the environment is gone, as in AWS

    def test_sync_handler_without_callback_answers_null(self):
        # As aws-lambda-ric: a non-async handler's return value is ignored; no callback = null.
        self.start("node", {"index.js": "exports.handler = (event, context) => 42;\n"},
                   "index.handler")
        _, kind, _, body = self.invoke({})
        self.assertEqual((kind, body), ("response", None))

    def test_unserialisable_result(self):
        self.start("node", {"index.js": "exports.handler = async () => ({ n: 1n });\n"},
                   "index.handler")
        _, kind, _, body = self.invoke({})
        self.assertEqual(kind, "error")
        self.assertEqual((body["errorType"], body["errorMessage"]),
                         ("Error", "Unable to stringify response body"))

    def test_remaining_time_decreases(self):
        self.start("node", {"index.js": """
            exports.handler = async (event, context) => {
              const first = context.getRemainingTimeInMillis();
              await new Promise((r) => setTimeout(r, 200));
              return [first, context.getRemainingTimeInMillis()];
            };
        """}, "index.handler")
        _, _, _, (first, second) = self.invoke({}, timeout_ms=5000)
        self.assertTrue(0 < second < first <= 5000, (first, second))
        self.assertGreaterEqual(first - second, 150)
        # Node's context is not clamped (aws-lambda-ric: deadline - Date.now()).
        _, _, _, (first, second) = self.invoke({}, deadline_ms=int(time.time() * 1000) - 1000)
        self.assertLess(second, first)
        self.assertLess(first, -900)

    def check_init_error(self, expected_type):
        headers, body = self.init_error()
        self.assertEqual(self.expect_exit(), 129)  # aws-lambda-ric exits 129 after init/error
        self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"), expected_type)
        self.assertEqual(sorted(body), ["errorMessage", "errorType", "trace"])
        self.assertEqual(body["errorType"], expected_type)
        self.assertEqual(self.api.count("/invocation/next"), 0)
        self.stdout.wait_for(r'^%s\tundefined\tERROR\tUncaught Exception \t\{"errorType":"%s"'
                             % (ISO_MS, re.escape(expected_type)))
        return body

    def test_import_error(self):
        self.start("node", {"index.js": "const x = require('kemu-missing-dep');\n"
                                        "exports.handler = async () => x;\n"}, "index.handler")
        body = self.check_init_error("Runtime.ImportModuleError")
        self.assertTrue(body["errorMessage"].startswith(
            "Error: Cannot find module 'kemu-missing-dep'"), body["errorMessage"])
        self.assertTrue(body["trace"][0].startswith(
            "Runtime.ImportModuleError: Error: Cannot find module 'kemu-missing-dep'"))

    def test_missing_module_file(self):
        self.start("node", {"other.js": ""}, "index.handler")
        body = self.check_init_error("Runtime.ImportModuleError")
        self.assertTrue(body["errorMessage"].startswith("Error: Cannot find module 'index'"),
                        body["errorMessage"])

    def test_handler_not_found(self):
        self.start("node", {"index.js": "exports.other = async () => 1;\n"}, "index.handler")
        body = self.check_init_error("Runtime.HandlerNotFound")
        self.assertEqual(body["errorMessage"], "index.handler is undefined or not exported")

    def test_malformed_handler(self):
        self.start("node", {"index.js": "exports.handler = async () => 1;\n"}, "index")
        body = self.check_init_error("Runtime.MalformedHandlerName")
        self.assertEqual(body["errorMessage"], "Bad handler")

    def test_syntax_error(self):
        self.start("node", {"index.js": "exports.handler = async () => {\n"}, "index.handler")
        body = self.check_init_error("Runtime.UserCodeSyntaxError")
        self.assertTrue(body["errorMessage"].startswith("SyntaxError: "), body["errorMessage"])

    def test_missing_environment_refuses_to_start(self):
        self.start("node", {"index.js": "exports.handler = async () => 1;\n"}, "index.handler",
                   env_overrides={"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": None})
        self.assertEqual(self.expect_exit(), 1)
        self.stderr.wait_for(r"missing required environment variable\(s\): "
                             r"AWS_LAMBDA_FUNCTION_MEMORY_SIZE$")
        self.assertEqual(self.api.records, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
