"""`kemu deploy --aws --plan-only -c examples/kemu.yaml` with a fake `terraform` first on PATH:
init then plan then show, in the rendered directory, with every AWS_ENDPOINT_URL removed, and
the per-flow summary printed from a recorded `show -json`. No AWS, no real terraform."""

import os
import subprocess
import tempfile
import unittest

from kemu_harness import kemu_bin, run_main

REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(REPO, "tests", "fixtures", "deploy")

FAKE = """#!/bin/sh
echo "$(pwd)|$*|${AWS_ENDPOINT_URL-unset}|${AWS_ENDPOINT_URL_SQS-unset}" >> "$FAKE_LOG"
case "$1" in
  version) echo "Terraform v1.9.5" ;;
  init) echo "fake engine: init" ;;
  show) cat "$FAKE_SHOW" ;;
esac
exit 0
"""


class DeployAws(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="kemu-deploy-e2e-")
        self.tmp = self._tmp.name
        self.bin = os.path.join(self.tmp, "bin")
        os.mkdir(self.bin)
        fake = os.path.join(self.bin, "terraform")
        with open(fake, "w") as f:
            f.write(FAKE)
        os.chmod(fake, 0o755)
        self.log = os.path.join(self.tmp, "calls.log")
        self.out = os.path.join(self.tmp, "out")

    def tearDown(self):
        self._tmp.cleanup()

    def deploy(self, *args, show="plan_create.json", path=None, **extra_env):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(PATH=path if path is not None else self.bin + os.pathsep + "/bin" + os.pathsep
                   + "/usr/bin",
                   FAKE_LOG=self.log, FAKE_SHOW=os.path.join(FIXTURES, show),
                   AWS_REGION="eu-west-1", AWS_ENDPOINT_URL="http://127.0.0.1:4566",
                   AWS_ENDPOINT_URL_SQS="http://127.0.0.1:4566", **extra_env)
        return subprocess.run([kemu_bin(), "deploy", "--aws", "-c",
                               os.path.join(REPO, "examples", "kemu.yaml"), "--out", self.out,
                               *args], env=env, capture_output=True, text=True, timeout=60)

    def test_plan_only_runs_init_then_plan_and_prints_the_flow_summary(self):
        r = self.deploy("--plan-only")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(self.log) as f:
            calls = [line.rstrip("\n").split("|") for line in f]
        out = os.path.realpath(self.out)
        self.assertEqual([c[1] for c in calls],
                         ["version -json", "init -input=false",
                          "plan -input=false -out=kemu.tfplan", "show -json kemu.tfplan"])
        for c in calls:
            self.assertEqual(c[0], out)
            self.assertEqual(c[2:], ["unset", "unset"])
        self.assertIn("Plan summary (per flow):", r.stdout)
        self.assertIn("  orders: 13 to create", r.stdout)
        self.assertIn("  api: 40 to create", r.stdout)
        # kemu's own lines come before the engine's, although stdout is a pipe here.
        self.assertLess(r.stdout.index("kemu: rendered"), r.stdout.index("fake engine: init"))

    def test_a_renamed_flow_is_refused_without_allow_replace(self):
        r = self.deploy("--plan-only", show="plan_rename.json")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn('DATA LOSS: module.event_flow["orders"].aws_kinesis_stream.this', r.stdout)
        self.assertIn("--allow-replace", r.stderr)
        r = self.deploy("--plan-only", "--allow-replace", show="plan_rename.json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_no_engine_prints_the_rendered_directory_and_exits_3(self):
        r = self.deploy(path=os.path.join(self.tmp, "empty"))
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        out = os.path.realpath(self.out)
        self.assertIn("neither 'terraform' nor 'tofu' was found on PATH", r.stderr)
        self.assertIn("cd %s && terraform init && terraform apply" % out, r.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.out, "main.tf")))

    def fake_tofu(self, version):
        tofu = os.path.join(self.tmp, "tofubin", "tofu")
        os.makedirs(os.path.dirname(tofu))
        with open(tofu, "w") as f:
            f.write(FAKE.replace("Terraform v1.9.5", "OpenTofu v" + version))
        os.chmod(tofu, 0o755)
        return os.path.dirname(tofu) + os.pathsep + "/bin" + os.pathsep + "/usr/bin"

    def test_engine_tofu_runs_the_same_steps(self):
        r = self.deploy("--plan-only", "--engine", "tofu", path=self.fake_tofu("1.6.2"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(self.log) as f:
            calls = [line.split("|")[1] for line in f]
        self.assertEqual(calls, ["version -json", "init -input=false",
                                 "plan -input=false -out=kemu.tfplan", "show -json kemu.tfplan"])
        self.assertIn("  orders: 13 to create", r.stdout)

    def test_an_old_tofu_is_refused_with_exit_3(self):
        r = self.deploy("--plan-only", "--engine", "tofu", path=self.fake_tofu("1.5.7"))
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("kemu needs OpenTofu >= 1.6", r.stderr)

    def test_local_credentials_are_refused(self):
        r = self.deploy("--plan-only", AWS_ACCESS_KEY_ID="test")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("AWS_ACCESS_KEY_ID is 'test'", r.stderr)


if __name__ == "__main__":
    run_main()
