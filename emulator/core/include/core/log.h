#pragma once
// Minimal leveled logging to stderr: one line per event, `component: message`. Thread-safe.

#include <string_view>

namespace kemu {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void set_log_level(LogLevel level);
void log(LogLevel level, std::string_view component, std::string_view message);
inline void log_info(std::string_view c, std::string_view m) { log(LogLevel::kInfo, c, m); }
inline void log_warn(std::string_view c, std::string_view m) { log(LogLevel::kWarn, c, m); }
inline void log_error(std::string_view c, std::string_view m) { log(LogLevel::kError, c, m); }
inline void log_debug(std::string_view c, std::string_view m) { log(LogLevel::kDebug, c, m); }

}  // namespace kemu
