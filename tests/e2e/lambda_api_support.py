"""One kemu per test class for the Lambda API tests: `kemu up -c examples/kemu.yaml` (a copy
in the class's temp dir) --in-memory on a free port; helpers that build Kinesis-shaped events and
read the orders processor's log lines from kemu's stdout."""

import base64
import json
import os
import re
import shutil
import tempfile
import unittest

from kemu_harness import REPO, StdoutKemu, client_env

FUNCTION = "dev-orders-processor"
STREAM = "dev-orders-stream"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def order(n, amount=10.0):
    return {"order_id": f"ORD-{n}", "type": "created", "total_amount": amount, "currency": "USD",
            "items": [{"sku": "A", "quantity": 1}]}


def kinesis_event(*orders):
    return {"Records": [{"kinesis": {
        "kinesisSchemaVersion": "1.0", "partitionKey": "pk", "sequenceNumber": str(i),
        "data": base64.b64encode(json.dumps(o).encode()).decode(),
        "approximateArrivalTimestamp": 1765000000.0}, "eventSource": "aws:kinesis",
        "eventName": "aws:kinesis:record"} for i, o in enumerate(orders)]}


class LambdaKemu(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kemu-lambdaapi-")
        cls._saved_env = dict(os.environ)
        env = client_env(cls.tmp)
        os.environ.clear()
        os.environ.update(env)
        examples = os.path.join(cls.tmp, "examples")
        shutil.copytree(os.path.join(REPO, "examples"), examples,
                        ignore=shutil.ignore_patterns("__pycache__", ".kemu"))
        cls.kemu = StdoutKemu(None, in_memory=True, log_dir=cls.tmp, extra_args=[
            "-c", os.path.join(examples, "kemu.yaml"), "--lambda-retry-backoff-ms", "10"])
        cls.kemu.start()
        cls.env = env
        cls.endpoint = cls.kemu.endpoint
        cls.connect()

    @classmethod
    def connect(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        cls.kemu.stop()
        os.environ.clear()
        os.environ.update(cls._saved_env)
        shutil.rmtree(cls.tmp, True)

    def order_lines(self):
        return [l for l in self.kemu.lines if l.startswith(f"[{FUNCTION}] order ORD-B")]

    def batches(self):
        """The orders processor's invocations, as the ORD-B orders each one logged."""
        out, current = [], None
        for l in self.kemu.lines:
            if not l.startswith(f"[{FUNCTION}] "):
                continue
            if " START RequestId: " in l:
                current = []
            elif " END RequestId: " in l and current is not None:
                if current:
                    out.append(current)
                current = None
            elif current is not None and " order ORD-B" in l:
                current.append(l.split(" order ")[1].split(" ")[0])
        return out
