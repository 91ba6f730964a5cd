"""Start and stop a real `kemu` for end-to-end tests (stdlib only).

    kemu = Kemu(data_dir)           # or Kemu(data_dir, extra_args=["--shard-limits"])
    kemu.start()                    # waits (10 s deadline) for "kemu listening on http://..."
    kemu.endpoint                   # "http://127.0.0.1:PORT"
    kemu.kill9(); kemu.start()      # crash and restart on the same data dir (new port)
    kemu.stop()                     # SIGTERM, then SIGKILL after a deadline; returns exit code

KemuTestCase gives every test its own temp dir, a running kemu and isolated client env.
The binary is $KEMU_BIN, default <repo>/build/dev/tools/kemu/kemu.
"""

import os
import re
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_BIN = os.path.join(REPO, "build", "dev", "tools", "kemu", "kemu")
START_DEADLINE_S = 10.0
STOP_DEADLINE_S = 10.0
ACCOUNT = "000000000000"
REGION = "us-east-1"
LISTEN_RE = re.compile(rb"^kemu listening on (http://127\.0\.0\.1:(\d+))\s*$")


def kemu_bin():
    return os.environ.get("KEMU_BIN", DEFAULT_BIN)


def client_env(tmp_dir, region=REGION, access_key="test"):
    """Environment for SDKs and CLIs: fixed credentials, nothing read from the machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_CONFIG_FILE": os.path.join(tmp_dir, "no-such-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp_dir, "no-such-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
    })
    return env


class KemuError(RuntimeError):
    pass


class Kemu:
    def __init__(self, data_dir=None, in_memory=False, extra_args=(), log_dir=None):
        self.data_dir = data_dir
        self.log_dir = log_dir or (os.path.dirname(data_dir.rstrip("/")) if data_dir
                                   else tempfile.gettempdir())
        self.in_memory = in_memory
        self.extra_args = list(extra_args)
        self.proc = None
        self.endpoint = None
        self.port = None
        self.log_path = None
        self._drain = None
        self._rest = b""  # stdout read past the listening line
        self._runs = 0

    def command(self):
        cmd = [kemu_bin(), "up", "--port", "0"]
        cmd += ["--in-memory"] if self.in_memory else ["--data-dir", self.data_dir]
        return cmd + self.extra_args

    def start(self):
        if self.proc is not None:
            raise KemuError("kemu already running")
        binary = kemu_bin()
        if not os.access(binary, os.X_OK):
            raise KemuError(f"kemu binary not found or not executable: {binary} (set KEMU_BIN)")
        self._runs += 1
        self.log_path = os.path.join(self.log_dir,
                                     f"kemu-{os.getpid()}-{id(self)}-{self._runs}.stderr")
        err = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=err,
                                         start_new_session=True)
        finally:
            err.close()
        try:
            line = self._read_listen_line(START_DEADLINE_S)
        except BaseException:
            self._kill()
            raise
        m = LISTEN_RE.match(line)
        if not m:
            self._kill()
            raise KemuError(f"unexpected first stdout line from kemu: {line!r}")
        self.endpoint = m.group(1).decode()
        self.port = int(m.group(2))
        # Keep draining stdout so kemu never blocks on a full pipe.
        self._drain = threading.Thread(target=self._drain_stdout, daemon=True)
        self._drain.start()
        return self

    def _read_listen_line(self, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        buf = b""
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise KemuError(f"kemu did not print its listening line within {timeout} s;"
                                    f" stdout so far {buf!r}; stderr: {self.stderr_tail()}")
                if not sel.select(left):
                    continue
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise KemuError(f"kemu exited before listening (rc={self.proc.wait()});"
                                    f" stdout {buf!r}; stderr: {self.stderr_tail()}")
                buf += chunk
        first, self._rest = buf.split(b"\n", 1)  # what came after it in the same read
        return first

    def _drain_stdout(self):
        out = self.proc.stdout
        try:
            while out.read(65536):
                pass
        except (OSError, ValueError):
            pass

    def stderr_tail(self, limit=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-limit:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self, deadline=STOP_DEADLINE_S):
        """SIGTERM, wait up to `deadline`, then SIGKILL. Returns the exit code."""
        if self.proc is None:
            return None
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=deadline)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=deadline)
                self._cleanup()
                raise KemuError(f"kemu ignored SIGTERM for {deadline} s and was killed")
        self._cleanup()
        return proc.returncode

    def kill9(self):
        """Simulate a crash: SIGKILL, no chance to flush."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=STOP_DEADLINE_S)
        self._cleanup()

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_DEADLINE_S)
        self._cleanup()

    def _cleanup(self):
        if self.proc is not None and self.proc.stdout is not None:
            try:
                self.proc.stdout.close()
            except OSError:
                pass
        if self._drain is not None:
            self._drain.join(timeout=2)
        self.proc = None
        self._drain = None

    def running(self):
        return self.proc is not None and self.proc.poll() is None


