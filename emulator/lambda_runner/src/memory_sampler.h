#pragma once
// How much memory an environment uses, read from /proc: the runtime process, and the whole
// process tree under the environment's supervisor (a handler's subprocesses count against the
// function's memory size, setsid'd and daemonised ones too: the supervisor is their subreaper).

#include <cstdint>
#include <sys/types.h>

namespace kemu::lambda_runner {

class MemorySampler {
public:
    void set_pids(pid_t supervisor, pid_t runtime) {
        root_ = supervisor;
        pid_ = runtime;
    }
    // A "VmRSS:"-style field of the runtime's /proc/<pid>/status, in kB; 0 once it is gone.
    int64_t process_kb(const char* field) const;
    // The same field summed over the supervisor's descendants (not itself). Walks /proc, so it
    // is called a few times a second, not on every poll; notes whether it found more than the
    // runtime.
    int64_t group_kb(const char* field);
    // Peak resident set (VmHWM) for the REPORT line: the group's only when a walk has seen
    // subprocesses, so a short invocation does not pay for a walk of /proc.
    int64_t peak_kb();

private:
    pid_t root_ = -1;
    pid_t pid_ = -1;
    bool group_has_others_ = false;
};

}  // namespace kemu::lambda_runner
