#include "function_log.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

#include "core/log.h"

namespace kemu::lambda {

FunctionLog::FunctionLog(std::string function, std::string path, bool echo)
    : function_(std::move(function)),
      echo_(echo),
      tty_(::isatty(1) == 1 && !std::getenv("NO_COLOR")) {
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
    std::lock_guard lock(mu_);
    line_locked(text);
}

void FunctionLog::line_locked(std::string_view text) {
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
}

}  // namespace kemu::lambda
