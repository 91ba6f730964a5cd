"""Installing kemu as a user would: `cmake --install` into a temporary prefix, and the Debian
package that `cpack -G DEB` makes, unpacked into a temporary root. Each must run
`kemu --version` from where it was installed. Needs the build directory (KEMU_BUILD_DIR) and
the version it was configured with (KEMU_VERSION); the .deb check skips, saying why, where
dpkg-deb is missing (not a Debian machine)."""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BUILD = os.environ["KEMU_BUILD_DIR"]
VERSION = os.environ["KEMU_VERSION"]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


class Package(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kemu-package-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def assert_version(self, binary):
        self.assertTrue(os.access(binary, os.X_OK), f"{binary} is not an executable")
        out = run([binary, "--version"])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), f"kemu {VERSION}")

    def test_cmake_install_to_a_prefix(self):
        prefix = os.path.join(self.tmp, "prefix")
        out = run(["cmake", "--install", BUILD, "--prefix", prefix])
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assert_version(os.path.join(prefix, "bin", "kemu"))
        self.assertTrue(os.path.isfile(os.path.join(prefix, "share", "doc", "kemu", "README.md")))

    def test_debian_package(self):
        if not shutil.which("dpkg-deb") or not shutil.which("dpkg-shlibdeps"):
            self.skipTest("dpkg-deb / dpkg-shlibdeps not found: not a Debian machine")
        pkg = os.path.join(self.tmp, "pkg")
        out = run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"),
                   "-B", pkg])
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        debs = glob.glob(os.path.join(pkg, f"kemu_{VERSION}_*.deb"))
        self.assertEqual(len(debs), 1, os.listdir(pkg))
        fields = run(["dpkg-deb", "-f", debs[0], "Package", "Version", "Depends"]).stdout
        self.assertIn("Package: kemu", fields)
        self.assertIn(f"Version: {VERSION}", fields)
        # The libraries the binary links come from the binary, so a missing one cannot slip by.
        for lib in ("libyaml-cpp", "libnghttp2", "libssl", "libboost-json"):
            self.assertIn(lib, fields)
        root = os.path.join(self.tmp, "root")
        out = run(["dpkg-deb", "-x", debs[0], root])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assert_version(os.path.join(root, "usr", "bin", "kemu"))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
