"""The client programs the end-to-end tests drive, found through an environment variable or PATH,
never at a fixed install location (stdlib only).

    KEMU_AWS_CLI_V1     an `aws` that is AWS CLI v1 (`aws --version` says aws-cli/1.x): it speaks
                        SQS's JSON 1.0 protocol and base64-encodes `--data` itself
    KEMU_AWS_CLI_V2     an `aws` that is AWS CLI v2 (aws-cli/2.x, e.g. Debian 12's 2.9): SQS's
                        query protocol, `--data` given as base64, no message move task commands
    KEMU_SYSTEM_PYTHON  a python3 whose boto3 is 1.26 (botocore 1.29, e.g. Debian 12's
                        python3-boto3): SQS's query protocol, no StreamARN members. The other
                        Python, the PATH's `python3`, has a current boto3 (1.43).

A variable holds a path or a command name. Unset, each is the first executable of that name on
PATH, taken once per real file, that answers with the wanted version. A test that needs a client
which cannot be found skips and says why.

For CMake: `python3 clients.py system-python` prints the path of KEMU_SYSTEM_PYTHON (exit 1 and
the reason on stderr when there is none).
"""

import functools
import os
import shutil
import subprocess
import sys
import unittest

SYSTEM_BOTO3 = "1.26"  # the boto3 release line of the second Python
ASK_TIMEOUT_S = 60


def _candidates(name):
    """Every executable `name` on PATH, in PATH order, one per real file."""
    seen, found = set(), []
    for d in os.environ.get("PATH", "").split(os.pathsep):
        p = os.path.join(d or ".", name)
        if not (os.path.isfile(p) and os.access(p, os.X_OK)):
            continue
        real = os.path.realpath(p)
        if real not in seen:
            seen.add(real)
            found.append(p)
    return found


def _ask(argv):
    """stdout + stderr of a short command, stripped; "" when it cannot run."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=ASK_TIMEOUT_S,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (out.stdout + out.stderr).strip()


@functools.lru_cache(maxsize=None)
def cli_version(path):
    """What `aws --version` prints, e.g. "aws-cli/1.45.11 Python/3.11.7 ..."."""
    return _ask([path, "--version"])


@functools.lru_cache(maxsize=None)
def boto3_version(python):
    """The boto3 version the interpreter imports, "" when it has none."""
    out = _ask([python, "-c", "import boto3; print(boto3.__version__)"])
    return out if out and " " not in out else ""


def _find(variable, name, wanted):
    """(path, why): the variable's value, or the first candidate on PATH for which wanted(path)
    holds; path None and a reason when there is none."""
    given = os.environ.get(variable)
    if given:
        path = shutil.which(given)
        if path is None:
            return None, f"{variable}={given} is not an executable"
        return path, f"{variable}={given}"
    for p in _candidates(name):
        if wanted(p):
            return p, f"found on PATH ({variable} unset)"
    return None, f"none of the `{name}` on PATH fits; set {variable}"


@functools.lru_cache(maxsize=None)
def aws_cli(major):
    """(path, why) of the AWS CLI with that major version (1 or 2)."""
    variable = f"KEMU_AWS_CLI_V{major}"
    path, why = _find(variable, "aws",
                      lambda p: cli_version(p).startswith(f"aws-cli/{major}."))
    if path is None:
        return None, f"AWS CLI v{major} not found: {why}"
    return path, why


@functools.lru_cache(maxsize=None)
def system_python():
    """(path, why) of the python3 with boto3 1.26."""
    path, why = _find("KEMU_SYSTEM_PYTHON", "python3",
                      lambda p: boto3_version(p).startswith(SYSTEM_BOTO3 + "."))
    if path is None:
        return None, f"no python3 with boto3 {SYSTEM_BOTO3}: {why}"
    return path, why


def aws_cli_or_skip(major):
    """(path, `--version` text) of AWS CLI v<major>; unittest.SkipTest saying why when there is
    none (or when the variable names a CLI of another version)."""
    path, why = aws_cli(major)
    version = cli_version(path) if path else ""
    if not version.startswith(f"aws-cli/{major}."):
        reason = why if path is None else f"{path!r} ({why}) says {version!r}"
        raise unittest.SkipTest(f"AWS CLI v{major} needed; {reason}")
    return path, version


def main(argv):
    if argv != ["system-python"]:
        print("usage: clients.py system-python", file=sys.stderr)
        return 2
    path, why = system_python()
    if path is None:
        print(why, file=sys.stderr)
        return 1
    print(os.path.abspath(path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
