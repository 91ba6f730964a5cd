"""`kemu load` end to end, kept short (runs of 1-2 s at low rates): a run against the example
pipeline writes results.json with the documented fields and every accepted event reaches the
handler; past one shard's limit the records are throttled and the iterator age grows, and enough
shards show neither; payloads from files, keys from a field, --max, a 2x2 sweep and --recommend;
a failed threshold exits 99 naming its measured value; an unknown metric exits 2 before any load
is sent; SIGINT stops a run early and still writes the report. Handlers are the synthetic one
(a built-in runtime) where the test is about the pipeline. Everything runs on a copy
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

    def lagging(self, shards):
        # A synthetic handler of 100 ms on batches of 50 takes about 400 records/s a shard: one
        # shard, driven at 1200 events/s, throttles and falls behind; six take 200/s each.
        report = os.path.join(self.tmp, f"report-lag-{shards}")
        code, out, err = self.load(report, "--rate", "1200", "--batch-per-request", "100",
                                   "--duration", "3s", "--drain", "1s",
                                   "--synthetic-handler", "100ms", "--set", "batch_size=50",
                                   "--set", "batch_window_seconds=0",
                                   "--set", f"shard_count={shards}")
        self.assertEqual(code, 0, out + err)
        with open(os.path.join(report, "results.json")) as f:
            return json.load(f)

    def test_past_one_shard_the_front_door_throttles_and_the_iterator_age_grows(self):
        one = self.lagging(1)
        s = one["summary"]
        self.assertGreater(s["partial_throttled_records"], 0)
        self.assertGreater(s["throttled_ratio"], 0)
        self.assertEqual(one["settings"]["synthetic_handler"], "100ms")
        ages = [r["iterator_age_ms"] for r in one["series"] if "iterator_age_ms" in r]
        self.assertGreater(ages[-1], ages[0], ages)  # it grows while the load lasts
        self.assertGreater(s["iterator_age_ms"], 1000, ages)
        # The function's own measures, per second and in summary.
        self.assertEqual(s["errors"], 0)
        self.assertEqual(s["retries"], 0)
        self.assertEqual(s["max_concurrency"], 1)  # one shard, one batch at a time
        self.assertLessEqual(s["records_per_invocation"]["max"], 50)
        self.assertGreaterEqual(s["handler_duration_ms"]["p50"], 100)
        started = sum(r.get("invocations_started", 0) for r in one["series"])
        self.assertEqual(started, s["invocations"])
        self.assertTrue(any(r.get("kemu_rss_mb") for r in one["series"]))

        six = self.lagging(6)
        s6 = six["summary"]
        self.assertEqual(s6["partial_throttled_records"], 0)
        self.assertEqual(s6["accepted_events"], 3600)
        # Six shards drain what one cannot: less lag than one shard in the same test. Not by a
        # fixed factor: six handler processes on a 2-core machine beside another test (CTest
        # -j2) lagged 1254 ms against one shard's 2186 ms in one CI run.
        self.assertLess(s6["iterator_age_ms"], s["iterator_age_ms"])
        self.assertGreater(s6["max_concurrency"], 1)

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
                          (["--sweep", "batch_size=10", "--duration", "soon"], "not a duration"),
                          (["--max", "--ramp", "0:10,1s:10"], "not with --ramp"),
                          (["--synthetic-handler", "fast"], "like 5ms±2ms"),
                          (["--payload-file", "no-such-file"], "cannot read no-such-file"),
                          (["--payload-file", "examples/kemu.yaml", "--template", "{{i}}"],
                           "not both"),
                          (["--recommend", "--volumes", "0"], "--volumes '0'")):
            code, out, err = self.load(report, *args, timeout=30)
            self.assertEqual(code, 2, args)
            self.assertIn(why, err)
        self.assertFalse(os.path.exists(report))

    def test_payloads_sampled_from_a_file_with_keys_from_a_field_all_reach_the_handler(self):
        with open(os.path.join(self.tmp, "events.jsonl"), "w") as f:
            f.write('{"customer_id":"c1","amount":1}\n\n{"customer_id":"c2","amount":2}\n')
        report = os.path.join(self.tmp, "report-payloads")
        code, out, err = self.load(report, "--rate", "20", "--duration", "1s",
                                   "--payload-file", "events.jsonl",
                                   "--partition-key-field", "customer_id",
                                   "--synthetic-handler", "1ms", "--set", "shard_count=2")
        self.assertEqual(code, 0, out + err)
        with open(os.path.join(report, "results.json")) as f:
            res = json.load(f)
        self.assertEqual(res["settings"]["payloads"], 2)
        self.assertIsNone(res["settings"]["template"])
        self.assertEqual(res["settings"]["partition_key_field"], "customer_id")
        s = res["summary"]
        self.assertEqual(s["accepted_events"], 20)
        # Events with the same data are told apart by their sequence numbers.
        self.assertEqual(s["events_processed"], 20)
        self.assertEqual(s["errors"], 0)

    def test_max_sends_back_to_back_for_the_duration(self):
        report = os.path.join(self.tmp, "report-max")
        code, out, err = self.load(report, "--max", "--workers", "2", "--duration", "1s",
                                   "--synthetic-handler", "0", "--drain", "2s")
        self.assertEqual(code, 0, out + err)
        self.assertIn("at max (2 in flight) for 1s", out)
        with open(os.path.join(report, "results.json")) as f:
            res = json.load(f)
        self.assertTrue(res["settings"]["max"])
        self.assertIsNone(res["settings"]["rate"])
        s = res["summary"]
        self.assertGreater(s["offered_events"], 2)
        self.assertEqual(s["late_requests"], 0)  # no schedule to be late for

    def test_a_2x2_sweep_recommends_a_point(self):
        report = os.path.join(self.tmp, "report-sweep")
        code, out, err = self.load(report, "--rate", "20", "--duration", "1s", "--drain", "5s",
                                   "--synthetic-handler", "1ms",
                                   "--sweep", "batch_size=10,100",
                                   "--sweep", "batch_window_seconds=0,1",
                                   "--strategy", "latency", timeout=180)
        self.assertEqual(code, 0, out + err)
        with open(os.path.join(report, "results.json")) as f:
            res = json.load(f)
        self.assertEqual(res["schema"], "kemu-load-sweep/1")
        self.assertEqual([p["label"] for p in res["points"]],
                         ["batch_size=10 batch_window_seconds=0",
                          "batch_size=10 batch_window_seconds=1",
                          "batch_size=100 batch_window_seconds=0",
                          "batch_size=100 batch_window_seconds=1"])
        rec = res["recommendation"]
        self.assertIsNotNone(rec, out)
        best = min(p["p99_latency_ms"] for p in res["points"] if p["within_constraints"])
        self.assertEqual(rec["p99_latency_ms"], best)
        self.assertIn("recommended (latency): " + rec["label"], out)

    def test_recommend_writes_the_settings_by_volume_with_evidence(self):
        report = os.path.join(self.tmp, "report-recommend")
        code, out, err = self.load(report, "--recommend", "--volumes", "10,40",
                                   "--sweep", "batch_size=100", "--duration", "1s",
                                   "--drain", "5s", "--synthetic-handler", "1ms", timeout=120)
        self.assertEqual(code, 0, out + err)
        self.assertIn("recommended settings by volume", out)
        with open(os.path.join(report, "results.json")) as f:
            res = json.load(f)
        self.assertEqual(res["schema"], "kemu-load-recommend/1")
        self.assertEqual([v["events_per_s"] for v in res["volumes"]], [10, 40])
        for v in res["volumes"]:
            self.assertEqual(v["recommended"]["batch_size"], 100, out)
            self.assertEqual(v["recommended"]["shard_count"], 1)
            self.assertEqual(v["recommended"]["lambda_memory_size"], 256)
            ev = v["evidence"]
            self.assertGreater(ev["p99_latency_ms"], 0)
            self.assertIn("iterator_age_ms", ev)
            self.assertGreater(ev["usd_month"], 0)
            self.assertTrue(os.path.exists(os.path.join(report, ev["results"])))

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
