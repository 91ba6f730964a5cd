"""The README's quick start and the examples/README.md walk-through work as written.

The commands are read from the markdown (never copied here): every ```sh block of README.md's
"Quick start" section and of examples/README.md runs, in order, in one bash session whose
working directory is a temporary stand-in for the repository root (a copy of examples/,
scripts/up.sh, and build/release/tools/kemu/kemu running $KEMU_BIN), against a kemu started
with the command scripts/up.sh finally runs, on a free port substituted for 4566 (`kemu dlq`
gets `--endpoint` for it). Every command
must succeed, and what the pages claim is checked:

    <!-- ci: skip ... -->      the next block does not run here (scripts/up.sh, scripts/test.sh)
    <!-- ci: up-command -->    the next block is the command scripts/up.sh ends with (checked by
                               running scripts/up.sh with stubs for setup.sh, cmake and kemu)
    <!-- ci: retry -->         the next sh block may be run again until its output matches
    <!-- ci: output -->        the next text block's lines appear, in order, in the output of the
                               sh block before it
    <!-- ci: kemu -->          the next text block's lines appear in kemu's terminal (stdout and
                               stderr) after the sh block before it was sent

In expected lines `…` matches any text and runs of white space compare equal. In README.md's
quick start, inline code starting with `[dev-` is a line kemu's terminal must show. Both pages
say the seed's curl commands work verbatim: their sh blocks must hold exactly the commands of
tests/fixtures/seed/.
"""

import os
import queue
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from kemu_harness import REPO, StdoutKemu, kemu_bin, kemu_metrics, run_main, wait_until
from seed_fixtures import SEED_REQUESTS, seed_curl_command

PORT_IN_DOCS = "4566"
BLOCK_DEADLINE_S = 30.0     # one sh block (kemu dlq replay may run several invocations)
CLAIM_DEADLINE_S = 30.0     # retried blocks and kemu's terminal lines
MARKER_RE = re.compile(r"^<!--\s*ci:\s*([a-z-]+)(.*?)-->\s*$")
FENCE_RE = re.compile(r"^```(\w*)\s*$")


# ---- markdown ----

class Block:
    def __init__(self, lang, text, marker, line):
        self.lang, self.text, self.marker, self.line = lang, text, marker, line

    def __repr__(self):
        return f"<{self.lang} block at line {self.line}, marker {self.marker!r}>"


def read_blocks(path, section=None):
    """Fenced blocks of a markdown file (only those under the `## section` heading when given),
    each with the `<!-- ci: ... -->` marker on the last non-blank line before it."""
    with open(path) as f:
        lines = f.read().splitlines()
    blocks, in_section, i, prev = [], section is None, 0, ""
    while i < len(lines):
        line = lines[i]
        if section is not None and line.startswith("## "):
            in_section = line[3:].strip().lower() == section.lower()
        m = FENCE_RE.match(line)
        if m:
            start = i
            i += 1
            body = []
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            if in_section:
                mm = MARKER_RE.match(prev.strip())
                blocks.append(Block(m.group(1), "\n".join(body), mm.group(1) if mm else None,
                                    start + 1))
            prev = ""
        elif line.strip():
            prev = line
        i += 1
    return blocks


