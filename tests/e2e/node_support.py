"""Node.js and the AWS SDK for JavaScript v3 for end-to-end tests (stdlib only).

    node_dir = ensure_node_sdk()           # installs tests/e2e/node/package.json's deps once
    out = run_node("sdk_basic.cjs", [endpoint], timeout=120)   # parsed last stdout line (JSON)

The packages go to tests/e2e/.node/ (git-ignored), installed by `npm ci` exactly as
tests/e2e/node/package-lock.json pins them, and are reused while package.json and the lock file
are unchanged; a lock file keeps parallel tests from installing twice. Without node/npm, or with
the npm registry unreachable, the tests fail with a message that says so.
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.join(HERE, "node")
INSTALL_DIR = os.path.join(HERE, ".node")
INSTALL_TIMEOUT_S = 600


class NodeSetupError(RuntimeError):
    pass


MANIFESTS = ("package.json", "package-lock.json")


def _manifest_hash():
    h = hashlib.sha256()
    for name in MANIFESTS:
        with open(os.path.join(SOURCE_DIR, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def ensure_node_sdk():
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise NodeSetupError(f"`{tool}` is not on PATH: install Node.js 20 and npm "
                                 "(scripts/setup.sh) to run the JS SDK tests")
    os.makedirs(INSTALL_DIR, exist_ok=True)
    stamp = os.path.join(INSTALL_DIR, ".installed")
    want = _manifest_hash()
    with open(os.path.join(INSTALL_DIR, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        installed = ""
        if os.path.exists(stamp):
            with open(stamp) as f:
                installed = f.read().strip()
        if installed == want and os.path.isdir(
                os.path.join(INSTALL_DIR, "node_modules", "@aws-sdk", "client-kinesis")):
            return INSTALL_DIR
        for name in MANIFESTS:
            shutil.copy(os.path.join(SOURCE_DIR, name), INSTALL_DIR)
        cmd = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        try:
            done = subprocess.run(cmd, cwd=INSTALL_DIR, capture_output=True, text=True,
                                  timeout=INSTALL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise NodeSetupError(f"`npm ci` in {INSTALL_DIR} took over "
                                 f"{INSTALL_TIMEOUT_S} s: is the npm registry reachable?")
        if done.returncode != 0:
            raise NodeSetupError(f"`npm ci` in {INSTALL_DIR} failed (exit "
                                 f"{done.returncode}); is the npm registry reachable?\n"
                                 f"{done.stderr[-3000:]}")
        with open(stamp, "w") as f:
            f.write(want + "\n")
    return INSTALL_DIR


def run_node(script, args, timeout=120, env=None):
    """Runs tests/e2e/node/<script> with the installed SDK; returns its last stdout line as JSON."""
    node_dir = ensure_node_sdk()
    run_env = dict(env if env is not None else os.environ)
    run_env["NODE_PATH"] = os.path.join(node_dir, "node_modules")
    try:
        done = subprocess.run(["node", os.path.join(SOURCE_DIR, script), *args],
                              capture_output=True, text=True, timeout=timeout, env=run_env)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"node {script} did not finish within {timeout} s; "
                             f"stdout {e.stdout!r} stderr {e.stderr!r}")
    if done.returncode != 0:
        raise AssertionError(f"node {script} exited {done.returncode}:\n{done.stderr[-4000:]}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise AssertionError(f"node {script} printed nothing; stderr {done.stderr[-2000:]}")
    return json.loads(lines[-1])
