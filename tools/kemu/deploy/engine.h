#pragma once
// Finding and running terraform or tofu for `kemu deploy --aws` (docs/deploy.md, Engine).

#include <optional>
#include <string>
#include <vector>

namespace kemu::deploy {

struct Engine {
    std::string path;  // absolute or as given
    bool tofu = false;
    std::string version;  // e.g. 1.11.4
};

// `explicit_engine` (--engine: a name looked up on PATH, or a path), else KEMU_TF_BIN, else the
// first of terraform, tofu on PATH (taken from `env`). nullopt when none is found.
std::optional<std::string> find_engine(const std::string& explicit_engine,
                                       const std::vector<std::string>& env);

// `name` looked up on the PATH of `env` (a name with '/' is taken as a path).
std::optional<std::string> find_on_path(const std::string& name,
                                        const std::vector<std::string>& env);

// "1.11.4" from `version -json` ({"terraform_version": ...}) or from the text
// ("Terraform v1.11.4", "OpenTofu v1.6.2"); empty when neither parses.
std::string parse_engine_version(const std::string& output);

// True when `version` is at least Terraform 1.5 (or OpenTofu 1.6).
bool engine_version_ok(const std::string& version, bool tofu);

// The engine's environment: `env` without AWS_ENDPOINT_URL and every AWS_ENDPOINT_URL_* (they
// would send the real deployment to a local emulator), with TF_IN_AUTOMATION=1 and TF_INPUT=0.
std::vector<std::string> engine_environment(const std::vector<std::string>& env);

// The access key id kemu's local docs use ("test"): refused for a real deployment.
bool uses_local_credentials(const std::vector<std::string>& env);

struct RunResult {
    int exit_code = -1;  // 128 + signal when the child was killed by one
    std::string out;     // stdout when captured
};

// Runs `program args...` in `dir` with `env`. With `capture`, stdout is returned instead of
// passed through; stderr always goes to ours. SIGINT in kemu is left to the child (same
// process group), which ends and is reported as 130.
RunResult run_engine(const std::string& program, const std::vector<std::string>& args,
                     const std::string& dir, const std::vector<std::string>& env, bool capture);

// The value of `name` in `env` ("NAME=value" entries); empty when it is not there.
std::string env_value(const std::vector<std::string>& env, const std::string& name);

// The current process's environment as "NAME=value" entries.
std::vector<std::string> current_environment();

}  // namespace kemu::deploy
