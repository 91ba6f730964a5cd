"""`kemu load` end to end, kept short (runs of 1-2 s at low rates): a run against the example
pipeline writes results.json with the documented fields and every accepted event reaches the
handler; a failed threshold exits 99 naming its measured value; an unknown metric exits 2 before
any load is sent; SIGINT stops a run early and still writes the report. Everything runs on a copy
of examples/ in the test's temp dir (TMPDIR too, so kemu load's own kemu data goes there)."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from kemu_harness import REPO, kemu_bin, run_main


class LoadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kemu-e2e-load-")
        shutil.copytree(os.path.join(REPO, "examples"), os.path.join(cls.tmp, "examples"),
                        ignore=shutil.ignore_patterns("__pycache__", ".kemu"))
        cls.env = dict(os.environ, TMPDIR=cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def load_cmd(self, report, *args):
        return [kemu_bin(), "load", "-c", "examples/kemu.yaml", "--flow", "user_activity",
                "--report", report, *args]

    def load(self, report, *args, timeout=90):
        p = subprocess.run(self.load_cmd(report, *args), cwd=self.tmp, env=self.env,
                           capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def test_a_run_writes_results_and_a_failed_threshold_exits_99(self):
        report = os.path.join(self.tmp, "report-run")
        code, out, err = self.load(report, "--rate", "10", "--duration", "2s",
                                   "--threshold", "p99_latency_ms<600000",
                                   "--threshold", "accepted_rate>1000000")
        self.assertEqual(code, 99, out + err)
        self.assertIn("threshold p99_latency_ms<600000: passed (measured ", out)
        self.assertIn("threshold accepted_rate>1000000: FAILED (measured 10", out)
        with open(os.path.join(report, "results.json")) as f:
            res = json.load(f)
        self.assertEqual(res["schema"], "kemu-load/1")
        self.assertFalse(res["interrupted"])
        s = res["summary"]
        self.assertEqual(s["offered_events"], 20)
        self.assertEqual(s["accepted_events"], 20)
        self.assertEqual(s["throttled_ratio"], 0)
        # Every accepted event reached the handler; latencies are from each event's due time.
        self.assertEqual(s["events_processed"], 20)
        for key in ("p50", "p90", "p99", "max"):
            self.assertGreaterEqual(s["latency_ms"][key], s["latency_to_handler_start_ms"][key])
        self.assertGreaterEqual(s["records_per_invocation"]["max"], 1)
        self.assertGreaterEqual(s["invocations"], 1)
        self.assertEqual(s["errors"], 0)
        self.assertEqual(s["dlq_messages"], 0)
        self.assertGreater(s["kemu_peak_rss_mb"], 0)
        self.assertGreaterEqual(s["kemu_cpu_share"], 0)
        for key in ("iterator_age_ms", "stream_iterator_age_ms", "error_ratio"):
            self.assertIn(key, s)
        self.assertEqual([r["offered"] for r in res["series"][:2]], [10, 10])
        cost = res["cost"]
        self.assertIn("not a bill", cost["note"])
        self.assertTrue(cost["prices_as_of"])
        by_batch = cost["apigw_rest_usd_month_by_events_per_request"]
        self.assertGreater(by_batch["1"], by_batch["100"])
        self.assertEqual([t["passed"] for t in res["thresholds"]], [True, False])

    def throttling(self, shards, rate):
        report = os.path.join(self.tmp, f"report-shards-{shards}")
        code, out, err = self.load(report, "--target", "kinesis", "--rate", str(rate),
                                   "--batch-per-request", "100", "--duration", "1s",
                                   "--drain", "0s", "--set", f"shard_count={shards}")
        self.assertEqual(code, 0, out + err)
        with open(os.path.join(report, "results.json")) as f:
            return json.load(f)["summary"]

    def test_past_one_shards_limit_records_are_throttled_and_four_shards_take_them(self):
        # A shard takes 1000 records in each second (kemu counts per clock second): 5000 records
        # due within 1 s are throttled unless their calls spread over five seconds.
        one = self.throttling(1, 5000)
        self.assertEqual(one["offered_events"], 5000)
        self.assertGreater(one["partial_throttled_records"], 0)
        self.assertGreater(one["throttled_ratio"], 0)
        self.assertEqual(one["accepted_events"], 5000 - one["partial_throttled_records"])
        # 3000 over four shards: about 750 each, in any second.
        four = self.throttling(4, 3000)
        self.assertEqual(four["partial_throttled_records"], 0)
        self.assertEqual(four["accepted_events"], 3000)

    def test_an_unknown_metric_exits_2_before_any_load(self):
        report = os.path.join(self.tmp, "report-unknown")
        code, out, err = self.load(report, "--rate", "10", "--duration", "1s",
                                   "--threshold", "p98_latency_ms<500", timeout=30)
        self.assertEqual(code, 2, out + err)
        self.assertIn("unknown metric 'p98_latency_ms'", err)
        self.assertNotIn("events/s for", out)  # no kemu started, nothing sent
        self.assertFalse(os.path.exists(os.path.join(report, "results.json")))

    def test_other_invalid_usage_exits_2_before_any_load(self):
        report = os.path.join(self.tmp, "report-invalid")
        for args, why in ((["--ramp", "0:10,2s:100", "--duration", "3s"], "no --duration"),
                          (["--ramp", "5s:10"], "first stage is at 0"),
                          (["--set", "shards=2"], "KEY=VALUE"),
                          (["--set", "batch_size=0"], "(after --set)"),
                          (["--duration", "soon"], "not a duration"),
                          (["--sweep", "shards=1,2"], "--sweep 'shards=1,2'"),
                          (["--sweep", "batch_size=10,0"], "[batch_size=0]"),
                          (["--sweep", "batch_size=10", "--duration", "soon"], "not a duration")):
            code, out, err = self.load(report, *args, timeout=30)
            self.assertEqual(code, 2, args)
            self.assertIn(why, err)
        self.assertFalse(os.path.exists(report))

    def test_sigint_stops_the_run_and_still_writes_the_report(self):
        report = os.path.join(self.tmp, "report-sigint")
        p = subprocess.Popen(self.load_cmd(report, "--rate", "5", "--duration", "60s",
                                           "--drain", "1s"),
                             cwd=self.tmp, env=self.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            first = p.stdout.readline()  # printed once kemu is up and sending starts
            self.assertIn("events/s for 60s", first)
            time.sleep(1)
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=max(5, deadline - time.monotonic()))
        finally:
            if p.poll() is None:
                p.kill()
        self.assertEqual(p.returncode, 0, first + out + err)
        self.assertIn("interrupted", out)
        with open(os.path.join(report, "results.json")) as f:
            res = json.load(f)
        self.assertTrue(res["interrupted"])
        self.assertTrue(os.path.exists(os.path.join(report, "report.html")))
        self.assertLess(res["summary"]["offered_events"], 300)


if __name__ == "__main__":
    run_main()
