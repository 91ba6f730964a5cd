#include "coverage.h"

#include <map>

namespace kemu::scenario {

using json = nlohmann::json;

namespace {

constexpr const char* kRetryExhaustion = "retry exhaustion";
constexpr const char* kRecordAge = "record age";
constexpr const char* kBisection = "bisection";
constexpr const char* kPartialBatch = "partial batch response";
constexpr const char* kTimeout = "timeout";
constexpr const char* kHandlerError = "handler error";
constexpr const char* kHandlerCrash = "handler crash (Runtime.ExitError)";
constexpr const char* kOutOfMemory = "out of memory (Runtime.OutOfMemory)";
constexpr const char* kRestart = "kemu crash and restart";
constexpr const char* kFrontDoorThrottle = "front-door throttling (429)";
constexpr const char* kShardLimit = "shard limits (ProvisionedThroughputExceeded)";
constexpr const char* kAlarmFires = "alarm to ALARM";
constexpr const char* kAlarmClears = "alarm back to OK";

// A failed invocation of several records followed by a smaller one starting inside it.
bool bisected(const json& invocations) {
    for (size_t i = 0; i < invocations.size(); ++i) {
        const auto& failed = invocations[i];
        const auto& recs = failed["records"];
        if (failed.value("status", "") != "error" || recs.size() < 2) continue;
        auto first = recs.front().value("sequenceNumber", "");
        auto last = recs.back().value("sequenceNumber", "");
        for (size_t k = i + 1; k < invocations.size(); ++k) {
            const auto& next = invocations[k]["records"];
            if (next.empty() || next.size() >= recs.size()) continue;
            auto s = next.front().value("sequenceNumber", "");
            if (!sequence_less(s, first) && !sequence_less(last, s)) return true;
        }
    }
    return false;
}

void from_invocations(const json& invocations, std::set<std::string>* out) {
    for (const auto& inv : invocations) {
        if (inv.value("status", "") == "error") out->insert(kHandlerError);
        auto type = inv.value("error_type", "");
        if (type == "Sandbox.Timedout") out->insert(kTimeout);
        if (type == "Runtime.ExitError") out->insert(kHandlerCrash);
        if (type == "Runtime.OutOfMemory") out->insert(kOutOfMemory);
        if (inv.value("batch_item_failures", 0) > 0) out->insert(kPartialBatch);
    }
    if (bisected(invocations)) out->insert(kBisection);
}

void from_dlq(const json& records, std::set<std::string>* out) {
    for (const auto& r : records) {
        if (!r.is_object()) continue;
        auto condition = r.value("requestContext", json::object()).value("condition", "");
        if (condition == "RetryAttemptsExhausted") out->insert(kRetryExhaustion);
        if (condition == "RecordAgeExceeded") out->insert(kRecordAge);
    }
}

void from_sends(const std::map<std::string, SendLog>& sends, std::set<std::string>* out) {
    for (const auto& [name, log] : sends) {
        for (const auto& r : log.responses) {
            const auto& [status, body, headers] = r;
            if (status == 429) out->insert(kFrontDoorThrottle);
            if (body.find("ProvisionedThroughputExceededException") != std::string::npos)
                out->insert(kShardLimit);
        }
    }
}

}  // namespace

const std::vector<std::string>& failure_paths() {
    static const std::vector<std::string> paths = {
        kRetryExhaustion, kBisection,    kRecordAge,   kPartialBatch, kTimeout,
        kHandlerError,    kHandlerCrash, kOutOfMemory, kRestart,      kFrontDoorThrottle,
        kShardLimit,      kAlarmFires,   kAlarmClears};
    return paths;
}

std::set<std::string> exercised(Observer& o, const std::map<std::string, SendLog>& sends,
                                bool restarted) {
    std::set<std::string> out;
    std::string err;
    for (const auto& flow : o.flows()) {
        if (const json* inv = o.invocations(flow, &err)) from_invocations(*inv, &out);
        if (const json* dlq = o.dlq(flow, &err)) from_dlq(*dlq, &out);
    }
    from_sends(sends, &out);
    if (restarted) out.insert(kRestart);
    if (const json* alarms = o.alarms(&err)) {
        for (const auto& h : alarms->value("AlarmHistory", json::array())) {
            auto summary = h.value("HistorySummary", "");
            if (summary.ends_with(" to ALARM")) out.insert(kAlarmFires);
            if (summary.ends_with("from ALARM to OK")) out.insert(kAlarmClears);
        }
    }
    return out;
}

std::string coverage_report(
    const std::vector<std::pair<std::string, std::set<std::string>>>& by_scenario) {
    std::string out = "failure paths exercised:\n";
    for (const auto& path : failure_paths()) {
        std::string who;
        for (const auto& [name, paths] : by_scenario) {
            if (paths.contains(path)) who += (who.empty() ? "" : ", ") + name;
        }
        out += "  " + path + ": " + (who.empty() ? "NOT EXERCISED" : who) + "\n";
    }
    return out;
}

}  // namespace kemu::scenario
