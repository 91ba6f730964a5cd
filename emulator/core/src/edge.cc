#include "core/edge.h"

#include <array>
#include <atomic>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/encoding.h"
#include "core/log.h"
#include "edge_h2.h"

namespace kemu {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
constexpr auto kTuple = net::as_tuple(use_awaitable);

// Bytes that are not HTTP/1.1 (a bad method, field, length or chunk) get a 400 and the
// connection closes, as AWS's front ends do; a client that merely went away gets nothing.
bool malformed(const beast::error_code& ec) {
    if (!ec || ec.category() != http::make_error_code(http::error::bad_method).category())
        return false;
    return ec != http::error::end_of_stream && ec != http::error::partial_message &&
           ec != http::error::short_read && ec != http::error::need_more &&
           ec != http::error::need_buffer;
}

// 1xx, 204 and 304 responses never carry a body (RFC 9110 6.4.1).
bool bodiless(int status) {
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

// The status line and header fields of a response whose body follows as it is. Beast's
// serializer did this before; its buffer sequences were a sixth of PutRecord's instructions
// (callgrind, bench/README.md). As Beast's prepare_payload and keep_alive did: Content-Length
// is the body's size (none for a bodiless status), "Connection: close" when the connection
// ends after it, and the handler's own Content-Length, Transfer-Encoding and Connection fields
// give way to these.
std::string response_head(const HttpResponse& out, bool keep_alive) {
    std::string head;
    head.reserve(192 + out.headers.size() * 48);
    head += "HTTP/1.1 ";
    head += std::to_string(out.status);
    head += ' ';
    auto reason = http::obsolete_reason(static_cast<http::status>(out.status));
    head.append(reason.data(), reason.size());
    head += "\r\n";
    bool has_date = false;
    for (const auto& h : out.headers) {
        if (beast::iequals(h.name, "Content-Length") ||
            beast::iequals(h.name, "Transfer-Encoding") || beast::iequals(h.name, "Connection"))
            continue;
        has_date = has_date || beast::iequals(h.name, "Date");
        head += h.name;
        head += ": ";
        head += h.value;
        head += "\r\n";
    }
    if (!has_date) {
        head += "Date: ";
        head += http_date_now();
        head += "\r\n";
    }
    if (!bodiless(out.status)) {
        head += "Content-Length: ";
        head += std::to_string(out.body.size());
        head += "\r\n";
    }
    if (!keep_alive) head += "Connection: close\r\n";
    head += "\r\n";
    return head;
}

HttpResponse not_found(const HttpRequest& req) {
    HttpResponse r;
    r.status = 404;
    r.set_header("Content-Type", "application/json");
    r.body = R"({"message":"kemu has no service at )" + std::string(req.path()) + R"("})";
    return r;
}

int thread_count(const EdgeOptions& o) {
    int n = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
    return n < 1 ? 1 : n;
}

// One io_context per listener thread, each run by that thread alone (concurrency hint 1: its
// handlers run without the scheduler's cross-thread wake-ups). A connection is accepted onto one
// of them, round-robin, and stays there: its reads, handler call and writes never hop threads.
// contexts[0] also runs the acceptor, the signals and the timers.
std::vector<std::unique_ptr<net::io_context>> make_contexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < n; ++i)
        out.push_back(std::make_unique<net::io_context>(1));
    return out;
}

}  // namespace

struct EdgeServer::Impl {
    EdgeOptions options;
    std::vector<std::shared_ptr<RequestHandler>> handlers;
    std::vector<std::unique_ptr<net::io_context>> contexts;
    net::io_context& ioc;  // contexts[0]
    // Keep contexts[1..] running while they have no connection; released by begin_stop().
    std::vector<net::executor_work_guard<net::io_context::executor_type>> worker_guards;
    // Keeps contexts[0] (timers, Scheduler tasks) running until every other context has ended,
    // so a session still finishing elsewhere can schedule on it. Touched on contexts[0] only.
    std::optional<net::executor_work_guard<net::io_context::executor_type>> main_guard;
    std::atomic<int> pending_releases{0};
    size_t next_context = 0;  // accept loop only
    tcp::acceptor acceptor{ioc};
    // The accept loop and the acceptor's close at stop run here, one at a time (TSan saw
    // close() on one thread race async_accept's start on another).
    net::strand<net::io_context::executor_type> accept_strand{ioc.get_executor()};
    net::signal_set signals{ioc, SIGINT, SIGTERM};
    std::atomic<bool> stopping{false};
    net::strand<net::io_context::executor_type> timer_strand{ioc.get_executor()};
    std::vector<std::shared_ptr<net::steady_timer>> timers;  // guarded by sessions_mu

