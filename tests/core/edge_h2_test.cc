// The edge listener over HTTP/2 (prior knowledge) and streaming responses over both protocols,
// driven with raw frames on a socket (HPACK by libnghttp2's coder), so the tests see exactly
// what a client sees: settings, PING ACKs, refused streams, limits (docs/aws/kinesis.md,
// HTTP/2).

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>

#include "core/edge.h"

namespace kemu {
namespace {

using namespace std::chrono_literals;

// ---- handlers -------------------------------------------------------------------------------

class EchoHandler final : public RequestHandler {
public:
    bool matches(const HttpRequest& r) const override { return r.path() == "/echo"; }
    void handle(const HttpRequest& r, Respond respond) override {
        HttpResponse out;
        out.set_header("Content-Type", "text/plain");
        out.set_header("Connection", "keep-alive");  // must never reach an HTTP/2 client
        out.body = r.method + " " + r.target + " host=" + std::string(r.header("Host")) +
                   " len=" + std::to_string(r.body.size());
        respond(std::move(out));
    }
    HttpResponse internal_error(const HttpRequest&) const override { return {}; }
};

// Throws, as a bug would: the edge must answer with this adapter's own internal error.
class ThrowHandler final : public RequestHandler {
public:
    bool matches(const HttpRequest& r) const override { return r.path() == "/throw"; }
    void handle(const HttpRequest&, Respond) override { throw std::runtime_error("a bug"); }
    HttpResponse internal_error(const HttpRequest& r) const override {
        HttpResponse out;
        out.status = 500;
        out.set_header("Content-Type", "application/x-test");
        out.body = "my protocol's 500 for " + std::string(r.path());
        return out;
    }
};

// Answers /hold requests only when the test says so.
class HoldHandler final : public RequestHandler {
public:
    bool matches(const HttpRequest& r) const override { return r.path() == "/hold"; }
    void handle(const HttpRequest&, Respond respond) override {
        std::lock_guard lock(mu);
        held.push_back(std::move(respond));
    }
    HttpResponse internal_error(const HttpRequest&) const override { return {}; }
    size_t count() {
        std::lock_guard lock(mu);
        return held.size();
    }
    void release_all() {
        std::vector<Respond> all;
        {
            std::lock_guard lock(mu);
            all.swap(held);
        }
        for (auto& r : all) {
            HttpResponse out;
            out.body = "released";
            r(std::move(out));
        }
    }
    std::mutex mu;
    std::vector<Respond> held;
};

// A body the test feeds piece by piece.
class TestSource final : public BodySource {
public:
    void start(std::function<void()> wake) override {
        std::lock_guard lock(mu);
        wake_ = std::move(wake);
        started = true;
    }
    Piece pull() override {
        std::lock_guard lock(mu);
        if (!queue.empty()) {
            Piece p{Piece::kData, std::move(queue.front()), -1};
            queue.erase(queue.begin());
            return p;
        }
        if (ended) return {Piece::kEnd, {}, -1};
        return {Piece::kPending, {}, -1};
    }
    void cancel(bool stopping) override {
        std::lock_guard lock(mu);
        cancelled = true;
        cancelled_by_stop = stopping;
        cv.notify_all();
    }
    void push(std::string s) {
        std::function<void()> w;
        {
            std::lock_guard lock(mu);
            queue.push_back(std::move(s));
            w = wake_;
        }
        if (w) w();
    }
    void end() {
        std::function<void()> w;
        {
            std::lock_guard lock(mu);
            ended = true;
            w = wake_;
        }
        if (w) w();
    }
    // The edge took every pushed piece (pulled it for the socket).
    bool wait_pulled(std::chrono::milliseconds d) {
        auto until = std::chrono::steady_clock::now() + d;
        while (std::chrono::steady_clock::now() < until) {
            {
                std::lock_guard lock(mu);
                if (queue.empty()) return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return false;
    }
    bool wait_cancelled(std::chrono::milliseconds d) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, d, [&] { return cancelled; });
    }
    bool is_started() {
        std::lock_guard lock(mu);
        return started;
    }

