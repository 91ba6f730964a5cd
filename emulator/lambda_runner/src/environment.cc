#include "environment.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/log.h"

extern char** environ;

namespace kemu::lambda {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// RIE's limit for a response: 6 MiB + 100 bytes.
constexpr size_t kMaxResponseBytes = 6'291'556;

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t steady_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string iso_now() {
    return iso8601_ms(now_ms());
}

// YYYY/MM/DD/[$LATEST]<32 hex>
std::string make_log_stream() {
    std::time_t secs = now_ms() / 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d/%02d/%02d/", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return std::string(buf) + "[$LATEST]" + hex_encode(random_bytes(16));
}

std::string execution_env(const std::string& runtime) {
    if (runtime.starts_with("provided")) return {};
    return "AWS_Lambda_" + runtime;
}

std::string fmt2(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string error_body(const std::string& type, const std::string& message) {
    nlohmann::ordered_json j;
    j["errorType"] = type;
    j["errorMessage"] = message;
    // The message may echo bytes a runtime sent (a request path): never throw on bad UTF-8.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Every fork happens on this one thread, which lives as long as kemu. PR_SET_PDEATHSIG fires
// when the *thread* that forked exits, not the process: forking from a lane or a replay thread
// would SIGKILL a warm environment, shared through the pool, the moment that thread ended.
class Spawner {
public:
    static Spawner& get() {
        static Spawner s;
        return s;
    }
    // Runs `fork_fn` (which forks and returns the child's pid, or -1 with errno) on the
    // spawner thread; errno is carried back.
    pid_t run(const std::function<pid_t()>& fork_fn) {
        Job job{&fork_fn};
        std::unique_lock lock(mu_);
        jobs_.push_back(&job);
        cv_.notify_all();
        done_cv_.wait(lock, [&] { return job.done; });
        errno = job.err;
        return job.pid;
    }
    ~Spawner() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    struct Job {
        const std::function<pid_t()>* fn;
        pid_t pid = -1;
        int err = 0;
        bool done = false;
    };
    Spawner() : thread_([this] { loop(); }) {}
    void loop() {
        std::unique_lock lock(mu_);
        for (;;) {
            cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            Job* job = jobs_.front();
            jobs_.pop_front();
            lock.unlock();
            pid_t pid = (*job->fn)();
            int err = errno;
            lock.lock();
            job->pid = pid;
            job->err = err;
            job->done = true;
            done_cv_.notify_all();
        }
    }
    std::mutex mu_;
    std::condition_variable cv_, done_cv_;
    std::deque<Job*> jobs_;
    bool stop_ = false;
    std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

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

Environment::Environment(const FunctionConfig& config, FunctionLog& log)
    : config_(config), log_(log) {}

Environment::~Environment() {
    closing_ = true;
    {
        std::lock_guard lock(mu_);
        cv_.notify_all();
    }
    kill_process();
    if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
    if (server_.joinable()) server_.join();
    if (reader_.joinable()) reader_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (out_fd_ >= 0) ::close(out_fd_);
    if (err_fd_ >= 0) ::close(err_fd_);
    if (pid_ > 0 && !exited_) {
        // Collect the child (SIGKILLed above), so no zombie is left behind.
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        exited_ = true;
    }
}

std::string Environment::start(const std::string& tmp_dir) {
    // The Runtime API listener.
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) return std::string("cannot create a socket: ") + std::strerror(errno);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0)
        return std::string("cannot listen on 127.0.0.1: ") + std::strerror(errno);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);

    log_stream_ = make_log_stream();
    tmp_ = tmp_dir;
    std::error_code ec;
    std::filesystem::create_directories(tmp_, ec);

    // Environment variables (spec §4.4); no emulator-only ones.
    std::map<std::string, std::string> env;
    for (const char* keep : {"PATH", "LD_LIBRARY_PATH", "HOME", "USER", "SYSTEMROOT"}) {
        if (const char* v = std::getenv(keep)) env[keep] = v;
    }
    env["_HANDLER"] = config_.handler;
    env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + std::to_string(port_);
    env["LAMBDA_TASK_ROOT"] = config_.code_dir;
    env["LAMBDA_RUNTIME_DIR"] =
        config_.command.size() > 1
            ? std::filesystem::path(config_.command[1]).parent_path().string()
            : config_.code_dir;
    env["AWS_REGION"] = config_.region;
    env["AWS_DEFAULT_REGION"] = config_.region;
    if (auto e = execution_env(config_.runtime); !e.empty()) env["AWS_EXECUTION_ENV"] = e;
    env["AWS_LAMBDA_FUNCTION_NAME"] = config_.name;
    env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(config_.memory_mb);
    env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
    env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
    env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + config_.name;
    env["AWS_LAMBDA_LOG_STREAM_NAME"] = log_stream_;
    env["AWS_ACCESS_KEY_ID"] = "ASIAKEMULOCALEXAMPLE";
    env["AWS_ACCESS_KEY"] = "ASIAKEMULOCALEXAMPLE";
    env["AWS_SECRET_ACCESS_KEY"] = "kemu-local-secret-access-key";
    env["AWS_SESSION_TOKEN"] = "kemu-local-session-token";
    env["TZ"] = ":UTC";
    env["LANG"] = "en_US.UTF-8";
    env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR";
    env["AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.1:2000";
    env["_AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.1";
    env["_AWS_XRAY_DAEMON_PORT"] = "2000";
    env["TMPDIR"] = tmp_;
    env["PYTHONUNBUFFERED"] = "1";
    env["PYTHONDONTWRITEBYTECODE"] = "1";
    for (const auto& [k, v] : config_.environment)
        env[k] = v;

    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env)
        env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = config_.command;
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string cwd = config_.code_dir;

    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        return std::string("pipe: ") + std::strerror(errno);
    }
    started_ms_ = now_ms();
    pid_t parent = ::getpid();
    pid_t pid = Spawner::get().run([&]() -> pid_t {
        pid_t forked = ::fork();
        if (forked != 0) return forked;
        // Child: only async-signal-safe calls until exec.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // kemu killed with -9: take the runtime along
        if (::getppid() != parent) ::_exit(127);
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        if (::chdir(cwd.c_str()) != 0) ::_exit(126);
        ::execve(argv[0], argv.data(), envp.data());
        const char msg[] = "kemu: cannot start the runtime\n";
        ssize_t n = ::write(2, msg, sizeof msg - 1);
        (void)n;
        ::_exit(127);
    });
    if (pid < 0) {
        int err = errno;
        for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
            ::close(fd);
        return std::string("fork: ") + std::strerror(err);
    }
    pid_ = pid;
    ::setpgid(pid, pid);  // also from the parent, so kill(-pid) works at once
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    ::fcntl(out_fd_, F_SETFL, O_NONBLOCK);
    ::fcntl(err_fd_, F_SETFL, O_NONBLOCK);
    server_ = std::thread([this] { serve(); });
    reader_ = std::thread([this] { read_output(); });
    return {};
}

void Environment::kill_process() {
    if (pid_ > 0 && !exited_) ::kill(-pid_, SIGKILL);
}

std::optional<int> Environment::reap() {
    if (pid_ <= 0) return std::nullopt;
    if (exited_) return exit_status_;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exited_ = true;
        exit_status_ = status;
        ::kill(-pid_, SIGKILL);  // leftovers of its group
        return status;
    }
    return std::nullopt;
}