    // Connections waiting for a request (not in the middle of one), so that stop() can close
    // them without cutting a request short.
    std::mutex sessions_mu;
    uint64_t next_session = 0;
    struct SessionEntry {
        beast::tcp_stream* stream;
        // In the middle of a request. Written by the session's own thread without the lock
        // (twice a request: a global lock there was a cross-thread hand-off per request).
        const std::atomic<bool>* busy;
        // Set while the connection cannot simply be cancelled (HTTP/2, an event stream): how
        // to end it gracefully. Called from any thread.
        std::function<void()> on_stop;
    };
    std::unordered_map<uint64_t, SessionEntry> sessions;

    // Scheduler tasks not yet run, so that stop() can run them early.
    std::set<std::shared_ptr<net::steady_timer>> pending_tasks;  // guarded by sessions_mu
    struct TaskScheduler final : Scheduler {
        explicit TaskScheduler(Impl* i) : impl_(i) {}
        void after(int64_t delay_ms, std::function<void(bool)> fn) override;
        Impl* impl_;
    };
    TaskScheduler scheduler{this};

    Impl(EdgeOptions o, std::vector<std::shared_ptr<RequestHandler>> h)
        : options(std::move(o)),
          handlers(std::move(h)),
          contexts(make_contexts(thread_count(options))),
          ioc(*contexts[0]) {}

    // Called once by begin_stop() (on contexts[0]) and once by each other context's thread as
    // it ends: the last call lets contexts[0] end too.
    void release_one() {
        if (pending_releases.fetch_sub(1) != 1) return;
        net::post(ioc, [this] { main_guard.reset(); });
    }

    RequestHandler* find_handler(const HttpRequest& req) {
        for (auto& h : handlers) {
            if (h->matches(req)) return h.get();
        }
        return nullptr;
    }

    // One answer, given at once or later. The session waits on `timer` only if the answer was
    // not given before handle() returned; `respond` then wakes it through the session's strand.
    struct Pending {
        std::mutex mu;
        std::optional<HttpResponse> out;
        std::optional<net::steady_timer> timer;  // made only when the session has to wait
    };

    // Calls the handler; an exception becomes the adapter's own internal error.
    static void call(RequestHandler* h, const HttpRequest& req, const Respond& respond) {
        try {
            h->handle(req, respond);
        } catch (const std::exception& e) {
            log_error("edge", std::string("request failed: ") + e.what());
            respond(h->internal_error(req));
        }
    }

    awaitable<HttpResponse> dispatch(RequestHandler* h, const HttpRequest& req) {
        if (!h) co_return not_found(req);
        auto p = std::make_shared<Pending>();
        Respond respond = [p](HttpResponse r) {
            std::lock_guard lock(p->mu);
            if (p->out) return;  // answered already: a second call is a bug, but not a crash
            p->out = std::move(r);
            if (p->timer) net::post(p->timer->get_executor(), [p] { p->timer->cancel(); });
        };
        call(h, req, respond);
        auto ex = co_await net::this_coro::executor;
        {
            std::lock_guard lock(p->mu);
            if (p->out) co_return std::move(*p->out);
            p->timer.emplace(ex, net::steady_timer::time_point::max());
        }
        // The cancel is posted to this strand, so it runs only after this wait has begun.
        co_await p->timer->async_wait(kTuple);
        std::lock_guard lock(p->mu);
        if (p->out) co_return std::move(*p->out);
        co_return h->internal_error(req);
    }

