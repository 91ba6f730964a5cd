#pragma once
// The Lambda side of `kemu up`: for each event flow, its processor function (a pool of
// subprocess environments) and the event source mapping that feeds it from the flow's stream.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cloudwatch/log_store.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/db.h"
#include "kinesis/store.h"
#include "lambda_runner/event_source_mapping.h"
#include "lambda_runner/function_pool.h"
#include "scenario/hooks.h"
#include "sqs_dlq/queue_store.h"
#include "up.h"

namespace kemu::cli {

// Copies a function's log lines for the Lambda API's Invoke (LogType Tail) while it waits for an
// invocation: begin() before invoking, end() after, which returns the lines written meanwhile.
class LogTap {
public:
    uint64_t begin();
    std::vector<std::string> end(uint64_t id);
    void line(std::string_view text);

private:
    std::mutex mu_;
    uint64_t next_ = 1;
    std::map<uint64_t, std::vector<std::string>> open_;
};

struct Processor {
    std::string event_type;
    std::unique_ptr<lambda_runner::FunctionMetrics> metrics;
    std::unique_ptr<lambda_runner::FunctionPool> pool;
    std::unique_ptr<lambda_runner::Mapping> mapping;
    std::string interpreter;
    std::shared_ptr<LogTap> tap;
};

class Processors {
public:
    // Builds every flow's function and mapping. A flow whose code directory is missing is
    // skipped with a warning; a runtime kemu cannot run is an error (false, printed).
    // Function log lines also go to `logs` (CloudWatch Logs' group /aws/lambda/{function})
    // when it is given. With `hooks`, each mapping invokes its function through the hooks'
    // recorder.
    bool build(const Config& cfg, const UpOptions& o, kinesis::Store& store,
               sqs_dlq::QueueStore& queues, Db& db, const Clock& clock,
               std::shared_ptr<cloudwatch::LogStore> logs = nullptr,
               scenario::Hooks* hooks = nullptr);
    // Every function's AWS_ENDPOINT_URL (empty: unset). REQUIRES: before start().
    void set_handler_endpoint(const std::string& url);
    void start();
    // Every second: stops idle environments, retires those whose code changed.
    void housekeeping();
    // Lets in-flight invocations finish (bounded by their timeouts), then stops everything.
    void stop();
    void print_banner() const;
    const std::vector<Processor>& all() const { return processors_; }
    const std::string& account() const { return account_; }
    const std::string& region() const { return region_; }

private:
    std::vector<Processor> processors_;
    int64_t idle_ms_ = 600'000;
    std::string account_, region_;
    std::string temp_state_;  // --in-memory: bootstraps and TMPDIRs live here until stop
};

}  // namespace kemu::cli
