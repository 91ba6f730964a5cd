#include "tumbling_window.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "lane.h"

namespace kemu::lambda_runner {
namespace {

using json = nlohmann::json;

std::string quoted(const std::string& s) {
    return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

int64_t window_start(int64_t arrival_ms, int64_t length_ms) {
    int64_t start = arrival_ms - arrival_ms % length_ms;
    if (arrival_ms < 0 && arrival_ms % length_ms != 0) start -= length_ms;
    return start;
}

std::string iso8601_utc(int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string window_event_json(const std::deque<LaneRecord>& batch, const WindowEvent& w) {
    std::string out = event_json(batch);
    out.pop_back();  // the closing brace; the window's keys follow the Records array
    out += R"(,"window":{"start":")";
    out += iso8601_utc(w.start_ms);
    out += R"(","end":")";
    out += iso8601_utc(w.end_ms);
    out += R"("},"state":)";
    out += w.state;
    out += R"(,"shardId":)";
    out += quoted(w.shard_id);
    out += R"(,"eventSourceARN":)";
    out += quoted(w.stream_arn);
    out += R"(,"isFinalInvokeForWindow":)";
    out += w.final ? "true" : "false";
    out += R"(,"isWindowTerminatedEarly":)";
    out += w.terminated_early ? "true" : "false";
    out += '}';
    return out;
}

std::optional<std::string> response_state(const std::string& payload) {
    json j = json::parse(payload, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    auto it = j.find("state");
    if (it == j.end() || !it->is_object()) return std::nullopt;
    return it->dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string encode_window(const OpenWindow& w) {
    return R"({"start":)" + std::to_string(w.start_ms) + R"(,"early":)" +
           (w.terminated_early ? "true" : "false") + R"(,"state":)" + w.state + "}";
}

std::optional<OpenWindow> decode_window(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("start") || !j["start"].is_number() ||
        !j.contains("state") || !j["state"].is_object())
        return std::nullopt;
    OpenWindow w;
    w.start_ms = j["start"].get<int64_t>();
    w.terminated_early = j.value("early", false);
    w.state = j["state"].dump();
    return w;
}

}  // namespace kemu::lambda_runner