    // Returns false when the server is already stopping (the hook is then not kept).
    bool set_on_stop(uint64_t id, std::function<void()> fn) {
        std::lock_guard lock(sessions_mu);
        sessions[id].on_stop = std::move(fn);
        return !stopping;
    }

    // Serves one HTTP/2 request: the same handlers, the same catch-all, answers from any thread.
    void serve_h2(HttpRequest req, std::function<void(HttpResponse)> done) {
        RequestHandler* h = find_handler(req);
        if (!h) return done(not_found(req));
        auto once = std::make_shared<std::atomic<bool>>(false);
        Respond respond = [once, done = std::move(done)](HttpResponse r) {
            if (once->exchange(true)) return;  // a second answer is a bug, not a crash
            done(std::move(r));
        };
        call(h, req, respond);
    }

    // Reads until the first bytes tell HTTP/2's preface from anything else. Returns nullopt
    // when the connection ended or stalled first.
    awaitable<std::optional<bool>> sniff_h2(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
        const auto preface = detail::kH2Preface;
        stream.expires_after(std::chrono::seconds(10));
        for (;;) {
            auto data = buffer.data();
            std::string_view got(static_cast<const char*>(data.data()), data.size());
            size_t n = std::min(got.size(), preface.size());
            if (got.substr(0, n) != preface.substr(0, n)) co_return false;
            if (n == preface.size()) co_return true;
            auto [ec, read] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
            if (ec) co_return std::nullopt;
            buffer.commit(read);
        }
    }

    awaitable<void> serve_h2_connection(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                        std::string remote, uint64_t id) {
        auto data = buffer.data();
        std::string prefix(static_cast<const char*>(data.data()), data.size());
        stream.expires_never();
        detail::H2Limits limits;
        limits.max_body_bytes = options.max_body_bytes;
        limits.max_header_bytes = options.max_header_bytes;
        auto conn = detail::make_h2_connection(
            stream.release_socket(), std::move(prefix), std::move(remote), limits,
            [this](HttpRequest req, std::function<void(HttpResponse)> done) {
                serve_h2(std::move(req), std::move(done));
            });
        std::weak_ptr<detail::H2Connection> weak = conn;
        if (!set_on_stop(id, [weak] { detail::shutdown_h2(weak); })) detail::shutdown_h2(weak);
        co_await detail::run_h2(std::move(conn));
    }

    // An event stream over HTTP/1.1: the head, one chunk per piece, the last chunk, then close.
    // The client going away (EOF on the socket) cancels the source.
    awaitable<void> write_stream_h1(beast::tcp_stream& stream, HttpResponse& out, uint64_t id) {
        auto source = std::move(out.stream);
        http::response<http::empty_body> res{static_cast<http::status>(out.status), 11};
        for (auto& h : out.headers) {
            if (beast::iequals(h.name, "Content-Length") ||
                beast::iequals(h.name, "Transfer-Encoding") || beast::iequals(h.name, "Connection"))
                continue;
            res.insert(h.name, h.value);
        }
        if (res.find(http::field::date) == res.end()) res.set(http::field::date, http_date_now());
        res.chunked(true);
        res.keep_alive(false);
        http::response_serializer<http::empty_body> sr{res};
        stream.expires_after(std::chrono::seconds(60));
        auto [hec, hn] = co_await http::async_write_header(stream, sr, kTuple);
        if (hec) {
            source->cancel(false);
            co_return;
        }
        struct Wake {
            explicit Wake(net::any_io_executor ex) : timer(std::move(ex)) {}
            bool woken = false;
            net::steady_timer timer;
        };
        auto w = std::make_shared<Wake>(co_await net::this_coro::executor);
        auto poke = [weak = std::weak_ptr<Wake>(w)] {
            if (auto p = weak.lock()) {
                net::post(p->timer.get_executor(), [p] {
                    p->woken = true;
                    p->timer.cancel();
                });
            }
        };
        set_on_stop(id, poke);
        beast::error_code nbec;
        stream.socket().non_blocking(true, nbec);  // the EOF probe below must never block
        source->start(poke);
        using namespace net::experimental::awaitable_operators;
        for (;;) {
            if (stopping) {
                source->cancel(true);
                break;
            }
            auto p = source->pull();
            if (p.kind == BodySource::Piece::kEnd) break;
            if (p.kind == BodySource::Piece::kData) {
                if (p.bytes.empty()) continue;
                stream.expires_after(std::chrono::seconds(60));
                auto [wec, wn] = co_await net::async_write(
                    stream, http::make_chunk(net::buffer(p.bytes)), kTuple);
                if (wec) {
                    source->cancel(false);
                    co_return;
                }
                continue;
            }
            if (w->woken) {
                w->woken = false;
                continue;
            }
            w->timer.expires_after(p.wait_ms >= 0 ? std::chrono::milliseconds(p.wait_ms)
                                                  : std::chrono::hours(24));
            auto r = co_await (w->timer.async_wait(kTuple) ||
                               stream.socket().async_wait(tcp::socket::wait_read, kTuple));
            w->woken = false;
            if (r.index() == 1) {
                // Readable while we only write: EOF or a reset means the client is gone. Readiness
                // is only a hint (the reactor can report an edge whose bytes an earlier read
                // already took), so the read must not block: a blocking read here parked this
                // thread, and the subscription with it, until the client hung up.
                std::array<char, 4096> sink;
                beast::error_code rec;
                size_t n = stream.socket().read_some(net::buffer(sink), rec);
                if (rec == net::error::would_block || rec == net::error::try_again) continue;
                if (rec || n == 0) {
                    source->cancel(false);
                    co_return;
                }
            }
        }
        stream.expires_after(std::chrono::seconds(60));
        co_await net::async_write(stream, http::make_chunk_last(), kTuple);
    }

