#include "function_log.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

#include "core/log.h"

namespace kemu::lambda_runner {

FunctionLog::FunctionLog(std::string function, std::string path, bool echo, LogSink sink,
                         const Clock& clock)
    : function_(std::move(function)),
      echo_(echo),
      tty_(::isatty(1) == 1 && !std::getenv("NO_COLOR")),
      sink_(std::move(sink)),
      clock_(clock) {
    if (!path.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd_ < 0)
            log_warn("lambda", "cannot open the log file " + path + ": " + std::strerror(errno));
    }
}

FunctionLog::~FunctionLog() {
    if (fd_ >= 0) ::close(fd_);
}

void FunctionLog::line(std::string_view text) {
    Hold hold(*this);
    hold.line(text);
}

FunctionLog::Hold::~Hold() {
    uint64_t through = log_.queued_;
    lock_.unlock();
    if (log_.sink_) log_.deliver(through);
}

void FunctionLog::write_locked(std::string_view text) {
    std::string out(text);
    out += '\n';
    if (fd_ >= 0) {
        ssize_t n = ::write(fd_, out.data(), out.size());
        (void)n;
    }
    if (echo_) {
        std::string shown;
        if (log_format() == LogFormat::kJson) {
            shown = "{\"ts\":\"" + log_timestamp() + "\",\"function\":" + json_quote(function_) +
                    ",\"message\":" + json_quote(text) + "}\n";
        } else if (tty_) {
            shown = "\x1b[35m[" + function_ + "]\x1b[0m " + out;
        } else {
            shown = "[" + function_ + "] " + out;
        }
        std::fwrite(shown.data(), 1, shown.size(), stdout);
        std::fflush(stdout);
    }
    if (sink_) {
        pending_.push_back({clock_.now_ms(), std::string(text)});
        ++queued_;
    }
}

void FunctionLog::deliver(uint64_t through) {
    std::unique_lock lock(sink_mu_);
    while (delivered_ < through) {
        if (delivering_) {
            sink_cv_.wait(lock);
            continue;
        }
        delivering_ = true;
        std::deque<Pending> batch;
        {
            std::lock_guard log_lock(mu_);
            batch.swap(pending_);
        }
        lock.unlock();
        for (const auto& p : batch) {
            try {
                sink_(p.timestamp_ms, p.line);
            } catch (const std::exception& e) {
                log_warn("lambda", function_ + ": the log sink failed: " + e.what());
            }
        }
        lock.lock();
        delivered_ += batch.size();
        delivering_ = false;
        sink_cv_.notify_all();
    }
}

}  // namespace kemu::lambda_runner
