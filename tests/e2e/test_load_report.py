"""`kemu load --report`'s report.html in a real browser: a short run against the example
pipeline (and a two-point sweep) writes report.html, which headless Debian chromium (driven by
playwright-core from web/, tests/e2e/report_browser.cjs) opens offline. Every chart must have
drawn data, the page must log no console error and ask for nothing on the network, and the
screenshots go to build/<preset>/test-artifacts/load-report/ (the README's image comes from
there). Without chromium or web/node_modules the test prints "skipped: ..." and CTest reports it
skipped."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from browser_support import artifact_dir, missing_browser
from kemu_harness import REPO, kemu_bin, run_main

BROWSER_SCRIPT = os.path.join(REPO, "tests", "e2e", "report_browser.cjs")


class LoadReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.why_skip = missing_browser()
        if cls.why_skip:
            print(f"skipped: {cls.why_skip}", flush=True)
            return
        cls.tmp = tempfile.mkdtemp(prefix="kemu-e2e-load-report-")
        shutil.copytree(os.path.join(REPO, "examples"), os.path.join(cls.tmp, "examples"),
                        ignore=shutil.ignore_patterns("__pycache__", ".kemu"))
        cls.env = dict(os.environ, TMPDIR=cls.tmp)
        cls.artifacts = artifact_dir("load-report")

    @classmethod
    def tearDownClass(cls):
        if not cls.why_skip:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        if self.why_skip:
            self.skipTest(self.why_skip)

    def load(self, report, *args):
        cmd = [kemu_bin(), "load", "-c", "examples/kemu.yaml", "--flow", "user_activity",
               "--report", report, *args]
        p = subprocess.run(cmd, cwd=self.tmp, env=self.env, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(f"report: {report}/report.html", p.stdout)
        return p.stdout

    def browse(self, report, name):
        """Opens report/report.html in chromium; its charts, errors, requests and text."""
        shot = os.path.join(self.artifacts, name + ".png")
        user_data = tempfile.mkdtemp(prefix="chromium-", dir=self.tmp)
        p = subprocess.run(["node", BROWSER_SCRIPT, os.path.join(report, "report.html"), shot,
                            user_data], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        page = json.loads(p.stdout.strip().splitlines()[-1])
        self.assertEqual(page["errors"], [])
        self.assertEqual(page["network"], [])
        for chart in page["charts"]:
            # Every series as long as the x values, each with data, and the canvas drawn on.
            self.assertGreater(chart["lengths"][0], 0, chart["title"])
            self.assertEqual(set(chart["lengths"]), {chart["lengths"][0]}, chart["title"])
            self.assertGreater(max(chart["values"]), 0, chart["title"])
            self.assertGreater(chart["drawn"], 0, chart["title"])
        self.assertTrue(os.path.getsize(shot) > 0)
        for f in ("report.html", "results.json"):
            shutil.copy(os.path.join(report, f), os.path.join(self.artifacts, f"{name}-{f}"))
        return page

    def test_a_run_report_draws_rates_latencies_iterator_ages_and_the_cost(self):
        # The README's example (its screenshot is this run's): past one shard's 1,000 records/s,
        # so the charts show throttling and a growing iterator age.
        report = os.path.join(self.tmp, "report-run")
        out = self.load(report, "--rate", "1500", "--batch-per-request", "100", "--duration", "4s")
        # Off a terminal the progress comes as plain lines, one a second.
        self.assertRegex(out, r"\n\s+\d+s user_activity: \d+/s offered, \d+/s accepted, "
                              r"\d+ throttled, request p99 [^,]+, iterator age \d+ ms "
                              r"\(stream \d+ ms\), errors \d+, Lambda throttles \d+\n")
        page = self.browse(report, "load-report")
        titles = [c["title"] for c in page["charts"]]
        self.assertEqual(titles, ["user_activity: offered and accepted events/s",
                                  "user_activity: latency from due time to handler end (ms)",
                                  "user_activity: iterator age (ms)"])
        # Latency p50, p90 and p99 each have points; both iterator ages are series.
        self.assertTrue(all(v > 0 for v in page["charts"][1]["values"]))
        self.assertEqual(len(page["charts"][2]["values"]), 2)
        text = page["text"]
        for expected in ("kemu version", "0.1.0", "CPU", "cores", "user_activity",
                         "not a bill", "1 (one event per request)", "API Gateway", "100 (this run)"):
            self.assertIn(expected, text)

    def test_a_sweep_report_draws_cost_against_p99_and_the_points(self):
        report = os.path.join(self.tmp, "report-sweep")
        out = self.load(report, "--rate", "100", "--duration", "1s", "--drain", "10s",
                        "--sweep", "batch_size=10,100")
        self.assertIn("recommended (balanced): batch_size=", out)
        page = self.browse(report, "load-sweep-report")
        self.assertEqual([c["title"] for c in page["charts"]], ["cost against p99"])
        self.assertEqual(page["charts"][0]["lengths"][0], 2)  # both points measured
        self.assertEqual(page["charts"][0]["values"][1], 1)  # one recommended
        self.assertIn("Recommended (balanced): batch_size=", page["text"])
        for point in ("batch_size=10", "batch_size=100"):
            self.assertIn(point, page["text"])
        self.assertTrue(os.path.exists(os.path.join(report, "point-1", "report.html")))


if __name__ == "__main__":
    run_main()
