#include "supervisor.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_map>

namespace kemu::lambda_runner {

const char* const kSuperviseArg = "__kemu_supervise";

namespace {

// The parent of `pid` from /proc/<pid>/stat ("pid (comm) state ppid ..."; comm may hold spaces
// and parentheses); -1 when it is gone.
pid_t parent_of(const char* pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%s/stat", pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    const char* close = std::strrchr(buf, ')');
    char state = 0;
    int ppid = -1;
    if (!close || std::sscanf(close + 1, " %c %d", &state, &ppid) != 2) return -1;
    return ppid;
}

// Calls fn(pid, ppid) for every process in /proc.
template <typename Fn>
void scan_proc(Fn&& fn) {
    DIR* dir = ::opendir("/proc");
    if (!dir) return;
    while (dirent* e = ::readdir(dir)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        pid_t ppid = parent_of(e->d_name);
        if (ppid >= 0) fn(static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10)), ppid);
    }
    ::closedir(dir);
}

// SIGKILLs every descendant and reaps it. Only direct children need finding: a killed child's
// own children are reparented to us (the subreaper) before it can be reaped, so the loop ends
// when nothing is left to reap.
void kill_tree() {
    const pid_t self = ::getpid();
    for (;;) {
        scan_proc([&](pid_t pid, pid_t ppid) {
            if (ppid == self) ::kill(pid, SIGKILL);
        });
        pid_t r = ::waitpid(-1, nullptr, WNOHANG);
        if (r < 0 && errno == ECHILD) return;
        if (r == 0) ::usleep(1000);  // none ended yet; scan again (a scan may race a fork)
    }
}

// Ends the supervisor with the runtime's wait status, so kemu reads it as the runtime's.
[[noreturn]] void exit_like(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        rlimit no_core{0, 0};
        ::setrlimit(RLIMIT_CORE, &no_core);
        ::signal(sig, SIG_DFL);
        sigset_t only;
        sigemptyset(&only);
        sigaddset(&only, sig);
        ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
        ::kill(::getpid(), sig);
        ::_exit(128 + sig);
    }
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}

// argv: <exe> __kemu_supervise <kemu pid> <sync fd> <runtime argv...>. Started by
// spawn_runtime (spawner.cc) in the environment's cwd, with stdio in place, SIGTERM, SIGCHLD
// and SIGHUP blocked (so none is lost before the loop below waits for them) and
// PR_SET_PDEATHSIG set to SIGTERM.
[[noreturn]] void supervise(char** argv, char** envp) {
    const pid_t kemu = static_cast<pid_t>(std::strtol(argv[2], nullptr, 10));
    const int sync_fd = static_cast<int>(std::strtol(argv[3], nullptr, 10));
    char** runtime_argv = argv + 4;
    sigset_t waited;
    sigemptyset(&waited);
    sigaddset(&waited, SIGTERM);
    sigaddset(&waited, SIGCHLD);
    sigaddset(&waited, SIGHUP);
    ::sigprocmask(SIG_BLOCK, &waited, nullptr);
    // An ignored SIGCHLD (inherited through exec) would reap children for us, and waitpid
    // would never see the runtime's status. A write to the sync pipe of a kemu that just died
    // must not end the supervisor (SIGPIPE) before it kills the tree.
    ::signal(SIGCHLD, SIG_DFL);
    ::signal(SIGPIPE, SIG_IGN);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (::getppid() != kemu) ::_exit(127);  // kemu died before PDEATHSIG was armed
    ::fcntl(sync_fd, F_SETFD, FD_CLOEXEC);  // the runtime must not hold it

    // Like spawn_runtime's own pipe: EOF once the runtime has exec'd (or exited).
    int exec_sync[2];
    if (::pipe2(exec_sync, O_CLOEXEC) != 0) ::_exit(127);
    const pid_t self = ::getpid();
    pid_t runtime = ::fork();
    if (runtime == 0) {
        ::setpgid(0, 0);  // a group of its own, which an aimed failure can freeze
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != self) ::_exit(127);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);  // as a process started afresh has it
        ::execve(runtime_argv[0], runtime_argv, envp);
        const char msg[] = "kemu: cannot start the runtime\n";
        ssize_t n = ::write(2, msg, sizeof msg - 1);
        (void)n;
        ::_exit(127);
    }
    ::close(exec_sync[1]);
    if (runtime < 0) ::_exit(127);
    ::setpgid(runtime, runtime);
    char byte;
    while (::read(exec_sync[0], &byte, 1) < 0 && errno == EINTR) {
    }
    ::close(exec_sync[0]);
    // The runtime's pid tells kemu that it runs; then EOF.
    ssize_t n = ::write(sync_fd, &runtime, sizeof runtime);
    (void)n;
    ::close(sync_fd);

    for (;;) {
        int sig = ::sigwaitinfo(&waited, nullptr);
        if (sig < 0) continue;  // EINTR
        int status = 0;
        if (sig == SIGCHLD) {
            // Reap whatever ended: the runtime, or orphans of the tree adopted by us.
            for (pid_t r; (r = ::waitpid(-1, &status, WNOHANG)) > 0;) {
                if (r == runtime) {
                    kill_tree();
                    exit_like(status);
                }
            }
            continue;
        }
        // SIGTERM (from kemu, or kemu's death) or SIGHUP: everything goes, the runtime first.
        ::kill(runtime, SIGKILL);
        while (::waitpid(runtime, &status, 0) < 0 && errno == EINTR) {
        }
        kill_tree();
        exit_like(status);
    }
}

// Runs before main(): glibc calls .init_array entries with (argc, argv, envp).
void enter_hidden_mode(int argc, char** argv, char** envp) {
    if (argc >= 5 && std::strcmp(argv[1], kSuperviseArg) == 0) supervise(argv, envp);
}

[[gnu::section(".init_array"), gnu::used]] void (*kEnterHiddenMode)(int, char**,
                                                                    char**) = &enter_hidden_mode;

}  // namespace

std::vector<pid_t> descendants(pid_t root) {
    std::unordered_multimap<pid_t, pid_t> children;
    scan_proc([&](pid_t pid, pid_t ppid) { children.emplace(ppid, pid); });
    std::vector<pid_t> out;
    std::vector<pid_t> todo{root};
    while (!todo.empty()) {
        pid_t p = todo.back();
        todo.pop_back();
        auto [b, e] = children.equal_range(p);
        for (auto it = b; it != e; ++it) {
            out.push_back(it->second);
            todo.push_back(it->second);
        }
    }
    return out;
}

}  // namespace kemu::lambda_runner