    std::mutex mu;
    std::condition_variable cv;
    std::function<void()> wake_;
    std::vector<std::string> queue;
    bool ended = false;
    bool started = false;
    bool cancelled = false;
    bool cancelled_by_stop = false;
};

class StreamHandler final : public RequestHandler {
public:
    bool matches(const HttpRequest& r) const override { return r.path() == "/stream"; }
    void handle(const HttpRequest&, Respond respond) override {
        HttpResponse out;
        out.set_header("Content-Type", "application/vnd.amazon.eventstream");
        {
            std::lock_guard lock(mu);
            source = std::make_shared<TestSource>();
            out.stream = source;
        }
        respond(std::move(out));
    }
    HttpResponse internal_error(const HttpRequest&) const override { return {}; }
    std::shared_ptr<TestSource> wait_source() {
        for (int i = 0; i < 200; ++i) {
            {
                std::lock_guard lock(mu);
                if (source && source->is_started()) return source;
            }
            std::this_thread::sleep_for(10ms);
        }
        return nullptr;
    }
    std::mutex mu;
    std::shared_ptr<TestSource> source;
};

struct Server {
    std::shared_ptr<HoldHandler> hold = std::make_shared<HoldHandler>();
    std::shared_ptr<StreamHandler> stream = std::make_shared<StreamHandler>();
    EdgeServer edge;
    std::thread thread;
    Server()
        : edge(EdgeOptions{"127.0.0.1", 0, 16u << 20, 64u << 10, 2, 300},
               {std::make_shared<EchoHandler>(), std::make_shared<ThrowHandler>(), hold, stream}) {
        REQUIRE(edge.listen().empty());
        thread = std::thread([this] { edge.run(); });
    }
    ~Server() {
        edge.stop();
        thread.join();
    }
};

// ---- a raw client ---------------------------------------------------------------------------

struct Frame {
    uint8_t type = 0;
    uint8_t flags = 0;
    int32_t stream = 0;
    std::string payload;
};

class Client {
public:
    explicit Client(uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        timeval tv{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        nghttp2_hd_deflate_new(&deflater_, 4096);
        nghttp2_hd_inflate_new(&inflater_);
    }
    ~Client() {
        ::close(fd_);
        nghttp2_hd_deflate_del(deflater_);
        nghttp2_hd_inflate_del(inflater_);
    }

    void send_raw(std::string_view bytes) {
        size_t off = 0;
        while (off < bytes.size()) {
            ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return;  // the server may have closed on us; reads will tell
            off += static_cast<size_t>(n);
        }
    }
    static std::string frame(uint8_t type, uint8_t flags, int32_t stream, std::string_view p) {
        std::string f(9, '\0');
        f[0] = static_cast<char>(p.size() >> 16);
        f[1] = static_cast<char>(p.size() >> 8);
        f[2] = static_cast<char>(p.size());
        f[3] = static_cast<char>(type);
        f[4] = static_cast<char>(flags);
        for (int i = 0; i < 4; ++i)
            f[5 + i] = static_cast<char>(stream >> (24 - 8 * i));
        f.append(p);
        return f;
    }
    void preface() {
        send_raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        send_raw(frame(NGHTTP2_SETTINGS, 0, 0, {}));
    }
    std::string header_block(const std::vector<std::pair<std::string, std::string>>& headers) {
        std::vector<nghttp2_nv> nva;
        for (auto& [n, v] : headers) {
            nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(n.data())),
                           reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), n.size(),
                           v.size(), NGHTTP2_NV_FLAG_NONE});
        }
        std::string buf(nghttp2_hd_deflate_bound(deflater_, nva.data(), nva.size()), '\0');
        auto n = nghttp2_hd_deflate_hd(deflater_, reinterpret_cast<uint8_t*>(buf.data()),
                                       buf.size(), nva.data(), nva.size());
        REQUIRE(n >= 0);
        buf.resize(static_cast<size_t>(n));
        return buf;
    }
    // HEADERS (+ CONTINUATIONs when the block is large) for a request.
    void request(int32_t id, const std::string& method, const std::string& path, bool end_stream,
                 std::vector<std::pair<std::string, std::string>> extra = {}) {
        std::vector<std::pair<std::string, std::string>> h = {{":method", method},
                                                              {":scheme", "http"},
                                                              {":path", path},
                                                              {":authority", "test.local:1"}};
        for (auto& e : extra)
            h.push_back(e);
        auto block = header_block(h);
        const size_t kMax = 16384;
        std::string first = block.substr(0, kMax);
        bool more = block.size() > kMax;
        uint8_t flags =
            (end_stream ? NGHTTP2_FLAG_END_STREAM : 0) | (more ? 0 : NGHTTP2_FLAG_END_HEADERS);
        std::string out = frame(NGHTTP2_HEADERS, flags, id, first);
        for (size_t off = kMax; off < block.size(); off += kMax) {
            bool last = off + kMax >= block.size();
            out += frame(NGHTTP2_CONTINUATION, last ? NGHTTP2_FLAG_END_HEADERS : 0, id,
                         block.substr(off, kMax));
        }
        send_raw(out);
    }
    void data(int32_t id, std::string_view bytes, bool end) {
        send_raw(frame(NGHTTP2_DATA, end ? NGHTTP2_FLAG_END_STREAM : 0, id, bytes));
    }

    // The next frame, or nullopt on EOF / timeout.
    std::optional<Frame> read_frame() {
        std::string head;
        if (!read_exact(9, &head)) return std::nullopt;
        Frame f;
        size_t len = (static_cast<uint8_t>(head[0]) << 16) | (static_cast<uint8_t>(head[1]) << 8) |
                     static_cast<uint8_t>(head[2]);
        f.type = static_cast<uint8_t>(head[3]);
        f.flags = static_cast<uint8_t>(head[4]);
        f.stream = ((static_cast<uint8_t>(head[5]) & 0x7f) << 24) |
                   (static_cast<uint8_t>(head[6]) << 16) | (static_cast<uint8_t>(head[7]) << 8) |
                   static_cast<uint8_t>(head[8]);
        if (!read_exact(len, &f.payload)) return std::nullopt;
        if (f.type == NGHTTP2_SETTINGS && !(f.flags & NGHTTP2_FLAG_ACK)) {
            send_raw(frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, {}));
            settings = f.payload;
        }
        return f;
    }
    std::map<std::string, std::string> decode(const Frame& f) {
        std::map<std::string, std::string> out;
        std::string_view in = f.payload;
        if (f.flags & NGHTTP2_FLAG_PADDED)
            in = in.substr(1, in.size() - 1 - static_cast<uint8_t>(in[0]));
        auto* p = reinterpret_cast<const uint8_t*>(in.data());
        size_t left = in.size();
        for (;;) {
            nghttp2_nv nv;
            int flags = 0;
            auto n = nghttp2_hd_inflate_hd2(inflater_, &nv, &flags, p, left, 1);
            REQUIRE(n >= 0);
            p += n;
            left -= static_cast<size_t>(n);
            if (flags & NGHTTP2_HD_INFLATE_EMIT) {
                out[std::string(reinterpret_cast<char*>(nv.name), nv.namelen)] =
                    std::string(reinterpret_cast<char*>(nv.value), nv.valuelen);
            }
            if (flags & NGHTTP2_HD_INFLATE_FINAL) {
                nghttp2_hd_inflate_end_headers(inflater_);
                break;
            }
            if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0) break;
        }
        return out;
    }

    struct Response {
        std::map<std::string, std::string> headers;
        std::string body;
        bool ended = false;
        std::optional<uint32_t> reset;
    };
    // Reads frames until stream `id` ends (END_STREAM or RST_STREAM) or the connection does.
    Response response(int32_t id) {
        Response r;
        while (auto f = read_frame()) {
            if (f->type == NGHTTP2_HEADERS) {
                auto h = decode(*f);  // every block goes through the decoder (HPACK state)
                if (f->stream == id) r.headers.insert(h.begin(), h.end());
            }
            if (f->stream != id) continue;
            if (f->type == NGHTTP2_DATA) r.body += f->payload;
            if (f->type == NGHTTP2_RST_STREAM) {
                r.reset = (static_cast<uint8_t>(f->payload[0]) << 24) |
                          (static_cast<uint8_t>(f->payload[1]) << 16) |
                          (static_cast<uint8_t>(f->payload[2]) << 8) |
                          static_cast<uint8_t>(f->payload[3]);
                return r;
            }
            if ((f->type == NGHTTP2_DATA || f->type == NGHTTP2_HEADERS) &&
                (f->flags & NGHTTP2_FLAG_END_STREAM)) {
                r.ended = true;
                return r;
            }
        }
        return r;
    }
    void set_timeout(int ms) {
        timeval tv{ms / 1000, (ms % 1000) * 1000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    int fd() const { return fd_; }

    std::string settings;

private:
    bool read_exact(size_t n, std::string* out) {
        out->resize(n);
        size_t off = 0;
        while (off < n) {
            ssize_t r = ::recv(fd_, out->data() + off, n - off, 0);
            if (r <= 0) return false;
            off += static_cast<size_t>(r);
        }
        return true;
    }
    int fd_;
    nghttp2_hd_deflater* deflater_ = nullptr;
    nghttp2_hd_inflater* inflater_ = nullptr;
};

uint32_t setting(const std::string& payload, uint16_t id) {
    for (size_t i = 0; i + 6 <= payload.size(); i += 6) {
        uint16_t k = static_cast<uint16_t>((static_cast<uint8_t>(payload[i]) << 8) |
                                           static_cast<uint8_t>(payload[i + 1]));
        if (k != id) continue;
        return (static_cast<uint32_t>(static_cast<uint8_t>(payload[i + 2])) << 24) |
               (static_cast<uint8_t>(payload[i + 3]) << 16) |
               (static_cast<uint8_t>(payload[i + 4]) << 8) | static_cast<uint8_t>(payload[i + 5]);
    }
    return 0;
}

// Plain HTTP/1.1 on a socket: the whole answer until the server closes.
std::string http1(uint16_t port, const std::string& request, int timeout_ms = 5000) {
    Client c(port);
    c.set_timeout(timeout_ms);
    c.send_raw(request);
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(c.fd(), buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

}  // namespace

TEST_CASE("h2: one port serves HTTP/2 prior knowledge and HTTP/1.1", "[edge][h2]") {
    Server s;
    Client c(s.edge.port());
    c.preface();
    c.request(1, "POST", "/echo?x=1", false, {{"content-type", "text/plain"}});
    c.data(1, "hello", true);
    auto r = c.response(1);
    REQUIRE(r.ended);
    CHECK(r.headers[":status"] == "200");
    // :authority stands in for Host; the body arrived whole.
    CHECK(r.body == "POST /echo?x=1 host=test.local:1 len=5");
    CHECK(r.headers["content-length"] == std::to_string(r.body.size()));
    CHECK(r.headers.count("connection") == 0);  // hop-by-hop fields are dropped
    CHECK(r.headers["date"].ends_with(
        " GMT"));  // AWS answers with a Date; SDKs read it for clock skew
    CHECK(setting(c.settings, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) == 128);
    CHECK(setting(c.settings, NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE) == 1048576);
    CHECK(setting(c.settings, NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE) == 65536);

    auto h1 = http1(s.edge.port(), "GET /echo HTTP/1.1\r\nHost: h1\r\nConnection: close\r\n\r\n");
    CHECK(h1.starts_with("HTTP/1.1 200"));
    CHECK(h1.find("GET /echo host=h1 len=0") != std::string::npos);
    CHECK(std::regex_search(
        h1, std::regex(R"(\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n)")));
}

TEST_CASE("a handler that throws gets its own protocol's 500, on both protocols", "[edge]") {
    Server s;
    auto h1 = http1(s.edge.port(), "GET /throw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(h1.starts_with("HTTP/1.1 500"));
    CHECK(h1.find("Content-Type: application/x-test\r\n") != std::string::npos);
    CHECK(h1.ends_with("my protocol's 500 for /throw"));

    Client c(s.edge.port());
    c.preface();
    c.request(1, "GET", "/throw", true, {});
    auto r = c.response(1);
    REQUIRE(r.ended);
    CHECK(r.headers[":status"] == "500");
    CHECK(r.headers["content-type"] == "application/x-test");
    CHECK(r.body == "my protocol's 500 for /throw");
    // The connection lives on.
    c.request(3, "GET", "/echo", true, {});
    CHECK(c.response(3).headers[":status"] == "200");
}

TEST_CASE("h2: a PING is ACKed once with its payload, and no ACK comes unasked", "[edge][h2]") {
    Server s;
    Client c(s.edge.port());
    c.preface();
    c.set_timeout(300);
    int acks = 0;
    while (auto f = c.read_frame())
        acks += f->type == NGHTTP2_PING ? 1 : 0;
    CHECK(acks == 0);
    c.send_raw(Client::frame(NGHTTP2_PING, 0, 0, "12345678"));
    std::vector<Frame> pings;
    while (auto f = c.read_frame()) {
        if (f->type == NGHTTP2_PING) pings.push_back(*f);
    }
    REQUIRE(pings.size() == 1);
    CHECK(pings[0].flags == NGHTTP2_FLAG_ACK);
    CHECK(pings[0].payload == "12345678");
}

TEST_CASE("h2: concurrent streams on one connection, over the limit refused", "[edge][h2]") {
    Server s;
    Client c(s.edge.port());
    c.preface();
    // Sent before the server's SETTINGS are acknowledged, as the JS SDK does: libnghttp2
    // refuses the stream over the limit. (Once acknowledged, exceeding it is a connection
    // error, PROTOCOL_ERROR, which RFC 9113 §5.1.2 allows too.)
    for (int i = 0; i < 129; ++i)
        c.request(1 + 2 * i, "GET", "/hold", true);
    std::optional<Frame> rst;
    c.set_timeout(2000);
    while (auto f = c.read_frame()) {
        if (f->type == NGHTTP2_RST_STREAM) {
            rst = *f;
            break;
        }
    }
    REQUIRE(rst);
    CHECK(rst->stream == 1 + 2 * 128);
    CHECK(static_cast<uint8_t>(rst->payload[3]) == NGHTTP2_REFUSED_STREAM);
    for (int i = 0; i < 100 && s.hold->count() < 128; ++i)
        std::this_thread::sleep_for(10ms);
    CHECK(s.hold->count() == 128);  // all 128 admitted streams are in flight at once
    s.hold->release_all();
    int answered = 0;
    while (answered < 128) {
        auto f = c.read_frame();
        if (!f) break;
        if (f->type == NGHTTP2_HEADERS) c.decode(*f);
        if (f->type == NGHTTP2_DATA && (f->flags & NGHTTP2_FLAG_END_STREAM)) ++answered;
    }
    CHECK(answered == 128);
}

TEST_CASE("h2: a header list over 64 KiB gets 431 and the connection lives on", "[edge][h2]") {
    Server s;
    Client c(s.edge.port());
    c.preface();
    std::vector<std::pair<std::string, std::string>> big;
    for (int i = 0; i < 10; ++i)
        big.push_back({"x-pad-" + std::to_string(i), std::string(10240, 'a')});
    c.request(1, "GET", "/echo", true, big);
    auto r = c.response(1);
    CHECK(r.headers[":status"] == "431");
    c.request(3, "GET", "/echo", true);
    auto ok = c.response(3);
    CHECK(ok.headers[":status"] == "200");
}

TEST_CASE("h2: a body declared over 16 MiB gets 413 before it is read", "[edge][h2]") {
    Server s;
    Client c(s.edge.port());
    c.preface();
    c.request(1, "POST", "/echo", false, {{"content-length", std::to_string((17u << 20))}});
    auto r = c.response(1);
    CHECK(r.headers[":status"] == "413");
    c.request(3, "GET", "/echo", true);
    CHECK(c.response(3).headers[":status"] == "200");
}

TEST_CASE("h2: a body that grows past 16 MiB gets 413 and a reset", "[edge][h2]") {
    Server s;
    Client c(s.edge.port());
    c.preface();
    // Settings first: their ACK must not interleave with the writer thread's frames.
    while (auto f = c.read_frame()) {
        if (f->type == NGHTTP2_SETTINGS && !(f->flags & NGHTTP2_FLAG_ACK)) break;
    }
    c.request(1, "POST", "/echo", false);
    std::string chunk(16384, 'x');
    // 1 MiB stream window: send it, the server's WINDOW_UPDATEs (read below) let us go on.
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (int i = 0; i < 17 * 64 + 1 && !done; ++i)
            c.data(1, chunk, false);
    });
    auto r = c.response(1);
    done = true;
    // Drain until the reset that follows the answer (or the peer closes).
    c.set_timeout(1000);
    while (!r.reset) {
        auto f = c.read_frame();
        if (!f) break;
        if (f->type == NGHTTP2_RST_STREAM && f->stream == 1)
            r.reset = static_cast<uint8_t>(f->payload[3]);
    }
    writer.join();
    CHECK(r.headers[":status"] == "413");
    REQUIRE(r.reset);
    CHECK(*r.reset == NGHTTP2_NO_ERROR);
}

TEST_CASE("h2: garbage after the preface ends that connection only", "[edge][h2]") {
    Server s;
    {
        Client bad(s.edge.port());
        bad.send_raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        bad.send_raw(std::string(64, '\xff'));
        bad.set_timeout(2000);
        bool goaway = false;
        while (auto f = bad.read_frame())
            goaway = goaway || f->type == NGHTTP2_GOAWAY;
        CHECK(goaway);
    }
    {
        Client flood(s.edge.port());
        flood.preface();
        flood.request(1, "GET", "/echo", true, {});
        // 20 empty CONTINUATIONs after an unfinished HEADERS: the library's flood guard.
        std::string hb =
            flood.header_block({{":method", "GET"}, {":scheme", "http"}, {":path", "/echo"}});
        flood.send_raw(Client::frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_STREAM, 3, hb));
        for (int i = 0; i < 20; ++i)
            flood.send_raw(Client::frame(NGHTTP2_CONTINUATION, 0, 3, {}));
        flood.set_timeout(2000);
        bool closed = false;
        for (;;) {
            auto f = flood.read_frame();
            if (!f) {
                closed = true;
                break;
            }
        }
        CHECK(closed);
    }
    Client good(s.edge.port());
    good.preface();
    good.request(1, "GET", "/echo", true);
    CHECK(good.response(1).headers[":status"] == "200");
}

