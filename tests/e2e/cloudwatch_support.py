"""One kemu per test class for the CloudWatch and CloudWatch Logs API tests: `kemu up -c
examples/kemu.yaml` (a copy in the class's temp dir) on a free port (`--in-memory`, or a data
dir with `in_memory = False`), one good order and one
poisoned order sent through the gateway, and the orders errors alarm waited into ALARM. The
alarm period is an hour (`--alarm-period-s 3600`), so the alarm stays in ALARM while the tests
read it."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from kemu_harness import REPO, StdoutKemu, client_env, wait_until
from seed_fixtures import seed_body

EXAMPLES = os.path.join(REPO, "examples")
FUNCTION = "dev-orders-processor"
GROUP = "/aws/lambda/" + FUNCTION
STREAM = "dev-orders-stream"
ERRORS_ALARM = "dev-orders-lambda-errors"
# The sentence CloudWatch writes when a threshold alarm fires, datapoints in its own format.
ALARM_REASON_RE = re.compile(
    r"^Threshold Crossed: 1 out of the last 1 datapoints \[\d+\.0 \(\d\d/\d\d/\d\d \d\d:\d\d:\d\d\)\]"
    r" was greater than the threshold \(0\.0\) \(minimum 1 datapoint for OK -> ALARM transition\)\.$")
GOOD_LINE = "order ORD-12345 created: 2 items, 99.99 USD"
POISON = {"order_id": "ORD-POISON", "total_amount": -1, "currency": "USD"}


class PipelineKemu(unittest.TestCase):
    kemu = None
    in_memory = True  # False: a data dir in the class's temp dir

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kemu-cwapi-")
        cls.env = client_env(cls.tmp)
        cls._saved_env = dict(os.environ)
        os.environ.clear()
        os.environ.update(cls.env)
        examples = os.path.join(cls.tmp, "examples")
        shutil.copytree(EXAMPLES, examples, ignore=shutil.ignore_patterns("__pycache__", ".kemu"))
        data_dir = None if cls.in_memory else os.path.join(cls.tmp, "data")
        cls.kemu = StdoutKemu(data_dir, in_memory=cls.in_memory, log_dir=cls.tmp, extra_args=[
            "-c", os.path.join(examples, "kemu.yaml"), "--lambda-retry-backoff-ms", "10",
            "--alarm-period-s", "3600"])
        cls.kemu.start()
        cls.endpoint = cls.kemu.endpoint
        cls.post("/events/orders", seed_body("/events/orders"))
        cls.post("/events/orders", json.dumps(POISON))
        cls.kemu.wait_line(lambda l: f"kemu alarm {ERRORS_ALARM}: OK -> ALARM" in l, 30,
                           what="the orders errors alarm in ALARM")
        cls.kemu.wait_line(lambda l: GOOD_LINE in l, 30, what="the good order's log line")

    @classmethod
    def tearDownClass(cls):
        if cls.kemu is not None:
            cls.kemu.stop()
        os.environ.clear()
        os.environ.update(cls._saved_env)
        shutil.rmtree(cls.tmp, True)

    @classmethod
    def post(cls, path, body):
        r = subprocess.run(["curl", "-sS", "-X", "POST", cls.endpoint + "/v1" + path,
                            "-H", "Content-Type: application/json", "-d", body,
                            "-w", "\n%{http_code}"], capture_output=True, text=True, timeout=15)
        assert r.returncode == 0, r.stderr
        assert r.stdout.rsplit("\n", 1)[1] == "200", r.stdout

    def wait(self, predicate, what, timeout=20):
        return wait_until(predicate, timeout, interval=0.2, what=what)