def section_text(path, section):
    with open(path) as f:
        text = f.read()
    m = re.search(rf"^## {re.escape(section)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S | re.I)
    return m.group(1) if m else ""


def line_pattern(expected):
    """`…` matches anything; white space runs compare equal."""
    parts = [r"\s+".join(re.escape(w) for w in piece.split()) for piece in expected.split("…")]
    return re.compile(r"^\s*" + ".*".join(parts) + r"\s*$")


def missing_in_order(expected_lines, actual_lines):
    """The first expected line that does not match, in order, or None."""
    pos = 0
    for exp in expected_lines:
        pat = line_pattern(exp)
        while pos < len(actual_lines) and not pat.match(actual_lines[pos]):
            pos += 1
        if pos == len(actual_lines):
            return exp
        pos += 1
    return None


def missing_anywhere(expected_lines, actual_lines):
    for exp in expected_lines:
        pat = line_pattern(exp)
        if not any(pat.match(a) for a in actual_lines):
            return exp
    return None


# ---- one bash session for all blocks (variables and exports carry over) ----

class Shell:
    END = "__KEMU_README_BLOCK_END__"
    FAIL = "__KEMU_README_COMMAND_FAILED__"

    def __init__(self, cwd, env, stderr_path):
        # stdout is what the pages show; stderr (curl's progress meter, which a terminal would
        # not show, and error messages) goes to a file quoted when something fails.
        self.stderr_path = stderr_path
        with open(stderr_path, "wb") as err:
            self.proc = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=cwd, env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, text=True, bufsize=1,
                                         start_new_session=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.run(f"trap 'echo \"{self.FAIL} exit $?: $BASH_COMMAND\"' ERR")

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def run(self, script, timeout=BLOCK_DEADLINE_S):
        """Runs the script (stdin from /dev/null); returns (output lines, failed commands)."""
        self.proc.stdin.write("{\n" + script + "\n} </dev/null\necho; echo " + self.END + "\n")
        self.proc.stdin.flush()
        out, deadline = [], time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"block still running after {timeout} s: {script!r}; "
                                     f"output so far {out}") from None
            if line is None:
                raise AssertionError(f"bash exited running {script!r}; output {out}")
            if line == self.END:
                break
            out.append(line)
        if out and out[-1] == "":
            out.pop()
        failed = [l for l in out if l.startswith(self.FAIL)]
        return [l for l in out if not l.startswith(self.FAIL)], failed

    def stderr_tail(self, limit=3000):
        with open(self.stderr_path, errors="replace") as f:
            return f.read()[-limit:]

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(timeout=5)
        self.proc.stdout.close()


# ---- the stand-in repository root ----

class CommandKemu(StdoutKemu):
    """StdoutKemu that runs a given argv (relative paths against the current directory)."""

    def __init__(self, argv, log_dir):
        super().__init__(None, log_dir=log_dir)
        self.argv = list(argv)

    def command(self):
        return self.argv


class SeedCommandsTest(unittest.TestCase):
    def test_the_pages_show_the_seeds_curl_commands(self):
        for page, section in (("README.md", "Quick start"), ("examples/README.md", None)):
            blocks = read_blocks(os.path.join(REPO, page), section)
            text = "\n".join(b.text for b in blocks if b.lang == "sh")
            for path, _ in SEED_REQUESTS:
                self.assertIn(seed_curl_command(path), text,
                              f"{page} does not show the seed's command for {path} verbatim")


class ReadmeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kemu-readme-")
        if os.environ.get("KEMU_E2E_KEEP"):
            print(f"\n[kemu-e2e] keeping {self.tmp}", flush=True)
        else:
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.root = os.path.join(self.tmp, "repo")
        os.makedirs(os.path.join(self.root, "scripts"))
        shutil.copytree(os.path.join(REPO, "examples"), os.path.join(self.root, "examples"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(os.path.join(REPO, "scripts", "up.sh"), os.path.join(self.root, "scripts"))
        self.bin_dir = os.path.join(self.root, "build", "release", "tools", "kemu")
        os.makedirs(self.bin_dir)
        # Client environment: no AWS settings from this machine (the README exports its own).
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update({"AWS_CONFIG_FILE": os.path.join(self.tmp, "no-aws-config"),
                         "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.tmp, "no-aws-creds"),
                         "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
                         "AWS_MAX_ATTEMPTS": "1"})
        self.kemu = None
        self.shell = None
        self.addCleanup(self._stop)

    def _stop(self):
        if self.shell is not None:
            self.shell.close()
        if self.kemu is not None and self.kemu.proc is not None:
            crashed = not self.kemu.running()
            rc = self.kemu.stop()
            if crashed or rc != 0:
                raise AssertionError(f"kemu exited with {rc} (crashed: {crashed}); stderr:\n"
                                     f"{self.kemu.stderr_tail()}")

    # -- scripts/up.sh --

    def up_sh_command(self):
        """What scripts/up.sh finally runs: up.sh itself, with setup.sh, cmake and kemu stubbed
        (the kemu stub prints its arguments). Extra arguments are passed through."""
        stubs = os.path.join(self.tmp, "stubs")
        os.makedirs(stubs)
        with open(os.path.join(stubs, "cmake"), "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        with open(os.path.join(self.root, "scripts", "setup.sh"), "w") as f:
            f.write("exit 0\n")
        kemu_stub = os.path.join(self.bin_dir, "kemu")
        with open(kemu_stub, "w") as f:
            f.write('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n')
        for p in (os.path.join(stubs, "cmake"), kemu_stub):
            os.chmod(p, 0o755)
        env = dict(self.env, PATH=stubs + os.pathsep + self.env.get("PATH", ""))
        r = subprocess.run(["bash", os.path.join(self.root, "scripts", "up.sh"), "--port", "0"],
                           cwd=self.tmp, env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        os.unlink(kemu_stub)
        return r.stdout.splitlines()

    def write_kemu_wrapper(self, port=None):
        """build/release/tools/kemu/kemu of the stand-in root: $KEMU_BIN; once the port is known,
        `kemu dlq ...` and `kemu status` get `--endpoint` for it (their default is port 4566)."""
        real = shlex.quote(os.path.abspath(kemu_bin()))
        lines = ["#!/bin/sh"]
        if port:
            lines.append(f'case "$1" in dlq|status) exec {real} "$@" '
                         f'--endpoint http://127.0.0.1:{port};; esac')
        lines.append(f'exec {real} "$@"')
        path = os.path.join(self.bin_dir, "kemu")
        with open(path + ".new", "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(path + ".new", 0o755)
        os.replace(path + ".new", path)

    def start_kemu(self, args):
        """kemu as up.sh runs it: build/release/tools/kemu/kemu ARGS in the stand-in root, so
        `-c examples/kemu.yaml --data-dir .kemu/data` land in the temp dir."""
        self.write_kemu_wrapper()
        cwd = os.getcwd()
        os.chdir(self.root)
        try:
            self.kemu = CommandKemu([os.path.join("build", "release", "tools", "kemu", "kemu"),
                                     *args], log_dir=self.tmp)
            self.kemu.start()
        finally:
            os.chdir(cwd)
        self.port = str(self.kemu.port)
        self.write_kemu_wrapper(self.port)
        self.shell = Shell(self.root, self.env, os.path.join(self.tmp, "shell.stderr"))

    def local(self, text):
        return re.sub(r"(127\.0\.0\.1|localhost):" + PORT_IN_DOCS + r"\b", r"\1:" + self.port, text)

    # -- kemu's terminal --

    def terminal(self):
        """kemu's stdout lines and stderr lines, as the person running it sees them."""
        err = ""
        try:
            with open(self.kemu.log_path, errors="replace") as f:
                err = f.read()
        except OSError:
            pass
        listening = f"kemu listening on {self.kemu.endpoint}"  # read by start(), not in lines
        return [listening] + list(self.kemu.lines), err.splitlines()

    def terminal_since(self, mark):
        out, err = self.terminal()
        return out[mark[0]:] + err[mark[1]:]

    def wait_terminal(self, expected, mark, what):
        last = []

        def check():
            last[:] = self.terminal_since(mark)
            return missing_anywhere(expected, last) is None
        try:
            wait_until(check, CLAIM_DEADLINE_S, interval=0.1, what=what)
        except AssertionError:
            self.fail(f"{what}: kemu's terminal never showed "
                      f"{missing_anywhere(expected, last)!r}; it showed: {last[-40:]}")

    # -- running a page --

    def terminal_mark(self):
        out, err = self.terminal()
        return len(out), len(err)

    def run_blocks(self, blocks, where):
        """Runs the sh blocks in order and checks the claims that follow them."""
        mark = (0, 0)  # kemu's terminal from its start
        last_sh, last_out = None, []
        ran = 0
        for b in blocks:
            what = f"{where}:{b.line}"
            if b.lang == "sh":
                if b.marker in ("skip", "up-command"):
                    continue
                self.assertIn(b.marker, (None, "retry"), f"{what}: unknown marker {b.marker}")
                mark = self.terminal_mark()
                last_sh = b
                last_out = self.run_sh(b, what)
                ran += 1
            elif b.lang == "text":
                expected = [l for l in self.local(b.text).splitlines() if l.strip()]
                if b.marker == "kemu":
                    self.wait_terminal(expected, mark, what)
                elif b.marker == "output":
                    self.assertIsNotNone(last_sh, f"{what}: output block before any command")
                    last_out = self.check_output(last_sh, last_out, expected, what)
                else:
                    self.fail(f"{what}: a text block needs <!-- ci: output --> or <!-- ci: kemu -->")
            else:
                self.assertIn(b.lang, ("python", "yaml", ""), f"{what}: unexpected block")
        return ran

    def run_sh(self, block, what):
        out, failed = self.shell.run(self.local(block.text))
        self.assertEqual(failed, [], f"{what}: a command failed: {failed}; output: {out}; "
                                     f"stderr: {self.shell.stderr_tail()}")
        return out

    def check_output(self, block, out, expected, what):
        deadline = time.monotonic() + CLAIM_DEADLINE_S
        while True:
            miss = missing_in_order(expected, out)
            if miss is None:
                return out
            if block.marker != "retry" or time.monotonic() > deadline:
                self.fail(f"{what}: the command's output has no line {miss!r} (in order); "
                          f"it printed:\n" + "\n".join(out) +
                          f"\nstderr: {self.shell.stderr_tail()}")
            time.sleep(0.5)
            out = self.run_sh(block, what)

    # -- the tests --

    def test_examples_walk_through(self):
        page = os.path.join(REPO, "examples", "README.md")
        blocks = read_blocks(page)
        first_sh = [b for b in blocks if b.lang == "sh"][0]
        self.assertEqual(first_sh.text.strip(), "scripts/up.sh", "the first command starts kemu")
        documented = [b for b in blocks if b.marker == "up-command"]
        self.assertEqual(len(documented), 1, "examples/README.md shows what scripts/up.sh runs")
        argv = shlex.split(documented[0].text.strip())
        self.assertEqual(argv[0], "build/release/tools/kemu/kemu")
        # scripts/up.sh ends with exactly that command (plus what it was given).
        self.assertEqual(self.up_sh_command(), argv[1:] + ["--port", "0"])
        self.start_kemu(argv[1:] + ["--port", "0"])
        self.assertTrue(os.path.isdir(os.path.join(self.root, ".kemu", "data")),
                        "kemu keeps its data under .kemu/data of the directory it runs in")
        ran = self.run_blocks(blocks, "examples/README.md")
        self.assertGreaterEqual(ran, 8)

    def test_readme_quick_start(self):
        page = os.path.join(REPO, "README.md")
        blocks = read_blocks(page, "Quick start")
        sh = [b for b in blocks if b.lang == "sh"]
        self.assertEqual(sh[0].text.strip(), "scripts/up.sh", "the first command starts kemu")
        # README.md's quick start starts kemu with scripts/up.sh on the example project.
        argv = self.up_sh_command()
        self.assertEqual(argv[:3], ["up", "-c", "examples/kemu.yaml"])
        self.start_kemu(argv)
        # Lines that start scripts/ (up.sh, test.sh) build and test the project: not here.
        for b in sh:
            if b.text.strip().startswith("scripts/"):
                b.marker = "skip"
        ran = self.run_blocks(blocks, "README.md")
        self.assertGreaterEqual(ran, 3)
        claims = re.findall(r"`(\[dev-[^`]+)`", section_text(page, "Quick start"))
        self.assertTrue(claims, "the quick start says what kemu's terminal shows")
        self.wait_terminal(claims, (0, 0), "README.md quick start")
        # Every curl of the quick start reached a stream (curl exits 0 on HTTP errors too).
        m = kemu_metrics(self.kemu.endpoint)
        curls = sum(b.text.count("curl -X POST") for b in sh)
        self.assertEqual(m[("kemu_apigateway_count_total", "dev-events-ingestion")], curls)
        self.assertEqual(m[("kemu_apigateway_4_xxerror_total", "dev-events-ingestion")], 0)
        self.assertEqual(m[("kemu_apigateway_5_xxerror_total", "dev-events-ingestion")], 0)


if __name__ == "__main__":
    run_main()