# Sanitizer builds run several times slower, on machines shared with the build: their CTest
# presets set KEMU_E2E_DEADLINE_SCALE (asan, tsan: 3) to stretch every wait for something that
# should happen. Nothing asserts that a wait ran out, so a longer deadline only slows a failure.
DEADLINE_SCALE = float(os.environ.get("KEMU_E2E_DEADLINE_SCALE", "1"))


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Poll `predicate` until it returns a truthy value or `timeout` seconds pass (scaled)."""
    timeout *= DEADLINE_SCALE
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class KemuTestCase(unittest.TestCase):
    """Each test: own temp dir, own kemu on its own data dir, isolated AWS env."""

    kemu_args = ()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kemu-e2e-")
        if os.environ.get("KEMU_E2E_KEEP"):
            print(f"\n[kemu-e2e] keeping {self.tmp}", flush=True)
        else:
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.env = client_env(self.tmp)
        saved = dict(os.environ)

        def restore_env():
            os.environ.clear()
            os.environ.update(saved)
        self.addCleanup(restore_env)
        os.environ.clear()
        os.environ.update(self.env)
        self.data_dir = os.path.join(self.tmp, "data")
        os.makedirs(self.data_dir)
        self.kemu = Kemu(self.data_dir, extra_args=self.kemu_args, log_dir=self.tmp)
        self.addCleanup(self._stop_kemu)
        self.kemu.start()

    def _stop_kemu(self):
        if self.kemu.proc is None:
            return
        crashed = not self.kemu.running()
        rc = self.kemu.stop()
        if crashed:
            raise AssertionError(f"kemu died during the test (exit {rc}); stderr:\n"
                                 f"{self.kemu.stderr_tail()}")
        if rc != 0:
            raise AssertionError(f"kemu exited with {rc} on SIGTERM; stderr:\n"
                                 f"{self.kemu.stderr_tail()}")

    @property
    def endpoint(self):
        return self.kemu.endpoint


# ---- boto3 helpers (imported lazily: the wire test does not need boto3) ----

def boto3_client(endpoint, region=REGION, access_key="test"):
    import boto3
    from botocore.config import Config
    session = boto3.session.Session(aws_access_key_id=access_key,
                                    aws_secret_access_key="test", region_name=region)
    cfg = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=15)
    return session.client("kinesis", endpoint_url=endpoint, config=cfg)


def sqs_client(endpoint, region=REGION, access_key="test", read_timeout=30):
    """boto3 SQS client: JSON 1.0 under boto3 1.43, query/XML under Debian's boto3 1.26.
    read_timeout must exceed any WaitTimeSeconds a test uses."""
    import boto3
    from botocore.config import Config
    session = boto3.session.Session(aws_access_key_id=access_key,
                                    aws_secret_access_key="test", region_name=region)
    cfg = Config(retries={"total_max_attempts": 1}, connect_timeout=5,
                 read_timeout=read_timeout)
    return session.client("sqs", endpoint_url=endpoint, config=cfg)


def wait_active(client, name, timeout=10.0):
    def active():
        d = client.describe_stream(StreamName=name)["StreamDescription"]
        return d if d["StreamStatus"] == "ACTIVE" else None
    return wait_until(active, timeout, what=f"stream {name} ACTIVE")


def run_main():
    """unittest.main that exits non-zero on failure and says which binary it used."""
    import sys
    print(f"kemu binary: {kemu_bin()}; python {sys.version.split()[0]} ({sys.executable})",
          file=sys.stderr)
    unittest.main(verbosity=2)


# ---- Lambda processors: kemu up -c kemu.yaml with real handlers (additions for the lambda tests) ----

ISO_MS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# Python handlers start with this: record(**fields) appends one JSON line to <tmp>/out/<type>.jsonl
# (outside the code directory, so writing it is not a code change), summary(event) gives
# [{"seq", "shard", "data" (latin-1 text of the bytes), "pk", "ts"}] for the event's records.
PY_PRELUDE = '''\
import base64 as _b64, json as _json, os as _os
_HERE = _os.path.dirname(_os.path.abspath(__file__))
_OUT = _os.path.join(_os.path.dirname(_os.path.dirname(_HERE)), "out", _os.path.basename(_HERE) + ".jsonl")


def record(**fields):
    fd = _os.open(_OUT, _os.O_WRONLY | _os.O_APPEND | _os.O_CREAT, 0o644)
    try:
        _os.write(fd, (_json.dumps(fields) + "\\n").encode())  # one write: never interleaved
    finally:
        _os.close(fd)


def summary(event):
    return [{"seq": r["kinesis"]["sequenceNumber"], "shard": r["eventID"].split(":")[0],
             "data": _b64.b64decode(r["kinesis"]["data"]).decode("latin-1"),
             "pk": r["kinesis"]["partitionKey"],
             "ts": r["kinesis"]["approximateArrivalTimestamp"]} for r in event["Records"]]
'''

# The same for Node (CommonJS); NODE_ESM_PRELUDE for .mjs handlers.
NODE_PRELUDE = '''\
const fs = require('fs');
const path = require('path');
const OUT = path.join(__dirname, '..', '..', 'out', path.basename(__dirname) + '.jsonl');
function record(fields) { fs.appendFileSync(OUT, JSON.stringify(fields) + '\\n'); }
function summary(event) {
  return event.Records.map((r) => ({ seq: r.kinesis.sequenceNumber, shard: r.eventID.split(':')[0],
    data: Buffer.from(r.kinesis.data, 'base64').toString('latin1'), pk: r.kinesis.partitionKey,
    ts: r.kinesis.approximateArrivalTimestamp }));
}
'''

NODE_ESM_PRELUDE = '''\
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(HERE, '..', '..', 'out', path.basename(HERE) + '.jsonl');
function record(fields) { fs.appendFileSync(OUT, JSON.stringify(fields) + '\\n'); }
function summary(event) {
  return event.Records.map((r) => ({ seq: r.kinesis.sequenceNumber, shard: r.eventID.split(':')[0],
    data: Buffer.from(r.kinesis.data, 'base64').toString('latin1'), pk: r.kinesis.partitionKey,
    ts: r.kinesis.approximateArrivalTimestamp }));
}
'''


class StdoutKemu(Kemu):
    """Kemu that keeps every stdout line (banner, `[function] ...` log lines) in `lines`."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.lines = []
        self._lines_cv = threading.Condition()

    def _keep(self, buf):
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            with self._lines_cv:
                self.lines.append(line.decode(errors="replace"))
                self._lines_cv.notify_all()
        return buf

    def _drain_stdout(self):
        fd = self.proc.stdout.fileno()
        buf = self._keep(self._rest)
        self._rest = b""
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                buf = self._keep(buf + chunk)
        except (OSError, ValueError):
            pass

    def wait_line(self, predicate, timeout, what="a stdout line"):
        timeout *= DEADLINE_SCALE
        deadline = time.monotonic() + timeout
        with self._lines_cv:
            while True:
                for line in self.lines:
                    if predicate(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout} s waiting for {what};"
                                         f" last lines: {self.lines[-20:]}")
                self._lines_cv.wait(left)


