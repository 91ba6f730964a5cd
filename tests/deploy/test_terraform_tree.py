"""Checks of the Terraform tree that `kemu deploy --aws` renders (deploy/terraform).

Always: every file parses with HashiCorp's HCL parser (@cdktf/hcl2json, offline), every var.,
local., module., data. and resource reference resolves in its module, and each checker is shown
to catch its kind of error. When `terraform` is on PATH: fmt -check
and the provider-free `terraform test` of modules/topology. When KEMU_TF_PLUGIN_DIR names a
local copy of the hashicorp/aws provider (a filesystem mirror): init, validate and a
mock-provider `terraform test` of the rendered example root. Those skip with the reason.

Usage: test_terraform_tree.py KEMU_BINARY"""

import json
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

sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from node_support import run_node  # noqa: E402  (the e2e tests' npm packages)

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


SCHEMA = os.path.join(REPO, "tests", "fixtures", "deploy", "aws_schema_subset.json")
META = {"count", "for_each", "depends_on", "provider", "lifecycle"}
STRING = re.compile(r'"(?:[^"\\$]|\\.|\$\{[^}]*\}|\$(?!\{))*"')


def blocks(text):
    """Top-level resource/data blocks as (kind, type, name, body lines)."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = re.match(r'^(resource|data)\s+"(\w+)"\s+"(\w+)"\s*\{\s*$', lines[i])
        if not m:
            i += 1
            continue
        body, depth, i = [], 1, i + 1
        while i < len(lines) and depth > 0:
            clean = STRING.sub('""', lines[i])
            depth += clean.count("{") - clean.count("}")
            if depth > 0:
                body.append(lines[i])
            i += 1
        out.append((m.group(1), m.group(2), m.group(3), body))
    return out


def check_body(body, schema, where, bad, start=0):
    """Checks the arguments and blocks of `body` (lines) against `schema` names."""
    i = start
    heredoc = None
    while i < len(body):
        line = body[i]
        if heredoc:
            if line.strip() == heredoc:
                heredoc = None
            i += 1
            continue
        clean = STRING.sub('""', line).split("#")[0]
        h = re.search(r"<<-?(\w+)\s*$", clean)
        arg = re.match(r"^\s*([\w-]+)\s*=", clean)
        blk = re.match(r'^\s*(?:dynamic\s+"(\w+)"|(\w+))\s*\{\s*$', line)
        if arg:
            name = arg.group(1)
            if name not in schema["attributes"] and name not in META:
                bad.append(f"{where}: unknown argument {name}")
            if h:
                heredoc = h.group(1)
            depth = clean.count("{") + clean.count("[") + clean.count("(") \
                - clean.count("}") - clean.count("]") - clean.count(")")
            i += 1
            while depth > 0 and i < len(body):  # a multi-line value
                c = STRING.sub('""', body[i])
                depth += c.count("{") + c.count("[") + c.count("(") \
                    - c.count("}") - c.count("]") - c.count(")")
                i += 1
            continue
        if blk:
            dynamic, name = blk.group(1), blk.group(2)
            inner, depth, j = [], 1, i + 1
            while j < len(body) and depth > 0:
                c = STRING.sub('""', body[j])
                depth += c.count("{") - c.count("}")
                if depth > 0:
                    inner.append(body[j])
                j += 1
            block_name = dynamic or name
            if name == "lifecycle":
                pass
            elif block_name not in schema["blocks"]:
                bad.append(f"{where}: unknown block {block_name}")
            elif dynamic:
                # for_each/iterator/labels, and content { ... } checked as the block.
                content = [k for k, ln in enumerate(inner) if re.match(r"^\s*content\s*\{", ln)]
                if content:
                    k = content[0]
                    sub, d = [], 1
                    for ln in inner[k + 1:]:
                        c = STRING.sub('""', ln)
                        d += c.count("{") - c.count("}")
                        if d <= 0:
                            break
                        sub.append(ln)
                    check_body(sub, schema["blocks"][block_name], f"{where}.{block_name}", bad)
            else:
                check_body(inner, schema["blocks"][block_name], f"{where}.{block_name}", bad)
            i = j
            continue
        i += 1


def argument_errors(texts, schema):
    bad = []
    for name, text in sorted(texts.items()):
        for kind, typ, label, body in blocks(text):
            where = f"{name}: {kind} {typ}.{label}"
            types = schema["resource" if kind == "resource" else "data"]
            if typ not in types:
                bad.append(f"{where}: type not in the schema subset (regenerate it)")
                continue
            check_body(body, types[typ], where, bad)
    return bad


def syntax_errors(name, text):
    """A cheap syntax check: brackets balance outside strings, comments and heredocs."""
    depth, heredoc, bad = 0, None, []
    for n, line in enumerate(text.splitlines(), 1):
        if heredoc:
            if line.strip() == heredoc:
                heredoc = None
            continue
        clean = STRING.sub('""', line)
        if clean.lstrip().startswith("#"):
            continue
        h = re.search(r"<<-?(\w+)\s*$", clean)
        depth += clean.count("{") + clean.count("[") + clean.count("(") \
            - clean.count("}") - clean.count("]") - clean.count(")")
        if depth < 0:
            bad.append(f"{name}:{n}: unbalanced closing bracket")
            depth = 0
        if h:
            heredoc = h.group(1)
    if depth != 0 or heredoc:
        bad.append(f"{name}: unclosed block or heredoc at end of file")
    return bad


class Syntax(unittest.TestCase):
    def test_every_file_balances(self):
        for d in module_dirs():
            for name, text in read_module(d).items():
                self.assertEqual(syntax_errors(name, text), [])

    def test_the_check_catches_an_unclosed_block(self):
        text = read_module(TREE)["main.tf"].replace("module \"api_gateway\" {\n",
                                                   "module \"api_gateway\" {\n  x = {\n")
        self.assertEqual(syntax_errors("main.tf", text),
                         ["main.tf: unclosed block or heredoc at end of file"])


class Parsed(unittest.TestCase):
    """Every .tf file through HashiCorp's own HCL parser (@cdktf/hcl2json from npm, pinned by
    tests/e2e/node/package-lock.json; it runs offline), so a syntax error fails here even where
    terraform is absent."""

    def parse(self, files):
        return run_node("hcl_parse.cjs", files, timeout=180)

    def test_every_file_parses(self):
        files = [os.path.join(d, n) for d in module_dirs() for n in read_module(d)]
        self.assertGreater(len(files), 5)
        self.assertEqual({f: e for f, e in self.parse(files).items() if e}, {})

    def test_the_parser_catches_a_syntax_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "main.tf")
            with open(bad, "w") as f:
                f.write(read_module(TREE)["main.tf"].replace('module "api_gateway" {',
                                                             'module "api_gateway" {\n  x = ', 1))
            err = self.parse([bad])[bad]
        self.assertIsNotNone(err)
        self.assertIn("main.tf:", err)


class Arguments(unittest.TestCase):
    """Every argument and block name against the provider schema subset kept in the repo
    (tests/fixtures/deploy/aws_schema_subset.json; tests/deploy/regen_schema_subset.py)."""

    @classmethod
    def setUpClass(cls):
        with open(SCHEMA) as f:
            cls.schema = json.load(f)

    def test_every_argument_is_in_the_provider_schema(self):
        for d in module_dirs():
            with self.subTest(module=os.path.relpath(d, REPO)):
                self.assertEqual(argument_errors(read_module(d), self.schema), [])

    def test_the_check_catches_a_misspelt_argument(self):
        texts = read_module(os.path.join(TREE, "modules", "kinesis_event_flow"))
        broken = {"main.tf": texts["main.tf"].replace("  retention_period    =",
                                                      "  retension_period    =")}
        broken["main.tf"] = broken["main.tf"].replace("on_failure {", "on_falure {")
        bad = argument_errors(broken, self.schema)
        self.assertIn("main.tf: resource aws_kinesis_stream.this: unknown argument "
                      "retension_period", bad)
        self.assertIn("main.tf: resource aws_lambda_event_source_mapping.this.destination_config:"
                      " unknown block on_falure", bad)


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


@unittest.skipUnless(shutil.which("tofu"), "tofu (OpenTofu) is not on PATH")
class WithTofu(unittest.TestCase):
    """OpenTofu >= 1.6 reads the same tree and the same provider-free tests."""

    def test_fmt_check_and_topology_module(self):
        r = run(["tofu", "fmt", "-recursive", "-check"], TREE)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            mod = os.path.join(tmp, "topology")
            shutil.copytree(os.path.join(TREE, "modules", "topology"), mod)
            os.mkdir(os.path.join(mod, "tests"))
            shutil.copy(os.path.join(TFTEST, "topology.tftest.hcl"), os.path.join(mod, "tests"))
            env = terraform_env(tmp)
            for step in (["init", "-input=false"], ["test", "-no-color"]):
                r = run(["tofu"] + step, mod, env)
                self.assertEqual(r.returncode, 0, " ".join(step) + ": " + r.stdout + r.stderr)


@unittest.skipUnless(KEMU, "needs the kemu binary")
class Packages(unittest.TestCase):
    """The rendered handler zips, read by Python's zipfile (a reader that is not ours)."""

    def test_zips_are_valid_with_fixed_times_and_sorted_names(self):
        import zipfile
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "root")
            env = dict(os.environ, AWS_REGION="eu-west-1")
            r = run([KEMU, "deploy", "--aws", "--render-only", "-c",
                     os.path.join(REPO, "examples", "kemu.yaml"), "--out", out], tmp, env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with zipfile.ZipFile(os.path.join(out, "lambda", "orders.zip")) as z:
                self.assertIsNone(z.testzip())
                names = z.namelist()
                self.assertIn("handler.py", names)
                self.assertEqual(names, sorted(names))
                for info in z.infolist():
                    self.assertEqual(info.date_time, (1980, 1, 1, 0, 0, 0))
                    self.assertIn(info.external_attr >> 16, (0o100644, 0o100755))
                    self.assertEqual(info.extra, b"")


# The provider block of an offline plan: no credentials lookup, no account id, no metadata API.
# Nothing is created with it; it only lets `plan` run where AWS is unreachable.
OFFLINE_PROVIDER = """provider "aws" {
  access_key                  = "offline-plan"
  secret_key                  = "offline-plan"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""


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

    def test_kemu_plans_the_rendered_example_and_summarises_it(self):
        """kemu deploy --plan-only with the real terraform and provider: the provider never
        calls AWS (an override file skips credentials and account lookups; a plan of new
        resources reads nothing), and kemu prints its summary of the real plan."""
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "root")
            os.mkdir(out)
            with open(os.path.join(out, "offline_override.tf"), "w") as f:
                f.write(OFFLINE_PROVIDER)
            env = {k: v for k, v in terraform_env(tmp).items() if not k.startswith("AWS_")}
            env["AWS_REGION"] = "eu-west-1"
            r = run([KEMU, "deploy", "--aws", "--plan-only", "-c",
                     os.path.join(REPO, "examples", "kemu.yaml"), "--out", out], tmp, env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            print("\n" + r.stdout[r.stdout.index("Plan summary"):], file=sys.stderr)
            for flow in ("orders", "payments", "user_activity"):
                self.assertRegex(r.stdout, r"\n  %s: \d+ to create" % flow)
            self.assertRegex(r.stdout, r"\n  api: \d+ to create")
            self.assertNotIn("parity warning", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
