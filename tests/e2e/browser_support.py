"""Headless Debian chromium for the e2e tests (playwright-core from web/, pinned by
web/package-lock.json): why a browser test must skip, where screenshots go, and a live page
driven step by step (browser_driver.cjs)."""

import json
import os
import shutil
import subprocess
import tempfile

from kemu_harness import REPO, kemu_bin

CHROMIUM = os.environ.get("KEMU_CHROMIUM", "/usr/bin/chromium")
PLAYWRIGHT = os.path.join(REPO, "web", "node_modules", "playwright-core")
DRIVER = os.path.join(REPO, "tests", "e2e", "browser_driver.cjs")


def missing_browser():
    """None when chromium, playwright-core and node are there; else why not."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"no chromium at {CHROMIUM} (scripts/setup.sh installs Debian's chromium)"
    if not os.path.isdir(PLAYWRIGHT):
        return "no web/node_modules/playwright-core (scripts/setup.sh runs npm ci in web/)"
    if not shutil.which("node"):
        return "no node on PATH"
    return None


def artifact_dir(name):
    """build/<preset>/test-artifacts/<name> (KEMU_TEST_ARTIFACTS overrides the root)."""
    # build/<preset>/tools/kemu/kemu -> build/<preset>/test-artifacts/<name>
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(kemu_bin()))))
    path = os.environ.get("KEMU_TEST_ARTIFACTS", os.path.join(build, "test-artifacts"))
    path = os.path.join(path, name)
    os.makedirs(path, exist_ok=True)
    return path


class BrowserError(AssertionError):
    pass


class Browser:
    """One chromium page, driven one JSON step at a time (see browser_driver.cjs for the
    steps). Every step has a deadline; a failed step raises BrowserError with the page's
    text, console errors and requests to other origins."""

    def __init__(self, tmp_dir, allowed_origin):
        self.user_data = tempfile.mkdtemp(prefix="chromium-", dir=tmp_dir)
        self.proc = subprocess.Popen(["node", DRIVER, self.user_data, allowed_origin],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    def step(self, **step):
        self.proc.stdin.write(json.dumps(step) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise BrowserError(f"browser driver ended: {self.proc.stderr.read()[-4000:]}")
        answer = json.loads(line)
        if not answer.get("ok"):
            raise BrowserError(f"{step}: {answer.get('error')}\n--- page text ---\n"
                               f"{answer.get('text', '')[-3000:]}")
        return answer

    def close(self):
        """Ends the page; returns its console errors and requests that left kemu."""
        try:
            out = self.step(op="close")
        finally:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
            self.proc.stdout.close()
            self.proc.stderr.close()
        return out
