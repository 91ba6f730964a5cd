#include "memory_sampler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

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

// The environment's memory is the runtime's process group (Lambda limits the whole
// environment, see docs/aws/lambda.md, "Memory"): a handler's subprocesses count.
int64_t MemorySampler::group_kb(const char* field) {
    if (pid_ <= 0) return 0;
    int64_t total = 0;
    int members = 0;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name[0] < '0' || name[0] > '9') continue;
        std::ifstream in(it->path() / "stat");
        std::string stat;
        if (!std::getline(in, stat)) continue;
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        char state = 0;
        long ppid = 0, pgrp = 0;
        if (std::sscanf(stat.c_str() + close + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3)
            continue;
        if (pgrp != pid_) continue;
        ++members;
        total += status_kb(static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10)), field);
    }
    if (members > 1) group_has_others_ = true;
    return total;
}

int64_t MemorySampler::peak_kb() {
    return group_has_others_ ? std::max(process_kb("VmHWM:"), group_kb("VmHWM:"))
                             : process_kb("VmHWM:");
}

}  // namespace kemu::lambda_runner
