// The bench's "ceiling": the least an HTTP/1.1 server on Beast must do per PutRecord, with the
// edge's threading, so that bench/run.sh can report kemu as a fraction of what the machine
// allows. Per request it reads the head and body with Beast's parser (keep-alive, the same
// limits), parses the body as JSON (Boost.JSON, as kemu's Kinesis adapter does), and answers a
// fixed PutRecord-shaped body with a Date header. No store, no routing, no validation.
//
//   ceiling_server [--port N] [--threads N] [--shared]
//
// Threading (as kemu's edge, emulator/core/src/edge.cc): one io_context per thread, each run by
// its own thread; the acceptor hands connections round-robin to them, and a connection stays on
// its thread. `--shared` runs the edge's former model instead (one io_context run by every
// thread, a strand per connection), for comparison. Prints
// "ceiling listening on http://127.0.0.1:PORT" when ready. Not installed; a bench target.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

namespace {

constexpr std::string_view kBody = R"({"ShardId":"shardId-000000000000","SequenceNumber":)"
                                   R"("49650000000000000000000000000000000000000000000000000000"})";

// RFC 7231 date, formatted once a second per thread (as kemu's edge does).
std::string date_now() {
    thread_local std::time_t last = 0;
    thread_local std::string text;
    std::time_t now = std::time(nullptr);
    if (now != last) {
        char buf[64];
        std::tm tm{};
        gmtime_r(&now, &tm);
        std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        text = buf;
        last = now;
    }
    return text;
}

awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(64u << 10);
        parser.body_limit(16u << 20);
        stream.expires_after(std::chrono::seconds(300));
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
        if (ec) break;
        auto msg = parser.release();
        boost::system::error_code jec;
        auto doc = boost::json::parse(msg.body(), jec);
        http::response<http::string_body> res{jec ? http::status::bad_request : http::status::ok,
                                              11};
        res.set(http::field::content_type, "application/x-amz-json-1.1");
        res.set(http::field::date, date_now());
        res.body() = jec ? std::string(R"({"__type":"SerializationException"})") : kBody;
        res.keep_alive(msg.keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
        if (wec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

int main(int argc, char** argv) {
    int port = 0;
    int threads = static_cast<int>(std::thread::hardware_concurrency());
    bool shared = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--port" && i + 1 < argc) {
            port = std::atoi(argv[++i]);
        } else if (a == "--threads" && i + 1 < argc) {
            threads = std::atoi(argv[++i]);
        } else if (a == "--shared") {
            shared = true;
        } else {
            std::cerr << "usage: ceiling_server [--port N] [--threads N] [--shared]\n";
            return 2;
        }
    }
    if (threads < 1) threads = 1;

    // Per-thread model: contexts[i] is run by thread i alone (concurrency hint 1: no locking).
    // Shared model: contexts[0] is run by every thread.
    std::vector<std::unique_ptr<net::io_context>> contexts;
    int n_contexts = shared ? 1 : threads;
    for (int i = 0; i < n_contexts; ++i)
        contexts.push_back(std::make_unique<net::io_context>(shared ? threads : 1));
    auto& main_ctx = *contexts[0];

    tcp::acceptor acceptor(main_ctx,
                           {net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)});
    std::cout << "ceiling listening on http://127.0.0.1:" << acceptor.local_endpoint().port()
              << (shared ? " (shared io_context)" : " (io_context per thread)") << std::endl;

    net::signal_set signals(main_ctx, SIGINT, SIGTERM);
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
    for (auto& c : contexts)
        guards.push_back(net::make_work_guard(*c));
    signals.async_wait([&](beast::error_code, int) {
        for (auto& c : contexts)
            c->stop();
    });

    net::co_spawn(
        main_ctx,
        [&]() -> awaitable<void> {
            size_t next = 0;
            for (;;) {
                auto& target = *contexts[next++ % contexts.size()];
                auto [ec, socket] = co_await acceptor.async_accept(
                    shared ? net::any_io_executor(net::make_strand(target))
                           : net::any_io_executor(target.get_executor()),
                    kTuple);
                if (ec) co_return;
                socket.set_option(tcp::no_delay(true));
                auto ex = socket.get_executor();
                net::co_spawn(ex, session(std::move(socket)), net::detached);
            }
        },
        net::detached);

    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) {
        auto& c = *contexts[shared ? 0 : i];
        pool.emplace_back([&c] { c.run(); });
    }
    main_ctx.run();
    for (auto& t : pool)
        t.join();
    return 0;
}