class LambdaTestCase(unittest.TestCase):
    """Own temp dir, own kemu.yaml with event flows, handler code under <tmp>/lambda/<type>/.

        self.add_flow("orders", {"handler.py": PY_PRELUDE + code}, max_retry_attempts=2)
        self.start_kemu("--lambda-idle-timeout-s", "1")
        put = self.put("orders", b"data", "pk")      # {"ShardId", "SequenceNumber", "data", "pk", "time"}
        self.wait_seen("orders", lambda seen: ..., 10)
    Flows default to TRIM_HORIZON, window 0, batch size 100, 1 shard, no bisect, 5 retries."""

    ENVIRONMENT = "dev"
    FLOW_DEFAULTS = {"shard_count": 1, "batch_size": 100, "batch_window_seconds": 0,
                     "starting_position": "TRIM_HORIZON", "max_retry_attempts": 5,
                     "bisect_batch_on_function_error": False, "lambda_timeout": 10}

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kemu-lambda-")
        if os.environ.get("KEMU_E2E_KEEP"):
            print(f"\n[kemu-e2e] keeping {self.tmp}", flush=True)
        else:
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.env = client_env(self.tmp)
        saved = dict(os.environ)

        def restore_env():
            os.environ.clear()
            os.environ.update(saved)
        self.addCleanup(restore_env)
        os.environ.clear()
        os.environ.update(self.env)
        self.data_dir = os.path.join(self.tmp, "data")
        os.makedirs(self.data_dir)
        os.makedirs(os.path.join(self.tmp, "out"))
        self.config_path = os.path.join(self.tmp, "kemu.yaml")
        self.flows = []
        self.kemu = None
        self._clients = {}
        self.addCleanup(self._stop_kemu)

    # -- topology and code --

    def code_dir(self, event_type):
        return os.path.join(self.tmp, "lambda", event_type)

    def write_code(self, event_type, files):
        d = self.code_dir(event_type)
        os.makedirs(d, exist_ok=True)
        for name, text in files.items():
            path = os.path.join(d, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)

    def add_flow(self, event_type, files, **keys):
        self.write_code(event_type, files)
        flow = dict(self.FLOW_DEFAULTS)
        flow.update(keys)
        self.flows.append((event_type, flow))

    def _yaml_value(self, v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    def write_topology(self):
        lines = ["version: 1", f"environment: {self.ENVIRONMENT}", "event_flows:"]
        for event_type, flow in self.flows:
            lines.append(f"  - event_type: {event_type}")
            lines.append(f"    lambda_source_path: lambda/{event_type}")
            for k, v in flow.items():
                lines.append(f"    {k}: {self._yaml_value(v)}")
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start_kemu(self, *extra_args):
        """Writes kemu.yaml and starts kemu with fast retries; keeps extra args for restarts."""
        self.write_topology()
        self.kemu_extra = ["-c", self.config_path, "--lambda-retry-backoff-ms", "10", *extra_args]
        self.kemu = StdoutKemu(self.data_dir, extra_args=self.kemu_extra, log_dir=self.tmp)
        self.kemu.start()
        self._clients = {}
        return self.kemu

    def restart_kemu(self):
        """SIGTERM (must exit 0), then start again on the same data dir."""
        rc = self.kemu.stop()
        self.assertEqual(rc, 0, f"kemu exited with {rc} on SIGTERM: {self.kemu.stderr_tail()}")
        self.kemu.lines = []
        self.kemu.start()
        self._clients = {}

    def _stop_kemu(self):
        if self.kemu is None or self.kemu.proc is None:
            return
        crashed = not self.kemu.running()
        rc = self.kemu.stop()
        if crashed:
            raise AssertionError(f"kemu died during the test (exit {rc}); stderr:\n"
                                 f"{self.kemu.stderr_tail()}")
        if rc != 0:
            raise AssertionError(f"kemu exited with {rc} on SIGTERM; stderr:\n"
                                 f"{self.kemu.stderr_tail()}")

    # -- names --

    def function_name(self, event_type):
        return f"{self.ENVIRONMENT}-{event_type}-processor"

    def stream_name(self, event_type):
        return f"{self.ENVIRONMENT}-{event_type}-stream"

    def stream_arn(self, event_type):
        return f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{self.stream_name(event_type)}"

    def function_arn(self, event_type):
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name(event_type)}"

    def role_arn(self, event_type):
        return f"arn:aws:iam::{ACCOUNT}:role/{self.function_name(event_type)}-role"

    # -- clients --

    @property
    def kinesis(self):
        if "kinesis" not in self._clients:
            self._clients["kinesis"] = boto3_client(self.kemu.endpoint)
        return self._clients["kinesis"]

    @property
    def sqs(self):
        if "sqs" not in self._clients:
            self._clients["sqs"] = sqs_client(self.kemu.endpoint)
        return self._clients["sqs"]

    def put(self, event_type, data, pk="pk-1"):
        if isinstance(data, str):
            data = data.encode()
        t = time.time()
        r = self.kinesis.put_record(StreamName=self.stream_name(event_type), Data=data,
                                    PartitionKey=pk)
        return {"ShardId": r["ShardId"], "SequenceNumber": r["SequenceNumber"], "data": data,
                "pk": pk, "time": t}

    def put_many(self, event_type, items):
        """One PutRecords call; items = [(data, pk)]. Returns the put dicts in order."""
        entries = [{"Data": d.encode() if isinstance(d, str) else d, "PartitionKey": pk}
                   for d, pk in items]
        t = time.time()
        r = self.kinesis.put_records(StreamName=self.stream_name(event_type), Records=entries)
        self.assertEqual(r.get("FailedRecordCount", 0), 0, r)
        return [{"ShardId": x["ShardId"], "SequenceNumber": x["SequenceNumber"],
                 "data": e["Data"], "pk": e["PartitionKey"], "time": t}
                for x, e in zip(r["Records"], entries)]

    # -- what the handlers saw --

    def seen(self, event_type):
        path = os.path.join(self.tmp, "out", event_type + ".jsonl")
        try:
            with open(path) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        import json
        text = text[:text.rfind("\n") + 1]  # a line being written is not complete yet
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def wait_seen(self, event_type, predicate, timeout, what=None):
        """Waits until predicate(seen lines) is truthy; returns the lines."""
        last = []

        def check():
            last[:] = self.seen(event_type)
            return predicate(last)
        try:
            wait_until(check, timeout, interval=0.05,
                       what=what or f"the {event_type} handler's records")
        except AssertionError as e:
            raise AssertionError(f"{e}; handler saw: {last[-10:]}; kemu stderr: "
                                 f"{self.kemu.stderr_tail(1500) if self.kemu else ''}") from None
        return list(last)

    def function_log(self, event_type):
        path = os.path.join(self.data_dir, "logs", "aws", "lambda",
                            self.function_name(event_type) + ".log")
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def report_line(self, event_type, request_id, timeout=5.0):
        """The function log's REPORT line for one request id (waits for it)."""
        prefix = f"REPORT RequestId: {request_id}\t"

        def find():
            for line in self.function_log(event_type).splitlines():
                if line.startswith(prefix):
                    return line
            return None
        return wait_until(find, timeout, what=f"the REPORT line of {request_id}")

    # -- the dead-letter queue --

    def dlq_url(self, event_type):
        return self.sqs.get_queue_url(QueueName=f"{self.ENVIRONMENT}-{event_type}-dlq")["QueueUrl"]

    def receive_dlq(self, event_type, count, timeout=15.0):
        """Receives exactly `count` messages (waiting up to `timeout`), checks there is no more,
        and returns their parsed bodies sorted by startSequenceNumber."""
        import json
        url = self.dlq_url(event_type)
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{event_type} DLQ: {len(got)} of {count} messages after "
                                     f"{timeout} s: {got}")
            r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         VisibilityTimeout=300, WaitTimeSeconds=1)
            got.extend(m["Body"] for m in r.get("Messages", []))
        extra = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         VisibilityTimeout=300, WaitTimeSeconds=0)
        got.extend(m["Body"] for m in extra.get("Messages", []))
        self.assertEqual(len(got), count, f"{event_type} DLQ holds more than {count}: {got}")
        bodies = [json.loads(b) for b in got]
        return sorted(bodies, key=lambda b: int(b["KinesisBatchInfo"]["startSequenceNumber"]))

    def dlq_depth(self, event_type):
        a = self.sqs.get_queue_attributes(
            QueueUrl=self.dlq_url(event_type),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        return (int(a["Attributes"]["ApproximateNumberOfMessages"]) +
                int(a["Attributes"]["ApproximateNumberOfMessagesNotVisible"]))

    # -- assertions on what AWS defines (docs/aws/lambda.md) --

    def assert_kinesis_record(self, rec, put, event_type):
        """One record of the handler's event as Lambda builds it from a Kinesis record, field by
        field and in AWS's key order: base64 data, arrival time in epoch seconds as a float with
        ms resolution, eventID "<shardId>:<sequenceNumber>", the role ARN and the stream ARN."""
        import base64
        self.assertEqual(list(rec), ["kinesis", "eventSource", "eventVersion", "eventID",
                                     "eventName", "invokeIdentityArn", "awsRegion",
                                     "eventSourceARN"], rec)
        k = rec["kinesis"]
        self.assertEqual(list(k), ["kinesisSchemaVersion", "partitionKey", "sequenceNumber", "data",
                                   "approximateArrivalTimestamp"], k)
        self.assertEqual(k["kinesisSchemaVersion"], "1.0")
        self.assertEqual(k["partitionKey"], put["pk"])
        self.assertIsInstance(k["sequenceNumber"], str)
        self.assertEqual(k["sequenceNumber"], put["SequenceNumber"])
        self.assertEqual(k["data"], base64.b64encode(put["data"]).decode())
        ts = k["approximateArrivalTimestamp"]
        # kemu writes a whole second as "1718031246.0" (lane_test checks the event's text), but a
        # Node handler that echoes the event back prints that number as 1718031246: JavaScript
        # has one number type. An int is therefore a whole second, never a truncated one.
        self.assertTrue(isinstance(ts, float) or type(ts) is int,
                        f"approximateArrivalTimestamp {ts!r} is not a JSON number")
        self.assertEqual(len(str(int(ts))), 10, ts)
        self.assertAlmostEqual(ts, round(ts, 3), places=6, msg=f"{ts} has more than ms resolution")
        self.assertLess(abs(ts - put["time"]), 5.0, f"arrival {ts} vs put at {put['time']}")
        self.assertEqual(rec["eventSource"], "aws:kinesis")
        self.assertEqual(rec["eventVersion"], "1.0")
        self.assertEqual(rec["eventID"], f"{put['ShardId']}:{put['SequenceNumber']}")
        self.assertRegex(put["ShardId"], r"^shardId-\d{12}$")
        self.assertEqual(rec["eventName"], "aws:kinesis:record")
        self.assertEqual(rec["invokeIdentityArn"], self.role_arn(event_type))
        self.assertEqual(rec["awsRegion"], REGION)
        self.assertEqual(rec["eventSourceARN"], self.stream_arn(event_type))

    @staticmethod
    def iso_ms(seconds):
        import datetime
        ms = int(round(seconds * 1000))
        d = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
        return d.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"

    def assert_failure_record(self, body, event_type, first, last, batch_size, condition,
                              invoke_count, function_error, request_id=None):
        """An on-failure record as kemu wrote it to the DLQ, in the shape Lambda sends to an
        on-failure destination for a Kinesis source: requestContext, responseContext (absent
        for RecordAgeExceeded), version "1.0", timestamp and KinesisBatchInfo, no record data.
        first/last: the summary entries (seq, shard, ts) of the first and last discarded record."""
        expected_keys = ["requestContext", "responseContext", "version", "timestamp",
                         "KinesisBatchInfo"]
        if condition == "RecordAgeExceeded":
            expected_keys.remove("responseContext")
        self.assertEqual(sorted(body), sorted(expected_keys), body)
        rc = body["requestContext"]
        self.assertEqual(sorted(rc), ["approximateInvokeCount", "condition", "functionArn",
                                      "requestId"], rc)
        self.assertRegex(rc["requestId"], UUID_RE)
        if request_id is not None:
            self.assertEqual(rc["requestId"], request_id, "requestId is not the last attempt's")
        self.assertEqual(rc["functionArn"], self.function_arn(event_type))
        self.assertEqual(rc["condition"], condition)
        self.assertEqual(rc["approximateInvokeCount"], invoke_count, body)
        if condition != "RecordAgeExceeded":
            self.assertEqual(body["responseContext"],
                             {"statusCode": 200, "executedVersion": "$LATEST",
                              "functionError": function_error}, body)
        self.assertEqual(body["version"], "1.0")
        self.assertRegex(body["timestamp"], ISO_MS_RE)
        info = body["KinesisBatchInfo"]
        self.assertEqual(info, {
            "shardId": first["shard"],
            "startSequenceNumber": first["seq"],
            "endSequenceNumber": last["seq"],
            "approximateArrivalOfFirstRecord": self.iso_ms(first["ts"]),
            "approximateArrivalOfLastRecord": self.iso_ms(last["ts"]),
            "batchSize": batch_size,
            "streamArn": self.stream_arn(event_type),
        })
        self.assertGreaterEqual(body["timestamp"], info["approximateArrivalOfLastRecord"])


# ---- GET /_kemu/metrics (additions for the examples tests) ----

METRIC_LINE_RE = re.compile(r'^(\w+)\{([^}]*)\}\s+(\S+)$')
METRIC_LABEL_RE = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def kemu_metrics(endpoint, timeout=5.0):
    """The Prometheus text of GET /_kemu/metrics as {(family, resource): value}, where family is
    the sample's name (aws_lambda_errors_sum, kemu_lambda_invocations_total, ...) and resource
    the value of its first label (function_name, stream_name, queue_name, api_name)."""
    import urllib.request
    with urllib.request.urlopen(endpoint + "/_kemu/metrics", timeout=timeout) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        m = METRIC_LINE_RE.match(line.strip())
        if not m:
            continue
        labels = METRIC_LABEL_RE.findall(m.group(2))
        out[(m.group(1), labels[0][1] if labels else "")] = float(m.group(3))
    return out
