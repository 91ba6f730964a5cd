#include "output_pipes.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <unistd.h>

namespace kemu::lambda_runner {

OutputPipes::~OutputPipes() {
    stop();
    for (int fd : {out_fd_, err_fd_, out_child_, err_child_}) {
        if (fd >= 0) ::close(fd);
    }
}

std::string OutputPipes::open() {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        return std::string("pipe: ") + std::strerror(errno);
    }
    out_fd_ = out_pipe[0];
    out_child_ = out_pipe[1];
    err_fd_ = err_pipe[0];
    err_child_ = err_pipe[1];
    return {};
}

void OutputPipes::start_reader() {
    ::close(out_child_);
    ::close(err_child_);
    out_child_ = err_child_ = -1;
    ::fcntl(out_fd_, F_SETFL, O_NONBLOCK);
    ::fcntl(err_fd_, F_SETFL, O_NONBLOCK);
    reader_ = std::thread([this] { read_loop(); });
}

void OutputPipes::stop() {
    closing_ = true;
    if (reader_.joinable()) reader_.join();
}

// Function output, line by line, into the log. The invoker drains the pipes under the same
// lock before writing END, so a handler's prints always come before its END line.
void OutputPipes::read_loop() {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    int open = 2;
    while (open > 0 && !closing_) {
        int r = ::poll(fds, 2, 200);
        if (r < 0 && errno != EINTR) break;
        if (r <= 0) continue;
        bool full = false;
        {
            FunctionLog::Hold hold(log_);
            full = drain(hold, size_t{64} << 10);
        }
        if (full) {
            // A full bite: more is waiting. Step aside for a moment, so an invoker waiting for
            // the log lock (START, END) gets it; std::mutex is not fair.
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        open = 0;
        for (auto& f : fds) {
            if (f.revents & (POLLHUP | POLLERR)) {
                // Drained above; stop polling a closed pipe.
                char c;
                if (::read(f.fd, &c, 0) == 0 && (f.revents & POLLHUP) && !(f.revents & POLLIN))
                    f.fd = -1;
            }
            if (f.fd >= 0) ++open;
        }
    }
    FunctionLog::Hold hold(log_);
    drain(hold);
    flush_partial(hold);
}

bool OutputPipes::drain(FunctionLog::Hold& hold, size_t max_bytes) {
    bool full = false;
    char buf[16384];
    for (auto [fd, partial] :
         {std::pair{out_fd_, &out_partial_}, std::pair{err_fd_, &err_partial_}}) {
        // Bounded: a process that writes faster than the log takes it (a background `yes`)
        // must not keep the function's log lock, which every invocation's START and END need.
        for (size_t taken = 0; taken < max_bytes;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) break;
            taken += static_cast<size_t>(n);
            partial->append(buf, static_cast<size_t>(n));
            size_t start = 0;
            for (size_t nl; (nl = partial->find('\n', start)) != std::string::npos;
                 start = nl + 1) {
                hold.line(std::string_view(*partial).substr(start, nl - start));
            }
            partial->erase(0, start);
            if (partial->size() > 256 * 1024) {  // a line without end: cut it
                hold.line(*partial);
                partial->clear();
            }
            if (taken >= max_bytes) full = true;
        }
    }
    return full;
}

void OutputPipes::flush_partial(FunctionLog::Hold& hold) {
    for (auto* p : {&out_partial_, &err_partial_}) {
        if (!p->empty()) hold.line(*p);
        p->clear();
    }
}

}  // namespace kemu::lambda_runner
