#pragma once
// `kemu load`'s live progress: once a second, one line per flow with the accepted rate, the
// p99 of the requests answered in that second, both iterator ages and the throttles. On a TTY
// the lines are rewritten in place; otherwise (a pipe, a CI log) each second prints plain lines.

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kemu::load {

// What the sender saw since the last take(): each answered request is added by its worker.
class LiveCounters {
public:
    struct Window {
        int64_t offered = 0, accepted = 0, throttled = 0, errors = 0;
        std::vector<double> latency_ms;  // of each answered request, from its due time
    };
    // `throttled`: events refused by a 429 or a shard's ProvisionedThroughputExceeded;
    // `error`: a 5xx or no answer. Thread-safe.
    void record(int events, int accepted, int throttled, bool error, double latency_ms);
    Window take();

private:
    std::mutex mu_;
    Window w_;
};

// One flow's line for the second ending at `t_ms`: the window's numbers and the flow's entry of
// /_kemu/status (iterator ages, Lambda throttles); `status` may be null.
std::string progress_line(const std::string& event_type, int64_t t_ms,
                          const LiveCounters::Window& w, const nlohmann::json& status);

class ProgressPrinter {
public:
    // `tty`: rewrite the lines in place (ANSI cursor moves) instead of printing new ones, each
    // cut to `width` columns (0: the terminal's, asked each time), since a line that wraps
    // could not be rewritten.
    ProgressPrinter(std::FILE* out, bool tty, size_t width = 0)
        : out_(out), tty_(tty), width_(width) {}
    // True when stdout is a terminal.
    static bool stdout_is_tty();
    void show(const std::vector<std::string>& lines);
    // Leaves the cursor below the last lines, so what follows starts on a line of its own.
    void finish();

private:
    std::FILE* out_;
    bool tty_;
    size_t width_;
    size_t shown_ = 0;  // lines currently on the terminal (tty only)
};

}  // namespace kemu::load
