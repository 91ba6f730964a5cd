#include "process_usage.h"

#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace kemu::load {

std::optional<ProcessUsage> process_usage(pid_t pid) {
    if (pid <= 0) return std::nullopt;
    std::string dir = "/proc/" + std::to_string(pid);
    std::ifstream stat(dir + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return std::nullopt;
    // Fields after the command name (which may hold spaces, inside parentheses): utime and
    // stime are the 14th and 15th fields of the line, in clock ticks.
    auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stod(field);
        if (i == 15) stime = std::stod(field);
    }
    ProcessUsage u;
    u.cpu_s = (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    std::ifstream status(dir + "/status");
    while (std::getline(status, line)) {
        if (line.starts_with("VmHWM:")) u.peak_rss_mb = std::stod(line.substr(6)) / 1024.0;
        if (line.starts_with("VmRSS:")) u.rss_mb = std::stod(line.substr(6)) / 1024.0;
    }
    return u;
}

}  // namespace kemu::load