bool Environment::alive() {
    std::lock_guard lock(mu_);
    return !reap() && !init_error_ && !closing_;
}

namespace {

// A "VmRSS:"-style field of /proc/<pid>/status, in kB; 0 when the process is gone.
int64_t status_kb(pid_t pid, const char* field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    size_t n = std::strlen(field);
    while (std::getline(in, line)) {
        if (line.compare(0, n, field) == 0) return std::strtoll(line.c_str() + n + 1, nullptr, 10);
    }
    return 0;
}

}  // namespace

int64_t Environment::rss_kb(const char* field) const {
    return status_kb(pid_, field);
}

// The environment's memory is the runtime's process group (spec §4.6: a limit on the whole
// environment): a handler's subprocesses count. This walks /proc, so it is called a few times
// a second, not on every poll.
int64_t Environment::group_kb(const char* field) {
    if (pid_ <= 0) return 0;
    int64_t total = 0;
    int members = 0;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name[0] < '0' || name[0] > '9') continue;
        std::ifstream in(it->path() / "stat");
        std::string stat;
        if (!std::getline(in, stat)) continue;
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        char state = 0;
        long ppid = 0, pgrp = 0;
        if (std::sscanf(stat.c_str() + close + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3)
            continue;
        if (pgrp != pid_) continue;
        ++members;
        total += status_kb(static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10)), field);
    }
    if (members > 1) group_has_others_ = true;
    return total;
}

