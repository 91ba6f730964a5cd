"""Checks of the Terraform tree that `kemu deploy --aws` renders (deploy/terraform).

Always: every var., local., module., data. and resource reference resolves in its module, and
the checker is shown to catch an undeclared reference. When `terraform` is on PATH: fmt -check
and the provider-free `terraform test` of modules/topology. When KEMU_TF_PLUGIN_DIR names a
local copy of the hashicorp/aws provider (a filesystem mirror): init, validate and a
mock-provider `terraform test` of the rendered example root. Those skip with the reason.

Usage: test_terraform_tree.py KEMU_BINARY"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
TREE = os.path.join(REPO, "deploy", "terraform")
TFTEST = os.path.join(REPO, "tests", "fixtures", "deploy", "tftest")
KEMU = sys.argv.pop(1) if len(sys.argv) > 1 else None

DECL = re.compile(r'^(variable|module|output)\s+"([\w-]+)"|^(resource|data)\s+"(\w+)"\s+"(\w+)"',
                  re.M)
REF = re.compile(r"(?<![\w.$])(var|local|module)\.(\w+)|(?<![\w.$])data\.(\w+)\.(\w+)"
                 r"|(?<![\w.$\"])(aws_\w+)\.(\w+)")


def strip_comments(text):
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def locals_declared(text):
    names, depth, inside = set(), 0, False
    for line in text.splitlines():
        if not inside and re.match(r"^locals\s*\{", line):
            inside, depth = True, 1
            continue
        if inside:
            if depth == 1:
                m = re.match(r"^\s*([\w-]+)\s*=", line)
                if m:
                    names.add(m.group(1))
            depth += line.count("{") + line.count("[") + line.count("(")
            depth -= line.count("}") + line.count("]") + line.count(")")
            if depth <= 0:
                inside = False
    return names


def unresolved(module_texts):
    """Undeclared references of one module: its .tf files' texts by name -> list of messages."""
    texts = {n: strip_comments(t) for n, t in module_texts.items()}
    declared = {"var": set(), "local": set(), "module": set(), "data": set(), "resource": set()}
    for text in texts.values():
        for m in DECL.finditer(text):
            if m.group(1) == "variable":
                declared["var"].add(m.group(2))
            elif m.group(1) == "module":
                declared["module"].add(m.group(2))
            elif m.group(3) == "data":
                declared["data"].add((m.group(4), m.group(5)))
            elif m.group(3) == "resource":
                declared["resource"].add((m.group(4), m.group(5)))
        declared["local"] |= locals_declared(text)
    bad = []
    for name, text in sorted(texts.items()):
        for m in REF.finditer(text):
            if m.group(1) and m.group(2) not in declared[m.group(1)]:
                bad.append(f"{name}: {m.group(1)}.{m.group(2)}")
            elif m.group(3) and (m.group(3), m.group(4)) not in declared["data"]:
                bad.append(f"{name}: data.{m.group(3)}.{m.group(4)}")
            elif m.group(5) and (m.group(5), m.group(6)) not in declared["resource"]:
                bad.append(f"{name}: {m.group(5)}.{m.group(6)}")
    return bad


def module_dirs():
    dirs = [TREE]
    mods = os.path.join(TREE, "modules")
    dirs += [os.path.join(mods, d) for d in sorted(os.listdir(mods))]
    return dirs


def read_module(d):
    out = {}
    for n in sorted(os.listdir(d)):
        if n.endswith(".tf"):
            with open(os.path.join(d, n)) as f:
                out[n] = f.read()
    return out


def run(args, cwd, env=None):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


class References(unittest.TestCase):
    def test_every_reference_resolves(self):
        for d in module_dirs():
            with self.subTest(module=os.path.relpath(d, REPO)):
                self.assertEqual(unresolved(read_module(d)), [])

    def test_the_check_catches_undeclared_references(self):
        texts = read_module(os.path.join(TREE, "modules", "kinesis_event_flow"))
        broken = dict(texts)
        broken["main.tf"] = texts["main.tf"].replace("var.batch_window_seconds",
                                                     "var.batch_windw_seconds")
        broken["main.tf"] = broken["main.tf"].replace("aws_kms_key.stream.arn",
                                                      "aws_kms_key.strem.arn", 1)
        bad = unresolved(broken)
        self.assertIn("main.tf: var.batch_windw_seconds", bad)
        self.assertIn("main.tf: aws_kms_key.strem", bad)


def terraform_env(tmp):
    env = dict(os.environ)
    rc = os.path.join(tmp, "terraformrc")
    plugins = os.environ.get("KEMU_TF_PLUGIN_DIR")
    with open(rc, "w") as f:
        if plugins:
            f.write('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n'
                    % plugins)
    env["TF_CLI_CONFIG_FILE"] = rc
    env["CHECKPOINT_DISABLE"] = "1"
    for k in list(env):
        if k.startswith("AWS_ENDPOINT_URL"):
            del env[k]
    return env


@unittest.skipUnless(shutil.which("terraform"), "terraform is not on PATH")
class WithTerraform(unittest.TestCase):
    def test_fmt_check(self):
        r = run(["terraform", "fmt", "-recursive", "-check"], TREE)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_topology_module(self):
        with tempfile.TemporaryDirectory() as tmp:
            mod = os.path.join(tmp, "topology")
            shutil.copytree(os.path.join(TREE, "modules", "topology"), mod)
            os.mkdir(os.path.join(mod, "tests"))
            shutil.copy(os.path.join(TFTEST, "topology.tftest.hcl"), os.path.join(mod, "tests"))
            env = terraform_env(tmp)
            r = run(["terraform", "init", "-input=false"], mod, env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            r = run(["terraform", "test", "-no-color"], mod, env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


@unittest.skipUnless(shutil.which("terraform") and os.environ.get("KEMU_TF_PLUGIN_DIR") and KEMU,
                     "needs terraform, KEMU_TF_PLUGIN_DIR (a local hashicorp/aws copy) and kemu")
class WithProvider(unittest.TestCase):
    def test_rendered_example_validates_and_plans_under_a_mock(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "root")
            env = terraform_env(tmp)
            env["AWS_REGION"] = "eu-west-1"
            r = run([KEMU, "deploy", "--aws", "--render-only", "-c",
                     os.path.join(REPO, "examples", "kemu.yaml"), "--out", out], tmp, env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            shutil.copy(os.path.join(TFTEST, "root_mock.tftest.hcl"), out)
            for step in (["init", "-input=false"], ["validate", "-no-color"],
                         ["test", "-no-color"]):
                r = run(["terraform"] + step, out, env)
                self.assertEqual(r.returncode, 0, " ".join(step) + ": " + r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