    awaitable<void> write_simple(beast::tcp_stream& stream, http::status status, bool close) {
        http::response<http::string_body> res{status, 11};
        res.set(http::field::content_length, "0");
        res.set(http::field::date, http_date_now());
        res.keep_alive(!close);
        co_await http::async_write(stream, res, kTuple);
    }

    // After refusing a request whose body we will not read: close our side, then discard what
    // the client still sends (bounded), so it reads our answer instead of a connection reset.
    awaitable<void> linger(beast::tcp_stream& stream) {
        beast::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream.expires_after(std::chrono::seconds(2));
        std::array<char, 64 * 1024> sink;
        size_t total = 0;
        while (total < (64u << 20)) {
            auto [rec, n] = co_await stream.async_read_some(net::buffer(sink), kTuple);
            if (rec) break;
            total += n;
        }
    }

    awaitable<void> session(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        std::atomic<bool> busy{false};  // outlives its entry in `sessions` (Unregister)
        uint64_t id;
        {
            std::lock_guard lock(sessions_mu);
            id = next_session++;
            sessions[id] = {&stream, &busy, {}};
        }
        struct Unregister {
            Impl* self;
            uint64_t id;
            ~Unregister() {
                std::lock_guard lock(self->sessions_mu);
                self->sessions.erase(id);
            }
        } unregister{this, id};

        std::string remote;
        {
            beast::error_code ec;
            auto ep = stream.socket().remote_endpoint(ec);
            if (!ec) remote = ep.address().to_string();
        }
        beast::flat_buffer buffer;
        auto h2 = co_await sniff_h2(stream, buffer);
        if (!h2) co_return;
        if (*h2) {
            busy.store(true, std::memory_order_relaxed);
            co_await serve_h2_connection(stream, buffer, remote, id);
            co_return;
        }
        for (;;) {
            if (stopping) break;
            http::request_parser<http::string_body> parser;
            parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
            parser.body_limit(options.max_body_bytes);
            stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
            auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kTuple);
            if (ec == http::error::header_limit) {
                co_await write_simple(stream, http::status::request_header_fields_too_large, true);
                break;
            }
            if (ec == http::error::body_limit) {
                // AWS: an oversized body is refused before it is read (Content-Length says so).
                co_await write_simple(stream, http::status::payload_too_large, true);
                co_await linger(stream);
                break;
            }
            if (malformed(ec)) {
                co_await write_simple(stream, http::status::bad_request, true);
                break;
            }
            if (ec) break;  // end_of_stream, timeout, reset, cancelled by stop()
            busy.store(true, std::memory_order_relaxed);
            auto& head = parser.get();
            if (auto len = parser.content_length(); len && *len > options.max_body_bytes) {
                // AWS: an oversized body is refused before it is read.
                co_await write_simple(stream, http::status::payload_too_large, true);
                co_await linger(stream);
                break;
            }
            if (beast::iequals(head[http::field::expect], "100-continue")) {
                http::response<http::empty_body> cont{http::status::continue_, 11};
                auto [wec, wn] = co_await http::async_write(stream, cont, kTuple);
                if (wec) break;
            }
            stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
            auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kTuple);
            if (bec == http::error::body_limit) {
                co_await write_simple(stream, http::status::payload_too_large, true);
                co_await linger(stream);
                break;
            }
            if (malformed(bec)) {
                co_await write_simple(stream, http::status::bad_request, true);
                break;
            }
            if (bec) break;

