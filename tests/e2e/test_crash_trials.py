"""bench/crash_trials.py with 3 trials (CI's share of the 50-trial figure in the README): kill -9
kemu under PutRecords, front-door and SQS load with a Lambda flow running, restart it on the
same data dir, and check that nothing acknowledged was lost, per-key order was kept and the flow
went on from its checkpoint.

Run: python3 tests/e2e/test_crash_trials.py
"""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kemu_harness import REPO, run_main  # noqa: E402


class CrashTrialsTest(unittest.TestCase):
    def test_three_trials_pass(self):
        script = os.path.join(REPO, "bench", "crash_trials.py")
        out = subprocess.run([sys.executable, script, "--trials", "3", "--max-kill-s", "1.5"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        text = out.stdout.decode(errors="replace")
        self.assertEqual(out.returncode, 0, text)
        self.assertIn("3 passed, 0 failed", text)


if __name__ == "__main__":
    run_main()
