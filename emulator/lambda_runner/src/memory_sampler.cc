#include "memory_sampler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "supervisor.h"

namespace kemu::lambda_runner {
namespace {

// A "VmRSS:"-style field of /proc/<pid>/status, in kB; 0 when the process is gone.
int64_t status_kb(pid_t pid, const char* field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    size_t n = std::strlen(field);
    while (std::getline(in, line)) {
        if (line.compare(0, n, field) == 0) return std::strtoll(line.c_str() + n + 1, nullptr, 10);
    }
    return 0;
}

}  // namespace

int64_t MemorySampler::process_kb(const char* field) const {
    return status_kb(pid_, field);
}

// The environment's memory is its whole process tree (Lambda limits the whole environment, see
// docs/aws/lambda.md, "Memory"): a handler's subprocesses count, whatever their session or
// group. The supervisor itself is kemu's, not the function's.
int64_t MemorySampler::group_kb(const char* field) {
    if (root_ <= 0) return 0;
    int64_t total = 0;
    const auto members = descendants(root_);
    for (pid_t pid : members)
        total += status_kb(pid, field);
    if (members.size() > 1) group_has_others_ = true;
    return total;
}

int64_t MemorySampler::peak_kb() {
    return group_has_others_ ? std::max(process_kb("VmHWM:"), group_kb("VmHWM:"))
                             : process_kb("VmHWM:");
}

}  // namespace kemu::lambda_runner
