"""kemu.yaml drives `kemu up` (streams per event flow) and `kemu validate`; bad input to the
command line is one clear line and a non-zero exit."""

import os
import socket
import subprocess
import unittest

from kemu_harness import Kemu, KemuTestCase, boto3_client, kemu_bin, run_main

TOPOLOGY = """\
version: 1
environment: dev
event_flows:
  - event_type: orders
    shard_count: {orders_shards}
    retention_period: 48
    lambda_source_path: lambda/orders
  - event_type: user_activity
    lambda_source_path: lambda/user_activity
"""


class TopologyTest(KemuTestCase):
    kemu_args = ()

    def write(self, orders_shards):
        path = os.path.join(self.tmp, "kemu.yaml")
        with open(path, "w") as f:
            f.write(TOPOLOGY.format(orders_shards=orders_shards))
        return path

    def start_with(self, orders_shards):
        self.kemu.stop()
        self.kemu = Kemu(self.data_dir, extra_args=["-c", self.write(orders_shards), "--no-lambda"],
                         log_dir=self.tmp)
        self.kemu.start()
        return boto3_client(self.kemu.endpoint)

    def test_each_flow_gets_its_encrypted_stream_and_restarts_keep_records(self):
        c = self.start_with(1)
        names = c.list_streams()["StreamNames"]
        self.assertEqual(names, ["dev-orders-stream", "dev-user_activity-stream"])
        d = c.describe_stream(StreamName="dev-orders-stream")["StreamDescription"]
        self.assertEqual(len(d["Shards"]), 1)
        self.assertEqual(d["RetentionPeriodHours"], 48)
        self.assertEqual(d["EncryptionType"], "KMS")
        self.assertEqual(d["KeyId"], "alias/dev-orders-stream")
        put = c.put_record(StreamName="dev-orders-stream", Data=b"o-1", PartitionKey="o-1")
        self.assertEqual(put.get("EncryptionType"), "KMS")

        # Editing the shard count and restarting reshards; the record stays readable.
        c = self.start_with(2)
        s = c.describe_stream_summary(StreamName="dev-orders-stream")["StreamDescriptionSummary"]
        self.assertEqual(s["OpenShardCount"], 2)
        it = c.get_shard_iterator(StreamName="dev-orders-stream", ShardId=put["ShardId"],
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        recs = c.get_records(ShardIterator=it)["Records"]
        self.assertEqual([bytes(r["Data"]) for r in recs], [b"o-1"])


class CommandLineTest(unittest.TestCase):
    def setUp(self):
        import tempfile, shutil
        self.tmp = tempfile.mkdtemp(prefix="kemu-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_kemu(self, *args, timeout=10):
        return subprocess.run([kemu_bin(), *args], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def test_validate_names_file_line_and_key(self):
        path = os.path.join(self.tmp, "kemu.yaml")
        with open(path, "w") as f:
            f.write("version: 1\nevent_flows:\n  - event_type: orders\n"
                    "    lambda_source_path: x\n    batch_sise: 3\n"
                    "  - event_type: batch\n    lambda_source_path: y\n    batch_size: 0\n")
        r = self.run_kemu("validate", "-c", path)
        self.assertEqual(r.returncode, 2, r)
        lines = r.stderr.strip().splitlines()
        self.assertIn(f"{path}:5: event_flows[0].batch_sise: unknown key", lines[0])
        self.assertTrue(any(f"{path}:6: event_flows[1].event_type: 'batch' clashes" in l
                            for l in lines), lines)
        self.assertTrue(any(f"{path}:8: event_flows[1].batch_size: must be between 1 and 10000 "
                            "(got 0)" in l for l in lines), lines)
        # kemu up refuses the same file before serving anything.
        r = self.run_kemu("up", "-c", path, "--port", "0", "--in-memory")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("batch_sise: unknown key", r.stderr)

    def write_handler(self, rel, text="def process_event(event, context):\n    return None\n",
                      name="handler.py"):
        d = os.path.join(self.tmp, rel)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "w") as f:
            f.write(text)

    def test_validate_accepts_a_good_file(self):
        path = os.path.join(self.tmp, "kemu.yaml")
        with open(path, "w") as f:
            f.write(TOPOLOGY.format(orders_shards=2))
        self.write_handler("lambda/orders")
        self.write_handler("lambda/user_activity",
                           "import json\n\nasync def helper():\n    pass\n\n"
                           "def process_event(event, context):\n    return None\n")
        r = self.run_kemu("validate", "-c", path)
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("ok (2 event flows)", r.stdout)

    def test_validate_checks_handlers_runtimes_and_positions(self):
        path = os.path.join(self.tmp, "kemu.yaml")
        with open(path, "w") as f:
            f.write("version: 1\nevent_flows:\n"
                    "  - event_type: missing_dir\n    lambda_source_path: nowhere\n"
                    "  - event_type: missing_file\n    lambda_source_path: empty\n"
                    "  - event_type: missing_function\n    lambda_source_path: other\n"
                    "  - event_type: nested\n    lambda_source_path: nested\n"
                    "  - event_type: ruby\n    lambda_source_path: ok\n    lambda_runtime: ruby3.2\n"
                    "  - event_type: node_missing\n    lambda_source_path: ok\n"
                    "    lambda_runtime: nodejs20.x\n    lambda_handler: index.handler\n"
                    "  - event_type: stamped\n    lambda_source_path: ok\n"
                    "    starting_position: AT_TIMESTAMP\n"
                    "    starting_position_timestamp: 2024-06-10T14:55:02Z\n"
                    "  - event_type: custom\n    lambda_source_path: ok\n"
                    "    lambda_runtime: provided.al2023\n"
                    "  - event_type: too_long\n    lambda_source_path: " + "d" * 5000 + "\n")
        os.makedirs(os.path.join(self.tmp, "empty"))
        self.write_handler("other", "def something_else(event, context):\n    pass\n")
        # Only a nested (indented) definition: not a module-level function.
        self.write_handler("nested", "class X:\n    def process_event(self, e, c):\n        pass\n")
        self.write_handler("ok")
        r = self.run_kemu("validate", "-c", path)
        self.assertEqual(r.returncode, 2, r)
        err = r.stderr
        nowhere = os.path.join(self.tmp, "nowhere")
        self.assertIn(f"{path}:3: event_flows[0].lambda_source_path: no such directory: {nowhere}", err)
        self.assertIn(f"{path}:5: event_flows[1].lambda_handler: 'handler.process_event' names module "
                      f"handler, but there is no {os.path.join(self.tmp, 'empty', 'handler.py')}", err)
        self.assertIn(f"{path}:7: event_flows[2].lambda_handler: handler.py defines no function "
                      "process_event at module level", err)
        self.assertIn(f"{path}:9: event_flows[3].lambda_handler: handler.py defines no function "
                      "process_event at module level", err)
        self.assertIn(f"{path}:11: event_flows[4].lambda_runtime: unsupported runtime 'ruby3.2'", err)
        self.assertIn(f"{path}:14: event_flows[5].lambda_handler: 'index.handler' names module index, "
                      "but there is no index.js, .mjs or .cjs", err)
        self.assertNotIn("event_flows[6]", err)  # AT_TIMESTAMP with its timestamp is fine
        self.assertIn(f"{path}:22: event_flows[7].lambda_runtime: runtime provided.al2023 needs an "
                      "executable file named bootstrap", err)
        # A name the file system refuses (ENAMETOOLONG) is a missing directory, not a crash.
        self.assertIn(f"{path}:25: event_flows[8].lambda_source_path: no such directory: ", err)
        self.assertNotIn("terminate", err)
        # kemu up refuses it too, before serving; --no-lambda serves the APIs anyway.
        r = self.run_kemu("up", "-c", path, "--port", "0", "--in-memory")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("no such directory", r.stderr)

    def test_bad_flag_port_in_use_and_bad_data_dir_are_one_line(self):
        r = self.run_kemu("up", "--port", "abc")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--port", r.stderr)
        self.assertNotIn("terminate", r.stderr)

        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        try:
            port = busy.getsockname()[1]
            r = self.run_kemu("up", "--port", str(port), "--in-memory")
        finally:
            busy.close()
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(r.stderr.strip(),
                         f"kemu: cannot listen on 127.0.0.1:{port}: Address already in use")

        blocker = os.path.join(self.tmp, "file")
        open(blocker, "w").close()
        r = self.run_kemu("up", "--port", "0", "--data-dir", os.path.join(blocker, "data"))
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("cannot create data dir", r.stderr)

    def test_help_and_version_tell_the_truth(self):
        r = self.run_kemu("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout.strip(), r"^kemu \d+\.\d+\.\d+$")
        r = self.run_kemu("up", "--help")
        self.assertEqual(r.returncode, 0)
        for flag in ("--port", "--data-dir", "--in-memory", "--shard-limits", "--durability",
                     "--status-delay-ms", "-c,--config"):
            self.assertIn(flag, r.stdout)


if __name__ == "__main__":
    run_main()