TEST_CASE("h2: an event stream outlives the client's GOAWAY and ends with END_STREAM",
          "[edge][h2][stream]") {
    Server s;
    Client c(s.edge.port());
    c.preface();
    c.request(1, "POST", "/stream", true);
    auto src = s.stream->wait_source();
    REQUIRE(src);
    src->push("first");
    // The JS SDK sends GOAWAY(last_stream_id=0) as soon as the response headers arrive.
    std::map<std::string, std::string> head;
    while (auto f = c.read_frame()) {
        if (f->type == NGHTTP2_HEADERS && f->stream == 1) {
            head = c.decode(*f);
            break;
        }
    }
    CHECK(head[":status"] == "200");
    CHECK(head.count("content-length") == 0);
    c.send_raw(Client::frame(NGHTTP2_GOAWAY, 0, 0, std::string(8, '\0')));
    std::this_thread::sleep_for(50ms);
    src->push("second");
    src->push("third");
    src->end();
    auto r = c.response(1);
    CHECK(r.ended);
    CHECK(r.body == "firstsecondthird");
    CHECK_FALSE(src->cancelled);
}

TEST_CASE("h2: a client that goes away cancels its event stream", "[edge][h2][stream]") {
    Server s;
    std::shared_ptr<TestSource> src;
    {
        Client c(s.edge.port());
        c.preface();
        c.request(1, "POST", "/stream", true);
        src = s.stream->wait_source();
        REQUIRE(src);
    }
    REQUIRE(src->wait_cancelled(3000ms));
    CHECK_FALSE(src->cancelled_by_stop);
}

