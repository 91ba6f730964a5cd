// The scenario file's top level: name, topology, flow overrides, kemu's run settings, steps.

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "scenario.h"
#include "steps.h"
#include "yaml_reader.h"

namespace kemu::scenario {
namespace {

namespace fs = std::filesystem;

void parse_flow_override(YamlReader& r, const YAML::Node& n, const std::string& path,
                         FlowOverride* f) {
    f->line = YamlReader::line_of(n);
    auto opt_int = [&r](std::optional<int>* out, int64_t lo, int64_t hi) {
        return [&r, out, lo, hi](const YAML::Node& v, const std::string& p) {
            int64_t x = 0;
            if (r.integer(v, p, lo, hi, &x)) *out = static_cast<int>(x);
        };
    };
    auto opt_bool = [&r](std::optional<bool>* out) {
        return [&r, out](const YAML::Node& v, const std::string& p) {
            bool b = false;
            if (r.boolean(v, p, &b)) *out = b;
        };
    };
    // The ranges are kemu.yaml's (docs/kemu-yaml.md, event_flows[]).
    r.read_map(n, path,
               {{"batch_size", opt_int(&f->batch_size, 1, 10000)},
                {"batch_window_seconds", opt_int(&f->batch_window_seconds, 0, 300)},
                {"max_retry_attempts", opt_int(&f->max_retry_attempts, -1, 10000)},
                {"bisect_batch_on_function_error", opt_bool(&f->bisect_batch_on_function_error)},
                {"report_batch_item_failures", opt_bool(&f->report_batch_item_failures)},
                {"lambda_timeout", opt_int(&f->lambda_timeout, 1, 900)},
                {"lambda_memory_size", opt_int(&f->lambda_memory_size, 128, 10240)},
                {"parallelization_factor", opt_int(&f->parallelization_factor, 1, 10)},
                // 0..59 pass here and are refused when the result is checked as kemu.yaml.
                {"maximum_record_age_seconds", opt_int(&f->maximum_record_age_seconds, -1, 604800)},
                {"starting_position", [&](const YAML::Node& v, const std::string& p) {
                     std::string s;
                     if (r.choice(v, p, {"LATEST", "TRIM_HORIZON"}, &s)) f->starting_position = s;
                 }}});
}

void parse_api_override(YamlReader& r, const YAML::Node& n, const std::string& path,
                        ApiOverride* a) {
    r.read_map(n, path,
               {{"throttling_rate_limit",
                 [&](const YAML::Node& v, const std::string& p) {
                     double x = -1;
                     if (v.IsScalar()) x = v.as<double>(-1);
                     if (x <= 0) return r.error(v, p, "must be a number > 0");
                     a->throttling_rate_limit = x;
                 }},
                {"throttling_burst_limit", [&](const YAML::Node& v, const std::string& p) {
                     int64_t x = 0;
                     if (r.integer(v, p, 1, 2147483647, &x))
                         a->throttling_burst_limit = static_cast<int>(x);
                 }}});
}

void parse_run_settings(YamlReader& r, const YAML::Node& n, const std::string& path,
                        RunSettings* s) {
    r.read_map(n, path,
               {{"retry_backoff_ms", r.int_reader(&s->retry_backoff_ms, 1, 60000)},
                {"alarm_period_s", r.int_reader(&s->alarm_period_s, 0, 3600)},
                {"shard_limits", [&](const YAML::Node& v, const std::string& p) {
                     r.boolean(v, p, &s->shard_limits);
                 }}});
}

void parse_steps(YamlReader& r, const YAML::Node& n, const std::string& dir, Scenario* sc) {
    if (!n.IsSequence() || n.size() == 0) {
        r.error(n, "steps", "must be a non-empty list of steps");
        return;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < n.size(); ++i) {
        Step s;
        std::string path = "steps[" + std::to_string(i) + "]";
        if (!parse_step(r, n[i], path, dir, &s)) continue;
        if (!s.name.empty() && !names.insert(s.name).second)
            r.error_at(s.line, path + ".name", "duplicate step name '" + s.name + "'");
        // An expectation about a send's responses names a send step before it.
        for (auto& e : s.expect) {
            if (e.kind != Expectation::Kind::kResponse || e.send.empty()) continue;
            bool found = false;
            for (const auto& prev : sc->steps)
                found = found || (prev.kind == Step::Kind::kSend && prev.name == e.send);
            if (!found)
                r.error_at(e.line, path + ".expect.response.send",
                           "no send step named '" + e.send + "' before this one");
        }
        sc->steps.push_back(std::move(s));
    }
}

// Every step gets a name for reports: its own, or its line.
void name_steps(Scenario* sc) {
    for (auto& s : sc->steps) {
        if (s.name.empty()) s.name = "line " + std::to_string(s.line);
    }
}

}  // namespace

std::optional<int64_t> parse_duration_ms(const std::string& text) {
    double v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || v < 0) return std::nullopt;
    std::string_view unit(p, text.data() + text.size() - p);
    double scale = 0;
    if (unit.empty() || unit == "s") scale = 1000;
    if (unit == "ms") scale = 1;
    if (unit == "m") scale = 60'000;
    if (unit == "h") scale = 3'600'000;
    if (scale == 0) return std::nullopt;
    return static_cast<int64_t>(v * scale);
}

std::vector<ConfigError> parse_scenario(const std::string& text, const std::string& file,
                                        Scenario* out) {
    std::vector<ConfigError> errors;
    YamlReader r(file, &errors);
    auto& sc = *out;
    sc.file = file;
    sc.dir = fs::absolute(fs::path(file).parent_path()).lexically_normal().string();
    sc.name = fs::path(file).stem().string();
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        errors.push_back({file, e.mark.line + 1, "(yaml)", e.msg});
        return errors;
    }
    bool has_steps = false;
    bool ok = r.read_map(
        root, "",
        {{"name", r.string_reader(&sc.name)},
         {"description", r.string_reader(&sc.description)},
         {"topology",
          [&](const YAML::Node& v, const std::string& p) {
              std::string t;
              if (!r.string(v, p, &t)) return;
              sc.topology_line = YamlReader::line_of(v);
              fs::path tp(t);
              if (tp.is_relative()) tp = fs::path(sc.dir) / tp;
              sc.topology = tp.lexically_normal().string();
              std::error_code ec;
              if (!fs::is_regular_file(sc.topology, ec))
                  r.error(v, p, "no such file: " + sc.topology);
          }},
         {"flows",
          [&](const YAML::Node& v, const std::string& p) {
              if (!v.IsMap()) return r.error(v, p, "must map event types to settings");
              for (const auto& kv : v) {
                  auto type = kv.first.as<std::string>("");
                  parse_flow_override(r, kv.second, p + "." + type, &sc.flows[type]);
              }
          }},
         {"api",
          [&](const YAML::Node& v, const std::string& p) { parse_api_override(r, v, p, &sc.api); }},
         {"kemu",
          [&](const YAML::Node& v, const std::string& p) { parse_run_settings(r, v, p, &sc.run); }},
         {"steps", [&](const YAML::Node& v, const std::string&) {
              has_steps = true;
              parse_steps(r, v, sc.dir, &sc);
          }}});
    if (ok && !has_steps) r.error(root, "steps", "required");
    name_steps(&sc);
    return errors;
}

std::vector<ConfigError> load_scenario(const std::string& path, Scenario* out) {
    std::ifstream in(path);
    if (!in) return {{path, 0, "(file)", "cannot read the file"}};
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_scenario(ss.str(), path, out);
}

}  // namespace kemu::scenario
