#pragma once
// The runtime's stdout and stderr: two pipes, read line by line into the function log by a
// reader thread, and drained by the invoker before START and END so a handler's prints come
// before its END line.

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>

#include "function_log.h"

namespace kemu::lambda_runner {

class OutputPipes {
public:
    explicit OutputPipes(FunctionLog& log) : log_(log) {}
    ~OutputPipes();  // stops the reader, closes every end
    OutputPipes(const OutputPipes&) = delete;
    OutputPipes& operator=(const OutputPipes&) = delete;

    // Creates both pipes. On failure returns a line saying why.
    std::string open();
    int child_out() const { return out_child_; }  // the ends the runtime writes
    int child_err() const { return err_child_; }
    // After the fork: closes the runtime's ends here and starts the reader thread.
    void start_reader();
    // Stops the reader (after its last drain); idempotent.
    void stop();

    // Moves what the runtime wrote (at most `max_bytes` per pipe) into the log, line by line.
    // The reader thread takes small bites; the invoker takes a large one before START and END,
    // so a handler's prints come before its END line.
    // Returns true when it stopped at the bound (more may be waiting).
    bool drain(FunctionLog::Hold& hold, size_t max_bytes = size_t{256} << 10);
    // Writes out a last line that has no newline.
    void flush_partial(FunctionLog::Hold& hold);

private:
    void read_loop();

    FunctionLog& log_;
    int out_fd_ = -1, err_fd_ = -1;
    int out_child_ = -1, err_child_ = -1;
    std::string out_partial_, err_partial_;
    std::atomic<bool> closing_{false};
    std::thread reader_;
};

}  // namespace kemu::lambda_runner
