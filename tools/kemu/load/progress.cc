#include "progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include "measures.h"

namespace kemu::load {

using json = nlohmann::json;

void LiveCounters::record(int events, int accepted, int throttled, bool error, double latency_ms) {
    std::lock_guard lock(mu_);
    w_.offered += events;
    w_.accepted += accepted;
    w_.throttled += throttled;
    w_.errors += error ? 1 : 0;
    w_.latency_ms.push_back(latency_ms);
}

LiveCounters::Window LiveCounters::take() {
    std::lock_guard lock(mu_);
    Window out = std::move(w_);
    w_ = Window{};
    return out;
}

std::string progress_line(const std::string& event_type, int64_t t_ms,
                          const LiveCounters::Window& w, const json& status) {
    auto n = [&](const char* key) {
        return status.is_object() && status.contains(key) && status[key].is_number()
                   ? status[key].get<int64_t>()
                   : int64_t{0};
    };
    char p99[32] = "-";
    if (!w.latency_ms.empty())
        std::snprintf(p99, sizeof p99, "%.0f ms", percentile(w.latency_ms, 99));
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "%4llds %s: %lld/s offered, %lld/s accepted, %lld throttled, request p99 %s, "
                  "iterator age %lld ms (stream %lld ms), errors %lld, Lambda throttles %lld",
                  static_cast<long long>(t_ms / 1000), event_type.c_str(),
                  static_cast<long long>(w.offered), static_cast<long long>(w.accepted),
                  static_cast<long long>(w.throttled), p99,
                  static_cast<long long>(n("iterator_age_ms")),
                  static_cast<long long>(n("get_records_iterator_age_ms")),
                  static_cast<long long>(w.errors), static_cast<long long>(n("throttles")));
    return buf;
}

bool ProgressPrinter::stdout_is_tty() {
    return ::isatty(STDOUT_FILENO) == 1;
}

void ProgressPrinter::show(const std::vector<std::string>& lines) {
    if (!tty_) {
        for (const auto& l : lines)
            std::fprintf(out_, "  %s\n", l.c_str());
        std::fflush(out_);
        return;
    }
    size_t width = width_;
    if (width == 0) {
        struct winsize ws {};
        width = ::ioctl(fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
    }
    // Back to the first line shown last time, then each line cleared and rewritten; the cursor
    // stays at the end of the last one.
    if (shown_ > 1) std::fprintf(out_, "\x1b[%zuA", shown_ - 1);
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string line = "  " + lines[i];
        if (line.size() >= width) line.resize(width - 1);
        std::fprintf(out_, "\r\x1b[2K%s%s", line.c_str(), i + 1 < lines.size() ? "\n" : "");
    }
    shown_ = lines.size();
    std::fflush(out_);
}

void ProgressPrinter::finish() {
    if (tty_ && shown_ > 0) std::fputc('\n', out_);
    shown_ = 0;
    std::fflush(out_);
}

}  // namespace kemu::load
