#pragma once
// `kemu deploy --aws` (docs/deploy.md): validate, render, then init/plan/apply with terraform
// or tofu.

#include <string>
#include <vector>

namespace kemu::deploy {

struct DeployOptions {
    std::string config = "kemu.yaml";
    std::string out_dir;  // default: .kemu/deploy/aws/<environment>
    bool render_only = false;
    bool plan_only = false;
    bool auto_approve = false;
    bool allow_replace = false;
    bool destroy = false;
    std::string engine;  // terraform, tofu or a path; empty: KEMU_TF_BIN, then PATH
};

// Exit codes (docs/deploy.md): 0 ok; 2 invalid topology or usage, or a refused plan (data
// loss without --allow-replace, no --auto-approve without a terminal); 3 no usable engine
// (the tree is rendered); 4 an engine step failed; 130 interrupted.
enum ExitCode { kOk = 0, kInvalid = 2, kNoEngine = 3, kStepFailed = 4, kInterrupted = 130 };

// `env` is the environment kemu was started with ("NAME=value"); the engine gets a cleaned
// copy. Output goes to stdout/stderr.
int run_deploy(const DeployOptions& opts, const std::vector<std::string>& env);

}  // namespace kemu::deploy
