#include "core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <unistd.h>

#include "core/encoding.h"

namespace kemu {
namespace {
std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kText};
constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
constexpr const char* kColours[] = {"\x1b[2m", "\x1b[36m", "\x1b[33m", "\x1b[31m"};

bool stderr_is_tty() {
    static const bool tty = ::isatty(2) == 1 && std::getenv("NO_COLOR") == nullptr;
    return tty;
}
}  // namespace

void set_log_level(LogLevel level) {
    g_level = level;
}
void set_log_format(LogFormat format) {
    g_format = format;
}
LogFormat log_format() {
    return g_format.load(std::memory_order_relaxed);
}

std::string json_quote(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

std::string log_timestamp() {
    using namespace std::chrono;
    return iso8601_ms(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

void log(LogLevel level, std::string_view component, std::string_view message) {
    if (level < g_level.load(std::memory_order_relaxed)) return;
    int l = static_cast<int>(level);
    std::string line;
    line.reserve(component.size() + message.size() + 64);
    if (log_format() == LogFormat::kJson) {
        line.append("{\"ts\":\"").append(log_timestamp()).append("\",\"level\":\"");
        line.append(kNames[l]).append("\",\"component\":").append(json_quote(component));
        line.append(",\"message\":").append(json_quote(message)).append("}\n");
    } else if (stderr_is_tty()) {
        line.append(kColours[l]).append("[").append(kNames[l]).append("]\x1b[0m ");
        line.append(component).append(": ").append(message).push_back('\n');
    } else {
        line.append("[").append(kNames[l]).append("] ");
        line.append(component).append(": ").append(message).push_back('\n');
    }
    // One write per line keeps concurrent lines whole.
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace kemu