// Function output, line by line, into the log. The invoker drains the pipes under the same
// lock before writing END, so a handler's prints always come before its END line.
void Environment::read_output() {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    int open = 2;
    while (open > 0 && !closing_) {
        int r = ::poll(fds, 2, 200);
        if (r < 0 && errno != EINTR) break;
        if (r <= 0) continue;
        std::unique_lock lock(log_.mutex());
        if (drain_output_locked(size_t{64} << 10)) {
            // A full bite: more is waiting. Step aside for a moment, so an invoker waiting for
            // the log lock (START, END) gets it; std::mutex is not fair.
            lock.unlock();
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
    std::lock_guard lock(log_.mutex());
    drain_output_locked();
    flush_partial_locked();
}

bool Environment::drain_output_locked(size_t max_bytes) {
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
                log_.line_locked(std::string_view(*partial).substr(start, nl - start));
            }
            partial->erase(0, start);
            if (partial->size() > 256 * 1024) {  // a line without end: cut it
                log_.line_locked(*partial);
                partial->clear();
            }
            if (taken >= max_bytes) full = true;
        }
    }
    return full;
}

void Environment::flush_partial_locked() {
    for (auto* p : {&out_partial_, &err_partial_}) {
        if (!p->empty()) log_.line_locked(*p);
        p->clear();
    }
}

void Environment::finish(InvokeResult r) {
    if (!current_ || current_->done) return;
    current_->result = std::move(r);
    current_->done = true;
    cv_.notify_all();
}

void Environment::serve() {
    net::io_context ioc;
    while (!closing_) {
        // Nothing a runtime sends may end kemu: whatever throws costs that one connection.
        try {
            int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR) continue;
                break;  // shut down
            }
            // A runtime that connects and says nothing must not hold the listener: wait up to 30 s
            // for its first bytes (SO_RCVTIMEO would not do: Asio's synchronous read retries
            // EAGAIN).
            pollfd first{fd, POLLIN, 0};
            int ready = 0;
            for (int slice = 0; slice < 150 && ready == 0 && !closing_; ++slice) {  // 150 × 200 ms
                ready = ::poll(&first, 1, 200);
                if (ready < 0 && errno == EINTR) ready = 0;
            }
            if (ready <= 0 || closing_) {
                ::close(fd);
                continue;
            }
            tcp::socket sock(ioc, tcp::v4(), fd);
            beast::flat_buffer buffer;
            http::request_parser<http::string_body> parser;
            parser.body_limit(kMaxResponseBytes);
            beast::error_code ec;
            http::read(sock, buffer, parser, ec);
            http::response<http::string_body> res{http::status::accepted, 11};
            res.set(http::field::content_type, "application/json");
            res.keep_alive(false);
            auto reply = [&](http::status st, std::string body) {
                res.result(st);
                res.body() = std::move(body);
            };
            std::string target;
            if (ec == http::error::body_limit) {
                // §4.1: the invocation fails with Function.ResponseSizeTooLarge.
                reply(http::status::payload_too_large,
                      error_body("RequestEntityTooLarge",
                                 "Exceeded maximum allowed payload size (6291556 bytes)."));
                std::lock_guard lock(mu_);
                if (current_ && current_->delivered) {
                    finish(
                        {InvokeResult::Status::kFunctionError,
                         R"({"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"})",
                         "Function.ResponseSizeTooLarge", current_->request_id, 0});
                }
            } else if (ec) {
                continue;
            } else {
                auto& req = parser.get();
                target = std::string(req.target());
                const std::string base = "/2018-06-01/runtime/";
                if (req.method() == http::verb::get && target == base + "invocation/next") {
                    std::unique_lock lock(mu_);
                    if (!initialized_) {
                        initialized_ = true;
                        init_ms_ = static_cast<double>(now_ms() - started_ms_);
                        cv_.notify_all();
                    }
                    cv_.wait(lock, [&] {
                        return closing_ || (current_ && !current_->delivered && !current_->done);
                    });
                    if (closing_) break;
                    current_->delivered = true;
                    res.result(http::status::ok);
                    res.set("Lambda-Runtime-Aws-Request-Id", current_->request_id);
                    res.set("Lambda-Runtime-Deadline-Ms", std::to_string(current_->deadline_ms));
                    res.set("Lambda-Runtime-Invoked-Function-Arn", config_.arn);
                    res.set("Lambda-Runtime-Trace-Id",
                            "Root=1-" + hex_encode(random_bytes(4)) + "-" +
                                hex_encode(random_bytes(12)) +
                                ";Parent=" + hex_encode(random_bytes(8)) + ";Sampled=0");
                    res.body() = current_->event;
                } else if (req.method() == http::verb::post && target == base + "init/error") {
                    std::lock_guard lock(mu_);
                    init_error_ = req.body();
                    init_error_type_ = std::string(req["Lambda-Runtime-Function-Error-Type"]);
                    cv_.notify_all();
                    reply(http::status::accepted, R"({"status":"OK"})");
                } else if (req.method() == http::verb::post &&
                           target.starts_with(base + "invocation/")) {
                    auto rest = target.substr(base.size() + 11);
                    auto slash = rest.find('/');
                    std::string id = rest.substr(0, slash);
                    std::string what = slash == std::string::npos ? "" : rest.substr(slash + 1);
                    std::lock_guard lock(mu_);
                    if (!current_ || current_->request_id != id || !current_->delivered) {
                        reply(http::status::bad_request,
                              error_body("InvalidRequestID", "Invalid request ID: \"" + id + "\""));
                    } else if (current_->done) {
                        reply(http::status::forbidden,
                              error_body("InvalidStateTransition",
                                         "State transition from Ready to ResponseSent failed"));
                    } else if (what == "response") {
                        finish({InvokeResult::Status::kOk, std::move(req.body()), "", id, 0});
                        reply(http::status::accepted, R"({"status":"OK"})");
                    } else if (what == "error") {
                        std::string type(req["Lambda-Runtime-Function-Error-Type"]);
                        auto body = std::move(req.body());
                        if (auto j = nlohmann::json::parse(body, nullptr, false);
                            j.is_object() && j.contains("errorType") && j["errorType"].is_string())
                            type = j["errorType"].get<std::string>();
                        if (type.empty()) type = "Function.Unknown";
                        finish(
                            {InvokeResult::Status::kFunctionError, std::move(body), type, id, 0});
                        reply(http::status::accepted, R"({"status":"OK"})");
                    } else {
                        reply(http::status::not_found, error_body("NotFound", "no such path"));
                    }
                } else {
                    reply(http::status::not_found,
                          error_body("NotFound", "no such path: " + target));
                }
            }
            res.prepare_payload();
            http::write(sock, res, ec);
            sock.shutdown(tcp::socket::shutdown_both, ec);
            sock.close(ec);
        } catch (const std::exception& e) {
            log_warn("lambda", config_.name + ": Runtime API request dropped: " + e.what());
        }
    }
}

