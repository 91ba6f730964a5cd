#include "deploy/command.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "deploy/engine.h"
#include "deploy/parity.h"
#include "deploy/plan_summary.h"
#include "deploy/render.h"

namespace kemu::deploy {

namespace fs = std::filesystem;

namespace {

int step_failed(const std::string& step, const RunResult& r, const std::string& dir) {
    if (r.exit_code == 130 || r.exit_code == 128 + 2) {
        std::fprintf(stderr, "kemu: deploy interrupted during '%s' in %s\n", step.c_str(),
                     dir.c_str());
        return kInterrupted;
    }
    std::fprintf(stderr, "kemu: '%s' failed (exit %d) in %s\n", step.c_str(), r.exit_code,
                 dir.c_str());
    return kStepFailed;
}

void print_outputs(const std::string& text) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return;
    if (j.contains("api_gateway_url"))
        std::printf("API URL: %s\n", j["api_gateway_url"].value("value", "").c_str());
    if (j.contains("stream_names") && j["stream_names"]["value"].is_object())
        for (const auto& [k, v] : j["stream_names"]["value"].items())
            std::printf("stream %s: %s\n", k.c_str(), v.get<std::string>().c_str());
}

}  // namespace

int run_deploy(const DeployOptions& opts, const std::vector<std::string>& env) {
    // 1. Validate: nothing is rendered for an invalid topology.
    Config cfg;
    const auto errors = load_config(opts.config, &cfg);
    if (!errors.empty()) {
        for (const auto& e : errors)
            std::fprintf(stderr, "%s\n", e.to_string().c_str());
        return kInvalid;
    }
    const std::string region = resolve_region(cfg, env);
    if (region.empty()) {
        std::fprintf(stderr,
                     "kemu: cannot deploy: no region: set `region` in %s, or AWS_REGION or "
                     "AWS_DEFAULT_REGION\n",
                     opts.config.c_str());
        return kInvalid;
    }
    if (!opts.render_only && uses_local_credentials(env)) {
        std::fprintf(stderr,
                     "kemu: cannot deploy: AWS_ACCESS_KEY_ID is 'test', the dummy credential of "
                     "a local kemu. Unset it (and AWS_SECRET_ACCESS_KEY) and use real "
                     "credentials, e.g. AWS_PROFILE.\n");
        return kInvalid;
    }

    // 2. Render.
    const std::string out = opts.out_dir.empty() ? default_out_dir(cfg) : opts.out_dir;
    std::string dir;
    try {
        const auto r = render(cfg, region, out);
        dir = fs::absolute(out).lexically_normal().string();
        if (!dir.empty() && dir.back() == '/') dir.pop_back();
        std::printf("kemu: rendered %zu files to %s\n", r.files.size(), dir.c_str());
        for (const auto& w : r.warnings)
            std::fprintf(stderr, "kemu: warning: %s\n", w.c_str());
        for (const auto& f : r.removed)
            std::printf("kemu: removed %s (no longer rendered)\n", f.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kemu: cannot render: %s\n", e.what());
        return kInvalid;
    }
    if (opts.render_only) return kOk;

    // 3. Engine.
    const auto engine = find_engine(opts.engine, env);
    const auto by_hand = [&](const char* why) {
        std::fprintf(stderr,
                     "kemu: cannot deploy: %s\n"
                     "      (set --engine or KEMU_TF_BIN to use another binary).\n"
                     "      The Terraform configuration was rendered to:\n"
                     "        %s\n"
                     "      To deploy by hand:  cd %s && terraform init && terraform apply\n",
                     why, dir.c_str(), dir.c_str());
        return kNoEngine;
    };
    if (!engine) {
        if (!opts.engine.empty())
            return by_hand(("the engine '" + opts.engine + "' was not found").c_str());
        return by_hand("neither 'terraform' nor 'tofu' was found on PATH");
    }
    const auto run_env = engine_environment(env);
    auto v = run_engine(*engine, {"version", "-json"}, dir, run_env, true);
    std::string version = parse_engine_version(v.out);
    if (version.empty()) {
        v = run_engine(*engine, {"version"}, dir, run_env, true);
        version = parse_engine_version(v.out);
    }
    const bool tofu = fs::path(*engine).filename().string().find("tofu") != std::string::npos ||
                      v.out.find("OpenTofu") != std::string::npos;
    if (!engine_version_ok(version, tofu)) {
        const std::string why = "'" + *engine + "' is version '" + version + "'; kemu needs " +
                                (tofu ? "OpenTofu >= 1.6" : "Terraform >= 1.5");
        return by_hand(why.c_str());
    }

    // 4. init, plan, summary, apply.
    auto r = run_engine(*engine, {"init", "-input=false"}, dir, run_env, false);
    if (r.exit_code != 0) return step_failed("init", r, dir);
    std::vector<std::string> plan_args = {"plan", "-input=false", "-out=kemu.tfplan"};
    if (opts.destroy) plan_args.push_back("-destroy");
    r = run_engine(*engine, plan_args, dir, run_env, false);
    if (r.exit_code != 0) return step_failed("plan", r, dir);
    r = run_engine(*engine, {"show", "-json", "kemu.tfplan"}, dir, run_env, true);
    if (r.exit_code != 0) return step_failed("show", r, dir);
    PlanSummary summary;
    try {
        summary = summarise_plan(r.out);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kemu: cannot read the plan: %s\n", e.what());
        return kStepFailed;
    }
    std::printf("Plan summary (per flow):\n");
    for (const auto& line : summary.lines())
        std::printf("  %s\n", line.c_str());
    if (!opts.destroy) {
        try {
            for (const auto& line : parity_check(cfg, r.out))
                std::printf("  parity warning: %s\n", line.c_str());
        } catch (const std::exception& e) {
            std::printf("  parity check skipped: %s\n", e.what());
        }
    }
    if (!summary.data_loss.empty() && !opts.destroy && !opts.allow_replace) {
        std::fprintf(
            stderr,
            "kemu: refusing to apply: the plan destroys a stream or queue and its data "
            "(an event_type renamed or removed?). Rerun with --allow-replace to accept.\n");
        return kInvalid;
    }
    if (opts.plan_only) return kOk;
    if (!opts.auto_approve) {
        if (!::isatty(0)) {
            std::fprintf(stderr,
                         "kemu: not applying: stdin is not a terminal; pass --auto-approve\n");
            return kInvalid;
        }
        std::printf("Apply this plan? Only 'yes' is accepted: ");
        std::fflush(stdout);
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "yes") {
            std::printf("kemu: not applied\n");
            return kOk;
        }
    }
    r = run_engine(*engine, {"apply", "-input=false", "kemu.tfplan"}, dir, run_env, false);
    if (r.exit_code != 0) return step_failed("apply", r, dir);
    if (opts.destroy) return kOk;
    r = run_engine(*engine, {"output", "-json"}, dir, run_env, true);
    if (r.exit_code != 0) return step_failed("output", r, dir);
    print_outputs(r.out);
    return kOk;
}

}  // namespace kemu::deploy
