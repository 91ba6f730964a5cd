#pragma once
// Starting a runtime process: fork and exec, always from one long-lived thread.

#include <string>
#include <sys/types.h>
#include <vector>

namespace kemu::lambda_runner {

// Starts argv[0] (an absolute path; argv and envp end with nullptr) in `cwd` with exactly the
// variables `envp`, in a process group of its own, stdout on `out_fd`, stderr on `err_fd`,
// stdin /dev/null; the process is SIGKILLed if kemu dies. Returns its pid once the child has
// exec'd (or exited), so nothing reads the forked copy of kemu as the runtime; -1 with errno.
pid_t spawn_runtime(std::vector<char*>& argv, std::vector<char*>& envp, const std::string& cwd,
                    int out_fd, int err_fd);

}  // namespace kemu::lambda_runner
