#include "spawner.h"

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <signal.h>
#include <sys/prctl.h>
#include <thread>
#include <unistd.h>

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

pid_t spawn_runtime(std::vector<char*>& argv, std::vector<char*>& envp, const std::string& cwd,
                    int out_fd, int err_fd) {
    pid_t parent = ::getpid();
    // Closed by the child's execve (or exit): until then the child is a copy of kemu, whose
    // resident set the environment's memory check must not take for the runtime's.
    int exec_sync[2];
    if (::pipe2(exec_sync, O_CLOEXEC) != 0) return -1;
    pid_t pid = Spawner::get().run([&]() -> pid_t {
        pid_t forked = ::fork();
        if (forked != 0) return forked;
        // Child: only async-signal-safe calls until exec.
        ::close(exec_sync[0]);
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // kemu killed with -9: take the runtime along
        if (::getppid() != parent) ::_exit(127);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        if (::chdir(cwd.c_str()) != 0) ::_exit(126);
        ::execve(argv[0], argv.data(), envp.data());
        const char msg[] = "kemu: cannot start the runtime\n";
        ssize_t n = ::write(2, msg, sizeof msg - 1);
        (void)n;
        ::_exit(127);
    });
    int saved = errno;
    ::close(exec_sync[1]);
    if (pid > 0) {
        ::setpgid(pid, pid);  // also from the parent, so kill(-pid) works at once
        // EOF once the child has exec'd (or exited). Children forked meanwhile for other
        // environments hold the write end only until their own exec.
        char byte;
        while (::read(exec_sync[0], &byte, 1) < 0 && errno == EINTR) {
        }
    }
    ::close(exec_sync[0]);
    errno = saved;
    return pid;
}

}  // namespace kemu::lambda_runner
