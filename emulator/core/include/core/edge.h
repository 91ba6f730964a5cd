#pragma once
// The edge listener: one TCP port serving HTTP/1.1 (keep-alive, chunked bodies,
// `Expect: 100-continue`) and HTTP/2 with prior knowledge (chosen per connection by its first
// bytes), dispatching each request to the first RequestHandler that matches. Streaming
// responses (HttpResponse::stream) go out as HTTP/2 DATA or HTTP/1.1 chunks. Beast, Asio and
// nghttp2 stay inside src/.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/http.h"

namespace kemu {

struct EdgeOptions {
    std::string host = "127.0.0.1";       // Default: loopback only.
    uint16_t port = 4566;                 // Default: 4566; 0 picks a free port.
    size_t max_body_bytes = 16u << 20;    // Larger bodies get 413 before they are read.
    size_t max_header_bytes = 64u << 10;  // Larger request heads (h2: header lists) get 431.
    int threads = 0;                      // Default: 0 = one per core.
    int idle_timeout_seconds = 300;       // Keep-alive connections idle longer are closed.
};

class EdgeServer {
public:
    EdgeServer(EdgeOptions options, std::vector<std::shared_ptr<RequestHandler>> handlers = {});
    ~EdgeServer();
    EdgeServer(const EdgeServer&) = delete;
    EdgeServer& operator=(const EdgeServer&) = delete;

    // Appends a handler after those given so far. REQUIRES: run() has not been called.
    void add_handler(std::shared_ptr<RequestHandler> handler);

    // Timers on the listener threads, for adapters that answer later (long polling). Tasks
    // still pending when the server stops run at once.
    Scheduler& scheduler();

    // Binds and listens. Returns an empty string on success, else one line saying why (e.g.
    // "cannot listen on 127.0.0.1:4566: Address already in use").
    std::string listen();
    uint16_t port() const;  // REQUIRES: listen() succeeded. The bound port.

    // Serves until SIGINT/SIGTERM or stop(): then stops accepting, lets in-flight requests
    // finish, closes idle connections and returns. Runs the listener threads itself.
    void run();
    void stop();  // Thread-safe; idempotent.

    // Runs `fn` after `delay_ms` on a listener thread, and every `delay_ms` after that while
    // `fn` returns true. For housekeeping (retention trimming, metrics).
    void every(int64_t delay_ms, std::function<bool()> fn);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kemu