TEST_CASE("http/1.1: an event stream is chunked, one chunk per piece, then closed",
          "[edge][stream]") {
    Server s;
    std::thread feeder([&] {
        auto src = s.stream->wait_source();
        if (!src) return;
        src->push("abc");
        std::this_thread::sleep_for(30ms);
        src->push("defgh");
        src->end();
    });
    auto out =
        http1(s.edge.port(), "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    feeder.join();
    CHECK(out.starts_with("HTTP/1.1 200"));
    CHECK(out.find("Transfer-Encoding: chunked") != std::string::npos);
    CHECK(out.find("\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n") != std::string::npos);
}

TEST_CASE("http/1.1: a client that goes away cancels its event stream", "[edge][stream]") {
    Server s;
    std::shared_ptr<TestSource> src;
    {
        Client c(s.edge.port());
        c.send_raw("POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        src = s.stream->wait_source();
        REQUIRE(src);
    }
    REQUIRE(src->wait_cancelled(3000ms));
}

TEST_CASE("stop ends open event streams cleanly on both protocols", "[edge][stream]") {
    auto s = std::make_unique<Server>();
    Client c(s->edge.port());
    c.preface();
    c.request(1, "POST", "/stream", true);
    auto src = s->stream->wait_source();
    REQUIRE(src);
    src->push("x");
    // Stop only once the edge has the piece: a piece still queued in the source when stop()
    // cancels it is not sent (under TSan's slowness that race was lost now and then).
    REQUIRE(src->wait_pulled(3000ms));
    s.reset();  // stop(): the stream ends with END_STREAM, then GOAWAY
    auto r = c.response(1);
    CHECK(r.ended);
    CHECK(r.body == "x");
    CHECK(src->cancelled_by_stop);
}

TEST_CASE("http/1.1: bytes that are not HTTP get 400 and the connection closes", "[edge]") {
    Server s;
    for (const std::string& bad : {
             std::string("NOT HTTP AT ALL\r\n\r\n"),
             std::string("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
             std::string("POST /echo HTTP/1.1\r\nHost: x\r\nBad Field: y\r\n\r\n"),
             std::string(
                 "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
         }) {
        INFO(bad);
        auto out = http1(s.edge.port(), bad);  // returns once the server closes
        CHECK(out.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        CHECK(out.find("Connection: close") != std::string::npos);
    }
    // A client that sends half a request and leaves gets nothing, and the server serves on.
    CHECK(http1(s.edge.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Le", 300).empty());
    CHECK(http1(s.edge.port(), "GET /echo HTTP/1.1\r\nHost: h1\r\nConnection: close\r\n\r\n")
              .starts_with("HTTP/1.1 200"));
}

}  // namespace kemu
