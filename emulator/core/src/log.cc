#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <string>

namespace kemu {
namespace {
std::atomic<LogLevel> g_level{LogLevel::kInfo};
constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
}  // namespace

void set_log_level(LogLevel level) { g_level = level; }

void log(LogLevel level, std::string_view component, std::string_view message) {
    if (level < g_level.load(std::memory_order_relaxed)) return;
    std::string line;
    line.reserve(component.size() + message.size() + 16);
    line.append("[").append(kNames[static_cast<int>(level)]).append("] ");
    line.append(component).append(": ").append(message).push_back('\n');
    // One write per line keeps concurrent lines whole.
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace kemu
