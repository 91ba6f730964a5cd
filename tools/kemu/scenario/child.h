#pragma once
// A scenario's own kemu: a child `kemu up` process (this very binary) with --scenario-hooks, on
// a free loopback port and a data dir of its own, its output in a log file.

#include <string>
#include <sys/types.h>
#include <vector>

namespace kemu::scenario {

class KemuChild {
public:
    KemuChild() = default;
    ~KemuChild();  // stops it
    KemuChild(const KemuChild&) = delete;
    KemuChild& operator=(const KemuChild&) = delete;

    // Starts `kemu up` with `args` (after `up`), its stdout and stderr into `log_file`, and
    // waits for its listening line. False, with `why` set, when it did not come up.
    // `own_group`: in a process group of its own, so a Ctrl-C at the terminal reaches only the
    // parent, which then stops the child when it is done with it (kemu load).
    bool start(const std::vector<std::string>& args, const std::string& log_file, std::string* why,
               bool own_group = false);
    // SIGTERM, then SIGKILL after a grace period; waits for the exit.
    void stop();
    // SIGKILL at once (a crash); waits for the exit.
    void kill9();
    const std::string& endpoint() const { return endpoint_; }
    pid_t pid() const { return pid_; }  // -1 when not running

private:
    pid_t pid_ = -1;
    std::string endpoint_;
};

}  // namespace kemu::scenario
