"""Handlers cannot outlive kemu: each execution environment runs under a supervisor (kemu's own
binary re-executed, the subreaper of the environment's tree) that takes every process of the
environment down when kemu dies, even by SIGKILL, daemonised grandchildren included."""

from kemu_harness import PY_PRELUDE, LambdaTestCase, run_main, wait_until

DAEMON = PY_PRELUDE + '''
import subprocess


def process_event(event, context):
    # A double fork with setsid: the sleep belongs to no process group or session of the
    # runtime's, and its parent is gone.
    r, w = _os.pipe()
    if _os.fork() == 0:
        _os.close(r)
        _os.setsid()
        pid = _os.fork()
        if pid == 0:
            _os.execvp("sleep", ["sleep", "300"])
        _os.write(w, str(pid).encode())
        _os._exit(0)
    _os.close(w)
    daemon = int(_os.read(r, 32).decode())
    _os.close(r)
    child = subprocess.Popen(["sleep", "300"])  # a plain child too
    record(phase="spawned", runtime=_os.getpid(), supervisor=_os.getppid(), daemon=daemon,
           child=child.pid)
'''


def stat_fields(pid):
    """/proc/<pid>/stat after the command: state, ppid, pgrp, session, ..."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    return stat[stat.rindex(")") + 2:].split()


def gone(pid):
    """True once `pid` has ended: no /proc entry, or a zombie waiting for its new parent."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"


class SandboxTest(LambdaTestCase):
    def test_kill_9_of_kemu_leaves_no_process_of_an_environment(self):
        self.add_flow("orders", {"handler.py": DAEMON}, lambda_timeout=10)
        self.start_kemu("--no-function-logs")
        self.put("orders", "spawn")
        seen = self.wait_seen("orders", lambda s: any(x["phase"] == "spawned" for x in s), 20)
        pids = {k: v for k, v in seen[0].items() if k != "phase"}
        self.assertNotEqual(pids["supervisor"], self.kemu.proc.pid)
        for name, pid in pids.items():
            self.assertFalse(gone(pid), f"{name} {pid} should run before the kill")
        # The daemon left the runtime's session and was adopted by the supervisor.
        daemon, runtime = stat_fields(pids["daemon"]), stat_fields(pids["runtime"])
        self.assertEqual(int(daemon[1]), pids["supervisor"])  # ppid
        self.assertNotEqual(daemon[3], runtime[3])  # session
        self.kemu.kill9()
        wait_until(lambda: all(gone(p) for p in pids.values()), 10,
                   what=f"every process of the environment gone: {pids}")


if __name__ == "__main__":
    run_main()
