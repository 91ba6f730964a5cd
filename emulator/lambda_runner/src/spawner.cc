#include "spawner.h"

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <signal.h>
#include <string>
#include <sys/prctl.h>
#include <thread>
#include <unistd.h>

#include "supervisor.h"

namespace kemu::lambda_runner {
namespace {

// Every fork happens on this one thread, which lives as long as kemu. PR_SET_PDEATHSIG fires
// when the *thread* that forked exits, not the process: forking from a lane or a replay thread
// would SIGKILL a warm environment, shared through the pool, the moment that thread ended.
class Spawner {
public:
    static Spawner& get() {
        static Spawner s;
        return s;
    }
    // Runs `fork_fn` (which forks and returns the child's pid, or -1 with errno) on the
    // spawner thread; errno is carried back.
    pid_t run(const std::function<pid_t()>& fork_fn) {
        Job job{&fork_fn};
        std::unique_lock lock(mu_);
        jobs_.push_back(&job);
        cv_.notify_all();
        done_cv_.wait(lock, [&] { return job.done; });
        errno = job.err;
        return job.pid;
    }
    ~Spawner() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    struct Job {
        const std::function<pid_t()>* fn;
        pid_t pid = -1;
        int err = 0;
        bool done = false;
    };
    Spawner() : thread_([this] { loop(); }) {}
    void loop() {
        std::unique_lock lock(mu_);
        for (;;) {
            cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            Job* job = jobs_.front();
            jobs_.pop_front();
            lock.unlock();
            pid_t pid = (*job->fn)();
            int err = errno;
            lock.lock();
            job->pid = pid;
            job->err = err;
            job->done = true;
            done_cv_.notify_all();
        }
    }
    std::mutex mu_;
    std::condition_variable cv_, done_cv_;
    std::deque<Job*> jobs_;
    bool stop_ = false;
    std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

Spawned spawn_runtime(std::vector<char*>& argv, std::vector<char*>& envp, const std::string& cwd,
                      int out_fd, int err_fd) {
    Spawned out;
    pid_t parent = ::getpid();
    // The supervisor writes the runtime's pid here once the runtime has exec'd, then closes it.
    // Until its own exec the forked child is a copy of kemu, which nothing must take for the
    // runtime. The write end is O_CLOEXEC in kemu; only our child clears the flag.
    int sync[2];
    if (::pipe2(sync, O_CLOEXEC) != 0) return out;
    // Everything the child needs is made before the fork: it may only make async-signal-safe
    // calls (kemu has many threads).
    std::string pid_arg = std::to_string(parent), fd_arg = std::to_string(sync[1]);
    std::string exe = "/proc/self/exe", self_name = "kemu";
    std::vector<char*> sup_argv{self_name.data(), const_cast<char*>(kSuperviseArg), pid_arg.data(),
                                fd_arg.data()};
    sup_argv.insert(sup_argv.end(), argv.begin(), argv.end());  // argv ends with nullptr
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGCHLD);
    sigaddset(&blocked, SIGHUP);
    pid_t pid = Spawner::get().run([&]() -> pid_t {
        pid_t forked = ::fork();
        if (forked != 0) return forked;
        // Child: only async-signal-safe calls until exec.
        ::close(sync[0]);
        ::setpgid(0, 0);  // not in kemu's group: a Ctrl-C at the terminal is kemu's to handle
        ::sigprocmask(SIG_SETMASK, &blocked, nullptr);  // the supervisor waits for these
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);             // kemu killed with -9: tear down
        if (::getppid() != parent) ::_exit(127);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        // Nothing of kemu's but the sync pipe reaches the supervisor, and through it the
        // runtime: not even a descriptor another thread opened without O_CLOEXEC.
        ::close_range(3, static_cast<unsigned>(sync[1]) - 1, 0);
        ::close_range(static_cast<unsigned>(sync[1]) + 1, ~0U, 0);
        ::fcntl(sync[1], F_SETFD, 0);
        if (::chdir(cwd.c_str()) != 0) ::_exit(126);
        ::execve(exe.c_str(), sup_argv.data(), envp.data());
        const char msg[] = "kemu: cannot start the environment's supervisor\n";
        ssize_t n = ::write(2, msg, sizeof msg - 1);
        (void)n;
        ::_exit(127);
    });
    int saved = errno;
    ::close(sync[1]);
    if (pid > 0) {
        out.supervisor = pid;
        // Children forked meanwhile for other environments hold the write end only until their
        // own exec; the supervisor, until the runtime has exec'd.
        pid_t runtime = -1;
        size_t got = 0;
        char* p = reinterpret_cast<char*>(&runtime);
        while (got < sizeof runtime) {
            ssize_t n = ::read(sync[0], p + got, sizeof runtime - got);
            if (n > 0) {
                got += static_cast<size_t>(n);
            } else if (n == 0 || errno != EINTR) {
                break;
            }
        }
        if (got == sizeof runtime) out.runtime = runtime;
    }
    ::close(sync[0]);
    errno = saved;
    return out;
}

}  // namespace kemu::lambda_runner
