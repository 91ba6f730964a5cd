#include "deploy/engine.h"

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <regex>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

extern char** environ;

namespace kemu::deploy {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> on_path(const std::string& name, const std::string& path_var) {
    if (name.find('/') != std::string::npos) {
        if (::access(name.c_str(), X_OK) == 0) return name;
        return std::nullopt;
    }
    std::size_t start = 0;
    while (start <= path_var.size()) {
        auto end = path_var.find(':', start);
        if (end == std::string::npos) end = path_var.size();
        const std::string dir = path_var.substr(start, end - start);
        if (!dir.empty()) {
            const std::string candidate = (fs::path(dir) / name).string();
            if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate))
                return candidate;
        }
        start = end + 1;
    }
    return std::nullopt;
}

}  // namespace

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
    for (const auto& e : env)
        if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=')
            return e.substr(name.size() + 1);
    return {};
}

std::optional<std::string> find_on_path(const std::string& name,
                                        const std::vector<std::string>& env) {
    return on_path(name, env_value(env, "PATH"));
}

std::optional<std::string> find_engine(const std::string& explicit_engine,
                                       const std::vector<std::string>& env) {
    const std::string path_var = env_value(env, "PATH");
    if (!explicit_engine.empty()) return on_path(explicit_engine, path_var);
    const std::string bin = env_value(env, "KEMU_TF_BIN");
    if (!bin.empty()) return on_path(bin, path_var);
    if (auto p = on_path("terraform", path_var)) return p;
    return on_path("tofu", path_var);
}

std::string parse_engine_version(const std::string& output) {
    auto j = nlohmann::json::parse(output, nullptr, false);
    if (j.is_object() && j.contains("terraform_version") && j["terraform_version"].is_string())
        return j["terraform_version"].get<std::string>();
    static const std::regex text(R"((Terraform|OpenTofu) v(\d+\.\d+\.\d+[^\s]*))");
    std::smatch m;
    if (std::regex_search(output, m, text)) return m[2].str();
    return {};
}

bool engine_version_ok(const std::string& version, bool tofu) {
    int major = 0, minor = 0;
    if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2) return false;
    const int need_minor = tofu ? 6 : 5;
    return major > 1 || (major == 1 && minor >= need_minor);
}

std::vector<std::string> engine_environment(const std::vector<std::string>& env) {
    std::vector<std::string> out;
    for (const auto& e : env) {
        const auto name = e.substr(0, e.find('='));
        if (name == "AWS_ENDPOINT_URL" || name.starts_with("AWS_ENDPOINT_URL_")) continue;
        if (name == "TF_IN_AUTOMATION" || name == "TF_INPUT") continue;
        out.push_back(e);
    }
    out.push_back("TF_IN_AUTOMATION=1");
    out.push_back("TF_INPUT=0");
    return out;
}

bool uses_local_credentials(const std::vector<std::string>& env) {
    return env_value(env, "AWS_ACCESS_KEY_ID") == "test";
}

std::vector<std::string> current_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e)
        env.emplace_back(*e);
    return env;
}

RunResult run_engine(const std::string& program, const std::vector<std::string>& args,
                     const std::string& dir, const std::vector<std::string>& env, bool capture) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    int pipe_fds[2] = {-1, -1};
    if (capture && ::pipe2(pipe_fds, O_CLOEXEC) != 0) return {};
    // kemu ignores SIGINT while the engine runs: Ctrl-C reaches the engine (same process group),
    // which stops cleanly; kemu then reports 130.
    struct sigaction ignore {
    }, old_int{};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGINT, &ignore, &old_int);
    // What kemu printed so far comes before the engine's output, also when stdout is a pipe
    // (fully buffered); the child would otherwise inherit and flush a copy of the buffer too.
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::sigaction(SIGINT, &old_int, nullptr);
        if (capture) ::dup2(pipe_fds[1], 1);
        if (::chdir(dir.c_str()) != 0) ::_exit(126);
        ::execve(program.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    RunResult result;
    if (capture) {
        ::close(pipe_fds[1]);
        char buf[65536];
        ssize_t n;
        while ((n = ::read(pipe_fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
            if (n > 0) result.out.append(buf, static_cast<std::size_t>(n));
        ::close(pipe_fds[0]);
    }
    int status = 0;
    if (pid > 0) {
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (WIFEXITED(status))
            result.exit_code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
            result.exit_code = 128 + WTERMSIG(status);
    }
    ::sigaction(SIGINT, &old_int, nullptr);
    return result;
}

}  // namespace kemu::deploy
