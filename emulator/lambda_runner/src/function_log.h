#pragma once
// The function log: lines from every environment of a function (START, END, REPORT and the
// handler's output), appended to the log file and shown on the terminal, prefixed.

#include <mutex>
#include <string>
#include <string_view>

namespace kemu::lambda {

// Thread-safe.
class FunctionLog {
public:
    FunctionLog(std::string function, std::string path, bool echo);
    ~FunctionLog();
    void line(std::string_view text);
    std::mutex& mutex() { return mu_; }
    void line_locked(std::string_view text);  // REQUIRES: mutex() held

private:
    std::string function_;
    int fd_ = -1;
    bool echo_;
    bool tty_;
    std::mutex mu_;
};

}  // namespace kemu::lambda
