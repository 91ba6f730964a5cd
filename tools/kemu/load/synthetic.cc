#include "synthetic.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <strings.h>
#include <thread>

#include "client.h"
#include "measures.h"

namespace kemu::load {

namespace fs = std::filesystem;

std::string write_synthetic_bootstrap(const std::string& dir, const std::string& kemu_exe,
                                      const SyntheticSpec& spec, uint64_t seed) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return "cannot create " + dir + ": " + ec.message();
    // Single quotes keep the path whole; a quote inside it is closed, escaped and reopened.
    std::string quoted = "'";
    for (char c : kemu_exe)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    auto path = dir + "/bootstrap";
    std::ofstream out(path);
    out << "#!/bin/sh\nexec " << quoted << " synthetic-handler --mean-us " << spec.mean_us
        << " --jitter-us " << spec.jitter_us << " --seed " << seed << "\n";
    out.close();
    if (!out) return "cannot write " + path;
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec, ec);
    if (ec) return "cannot make " + path + " executable: " + ec.message();
    return "";
}

int run_synthetic_handler(int64_t mean_us, int64_t jitter_us, uint64_t seed) {
    const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !*api) {
        std::fprintf(stderr, "synthetic-handler: AWS_LAMBDA_RUNTIME_API is not set\n");
        return 2;
    }
    std::string endpoint = std::string("http://") + api;
    const std::string base = "/2018-06-01/runtime/invocation/";
    std::mt19937_64 rng(seed ^ static_cast<uint64_t>(::getpid()));
    std::uniform_int_distribution<int64_t> draw(mean_us - jitter_us, mean_us + jitter_us);
    for (;;) {
        std::vector<std::pair<std::string, std::string>> headers;
        cli::HttpCall next{"GET", base + "next", "", {}, 24 * 3600, &headers};
        auto r = cli::http_call(endpoint, next);
        if (!r) return 0;  // the runner is gone
        if (r->first != 200) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        std::string id;
        for (const auto& [k, v] : headers)
            if (::strcasecmp(k.c_str(), "Lambda-Runtime-Aws-Request-Id") == 0) id = v;
        int64_t sleep_us = std::max<int64_t>(0, jitter_us > 0 ? draw(rng) : mean_us);
        std::this_thread::sleep_for(std::chrono::microseconds(sleep_us));
        cli::HttpCall done{"POST", base + id + "/response", "{}", {}, 30, nullptr};
        done.headers = {{"Content-Type", "application/json"}};
        if (!cli::http_call(endpoint, done)) return 0;
    }
}

}  // namespace kemu::load
