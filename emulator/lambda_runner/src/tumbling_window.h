#pragma once
// Tumbling windows (TumblingWindowInSeconds; docs/aws/lambda.md, Tumbling windows): the
// window a record belongs to, the extra keys of the event, the state a handler returns, and
// the record a lane persists for its open window. Pure functions; the Lane applies them.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace kemu::lambda_runner {

struct LaneRecord;

// AWS limits the state carried through a window to 1 MB per shard; past it the window ends
// early (isWindowTerminatedEarly).
inline constexpr size_t kMaxWindowStateBytes = 1024 * 1024;

// The window containing `arrival_ms`: the multiple of `length_ms` since the Unix epoch at or
// before it (kemu's alignment; AWS does not document one). REQUIRES: length_ms > 0.
int64_t window_start(int64_t arrival_ms, int64_t length_ms);

// "2020-12-09T07:04:00Z": UTC, whole seconds, as AWS writes window.start and window.end.
std::string iso8601_utc(int64_t ms);

// The window a lane has open: where it starts, the state so far (a JSON object's text), and
// whether the next invocation closes it because the state outgrew kMaxWindowStateBytes.
struct OpenWindow {
    int64_t start_ms = 0;
    std::string state = "{}";
    bool terminated_early = false;
};

struct WindowEvent {
    int64_t start_ms = 0;
    int64_t end_ms = 0;
    const std::string& state;  // a JSON object's text
    const std::string& shard_id;
    const std::string& stream_arn;
    bool final = false;
    bool terminated_early = false;
};

// {"Records":[...],"window":{"start":..,"end":..},"state":{..},"shardId":..,"eventSourceARN":..,
//  "isFinalInvokeForWindow":..,"isWindowTerminatedEarly":..}: AWS's documented key order.
std::string window_event_json(const std::deque<LaneRecord>& batch, const WindowEvent& w);

// The `state` object of a handler's response, as JSON text; nullopt when the response is not
// an object with an object `state` (AWS counts that as a failed invocation).
std::optional<std::string> response_state(const std::string& payload);

// The persisted form of an open window, and back (nullopt for anything unreadable).
std::string encode_window(const OpenWindow& w);
std::optional<OpenWindow> decode_window(const std::string& text);

}  // namespace kemu::lambda_runner
