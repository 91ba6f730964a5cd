#include "runtime_api_server.h"

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
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

RuntimeApiServer::~RuntimeApiServer() {
    stop();
}

std::string RuntimeApiServer::listen() {
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
    return {};
}

void RuntimeApiServer::start() {
    server_ = std::thread([this] { serve(); });
}

void RuntimeApiServer::stop() {
    if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
    if (server_.joinable()) server_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
}

void RuntimeApiServer::serve() {
    net::io_context ioc;
    while (!state_.closing) {
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
            for (int slice = 0; slice < 150 && ready == 0 && !state_.closing;
                 ++slice) {  // 150 × 200 ms
                ready = ::poll(&first, 1, 200);
                if (ready < 0 && errno == EINTR) ready = 0;
            }
            if (ready <= 0 || state_.closing) {
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
                // A response past the limit: 413, and the invocation fails with
                // Function.ResponseSizeTooLarge (docs/aws/lambda.md, Runtime API).
                reply(http::status::payload_too_large,
                      error_body("RequestEntityTooLarge",
                                 "Exceeded maximum allowed payload size (6291556 bytes)."));
                std::lock_guard lock(state_.mu);
                if (state_.current && state_.current->delivered) {
                    state_.finish(
                        {InvokeResult::Status::kFunctionError,
                         R"({"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"})",
                         "Function.ResponseSizeTooLarge", state_.current->request_id, 0});
                }
            } else if (ec) {
                continue;
            } else {
                auto& req = parser.get();
                target = std::string(req.target());
                const std::string base = "/2018-06-01/runtime/";
                if (req.method() == http::verb::get && target == base + "invocation/next") {
                    std::unique_lock lock(state_.mu);
                    if (!state_.initialized) {
                        state_.initialized = true;
                        state_.init_ms =
                            static_cast<double>(clock_.monotonic_us() - state_.started_us) / 1000.0;
                        state_.cv.notify_all();
                    }
                    state_.cv.wait(lock, [&] {
                        return state_.closing || (state_.current && !state_.current->delivered &&
                                                  !state_.current->done);
                    });
                    if (state_.closing) break;
                    state_.current->delivered = true;
                    res.result(http::status::ok);
                    res.set("Lambda-Runtime-Aws-Request-Id", state_.current->request_id);
                    res.set("Lambda-Runtime-Deadline-Ms",
                            std::to_string(state_.current->deadline_ms));
                    res.set("Lambda-Runtime-Invoked-Function-Arn", config_.arn);
                    res.set("Lambda-Runtime-Trace-Id",
                            "Root=1-" + hex_encode(random_bytes(4)) + "-" +
                                hex_encode(random_bytes(12)) +
                                ";Parent=" + hex_encode(random_bytes(8)) + ";Sampled=0");
                    res.body() = state_.current->event;
                } else if (req.method() == http::verb::post && target == base + "init/error") {
                    std::lock_guard lock(state_.mu);
                    state_.init_error = req.body();
                    state_.init_error_type = std::string(req["Lambda-Runtime-Function-Error-Type"]);
                    state_.cv.notify_all();
                    reply(http::status::accepted, R"({"status":"OK"})");
                } else if (req.method() == http::verb::post &&
                           target.starts_with(base + "invocation/")) {
                    auto rest = target.substr(base.size() + 11);
                    auto slash = rest.find('/');
                    std::string id = rest.substr(0, slash);
                    std::string what = slash == std::string::npos ? "" : rest.substr(slash + 1);
                    std::lock_guard lock(state_.mu);
                    if (!state_.current || state_.current->request_id != id ||
                        !state_.current->delivered) {
                        reply(http::status::bad_request,
                              error_body("InvalidRequestID", "Invalid request ID: \"" + id + "\""));
                    } else if (state_.current->done) {
                        reply(http::status::forbidden,
                              error_body("InvalidStateTransition",
                                         "State transition from Ready to ResponseSent failed"));
                    } else if (what == "response") {
                        state_.finish(
                            {InvokeResult::Status::kOk, std::move(req.body()), "", id, 0});
                        reply(http::status::accepted, R"({"status":"OK"})");
                    } else if (what == "error") {
                        std::string type(req["Lambda-Runtime-Function-Error-Type"]);
                        auto body = std::move(req.body());
                        if (auto j = nlohmann::json::parse(body, nullptr, false);
                            j.is_object() && j.contains("errorType") && j["errorType"].is_string())
                            type = j["errorType"].get<std::string>();
                        if (type.empty()) type = "Function.Unknown";
                        state_.finish(
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

}  // namespace kemu::lambda_runner