            auto msg = parser.release();
            HttpRequest req;
            req.method = std::string(msg.method_string());
            req.target = std::string(msg.target());
            req.headers.reserve(16);
            for (const auto& f : msg) {
                req.headers.push_back({std::string(f.name_string()), std::string(f.value())});
            }
            req.body = std::move(msg.body());
            req.remote_address = remote;
            bool keep_alive = msg.keep_alive();

            HttpResponse out = co_await dispatch(find_handler(req), req);

            if (out.stream) {
                co_await write_stream_h1(stream, out, id);
                break;
            }
            bool keep = keep_alive && !stopping;
            std::string out_head = response_head(out, keep);
            if (bodiless(out.status)) out.body.clear();
            std::array<net::const_buffer, 2> bufs{net::buffer(out_head), net::buffer(out.body)};
            auto [wec, wn] = co_await net::async_write(stream, bufs, kTuple);
            busy.store(false, std::memory_order_relaxed);
            if (wec || !keep) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    awaitable<void> accept_loop() {
        for (;;) {
            auto& target = *contexts[next_context++ % contexts.size()];
            auto [ec, socket] = co_await acceptor.async_accept(target.get_executor(), kTuple);
            if (ec) {
                if (stopping || ec == net::error::operation_aborted) co_return;
                continue;  // e.g. EMFILE: keep serving the connections we have
            }
            socket.set_option(tcp::no_delay(true));
            auto ex = socket.get_executor();
            net::co_spawn(ex, session(std::move(socket)), [](std::exception_ptr e) {
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& err) {
                    log_error("edge", std::string("session failed: ") + err.what());
                }
            });
        }
    }

    void begin_stop() {
        if (stopping.exchange(true)) return;
        net::post(accept_strand, [this] {
            beast::error_code ec;
            acceptor.close(ec);
        });
        net::post(ioc, [this] {
            beast::error_code ec;
            // clear(), not cancel(): the default dispositions come back, so a second Ctrl-C
            // ends the process at once (acknowledged writes are in the WAL already).
            signals.clear(ec);
            signals.cancel(ec);  // and end the pending wait, or run() would never return
            std::lock_guard lock(sessions_mu);
            for (auto& t : timers) {
                net::post(timer_strand, [t] { t->cancel(); });
            }
            for (auto& t : pending_tasks) {
                net::post(t->get_executor(), [t] { t->cancel(); });
            }
            for (auto& [id, s] : sessions) {
                if (s.on_stop) {
                    s.on_stop();
                    continue;
                }
                if (s.busy->load(std::memory_order_relaxed)) continue;
                // Runs on the session's thread, where the session also runs; it may have ended
                // by then, so look it up again: while it is registered its stream is alive.
                net::post(s.stream->get_executor(), [this, id = id] {
                    std::lock_guard again(sessions_mu);
                    auto it = sessions.find(id);
                    if (it != sessions.end() && !it->second.busy->load(std::memory_order_relaxed))
                        it->second.stream->cancel();
                });
            }
            // The other contexts end once their connections have (the posts above hold them
            // until they ran).
            worker_guards.clear();
            release_one();
        });
    }
};

