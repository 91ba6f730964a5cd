#include "deploy/lint.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace kemu::deploy {

std::vector<LintWarning> lint_for_aws(const Config& cfg, const std::string& text) {
    std::vector<LintWarning> out;
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception&) {
        return out;  // the parser has reported it already
    }
    for (std::size_t i = 0; i < cfg.event_flows.size(); ++i) {
        const auto& f = cfg.event_flows[i];
        const std::string at = "event_flows[" + std::to_string(i) + "].";
        if (!f.dlq_enabled)
            out.push_back({"on-failure-destination", f.line, at + "dlq_enabled",
                           "no on-failure destination: a batch that fails every retry is "
                           "skipped and its records are lost"});
        if (f.batch_size > 1 && f.max_retry_attempts != 0 && !f.bisect_batch_on_function_error &&
            !f.report_batch_item_failures)
            out.push_back({"bisect-on-error", f.line, at + "bisect_batch_on_function_error",
                           "batches of up to " + std::to_string(f.batch_size) +
                               " are retried whole: one bad record blocks its shard; set "
                               "bisect_batch_on_function_error: true"});
        if (f.dlq_enabled && f.max_retry_attempts == -1)
            out.push_back({"bounded-retries", f.line, at + "max_retry_attempts",
                           "-1 retries until the record expires (" +
                               std::to_string(f.retention_period) +
                               " h): the DLQ receives nothing until then and the shard stalls"});
        if (static_cast<int64_t>(f.iterator_age_alarm_ms) >=
            static_cast<int64_t>(f.retention_period) * 3600 * 1000)
            out.push_back({"iterator-age-alarm", f.line, at + "iterator_age_alarm_ms",
                           "the iterator-age alarm fires only after records have expired"});
    }
    // The stage throttle: without it the account's default applies (10,000 requests/s shared
    // by every API of the account and region).
    const auto api = root["api"];
    if (!api || !api.IsMap() || !api["throttling_rate_limit"])
        out.push_back({"stage-throttling", api ? api.Mark().line + 1 : 0,
                       "api.throttling_rate_limit",
                       "no stage throttle: the API may use the account's whole request quota"});
    // Log retention: every log group gets retention_in_days (14 unless set); 0 keeps the logs
    // forever, and CloudWatch Logs bills their storage for as long.
    for (std::size_t i = 0; i < cfg.event_flows.size(); ++i) {
        const auto& f = cfg.event_flows[i];
        if (f.log_retention_days == 0)
            out.push_back({"log-retention", f.line,
                           "event_flows[" + std::to_string(i) + "].log_retention_days",
                           "0 keeps the function's logs forever; set a number of days"});
    }
    if (cfg.api.log_retention_days == 0)
        out.push_back({"log-retention", api ? api.Mark().line + 1 : 0, "api.log_retention_days",
                       "0 keeps the API's access logs forever; set a number of days"});
    return out;
}

std::string format_warning(const std::string& file, const LintWarning& w) {
    return file + ":" + std::to_string(w.line) + ": " + w.key + ": warning [" + w.rule +
           "]: " + w.message;
}

int print_aws_lint(const std::string& path) {
    Config cfg;
    if (!load_config(path, &cfg).empty()) return 0;
    std::ifstream in(path);
    std::ostringstream buf;
    buf << in.rdbuf();
    const auto warnings = lint_for_aws(cfg, buf.str());
    for (const auto& w : warnings)
        std::fprintf(stderr, "%s\n", format_warning(path, w).c_str());
    return static_cast<int>(warnings.size());
}

}  // namespace kemu::deploy
