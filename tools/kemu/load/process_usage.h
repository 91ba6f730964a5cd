#pragma once
// kemu's own CPU and memory during a load run, read from /proc (Linux), so that a user can tell
// a limit of the emulator on this machine from a limit of the pipeline.

#include <optional>
#include <sys/types.h>

namespace kemu::load {

struct ProcessUsage {
    double cpu_s = 0;        // user + system CPU seconds so far
    double peak_rss_mb = 0;  // VmHWM: the largest resident set so far
    double rss_mb = 0;       // VmRSS: the resident set now
};

// Nullopt when /proc/<pid> cannot be read.
std::optional<ProcessUsage> process_usage(pid_t pid);

}  // namespace kemu::load
