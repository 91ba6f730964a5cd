"""Every tracked C++ file is clean against the repository's .clang-format and shorter than
800 lines (tests included): a file that long does more than one job. CLANG_FORMAT names the
binary (default: clang-format from PATH; the check skips, saying why, without one). Catch2 test
names are ones CTest can run: CTest splits a discovered name at ';', and Catch2 reads a name
that starts with '--' as an option, so either would leave the test case never run."""

import os
import re
import shutil
import subprocess
import sys
import unittest

REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
MAX_LINES = 800


def cpp_files():
    out = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "*.cc", "*.h", "*.cpp", "*.hpp"],
                         capture_output=True, check=True)
    return [p for p in out.stdout.decode().split("\0") if p]


class CppSources(unittest.TestCase):
    def test_formatted_with_the_repository_clang_format(self):
        binary = os.environ.get("CLANG_FORMAT") or shutil.which("clang-format")
        if not binary:
            self.skipTest("clang-format not found (scripts/setup.sh installs it)")
        files = cpp_files()
        self.assertTrue(files)
        out = subprocess.run([binary, "--dry-run", "--Werror", "--style=file", *files], cwd=REPO,
                             capture_output=True, text=True, timeout=300)
        unformatted = sorted({line.split(":", 1)[0] for line in out.stderr.splitlines()
                              if ": error:" in line})
        self.assertEqual(out.returncode, 0,
                         "not formatted (run clang-format -i on them):\n" + "\n".join(unformatted)
                         + ("" if unformatted else out.stderr[-2000:]))

    def test_no_file_of_800_lines_or_more(self):
        long = []
        for rel in cpp_files():
            with open(os.path.join(REPO, rel), encoding="utf-8") as f:
                n = sum(1 for _ in f)
            if n >= MAX_LINES:
                long.append(f"{rel}: {n} lines")
        self.assertEqual(long, [], "split by responsibility:\n" + "\n".join(long))

    def test_catch2_names_ctest_can_run(self):
        bad = []
        for rel in cpp_files():
            if not rel.startswith("tests/"):
                continue
            with open(os.path.join(REPO, rel), encoding="utf-8") as f:
                text = f.read()
            for m in re.finditer(r'TEST_CASE\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', text):
                name = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
                if ";" in name or name.startswith("--"):
                    line = text.count("\n", 0, m.start()) + 1
                    bad.append(f"{rel}:{line}: {name}")
        self.assertEqual(bad, [], "rename (no ';', no leading '--'):\n" + "\n".join(bad))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
