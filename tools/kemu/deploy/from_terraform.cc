#include "deploy/from_terraform.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace kemu::deploy {

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    if (!in) return {};
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// `key = value` on one line (no trailing comment handling inside strings needed here).
bool split_assignment(const std::string& line, std::string* key, std::string* value) {
    static const std::regex re(R"(^\s*([A-Za-z_][\w-]*)\s*=\s*(.*?)\s*$)");
    std::smatch m;
    if (!std::regex_match(line, m, re)) return false;
    *key = m[1];
    *value = m[2];
    return true;
}

int depth_change(const std::string& line) {
    int d = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '\\') {
            ++i;
            continue;
        }
        if (c == '"') in_string = !in_string;
        if (in_string) continue;
        if (c == '#') break;
        if (c == '{' || c == '[' || c == '(') ++d;
        if (c == '}' || c == ']' || c == ')') --d;
    }
    return d;
}

// A literal as YAML text: number, bool, plain string or a list of strings.
std::optional<std::string> literal(const std::string& v) {
    static const std::regex number(R"(^-?\d+(\.\d+)?$)");
    static const std::regex string_lit(R"re(^"([^"$\\]*)"$)re");
    static const std::regex list(R"re(^\[\s*("[^"$\\]*"\s*(,\s*"[^"$\\]*"\s*)*)?,?\s*\]$)re");
    std::smatch m;
    if (std::regex_match(v, number) || v == "true" || v == "false") return v;
    if (std::regex_match(v, m, string_lit)) return "\"" + m[1].str() + "\"";
    if (std::regex_match(v, list)) return v;
    return std::nullopt;
}

std::map<std::string, std::string> variable_values(const fs::path& dir) {
    std::map<std::string, std::string> vars;
    const auto lines = lines_of(slurp(dir / "variables.tf"));
    static const std::regex decl(R"re(^variable\s+"([\w-]+)"\s*\{)re");
    std::string current;
    int depth = 0;
    for (const auto& line : lines) {
        std::smatch m;
        if (depth == 0 && std::regex_search(line, m, decl)) current = m[1];
        std::string key, value;
        if (depth == 1 && !current.empty() && split_assignment(line, &key, &value) &&
            key == "default")
            if (auto lit = literal(value)) vars[current] = *lit;
        depth += depth_change(line);
        if (depth == 0) current.clear();
    }
    for (const auto& line : lines_of(slurp(dir / "terraform.tfvars"))) {
        std::string key, value;
        if (split_assignment(line, &key, &value))
            if (auto lit = literal(value)) vars[key] = *lit;
    }
    return vars;
}

struct Setting {
    std::string key;
    std::string value;  // raw expression
    int line = 0;
};

struct ModuleBlock {
    std::string label;
    std::string source;
    int line = 0;
    std::vector<Setting> settings;
};

std::vector<ModuleBlock> module_blocks(const std::vector<std::string>& lines) {
    std::vector<ModuleBlock> out;
    static const std::regex decl(R"re(^module\s+"([\w-]+)"\s*\{)re");
    int depth = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto& line = lines[i];
        std::smatch m;
        if (depth == 0 && std::regex_search(line, m, decl))
            out.push_back({m[1], "", static_cast<int>(i + 1), {}});
        std::string key, value;
        if (depth == 1 && !out.empty() && split_assignment(line, &key, &value)) {
            if (key == "source")
                out.back().source = trim(value);
            else if (depth_change(line) == 0)
                out.back().settings.push_back({key, value, static_cast<int>(i + 1)});
            else
                out.back().settings.push_back({key, "<multi-line>", static_cast<int>(i + 1)});
        }
        depth += depth_change(line);
    }
    return out;
}

}  // namespace

Translation translate_terraform(const std::string& dir_arg, const std::string& out_dir) {
    const fs::path dir(dir_arg);
    const std::string main_text = slurp(dir / "main.tf");
    if (main_text.empty()) throw std::runtime_error("cannot read " + (dir / "main.tf").string());
    const auto vars = variable_values(dir);
    const auto blocks = module_blocks(lines_of(main_text));
    Translation t;
    std::string environment, project;
    std::vector<std::string> api_lines, flows;

    auto eval = [&](const ModuleBlock& b, const Setting& s) -> std::optional<std::string> {
        static const std::regex var_ref(R"re(^"?\$\{var\.([\w-]+)\}"?$|^var\.([\w-]+)$)re");
        static const std::regex path_ref(R"re(^"\$\{path\.(module|root)\}/([^"$\\]*)"$)re");
        std::smatch m;
        if (auto lit = literal(s.value)) return lit;
        if (std::regex_match(s.value, m, var_ref)) {
            const std::string name = m[1].matched ? m[1].str() : m[2].str();
            const auto it = vars.find(name);
            if (it != vars.end()) return it->second;
            t.problems.push_back("main.tf:" + std::to_string(s.line) + ": module." + b.label + "." +
                                 s.key + ": var." + name +
                                 " has no default in variables.tf and no value in "
                                 "terraform.tfvars");
            return std::nullopt;
        }
        if (std::regex_match(s.value, m, path_ref)) {
            const auto rel = fs::relative(fs::absolute(dir) / m[2].str(), fs::absolute(out_dir));
            return "\"" + rel.generic_string() + "\"";
        }
        t.problems.push_back("main.tf:" + std::to_string(s.line) + ": module." + b.label + "." +
                             s.key + ": expression not translated: " + s.value);
        return std::nullopt;
    };

    for (const auto& b : blocks) {
        const bool flow = b.source.find("kinesis_event_flow") != std::string::npos;
        const bool api = b.source.find("api_gateway") != std::string::npos;
        if (!flow && !api) continue;
        std::string entry;
        for (const auto& s : b.settings) {
            if (api && s.key == "event_streams") continue;  // derived from the flows
            const auto v = eval(b, s);
            if (!v) continue;
            std::string unquoted = *v;
            if (unquoted.size() >= 2 && unquoted.front() == '"')
                unquoted = unquoted.substr(1, unquoted.size() - 2);
            if (s.key == "environment") {
                if (environment.empty()) environment = unquoted;
                continue;
            }
            if (api && s.key == "name") {
                project = unquoted;
                continue;
            }
            if (flow && s.key == "event_type")
                entry = "  - event_type: " + *v + "\n" + entry;
            else if (flow)
                entry += "    " + s.key + ": " + *v + "\n";
            else
                api_lines.push_back("  " + s.key + ": " + *v + "\n");
        }
        if (flow) flows.push_back(entry);
    }
    if (flows.empty()) return t;
    std::string y = "# Translated by kemu init --from-terraform from " +
                    (fs::path(dir_arg) / "main.tf").generic_string() + "\nversion: 1\n";
    if (!environment.empty()) y += "environment: " + environment + "\n";
    if (!project.empty()) y += "project: " + project + "\n";
    if (!api_lines.empty()) {
        y += "api:\n";
        for (const auto& l : api_lines)
            y += l;
    }
    y += "event_flows:\n";
    for (const auto& f : flows)
        y += f;
    t.yaml = y;
    return t;
}

int run_init_from_terraform(const std::string& dir, const std::string& out_arg) {
    const std::string out = out_arg.empty() ? (fs::path(dir) / "kemu.yaml").string() : out_arg;
    Translation t;
    try {
        t = translate_terraform(dir, fs::absolute(out).parent_path().string());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kemu: %s\n", e.what());
        return 2;
    }
    for (const auto& p : t.problems)
        std::fprintf(stderr, "kemu: %s\n", p.c_str());
    if (t.yaml.empty()) {
        std::fprintf(stderr, "kemu: no kinesis_event_flow module block in %s/main.tf\n",
                     dir.c_str());
        return 2;
    }
    if (fs::exists(out)) {
        std::fprintf(stderr, "kemu: %s exists; not overwritten (use -o)\n", out.c_str());
        return 2;
    }
    std::ofstream(out) << t.yaml;
    std::printf("kemu: wrote %s (%zu expressions not translated)\n", out.c_str(),
                t.problems.size());
    return 0;
}

}  // namespace kemu::deploy
