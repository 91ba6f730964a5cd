#include "runtime_api_server.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <set>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/log.h"

namespace kemu::lambda_runner {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// How long one connection may take to send its request, and to take the answer. A runtime
// sends a whole request at once; one that stalls holds only its own connection, never /next.
constexpr auto kConnectionDeadline = std::chrono::seconds(30);

// RIE's limit for a response: 6 MiB + 100 bytes.
constexpr size_t kMaxResponseBytes = 6'291'556;

}  // namespace

std::string error_body(const std::string& type, const std::string& message) {
    nlohmann::ordered_json j;
    j["errorType"] = type;
    j["errorMessage"] = message;
    // The message may echo bytes a runtime sent (a request path): never throw on bad UTF-8.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

struct RuntimeApiServer::Impl {
    Impl(const FunctionConfig& c, RuntimeState& s, const Clock& k)
        : config(c), state(s), clock(k) {}
    const FunctionConfig& config;
    RuntimeState& state;
    const Clock& clock;
    std::set<net::steady_timer*> next_waiters;  // the /next requests that wait; io thread only
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};

    awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(kTuple);
            if (ec) {
                if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
                continue;  // e.g. EMFILE: the connections we have go on
            }
            net::co_spawn(ioc, session(std::move(socket)), [this](std::exception_ptr e) {
                // Nothing a runtime sends may end kemu: whatever throws costs that connection.
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& err) {
                    log_warn("lambda",
                             config.name + ": Runtime API request dropped: " + err.what());
                }
            });
        }
    }

    // One request, one answer, then the connection closes.
    awaitable<void> session(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        http::request_parser<http::string_body> parser;
        parser.body_limit(kMaxResponseBytes);
        stream.expires_after(kConnectionDeadline);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
        http::response<http::string_body> res{http::status::accepted, 11};
        res.set(http::field::content_type, "application/json");
        res.keep_alive(false);
        if (ec == http::error::body_limit) {
            // A response past the limit: 413, and the invocation fails with
            // Function.ResponseSizeTooLarge (docs/aws/lambda.md, Runtime API).
            res.result(http::status::payload_too_large);
            res.body() = error_body("RequestEntityTooLarge",
                                    "Exceeded maximum allowed payload size (6291556 bytes).");
            std::lock_guard lock(state.mu);
            if (state.current && state.current->delivered) {
                state.finish(
                    {InvokeResult::Status::kFunctionError,
                     R"({"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"})",
                     "Function.ResponseSizeTooLarge", state.current->request_id, 0});
            }
        } else if (ec) {
            co_return;  // gone, malformed, or past its deadline
        } else {
            auto& req = parser.get();
            const std::string base = "/2018-06-01/runtime/";
            if (req.method() == http::verb::get && req.target() == base + "invocation/next") {
                stream.expires_never();  // a long poll: it waits as long as the runtime is idle
                if (!co_await next_invocation(res)) co_return;  // closing
            } else {
                handle(req, res);
            }
        }
        res.prepare_payload();
        stream.expires_after(kConnectionDeadline);
        co_await http::async_write(stream, res, kTuple);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

    // /next: marks init done, then waits for the invocation and fills `res` with it; false once
    // the environment closes.
    awaitable<bool> next_invocation(http::response<http::string_body>& res) {
        net::steady_timer wake(ioc);
        for (;;) {
            {
                std::lock_guard lock(state.mu);
                if (!state.initialized) {
                    state.initialized = true;
                    state.init_ms =
                        static_cast<double>(clock.monotonic_us() - state.started_us) / 1000.0;
                    state.cv.notify_all();
                }
                if (state.closing) co_return false;
                if (state.current && !state.current->delivered && !state.current->done) {
                    auto& cur = *state.current;
                    cur.delivered = true;
                    res.result(http::status::ok);
                    res.set("Lambda-Runtime-Aws-Request-Id", cur.request_id);
                    res.set("Lambda-Runtime-Deadline-Ms", std::to_string(cur.deadline_ms));
                    res.set("Lambda-Runtime-Invoked-Function-Arn", config.arn);
                    res.set("Lambda-Runtime-Trace-Id",
                            "Root=1-" + hex_encode(random_bytes(4)) + "-" +
                                hex_encode(random_bytes(12)) +
                                ";Parent=" + hex_encode(random_bytes(8)) + ";Sampled=0");
                    res.body() = cur.event;
                    co_return true;
                }
            }
            // wake() and stop() cancel the timer from this thread, so no wake-up is lost
            // between the check above and the wait.
            wake.expires_at(net::steady_timer::time_point::max());
            next_waiters.insert(&wake);
            co_await wake.async_wait(kTuple);
            next_waiters.erase(&wake);
        }
    }

    void handle(http::request<http::string_body>& req, http::response<http::string_body>& res) {
        auto reply = [&](http::status st, std::string body) {
            res.result(st);
            res.body() = std::move(body);
        };
        const std::string target(req.target());
        const std::string base = "/2018-06-01/runtime/";
        if (req.method() == http::verb::post && target == base + "init/error") {
            std::lock_guard lock(state.mu);
            state.init_error = req.body();
            state.init_error_type = std::string(req["Lambda-Runtime-Function-Error-Type"]);
            state.cv.notify_all();
            reply(http::status::accepted, R"({"status":"OK"})");
        } else if (req.method() == http::verb::post && target.starts_with(base + "invocation/")) {
            auto rest = target.substr(base.size() + 11);
            auto slash = rest.find('/');
            std::string id = rest.substr(0, slash);
            std::string what = slash == std::string::npos ? "" : rest.substr(slash + 1);
            std::lock_guard lock(state.mu);
            if (!state.current || state.current->request_id != id || !state.current->delivered) {
                reply(http::status::bad_request,
                      error_body("InvalidRequestID", "Invalid request ID: \"" + id + "\""));
            } else if (state.current->done) {
                reply(http::status::forbidden,
                      error_body("InvalidStateTransition",
                                 "State transition from Ready to ResponseSent failed"));
            } else if (what == "response") {
                state.finish({InvokeResult::Status::kOk, std::move(req.body()), "", id, 0});
                reply(http::status::accepted, R"({"status":"OK"})");
            } else if (what == "error") {
                std::string type(req["Lambda-Runtime-Function-Error-Type"]);
                auto body = std::move(req.body());
                if (auto j = nlohmann::json::parse(body, nullptr, false);
                    j.is_object() && j.contains("errorType") && j["errorType"].is_string())
                    type = j["errorType"].get<std::string>();
                if (type.empty()) type = "Function.Unknown";
                state.finish({InvokeResult::Status::kFunctionError, std::move(body), type, id, 0});
                reply(http::status::accepted, R"({"status":"OK"})");
            } else {
                reply(http::status::not_found, error_body("NotFound", "no such path"));
            }
        } else {
            reply(http::status::not_found, error_body("NotFound", "no such path: " + target));
        }
    }
};

