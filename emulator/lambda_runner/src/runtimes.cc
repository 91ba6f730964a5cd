#include "lambda_runner/runtimes.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace kemu::embedded {
extern const unsigned char python_bootstrap[];
extern const std::size_t python_bootstrap_size;
extern const unsigned char node_bootstrap[];
extern const std::size_t node_bootstrap_size;
}  // namespace kemu::embedded

namespace kemu::lambda_runner {
namespace {

namespace fs = std::filesystem;

// The first line a command prints, or "" when it fails.
std::string first_line(const std::string& command) {
    FILE* p = ::popen((command + " 2>/dev/null").c_str(), "r");
    if (!p) return {};
    char buf[4096];
    std::string out;
    if (std::fgets(buf, sizeof buf, p)) out = buf;
    int rc = ::pclose(p);
    if (rc != 0) return {};
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    return out;
}

std::string on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    if (!path) return {};
    std::string p = path;
    size_t start = 0;
    while (start <= p.size()) {
        auto end = p.find(':', start);
        auto dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!dir.empty()) {
            auto candidate = dir + "/" + name;
            if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        }
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return {};
}

std::mutex cache_mu;
std::map<std::string, std::string> interpreter_cache;

}  // namespace

bool supported_runtime(const std::string& runtime) {
    return runtime.starts_with("python3.") || runtime.starts_with("nodejs") ||
           runtime.starts_with("provided");
}

std::string write_bootstraps(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return "cannot create " + dir + ": " + ec.message();
    struct File {
        const char* name;
        const unsigned char* data;
        std::size_t size;
    };
    for (const File& f :
         {File{"python_bootstrap.py", embedded::python_bootstrap, embedded::python_bootstrap_size},
          File{"node_bootstrap.js", embedded::node_bootstrap, embedded::node_bootstrap_size}}) {
        auto path = dir + "/" + f.name;
        std::ofstream out(path + ".tmp", std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(f.data), static_cast<std::streamsize>(f.size));
        out.close();
        if (!out) return "cannot write " + path;
        fs::rename(path + ".tmp", path, ec);
        if (ec) return "cannot write " + path + ": " + ec.message();
    }
    return {};
}

bool resolve_runtime(const std::string& runtime, const std::string& code_dir,
                     const std::string& bootstrap_dir, const std::string& override_exe,
                     RuntimeCommand* out, std::string* error) {
    if (runtime.starts_with("provided")) {
        auto bootstrap = code_dir + "/bootstrap";
        if (::access(bootstrap.c_str(), X_OK) != 0) {
            *error =
                "runtime " + runtime + " needs an executable file named bootstrap in " + code_dir;
            return false;
        }
        out->argv = {bootstrap};
        out->interpreter = bootstrap;
        return true;
    }
    bool python = runtime.starts_with("python3.");
    bool node = runtime.starts_with("nodejs");
    if (!python && !node) {
        *error = "unsupported runtime " + runtime + " (kemu runs python3.x, nodejs* and provided*)";
        return false;
    }
    std::string exe;
    {
        std::lock_guard lock(cache_mu);
        auto key = runtime + "|" + override_exe;
        if (auto it = interpreter_cache.find(key); it != interpreter_cache.end()) exe = it->second;
        if (exe.empty()) {
            if (!override_exe.empty()) {
                exe = override_exe.find('/') == std::string::npos ? on_path(override_exe)
                                                                  : override_exe;
            } else if (python) {
                std::string cand = on_path(runtime);  // python3.11
                if (cand.empty()) cand = on_path("python3");
                if (!cand.empty()) {
                    // Past pyenv's shim to the real interpreter.
                    auto real = first_line("'" + cand + "' -c 'import sys; print(sys.executable)'");
                    exe = real.empty() ? cand : real;
                }
            } else {
                exe = on_path("node");
                if (!exe.empty()) {
                    std::error_code ec;
                    auto canonical = fs::canonical(exe, ec);
                    if (!ec) exe = canonical.string();
                }
            }
            if (!exe.empty()) interpreter_cache[key] = exe;
        }
    }
    if (exe.empty() || ::access(exe.c_str(), X_OK) != 0) {
        *error = "no interpreter for runtime " + runtime + " (looked for " +
                 (override_exe.empty() ? (python ? runtime + " and python3" : std::string("node"))
                                       : override_exe) +
                 " on PATH)";
        return false;
    }
    out->interpreter = exe;
    if (python) {
        out->argv = {exe, "-u", bootstrap_dir + "/python_bootstrap.py"};
    } else {
        out->argv = {exe, bootstrap_dir + "/node_bootstrap.js"};
    }
    return true;
}

}  // namespace kemu::lambda_runner
