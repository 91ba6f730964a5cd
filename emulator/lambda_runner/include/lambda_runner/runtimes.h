#pragma once
// Which program runs a function: kemu's own bootstraps for python3.x and nodejs* (embedded in
// the binary, written out at start-up), or the function's `bootstrap` for provided*.

#include <string>
#include <vector>

namespace kemu::lambda_runner {

struct RuntimeCommand {
    std::vector<std::string> argv;  // argv[0] is an absolute path
    std::string interpreter;        // what serves the runtime, for the banner
};

// Writes the bootstraps under `dir` (created if missing). Returns an error line or "".
std::string write_bootstraps(const std::string& dir);

// Resolves the command for `runtime` (python3.11, nodejs20.x, provided.al2023, ...). The
// interpreter is found once per runtime: `python3.11` then `python3` on PATH, resolved
// through `sys.executable` past pyenv shims (≈110 ms per start saved); `node`. `override_exe`
// replaces the interpreter. On failure returns false and sets `error` to one line.
bool resolve_runtime(const std::string& runtime, const std::string& code_dir,
                     const std::string& bootstrap_dir, const std::string& override_exe,
                     RuntimeCommand* out, std::string* error);

bool supported_runtime(const std::string& runtime);

}  // namespace kemu::lambda_runner
