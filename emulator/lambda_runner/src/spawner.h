#pragma once
// Starting a runtime process: fork and exec, always from one long-lived thread.

#include <string>
#include <sys/types.h>
#include <vector>

namespace kemu::lambda_runner {

struct Spawned {
    pid_t supervisor = -1;  // kemu's child: SIGTERM takes the environment down, waitpid() it
    pid_t runtime = -1;     // the runtime, in a process group of its own; -1 if it never ran
};

// Starts argv[0] (an absolute path; argv and envp end with nullptr) in `cwd` with exactly the
// variables `envp`, stdout on `out_fd`, stderr on `err_fd`, stdin /dev/null, under a supervisor
// of its own (supervisor.h) that takes the runtime and all its descendants down when kemu dies
// or asks, and exits with the runtime's status. Returns once the runtime has exec'd (or
// failed), so nothing reads a forked copy of kemu as the runtime; supervisor -1 with errno.
Spawned spawn_runtime(std::vector<char*>& argv, std::vector<char*>& envp, const std::string& cwd,
                      int out_fd, int err_fd);

}  // namespace kemu::lambda_runner
