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
        return buf.split(b"\n", 1)[0]

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


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Poll `predicate` until it returns a truthy value or `timeout` seconds pass."""
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
