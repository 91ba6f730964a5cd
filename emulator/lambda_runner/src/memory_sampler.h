#pragma once
// How much memory an environment uses, read from /proc: the runtime process, and its whole
// process group (a handler's subprocesses count against the function's memory size).

#include <cstdint>
#include <sys/types.h>

namespace kemu::lambda_runner {

class MemorySampler {
public:
    void set_pid(pid_t pid) { pid_ = pid; }
    // A "VmRSS:"-style field of the runtime's /proc/<pid>/status, in kB; 0 once it is gone.
    int64_t process_kb(const char* field) const;
    // The same field summed over the runtime's process group. Walks /proc, so it is called a
    // few times a second, not on every poll; notes whether it found more than the runtime.
    int64_t group_kb(const char* field);
    // Peak resident set (VmHWM) for the REPORT line: the group's only when a walk has seen
    // subprocesses, so a short invocation does not pay for a walk of /proc.
    int64_t peak_kb();

private:
    pid_t pid_ = -1;
    bool group_has_others_ = false;
};

}  // namespace kemu::lambda_runner
