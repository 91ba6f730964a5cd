#include "processors.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "core/log.h"
#include "lambda_runner/runtimes.h"
#include "validate.h"

namespace kemu::cli {

namespace fs = std::filesystem;

namespace {

std::string function_arn(const UpOptions& o, const std::string& name) {
    return "arn:aws:lambda:" + o.region + ":" + o.account + ":function:" + name;
}

// The processor function of a flow, as the Terraform module declares it.
lambda_runner::FunctionConfig function_config(const Config& cfg, const FlowConfig& f,
                                              const UpOptions& o, const std::string& code,
                                              std::vector<std::string> argv,
                                              const std::string& state) {
    auto name = cfg.function_name(f);
    lambda_runner::FunctionConfig fc;
    fc.name = name;
    fc.arn = function_arn(o, name);
    fc.runtime = f.lambda_runtime;
    fc.handler = f.lambda_handler;
    fc.code_dir = code;
    fc.region = o.region;
    fc.memory_mb = f.lambda_memory_size;
    fc.timeout_s = f.lambda_timeout;
    fc.command = std::move(argv);
    // The environment variables the Terraform module gives every processor function.
    fc.environment = {{"EVENT_TYPE", f.event_type},
                      {"ENVIRONMENT", cfg.environment},
                      {"STREAM_NAME", cfg.stream_name(f)}};
    for (const auto& [k, v] : f.environment_variables)
        fc.environment[k] = v;
    if (!o.in_memory) fc.log_file = o.data_dir + "/logs/aws/lambda/" + name + ".log";
    fc.echo_logs = o.lambda_echo_logs;
    fc.tmp_dir = state + "/tmp/" + name;
    fc.concurrency = o.lambda_concurrency;
    return fc;
}

// The flow's event source mapping, with the module's settings.
lambda_runner::MappingConfig mapping_config(const Config& cfg, const FlowConfig& f,
                                            const UpOptions& o, kinesis::Store& store) {
    auto name = cfg.function_name(f);
    lambda_runner::MappingConfig mc;
    mc.stream = {o.account, o.region, cfg.stream_name(f)};
    mc.stream_arn = store.stream_arn(mc.stream);
    mc.function_name = name;
    mc.function_arn = function_arn(o, name);
    mc.role_arn = "arn:aws:iam::" + o.account + ":role/" + name + "-role";
    mc.batch_size = f.batch_size;
    mc.batch_window_seconds = f.batch_window_seconds;
    mc.starting_position = kinesis::IteratorType::kLatest;
    if (f.starting_position == "TRIM_HORIZON") {
        mc.starting_position = kinesis::IteratorType::kTrimHorizon;
    } else if (f.starting_position == "AT_TIMESTAMP") {
        mc.starting_position = kinesis::IteratorType::kAtTimestamp;
        mc.starting_timestamp_ms = f.starting_position_timestamp_ms;
    }
    mc.max_retry_attempts = f.max_retry_attempts;
    mc.max_record_age_seconds = f.maximum_record_age_seconds;
    mc.parallelization_factor = f.parallelization_factor;
    mc.retention_ms = int64_t{f.retention_period} * 3600 * 1000;
    mc.bisect_on_error = f.bisect_batch_on_function_error;
    mc.report_batch_item_failures = f.report_batch_item_failures;
    mc.tumbling_window_seconds = f.tumbling_window_seconds;
    mc.filter_patterns = f.filter_patterns;
    if (f.dlq_enabled) mc.on_failure_queue = cfg.dlq_name(f);
    mc.backoff_initial_ms = o.lambda_retry_backoff_ms;
    mc.backoff_max_ms = std::max<int64_t>(o.lambda_retry_backoff_ms, 60'000);
    if (o.lambda_retry_backoff_ms < 1000)
        mc.backoff_max_ms = std::max(o.lambda_retry_backoff_ms * 64, 1);
    return mc;
}

}  // namespace

bool Processors::build(const Config& cfg, const UpOptions& o, kinesis::Store& store,
                       sqs_dlq::QueueStore& queues, Db& db, const Clock& clock,
                       std::shared_ptr<cloudwatch::LogStore> logs, scenario::Hooks* hooks) {
    idle_ms_ = int64_t{o.lambda_idle_timeout_s} * 1000;
    account_ = o.account;
    region_ = o.region;
    std::string state =
        o.in_memory ? (fs::temp_directory_path() / ("kemu-" + std::to_string(::getpid()))).string()
                    : o.data_dir;
    // Absolute: runtimes start in their code directory.
    state = fs::absolute(state).lexically_normal().string();
    if (o.in_memory) temp_state_ = state;  // removed at stop: --in-memory leaves nothing behind
    std::string bootstraps = state + "/runtimes";
    if (!cfg.event_flows.empty()) {
        if (auto err = lambda_runner::write_bootstraps(bootstraps); !err.empty()) {
            std::cerr << "kemu: " << err << "\n";
            return false;
        }
    }
    for (const auto& f : cfg.event_flows) {
        fs::path code = code_dir(cfg, f);
        std::error_code ec;
        if (!fs::is_directory(code, ec)) {  // checked by check_handlers; a race with a deletion
            log_warn("lambda", "flow " + f.event_type + ": no handler directory " + code.string() +
                                   "; its processor is not started");
            continue;
        }
        std::string override_exe = f.lambda_runtime.starts_with("python") ? o.python : o.node;
        lambda_runner::RuntimeCommand cmd;
        std::string error;
        if (!lambda_runner::resolve_runtime(f.lambda_runtime, code.string(), bootstraps,
                                            override_exe, &cmd, &error)) {
            std::cerr << "kemu: " << cfg.file << ":" << f.line << ": event_flows." << f.event_type
                      << ".lambda_runtime: " << error << "\n";
            return false;
        }
        Processor p;
        p.event_type = f.event_type;
        p.interpreter = cmd.interpreter;
        p.metrics = std::make_unique<lambda_runner::FunctionMetrics>();
        auto fc = function_config(cfg, f, o, code.string(), cmd.argv, state);
        p.tap = std::make_shared<LogTap>();
        lambda_runner::LogSink store_sink;
        if (logs) {
            // One stream per function and kemu run: the sink does not say which environment
            // wrote a line (Lambda has one stream per execution environment).
            store_sink = [logs, group = cloudwatch::lambda_log_group(fc.name),
                          stream = cloudwatch::lambda_log_stream(clock.now_ms(), "kemu")](
                             int64_t ts, std::string_view line) {
                logs->append(group, stream, ts, std::string(line));
            };
        }
        fc.log_sink = [store_sink, tap = p.tap](int64_t ts, std::string_view line) {
            if (store_sink) store_sink(ts, line);
            tap->line(line);
        };
        p.pool = std::make_unique<lambda_runner::FunctionPool>(fc, *p.metrics, clock);

        auto mc = mapping_config(cfg, f, o, store);
        lambda_runner::Invoker& invoker = hooks ? hooks->record(fc.name, *p.pool) : *p.pool;
        lambda_runner::MappingDeps deps{store, invoker, &queues, db, clock, *p.metrics};
        p.mapping = std::make_unique<lambda_runner::Mapping>(mc, deps);
        processors_.push_back(std::move(p));
    }
    return true;
}

uint64_t LogTap::begin() {
    std::lock_guard lock(mu_);
    open_[next_];
    return next_++;
}

std::vector<std::string> LogTap::end(uint64_t id) {
    std::lock_guard lock(mu_);
    auto node = open_.extract(id);
    return node.empty() ? std::vector<std::string>{} : std::move(node.mapped());
}

void LogTap::line(std::string_view text) {
    std::lock_guard lock(mu_);
    for (auto& [id, lines] : open_)
        lines.emplace_back(text);
}

void Processors::set_handler_endpoint(const std::string& url) {
    for (auto& p : processors_)
        p.pool->set_aws_endpoint_url(url);
}

void Processors::start() {
    for (auto& p : processors_)
        p.mapping->start();
}

void Processors::housekeeping() {
    for (auto& p : processors_) {
        p.pool->reap_idle(idle_ms_);
        if (p.pool->code_changed()) {
            log_info("lambda", p.pool->config().name +
                                   ": code changed; the next batch starts a new environment");
            p.pool->retire_all();
        }
    }
}

void Processors::stop() {
    for (auto& p : processors_)
        p.mapping->stop();
    for (auto& p : processors_)
        p.pool->shutdown();
    if (!temp_state_.empty()) {
        std::error_code ec;
        fs::remove_all(temp_state_, ec);
    }
}

void Processors::print_banner() const {
    for (const auto& p : processors_) {
        std::printf("kemu processor %s: %s (%s)\n", p.pool->config().name.c_str(),
                    p.pool->config().runtime.c_str(), p.interpreter.c_str());
    }
}

}  // namespace kemu::cli
