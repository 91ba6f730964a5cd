"""`kemu test` end to end: the project's scenarios/ pass; the scenarios of
tests/fixtures/scenarios/failing fail for their stated reason, with expected against actual in
the output and in the JUnit XML (parsed here); invalid ones exit 2 with file, line and key.
Everything runs on a copy of the repository's examples/, scenarios/ and fixtures in the test's
temp dir (TMPDIR too, so kemu data kept for a failed scenario stays there)."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

from kemu_harness import REPO, kemu_bin, run_main

SUMMARY_RE = re.compile(r"^(\d+) passed, (\d+) failed\b", re.M)


class ScenariosTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kemu-e2e-scenarios-")
        for rel in ("examples", "scenarios", os.path.join("tests", "fixtures", "scenarios")):
            shutil.copytree(os.path.join(REPO, rel), os.path.join(cls.tmp, rel),
                            ignore=shutil.ignore_patterns("__pycache__", ".kemu"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def kemu_test(self, *args, timeout=170):
        env = dict(os.environ, TMPDIR=self.tmp)
        p = subprocess.run([kemu_bin(), "test", *args], cwd=self.tmp, env=env,
                           capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def summary(self, out):
        lines = SUMMARY_RE.findall(out)
        self.assertEqual(len(lines), 1, out)
        # The closing line begins with the counts and is the output's last line.
        self.assertRegex(out.strip().splitlines()[-1], r"^\d+ passed, \d+ failed")
        return int(lines[0][0]), int(lines[0][1])

    def junit(self, path):
        root = ET.parse(path).getroot()
        self.assertEqual(root.tag, "testsuites")
        return root

    def test_project_scenarios_pass(self):
        xml = os.path.join(self.tmp, "pass.xml")
        code, out, err = self.kemu_test("scenarios", "-j", "2", "--junit", xml)
        self.assertEqual(code, 0, out + err)
        files = [f for f in os.listdir(os.path.join(self.tmp, "scenarios")) if f.endswith(".yaml")]
        self.assertEqual(self.summary(out), (len(files), 0))
        root = self.junit(xml)
        suites = root.findall("testsuite")
        self.assertEqual(len(suites), len(files))
        cases = root.findall("./testsuite/testcase")
        self.assertEqual(int(root.get("tests")), len(cases))
        self.assertEqual(root.get("failures"), "0")
        for suite in suites:  # at least two expectations per scenario, one testcase each
            self.assertGreaterEqual(len(suite.findall("testcase")), 2, suite.get("name"))
        for case in cases:
            self.assertIsNone(case.find("failure"))
            self.assertIn("ok   ", case.find("system-out").text)
        # Each suite names the failure paths its kemu went through.
        poison = next(t for t in suites if t.get("name") == "orders poison to dlq")
        paths = {p.get("value") for p in poison.findall("properties/property")
                 if p.get("name") == "failure_path"}
        self.assertIn("bisection", paths)
        self.assertIn("retry exhaustion", paths)
        self.assertNotIn("timeout", paths)
        names = {c.get("name") for c in cases}
        self.assertIn("orders DLQ holds 1", names)
        self.assertIn("dev-orders-lambda-errors is OK", names)
        # What the suite exercised, each failure path with the scenarios that hit it.
        self.assertIn("failure paths exercised:\n", out)
        self.assertIn("  bisection: orders poison to dlq\n", out)
        self.assertIn("  kemu crash and restart: orders kill -9 mid-backlog\n", out)
        self.assertRegex(out, r"  alarm back to OK: [^\n]*orders errors alarm")
        self.assertIn("  timeout: orders handler timeout\n", out)
        self.assertIn("  record age: orders record age\n", out)
        self.assertIn("  handler crash (Runtime.ExitError): payments handler killed\n", out)
        self.assertIn("  out of memory (Runtime.OutOfMemory): user activity out of memory\n", out)
        self.assertRegex(out, r"  alarm to ALARM: [^\n]*orders iterator age alarm")
        self.assertIn("orders logged Task timed out after 1.00 seconds", names)
        self.assertIn("dev-orders-lambda-iterator-age went [ALARM, OK]", names)
        self.assertRegex(out, r"  retry exhaustion: [^\n]*payments retry exhaustion")
        # A step line per step, as it runs.
        self.assertIn("[orders errors alarm] advance_time line ", out)
        self.assertRegex(out, r"\[orders happy path\] send three orders: 3 of 3 records in")

    def test_failing_scenarios_fail_for_their_reason(self):
        xml = os.path.join(self.tmp, "fail.xml")
        code, out, err = self.kemu_test("tests/fixtures/scenarios/failing",
                                        "-c", "examples/kemu.yaml", "-j", "3", "--seed", "7",
                                        "--junit", xml)
        self.assertEqual(code, 1, out + err)
        self.assertEqual(self.summary(out), (0, 5))
        # Expected against actual, with the scenario file and line.
        self.assertIn("FAIL tests/fixtures/scenarios/failing/wrong_count.yaml:14: "
                      "orders received 4 records", out)
        self.assertIn("  expected: 4 records received\n", out.replace("[wrong count] ", ""))
        self.assertIn("  actual:   3 records received\n", out.replace("[wrong count] ", ""))
        self.assertIn("requestContext.approximateInvokeCount = 2", out)
        self.assertIn("FAIL tests/fixtures/scenarios/failing/wait_timeout.yaml:8: wait_for", out)
        self.assertIn("replay: kemu test tests/fixtures/scenarios/failing/wrong_count.yaml "
                      "-c examples/kemu.yaml --seed 7", out)

        # The forms about failures, output, headers and metrics, each against what happened.
        kind = out.replace("[wrong failure kind] ", "")
        self.assertIn("  expected: failures [Sandbox.Timedout]\n"
                      "  actual:   failures [Runtime.ExitError]\n", kind)
        self.assertIn("  expected: a line containing order ORD-2 created\n", kind)
        self.assertIn("  expected: every response has Content-Type: text/plain\n"
                      "  actual:   a response 200 with Content-Type: application/json\n", kind)
        self.assertIn("  expected: kemu_lambda_errors_total = 5\n"
                      "  actual:   kemu_lambda_errors_total = 1\n", kind)

        root = self.junit(xml)
        self.assertEqual(root.get("tests"), "10")
        self.assertEqual(root.get("failures"), "9")
        by_suite = {s.get("name"): s for s in root.findall("testsuite")}
        self.assertEqual(set(by_suite), {"wrong count", "wrong dlq field", "wait timeout",
                                         "seeded fault", "wrong failure kind"})
        self.assertEqual(len(by_suite["wrong failure kind"].findall("testcase/failure")), 4)
        wrong_count = {c.get("name"): c for c in by_suite["wrong count"].findall("testcase")}
        self.assertEqual(set(wrong_count),
                         {"orders received 4 records", "responses of the last send"})
        failed = wrong_count["orders received 4 records"]
        self.assertEqual(failed.get("line"), "14")
        self.assertEqual(failed.find("failure").get("message"),
                         "expected 4 records received, actual 3 records received")
        self.assertIsNone(wrong_count["responses of the last send"].find("failure"))
        dlq = by_suite["wrong dlq field"].find("testcase/failure").get("message")
        self.assertIn("requestContext.approximateInvokeCount = 9", dlq)
        self.assertIn("actual requestContext.approximateInvokeCount = 2", dlq)
        timeout = by_suite["wait timeout"].find("testcase")
        # One payment was sent: within the 2 s it is processed, or (a slow cold start under a
        # sanitizer) not yet; never five.
        self.assertRegex(timeout.find("failure").get("message"),
                         r"^expected at least 5 records processed within 2\.0 s, "
                         r"actual [01] records processed$")
        # The testcase carries its step's output.
        self.assertIn("expected: at least 5 records processed", timeout.find("system-out").text)

    def test_replay_command_reproduces_a_seeded_fault(self):
        code, out, _ = self.kemu_test("tests/fixtures/scenarios/failing/seeded_fault.yaml",
                                      "--seed", "11")
        self.assertEqual(code, 1, out)
        replay = re.search(r"\(replay: kemu test (.*)\)$", out, re.M)
        self.assertIsNotNone(replay, out)

        def failures(text):
            return [l.split("] ", 1)[1] for l in text.splitlines()
                    if re.search(r"\] (FAIL|  expected:|  actual:)", l)]
        first = failures(out)
        self.assertEqual(len(first), 6, out)  # two expectations, each FAIL/expected/actual
        code, again, _ = self.kemu_test(*replay.group(1).split())
        self.assertEqual(code, 1, again)
        # The same draws: the same invocations fail, the same records reach the DLQ.
        self.assertEqual(failures(again), first)

    def test_filter_picks_scenarios_by_name(self):
        code, out, err = self.kemu_test("tests/fixtures/scenarios/failing", "scenarios",
                                        "-c", "examples/kemu.yaml", "--filter", "payments happy")
        self.assertEqual(code, 0, out + err)
        self.assertEqual(self.summary(out), (1, 0))
        self.assertIn("[payments happy path] run scenarios/payments_happy_path.yaml", out)

    def test_invalid_scenarios_exit_2_with_file_line_and_key(self):
        code, out, err = self.kemu_test("tests/fixtures/scenarios/invalid")
        self.assertEqual(code, 2, out + err)
        self.assertIn("kemu: tests/fixtures/scenarios/invalid/unknown_key.yaml:5: steps[1].sleep: "
                      "unknown key (known keys: advance_time, expect, fault, name, send, wait_for)", err)
        self.assertIn("kemu: tests/fixtures/scenarios/invalid/unknown_flow.yaml:4: "
                      "steps[0].send.event_type: no event flow 'refunds' in ", err)
        self.assertNotIn("passed", out)
        code, _, err = self.kemu_test("no/such/folder")
        self.assertEqual(code, 2)
        self.assertIn("no/such/folder: no such file or folder", err)

    def test_scenario_hooks_are_off_by_default(self):
        # kemu up without --scenario-hooks has no /_kemu/scenario/ endpoints.
        from kemu_harness import Kemu
        import urllib.request
        import urllib.error
        kemu = Kemu(os.path.join(self.tmp, "plain-data"))
        kemu.start()
        try:
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(urllib.request.Request(
                    kemu.endpoint + "/_kemu/scenario/advance_time?ms=1000", method="POST"))
            self.assertEqual(cm.exception.code, 404)
        finally:
            self.assertEqual(kemu.stop(), 0)


if __name__ == "__main__":
    run_main()