void EdgeServer::Impl::TaskScheduler::after(int64_t delay_ms, std::function<void(bool)> fn) {
    auto* impl = impl_;
    auto timer = std::make_shared<net::steady_timer>(net::make_strand(impl->ioc));
    {
        std::lock_guard lock(impl->sessions_mu);
        if (impl->stopping) {
            net::post(impl->ioc, [fn = std::move(fn)] { fn(true); });
            return;
        }
        impl->pending_tasks.insert(timer);
        // Armed under the lock: stop() posts its cancel only after taking the lock, so the
        // cancel always finds the wait in place.
        timer->expires_after(std::chrono::milliseconds(delay_ms < 0 ? 0 : delay_ms));
        // Runs on expiry and on cancel (shutdown) alike.
        timer->async_wait([impl, timer, fn = std::move(fn)](beast::error_code ec) {
            {
                std::lock_guard again(impl->sessions_mu);
                impl->pending_tasks.erase(timer);
            }
            try {
                fn(ec == net::error::operation_aborted || impl->stopping);
            } catch (const std::exception& e) {
                log_error("edge", std::string("scheduled task failed: ") + e.what());
            }
        });
    }
}

void EdgeServer::add_handler(std::shared_ptr<RequestHandler> handler) {
    impl_->handlers.push_back(std::move(handler));
}

Scheduler& EdgeServer::scheduler() {
    return impl_->scheduler;
}

EdgeServer::EdgeServer(EdgeOptions options, std::vector<std::shared_ptr<RequestHandler>> handlers)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handlers))) {}

EdgeServer::~EdgeServer() = default;

std::string EdgeServer::listen() {
    auto& a = impl_->acceptor;
    beast::error_code ec;
    auto addr = net::ip::make_address(impl_->options.host, ec);
    std::string where = impl_->options.host + ":" + std::to_string(impl_->options.port);
    if (ec) return "cannot listen on " + where + ": not an IP address";
    tcp::endpoint ep(addr, impl_->options.port);
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return "cannot listen on " + where + ": " + ec.message();
    return {};
}

uint16_t EdgeServer::port() const {
    return impl_->acceptor.local_endpoint().port();
}

void EdgeServer::run() {
    auto* impl = impl_.get();
    impl->signals.async_wait([impl](beast::error_code ec, int) {
        if (ec) return;
        log_info("edge",
                 "stopping: new requests are refused, in-flight work finishes "
                 "(Ctrl-C again to exit at once; nothing acknowledged is lost)");
        impl->begin_stop();
    });
    net::co_spawn(impl->accept_strand, impl->accept_loop(), net::detached);
    size_t n = impl->contexts.size();
    impl->main_guard.emplace(impl->ioc.get_executor());
    impl->pending_releases = static_cast<int>(n);  // begin_stop() and each other context
    for (size_t i = 1; i < n; ++i)
        impl->worker_guards.push_back(net::make_work_guard(*impl->contexts[i]));
    std::vector<std::thread> threads;
    for (size_t i = 1; i < n; ++i) {
        threads.emplace_back([impl, i] {
            impl->contexts[i]->run();
            impl->release_one();
        });
    }
    impl->ioc.run();
    for (auto& t : threads)
        t.join();
}

void EdgeServer::stop() {
    impl_->begin_stop();
}

void EdgeServer::every(int64_t delay_ms, std::function<bool()> fn) {
    auto* impl = impl_.get();
    auto timer = std::make_shared<net::steady_timer>(impl->timer_strand);
    {
        std::lock_guard lock(impl->sessions_mu);
        impl->timers.push_back(timer);
    }
    net::co_spawn(
        impl->timer_strand,
        [impl, timer, delay_ms, fn = std::move(fn)]() -> awaitable<void> {
            while (!impl->stopping) {
                timer->expires_after(std::chrono::milliseconds(delay_ms));
                auto [ec] = co_await timer->async_wait(kTuple);
                if (ec || impl->stopping) break;
                bool again = false;
                try {
                    again = fn();
                } catch (const std::exception& e) {
                    log_error("edge", std::string("periodic task failed: ") + e.what());
                }
                if (!again) break;
            }
        },
        net::detached);
}

}  // namespace kemu