RuntimeApiServer::RuntimeApiServer(const FunctionConfig& config, RuntimeState& state,
                                   const Clock& clock)
    : impl_(std::make_unique<Impl>(config, state, clock)) {}

RuntimeApiServer::~RuntimeApiServer() {
    stop();
}

std::string RuntimeApiServer::listen() {
    // Made by hand for SOCK_CLOEXEC; the supervisor's start closes every inherited fd anyway.
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::string("cannot create a socket: ") + std::strerror(errno);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
        std::string err = std::string("cannot listen on 127.0.0.1: ") + std::strerror(errno);
        ::close(fd);
        return err;
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    beast::error_code ec;
    impl_->acceptor.assign(tcp::v4(), fd, ec);
    if (ec) {
        ::close(fd);
        return "cannot listen on 127.0.0.1: " + ec.message();
    }
    return {};
}

void RuntimeApiServer::start() {
    net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
    server_ = std::thread([this] { impl_->ioc.run(); });
}

void RuntimeApiServer::wake() {
    net::post(impl_->ioc, [impl = impl_.get()] {
        for (auto* t : impl->next_waiters)
            t->cancel();
    });
}

void RuntimeApiServer::stop() {
    // Connections still open (a /next that waits, a client mid-request) end with the
    // io_context, when the server is destroyed.
    impl_->ioc.stop();
    if (server_.joinable()) server_.join();
    beast::error_code ec;
    impl_->acceptor.close(ec);
}

}  // namespace kemu::lambda_runner
