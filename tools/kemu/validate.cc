#include "validate.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>

#include "lambda_runner/runtimes.h"

namespace kemu::cli {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

std::string code_dir(const Config& cfg, const FlowConfig& f) {
    fs::path code(f.lambda_source_path);
    if (code.is_relative()) code = fs::path(cfg.base_dir) / code;
    std::error_code ec;
    auto abs = fs::weakly_canonical(code, ec);
    return (ec ? fs::absolute(code) : abs).string();
}

std::vector<ConfigError> check_handlers(const Config& cfg, const std::string& python_override,
                                        const std::string& node_override) {
    std::vector<ConfigError> errors;
    for (size_t i = 0; i < cfg.event_flows.size(); ++i) {
        const auto& f = cfg.event_flows[i];
        std::string at = "event_flows[" + std::to_string(i) + "].";
        auto error = [&](const std::string& key, const std::string& message) {
            errors.push_back({cfg.file, f.line, at + key, message});
        };
        if (!lambda_runner::supported_runtime(f.lambda_runtime)) {
            error("lambda_runtime", "unsupported runtime '" + f.lambda_runtime +
                                        "' (kemu runs python3.x, nodejs* and provided*)");
            continue;
        }
        auto dir = code_dir(cfg, f);
        std::error_code ec;  // (a name too long for the file system is "no such directory" too)
        if (!fs::is_directory(dir, ec)) {
            error("lambda_source_path", "no such directory: " + dir);
            continue;
        }
        lambda_runner::RuntimeCommand cmd;
        std::string why;
        bool python = f.lambda_runtime.starts_with("python");
        bool node = f.lambda_runtime.starts_with("nodejs");
        if (!lambda_runner::resolve_runtime(f.lambda_runtime, dir, dir,
                                            python ? python_override : (node ? node_override : ""),
                                            &cmd, &why)) {
            error("lambda_runtime", why);
            continue;
        }
        if (!python && !node) continue;  // provided: the bootstrap was checked above
        // module.function; the module path may use '/' (packages).
        const auto& h = f.lambda_handler;
        auto dot = h.rfind('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == h.size()) {
            error("lambda_handler", "'" + h + "' is not <module>.<function>");
            continue;
        }
        std::string module = h.substr(0, dot), function = h.substr(dot + 1);
        if (python) {
            std::string rel = module;
            for (auto& c : rel) {
                if (c == '.') c = '/';
            }
            fs::path file = fs::path(dir) / (rel + ".py");
            std::error_code fec;
            if (!fs::is_regular_file(file, fec)) {
                error("lambda_handler",
                      "'" + h + "' names module " + module + ", but there is no " + file.string());
                continue;
            }
            // A top-level `def f(`, `async def f(` or `f =` (line by line: std::regex recurses
            // per character and overflows the stack on large files).
            bool defined = false;
            std::istringstream lines(read_file(file));
            for (std::string line; !defined && std::getline(lines, line);) {
                if (line.empty() || line[0] == ' ' || line[0] == '\t') continue;  // not top level
                std::string_view l = line;
                if (l.starts_with("async ")) l.remove_prefix(6);
                auto rest = [&](std::string_view prefix) -> std::optional<std::string_view> {
                    if (!l.starts_with(prefix)) return std::nullopt;
                    return l.substr(prefix.size());
                };
                if (auto r = rest("def ")) {
                    auto name = *r;
                    while (name.starts_with(' '))
                        name.remove_prefix(1);
                    if (name.starts_with(function)) {
                        auto after = name.substr(function.size());
                        while (after.starts_with(' '))
                            after.remove_prefix(1);
                        defined = after.starts_with('(');
                    }
                } else if (l.starts_with(function)) {
                    auto after = l.substr(function.size());
                    while (after.starts_with(' '))
                        after.remove_prefix(1);
                    defined = after.starts_with('=') && !after.starts_with("==");
                }
            }
            if (!defined) {
                error("lambda_handler", file.filename().string() + " defines no function " +
                                            function + " at module level");
            }
        } else {
            bool found = false;
            for (const char* ext : {".js", ".mjs", ".cjs"}) {
                std::error_code fec;
                if (fs::is_regular_file(fs::path(dir) / (module + ext), fec)) found = true;
            }
            if (!found) {
                error("lambda_handler", "'" + h + "' names module " + module +
                                            ", but there is no " + module +
                                            ".js, .mjs or .cjs in " + dir);
            }
        }
    }
    return errors;
}

}  // namespace kemu::cli
