"""The repository stands on its own: a user clones only it, so no tracked file may name a path
outside it. This fails on references to the team's private notes (a `shared` folder beside the
repository, its `spec/*.md` files or their numbered sections), on absolute paths of one machine
(home and work folders, a pyenv install, fixed interpreter or CLI locations), and on symlinks
that leave the tree. Tests find their clients through PATH or environment variables instead.

The patterns are assembled from pieces so that this file does not match itself."""

import os
import re
import subprocess
import sys
import unittest

REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))

SECTION = "\u00a7"  # the section sign of the private notes' numbering
PATTERNS = [
    ("a folder beside the repository", re.escape(".." + "/shared")),
    ("the private spec", r"\b" + "shared" + r"/spec\b"),
    ("a private spec file", r"(?<![\w/])" + "spec" + r"/[a-z0-9-]+\.md\b"),
    # An RFC's sections ("RFC 9113 §8.1") are public; a bare number is the private notes'.
    ("a numbered section of the private spec", r"(?<!\d )" + SECTION + r"\s?\d"),
    ("a machine's work folder", r"(?<![\w.])/" + "work" + r"/"),
    ("a machine's home folder", r"(?<![\w.])/(?:" + "root" + "|" + "home" + r"/[\w.-]+|Users/[\w.-]+)/"),
    ("a pyenv install", r"\." + "pyenv" + r"/"),
    ("a fixed interpreter or CLI location",
     r"(?<![\w.])/usr/(?:local/)?bin/(?:" + "python3|aws" + r")\b"),
]


def tracked_files():
    out = subprocess.run(["git", "-C", REPO, "ls-files", "-z"], capture_output=True, check=True)
    return [p for p in out.stdout.decode().split("\0") if p]


class SelfContained(unittest.TestCase):
    def test_patterns_catch_what_they_must(self):
        # The checker itself: each pattern matches a sample of what it is there to refuse.
        samples = ["see .." + "/shared/notes", "shared" + "/spec/x.md", "spec" + "/kinesis.md",
                   SECTION + "4.5", "/" + "work/main", "/" + "root/x", ".pyenv" + "/shims",
                   "/usr/" + "bin/python3"]
        for (what, pattern), sample in zip(PATTERNS, samples):
            self.assertRegex(sample, pattern, what)
        self.assertNotRegex("docs/aws/kinesis.md", PATTERNS[2][1])
        self.assertNotRegex("RFC 9113 " + SECTION + "8.1", PATTERNS[3][1])
        self.assertNotRegex("#!/usr/bin/env python3", PATTERNS[-1][1])

    def test_no_tracked_file_names_a_path_outside_the_repository(self):
        compiled = [(what, re.compile(p)) for what, p in PATTERNS]
        found = []
        for rel in tracked_files():
            path = os.path.join(REPO, rel)
            if os.path.islink(path):
                target = os.path.realpath(path)
                if not (target == REPO or target.startswith(REPO + os.sep)):
                    found.append(f"{rel}: a symlink out of the repository")
                continue
            try:
                with open(path, encoding="utf-8") as f:
                    lines = f.readlines()
            except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
                continue  # binary files name no paths we could follow
            for n, line in enumerate(lines, 1):
                for what, rx in compiled:
                    if rx.search(line):
                        found.append(f"{rel}:{n}: {what}: {line.strip()[:120]}")
        self.assertEqual(found, [], "\n" + "\n".join(found))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