InvokeResult Environment::invoke(const std::string& event, bool* reset) {
    *reset = false;
    const auto request_id = uuid_v4();
    const int64_t timeout_ms = int64_t{config_.timeout_s} * 1000;
    std::unique_lock lock(mu_);
    bool cold = first_invocation_;
    first_invocation_ = false;
    auto fail = [&](const std::string& type, const std::string& message, bool is_reset) {
        *reset = is_reset;
        InvokeResult r;
        r.status = InvokeResult::Status::kFunctionError;
        r.error_type = type;
        r.request_id = request_id;
        r.payload = error_body(type, message);
        return r;
    };
    auto exit_message = [&]() -> std::string {
        if (WIFSIGNALED(exit_status_)) {
            return WTERMSIG(exit_status_) == SIGKILL
                       ? "Runtime exited with error: signal: killed"
                       : "Runtime exited with error: signal: " +
                             std::string(strsignal(WTERMSIG(exit_status_)));
        }
        int code = WEXITSTATUS(exit_status_);
        return code == 0 ? "Runtime exited without providing a reason"
                         : "Runtime exited with error: exit status " + std::to_string(code);
    };

    // Init: until the runtime's first /next. Bounded by 10 s, then by the function timeout.
    int64_t init_start = now_ms();
    while (!initialized_) {
        if (init_error_) {
            *reset = true;
            InvokeResult r;
            r.status = InvokeResult::Status::kFunctionError;
            r.payload = *init_error_;
            auto j = nlohmann::json::parse(*init_error_, nullptr, false);
            r.error_type = j.is_object() && j.contains("errorType") && j["errorType"].is_string()
                               ? j["errorType"].get<std::string>()
                               : (init_error_type_.empty() ? "Runtime.Unknown" : init_error_type_);
            r.request_id = request_id;
            lock.unlock();
            log_.line(
                "INIT_REPORT Init Duration: " + fmt2(static_cast<double>(now_ms() - started_ms_)) +
                " ms\tPhase: init\tStatus: error\tError Type: " + r.error_type);
            return r;
        }
        if (reap()) {
            auto msg = exit_message();
            lock.unlock();
            return fail("Runtime.ExitError", "RequestId: " + request_id + " Error: " + msg, true);
        }
        if (rss_kb("VmRSS:") > int64_t{config_.memory_mb} * 1024) {
            // Module-level code past the memory limit: killed, as in an invocation.
            lock.unlock();
            kill_process();
            return fail(
                "Runtime.OutOfMemory",
                "RequestId: " + request_id + " Error: Runtime exited with error: signal: killed",
                true);
        }
        if (now_ms() - init_start > config_.init_limit_ms + timeout_ms) {
            lock.unlock();
            kill_process();
            return fail("Sandbox.Timedout",
                        "RequestId: " + request_id + " Error: Task timed out after " +
                            fmt2(config_.timeout_s) + " seconds",
                        true);
        }
        cv_.wait_for(lock, std::chrono::milliseconds(20));
    }

    current_ = std::make_unique<Invocation>();
    current_->request_id = request_id;
    current_->event = event;
    int64_t dispatch = now_ms();
    current_->deadline_ms = dispatch + timeout_ms;
    int64_t t0 = steady_us();
    lock.unlock();
    {
        std::lock_guard l(log_.mutex());
        drain_output_locked();  // init output before START
        log_.line_locked("START RequestId: " + request_id + " Version: $LATEST");
    }
    lock.lock();
    cv_.notify_all();

    int64_t limit_kb = int64_t{config_.memory_mb} * 1024;
    bool timed_out = false, oom = false;
    // The timeout is measured on the same steady clock as the REPORT's Duration, so a timed-out
    // invocation never reports less than its timeout (the wall-clock deadline is whole ms).
    const int64_t timeout_us = timeout_ms * 1000;
    for (int polls = 0; !current_->done; ++polls) {
        int64_t left_us = timeout_us - (steady_us() - t0);
        cv_.wait_for(lock, std::chrono::microseconds(std::clamp<int64_t>(left_us, 0, 20'000)));
        if (current_->done) break;
        if (reap()) break;
        // The runtime itself every poll; with its subprocesses every ~250 ms.
        int64_t used_kb = polls % 12 == 11 ? group_kb("VmRSS:") : rss_kb("VmRSS:");
        if (used_kb > limit_kb) {
            oom = true;
            kill_process();
            break;
        }
        if (steady_us() - t0 >= timeout_us) {
            timed_out = true;
            kill_process();
            break;
        }
    }
    int64_t duration_us = steady_us() - t0;
    // The group walk reads /proc: only when a periodic check has seen subprocesses, not on
    // every short invocation (a warm one costs ~0.5 ms in all).
    int64_t peak_kb =
        group_has_others_ ? std::max(rss_kb("VmHWM:"), group_kb("VmHWM:")) : rss_kb("VmHWM:");
    InvokeResult result;
    std::string extra_log;
    if (current_->done) {
        result = std::move(current_->result);
    } else if (timed_out) {
        result = fail("Sandbox.Timedout",
                      "RequestId: " + request_id + " Error: Task timed out after " +
                          fmt2(config_.timeout_s) + " seconds",
                      true);
        extra_log = iso_now() + " " + request_id + " Task timed out after " +
                    fmt2(config_.timeout_s) + " seconds";
    } else if (oom) {
        result = fail(
            "Runtime.OutOfMemory",
            "RequestId: " + request_id + " Error: Runtime exited with error: signal: killed", true);
        peak_kb = limit_kb;
    } else {
        reap();
        result = fail("Runtime.ExitError", "RequestId: " + request_id + " Error: " + exit_message(),
                      true);
    }
    result.request_id = request_id;
    result.duration_us = duration_us;
    current_.reset();
    double init = init_ms_;
    lock.unlock();
    if (timed_out || oom) {
        // Wait briefly for the killed runtime so its last output reaches the log.
        for (int i = 0; i < 50 && !alive_check_exited(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    {
        std::lock_guard l(log_.mutex());
        drain_output_locked();
        flush_partial_locked();
        if (!extra_log.empty()) log_.line_locked(extra_log);
        double ms = static_cast<double>(duration_us) / 1000.0;
        std::string report =
            "REPORT RequestId: " + request_id + "\tDuration: " + fmt2(ms) +
            " ms\tBilled Duration: " + std::to_string(static_cast<int64_t>(std::ceil(ms))) +
            " ms\tMemory Size: " + std::to_string(config_.memory_mb) +
            " MB\tMax Memory Used: " + std::to_string((peak_kb + 1023) / 1024) + " MB";
        if (cold) report += "\tInit Duration: " + fmt2(init) + " ms";
        log_.line_locked("END RequestId: " + request_id);
        log_.line_locked(report);
    }
    return result;
}

}  // namespace kemu::lambda
