#pragma once
// Leveled logging to stderr, one line per event. Text: `[level] component: message`, the level
// coloured when stderr is a terminal. JSON (`--log-format json`): one object per line with ts,
// level, component and message. Thread-safe.

#include <string>
#include <string_view>

namespace kemu {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

enum class LogFormat { kText, kJson };

void set_log_level(LogLevel level);
void set_log_format(LogFormat format);
LogFormat log_format();
// A JSON string literal for `s` (quotes included), for other JSON log lines.
std::string json_quote(std::string_view s);
// ISO-8601 UTC with milliseconds, now.
std::string log_timestamp();
void log(LogLevel level, std::string_view component, std::string_view message);
inline void log_info(std::string_view c, std::string_view m) {
    log(LogLevel::kInfo, c, m);
}
inline void log_warn(std::string_view c, std::string_view m) {
    log(LogLevel::kWarn, c, m);
}
inline void log_error(std::string_view c, std::string_view m) {
    log(LogLevel::kError, c, m);
}
inline void log_debug(std::string_view c, std::string_view m) {
    log(LogLevel::kDebug, c, m);
}

}  // namespace kemu
