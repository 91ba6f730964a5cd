#pragma once
// The edge listener of core (HTTP/1.1 and HTTP/2 on one port) serving in a thread of the fuzz
// process, with a handler that echoes what it was given, so that what the fuzzer sends goes
// through the real sniffing, parsing, limits, dispatch and response framing. Tight limits
// (8 KiB heads, 64 KiB bodies) put the 413 and 431 paths within the fuzzer's reach.

#include <memory>
#include <string>
#include <thread>

#include "core/edge.h"

namespace kemu::fuzz {

class Echo final : public RequestHandler {
public:
    bool matches(const HttpRequest&) const override { return true; }
    void handle(const HttpRequest& req, Respond respond) override {
        HttpResponse r;
        r.status = req.path() == "/404" ? 404 : 200;
        r.set_header("Content-Type", "application/json");
        r.set_header("X-Method", req.method);
        r.set_header("X-Headers", std::to_string(req.headers.size()));
        if (req.path() == "/stream") {
            r.stream = std::make_shared<Pieces>(req.body);
        } else {
            r.body = req.body;
        }
        respond(std::move(r));
    }
    HttpResponse internal_error(const HttpRequest&) const override { return {500, {}, {}, {}}; }

private:
    // A streamed answer: the body, then its length, then the end.
    class Pieces final : public BodySource {
    public:
        explicit Pieces(std::string body) : body_(std::move(body)) {}
        void start(std::function<void()>) override {}
        Piece pull() override {
            switch (step_++) {
                case 0:
                    return {Piece::kData, body_, -1};
                case 1:
                    return {Piece::kData, std::to_string(body_.size()), -1};
                default:
                    return {Piece::kEnd, {}, -1};
            }
        }
        void cancel(bool) override {}

    private:
        std::string body_;
        int step_ = 0;
    };
};

// The running edge; never stopped (the fuzzer exits the process).
inline int edge_port() {
    static int port = [] {
        EdgeOptions o;
        o.port = 0;
        o.threads = 1;
        o.max_body_bytes = 64u << 10;
        o.max_header_bytes = 8u << 10;
        auto* edge = new EdgeServer(o, {std::make_shared<Echo>()});
        if (!edge->listen().empty()) std::abort();
        std::thread([edge] { edge->run(); }).detach();
        return static_cast<int>(edge->port());
    }();
    return port;
}

}  // namespace kemu::fuzz
