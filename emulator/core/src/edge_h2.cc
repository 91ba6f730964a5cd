// One HTTP/2 connection: libnghttp2 parses and frames, Asio moves the bytes. Everything below
// runs on the connection's strand; other threads reach it only through posts (async answers,
// event-stream wakes, shutdown). One socket write is in flight at a time, fed by
// nghttp2_session_mem_send, so the outgoing buffer never exceeds one batch.

#include "edge_h2.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <nghttp2/nghttp2.h>
#include <optional>

#include "core/encoding.h"
#include "core/log.h"

namespace kemu::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kWriteBatch = 64u << 10;
constexpr int32_t kConnectionWindow = 16 << 20;

bool hop_by_hop(std::string_view lower) {
    return lower == "connection" || lower == "keep-alive" || lower == "proxy-connection" ||
           lower == "transfer-encoding" || lower == "upgrade" || lower == "content-length";
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

nghttp2_nv nv(const std::string& name, const std::string& value) {
    return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
            NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

class H2Connection : public std::enable_shared_from_this<H2Connection> {
public:
    H2Connection(tcp::socket socket, std::string prefix, std::string remote, H2Limits limits,
                 H2Serve serve)
        : socket_(std::move(socket)),
          prefix_(std::move(prefix)),
          remote_(std::move(remote)),
          limits_(limits),
          serve_(std::move(serve)),
          idle_timer_(socket_.get_executor()),
          write_timer_(socket_.get_executor()) {}

    ~H2Connection() {
        if (session_) nghttp2_session_del(session_);
    }

    net::awaitable<void> run();
    void shutdown();
    void post_shutdown() {
        net::post(socket_.get_executor(), [self = shared_from_this()] { self->shutdown(); });
    }

private:
    // One request/response exchange.
    struct Stream {
        int32_t id = 0;
        HttpRequest req;
        std::string authority;
        size_t header_bytes = 0;
        bool headers_too_large = false;
        bool body_too_large = false;
        bool answered = false;  // a response was submitted (or is being produced)
        bool dispatched = false;
        bool reset_after_response = false;  // stop the client's upload once we have answered
        // Response body: a fixed string, or pieces pulled from `source`.
        std::string body;
        size_t body_off = 0;
        std::shared_ptr<BodySource> source;
        bool source_done = false;  // reached kEnd, or cancelled
        bool end_now = false;      // shutdown: finish the stream at the next read
        std::string piece;
        size_t piece_off = 0;
        std::unique_ptr<net::steady_timer> retry;
        std::vector<std::string> hold;  // response header storage while nghttp2 copies them
    };

    Stream* find(int32_t id) {
        auto it = streams_.find(id);
        return it == streams_.end() ? nullptr : it->second.get();
    }

    bool init();
    void on_readable(const uint8_t* data, size_t n);
    void dispatch_ready();
    void respond(int32_t id, HttpResponse out);
    void answer_status(Stream& st, int status);
    void flush();
    void close();
    void arm_idle();
    void wake(int32_t id);
    void finish_source(Stream& st, bool server_stopping);

    static int on_begin_headers(nghttp2_session*, const nghttp2_frame* f, void* u);
    static int on_header(nghttp2_session*, const nghttp2_frame* f, const uint8_t* name,
                         size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void* u);
    static int on_data_chunk(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len,
                             void* u);
    static int on_frame_recv(nghttp2_session*, const nghttp2_frame* f, void* u);
    static int on_frame_send(nghttp2_session*, const nghttp2_frame* f, void* u);
    static int on_stream_close(nghttp2_session*, int32_t id, uint32_t, void* u);
    static ssize_t read_body(nghttp2_session*, int32_t id, uint8_t* buf, size_t len,
                             uint32_t* flags, nghttp2_data_source*, void* u);

    tcp::socket socket_;
    std::string prefix_;
    std::string remote_;
    H2Limits limits_;
    H2Serve serve_;
    nghttp2_session* session_ = nullptr;
    std::map<int32_t, std::unique_ptr<Stream>> streams_;
    std::vector<int32_t> ready_;
    size_t buffered_bytes_ = 0;  // request bodies received but not yet dispatched
    std::string out_;
    bool writing_ = false;
    bool closed_ = false;
    bool stopping_ = false;
    bool in_recv_ = false;  // inside mem_recv: nghttp2 forbids mem_send from its callbacks
    net::steady_timer idle_timer_;
    net::steady_timer write_timer_;
};

bool H2Connection::init() {
    nghttp2_session_callbacks* cbs = nullptr;
    if (nghttp2_session_callbacks_new(&cbs) != 0) return false;
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
    nghttp2_option* opt = nullptr;
    nghttp2_option_new(&opt);
    // Closed streams keep no state; HTTP messaging checks stay on (the default).
    nghttp2_option_set_no_closed_streams(opt, 1);
    int rv = nghttp2_session_server_new2(&session_, cbs, this, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0) return false;
    std::array<nghttp2_settings_entry, 4> settings{{
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits_.max_concurrent_streams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(limits_.max_header_bytes)},
        {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
    }};
    if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size()) !=
        0) {
        return false;
    }
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
    return true;
}

net::awaitable<void> H2Connection::run() {
    auto self = shared_from_this();
    if (!init()) co_return;
    arm_idle();
    // The preface and anything after it were read while sniffing.
    on_readable(reinterpret_cast<const uint8_t*>(prefix_.data()), prefix_.size());
    prefix_.clear();
    prefix_.shrink_to_fit();
    std::array<uint8_t, 16 * 1024> buf;
    while (!closed_) {
        auto [ec, n] =
            co_await socket_.async_read_some(net::buffer(buf), net::as_tuple(net::use_awaitable));
        if (ec) break;
        on_readable(buf.data(), n);
    }
    close();
}

void H2Connection::on_readable(const uint8_t* data, size_t n) {
    if (closed_) return;
    in_recv_ = true;
    ssize_t rv = nghttp2_session_mem_recv(session_, data, n);
    in_recv_ = false;
    if (rv < 0) {
        // Bad peer (flood, compression error, bad preface): the library queued GOAWAY if it
        // could; send what is queued, then close.
        if (rv != NGHTTP2_ERR_BAD_CLIENT_MAGIC) {
            nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
        }
        stopping_ = true;
    }
    dispatch_ready();
    arm_idle();
    flush();
}

void H2Connection::dispatch_ready() {
    auto ids = std::move(ready_);
    ready_.clear();
    for (int32_t id : ids) {
        Stream* st = find(id);
        if (!st || st->answered || st->dispatched) continue;
        st->dispatched = true;
        buffered_bytes_ -= std::min(buffered_bytes_, st->req.body.size());
        if (!st->authority.empty() && !st->req.has_header("host")) {
            st->req.headers.insert(st->req.headers.begin(), {"host", st->authority});
        }
        std::weak_ptr<H2Connection> weak = weak_from_this();
        auto ex = socket_.get_executor();
        serve_(std::move(st->req), [weak, ex, id](HttpResponse out) {
            net::post(ex, [weak, id, out = std::move(out)]() mutable {
                auto self = weak.lock();
                if (self) {
                    self->respond(id, std::move(out));
                } else if (out.stream) {
                    out.stream->cancel(false);
                }
            });
        });
    }
}

void H2Connection::respond(int32_t id, HttpResponse out) {
    Stream* st = find(id);
    if (closed_ || !st || st->answered) {
        if (out.stream) out.stream->cancel(stopping_);
        return;
    }
    st->answered = true;
    st->hold.clear();
    st->hold.reserve(2 + 2 * out.headers.size() + 2);
    std::vector<nghttp2_nv> nva;
    nva.reserve(out.headers.size() + 2);
    auto add = [&](std::string name, std::string value) {
        st->hold.push_back(std::move(name));
        st->hold.push_back(std::move(value));
    };
    add(":status", std::to_string(out.status));
    bool has_date = false;
    for (auto& h : out.headers) {
        auto name = lower(h.name);
        if (hop_by_hop(name) || name.empty() || name[0] == ':') continue;
        has_date = has_date || name == "date";
        add(std::move(name), std::move(h.value));
    }
    if (!has_date) add("date", http_date_now());
    bool no_body =
        out.status == 204 || out.status == 304 || (out.status >= 100 && out.status < 200);
    if (!out.stream && !no_body) add("content-length", std::to_string(out.body.size()));
    for (size_t i = 0; i + 1 < st->hold.size(); i += 2)
        nva.push_back(nv(st->hold[i], st->hold[i + 1]));

    nghttp2_data_provider prd;
    prd.source.ptr = nullptr;
    prd.read_callback = read_body;
    const nghttp2_data_provider* use = nullptr;
    if (out.stream) {
        st->source = std::move(out.stream);
        use = &prd;
    } else if (!out.body.empty() && !no_body) {
        st->body = std::move(out.body);
        use = &prd;
    }
    if (nghttp2_submit_response(session_, id, nva.data(), nva.size(), use) != 0) {
        if (st->source) finish_source(*st, false);
        flush();
        return;
    }
    if (st->source) {
        // Only a weak reference: a source may outlive the connection and the io_context (the
        // engine keeps it until its subscription ends), and a copy of the strand must not.
        std::weak_ptr<H2Connection> weak = weak_from_this();
        st->source->start([weak, id] {
            if (auto self = weak.lock()) {
                net::post(self->socket_.get_executor(), [weak, id] {
                    if (auto again = weak.lock()) again->wake(id);
                });
            }
        });
        if (stopping_) st->end_now = true;
    }
    flush();
}

void H2Connection::answer_status(Stream& st, int status) {
    HttpResponse r;
    r.status = status;
    st.reset_after_response = true;
    respond(st.id, std::move(r));
}

void H2Connection::wake(int32_t id) {
    if (closed_) return;
    if (!find(id)) return;
    nghttp2_session_resume_data(session_, id);
    flush();
}

void H2Connection::finish_source(Stream& st, bool server_stopping) {
    if (!st.source || st.source_done) return;
    st.source_done = true;
    st.source->cancel(server_stopping);
}

void H2Connection::flush() {
    if (closed_ || writing_ || in_recv_) return;
    out_.clear();
    for (;;) {
        const uint8_t* data = nullptr;
        ssize_t n = nghttp2_session_mem_send(session_, &data);
        if (n < 0) {
            close();
            return;
        }
        if (n == 0) break;
        out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
        if (out_.size() >= kWriteBatch) break;
    }
    if (out_.empty()) {
        if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) close();
        return;
    }
    writing_ = true;
    write_timer_.expires_after(std::chrono::milliseconds(limits_.write_stall_ms));
    write_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->close();  // the peer stopped reading the socket
    });
    net::async_write(socket_, net::buffer(out_),
                     [self = shared_from_this()](boost::system::error_code ec, size_t) {
                         self->writing_ = false;
                         self->write_timer_.cancel();
                         if (ec) {
                             self->close();
                             return;
                         }
                         self->flush();
                     });
}

void H2Connection::arm_idle() {
    if (closed_) return;
    idle_timer_.expires_after(std::chrono::milliseconds(limits_.idle_ms));
    idle_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        auto self = weak.lock();
        if (!self || self->closed_) return;
        if (!self->streams_.empty()) {
            self->arm_idle();  // never while a stream (an event stream, say) is open
            return;
        }
        self->stopping_ = true;
        nghttp2_session_terminate_session(self->session_, NGHTTP2_NO_ERROR);
        self->flush();
    });
}

void H2Connection::shutdown() {
    if (closed_ || stopping_) return;
    stopping_ = true;
    for (auto& [id, st] : streams_) {
        if (st->source && !st->source_done) {
            finish_source(*st, true);
            st->end_now = true;
            nghttp2_session_resume_data(session_, id);
        }
    }
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                          nullptr, 0);
    flush();
}

void H2Connection::close() {
    if (closed_) return;
    closed_ = true;
    idle_timer_.cancel();
    write_timer_.cancel();
    for (auto& [id, st] : streams_) {
        if (st->retry) st->retry->cancel();
        finish_source(*st, false);
    }
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

// ---- nghttp2 callbacks (on the strand, inside mem_recv / mem_send) ----------------------------

int H2Connection::on_begin_headers(nghttp2_session*, const nghttp2_frame* f, void* u) {
    auto* self = static_cast<H2Connection*>(u);
    if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    auto st = std::make_unique<Stream>();
    st->id = f->hd.stream_id;
    st->req.remote_address = self->remote_;
    self->streams_[st->id] = std::move(st);
    return 0;
}

int H2Connection::on_header(nghttp2_session*, const nghttp2_frame* f, const uint8_t* name,
                            size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                            void* u) {
    auto* self = static_cast<H2Connection*>(u);
    if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    Stream* st = self->find(f->hd.stream_id);
    if (!st) return 0;
    st->header_bytes += namelen + valuelen + 32;
    if (st->header_bytes > self->limits_.max_header_bytes) {
        st->headers_too_large = true;  // answered with 431 once the header block is complete
        return 0;
    }
    std::string_view n(reinterpret_cast<const char*>(name), namelen);
    std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":method") {
        st->req.method = v;
    } else if (n == ":path") {
        st->req.target = v;
    } else if (n == ":authority") {
        st->authority = v;
    } else if (!n.empty() && n[0] != ':') {
        st->req.headers.push_back({std::string(n), std::string(v)});
    }
    return 0;
}

int H2Connection::on_data_chunk(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data,
                                size_t len, void* u) {
    auto* self = static_cast<H2Connection*>(u);
    Stream* st = self->find(id);
    if (!st || st->answered || st->dispatched) return 0;
    if (st->req.body.size() + len > self->limits_.max_body_bytes) {
        st->body_too_large = true;
        self->buffered_bytes_ -= std::min(self->buffered_bytes_, st->req.body.size());
        std::string().swap(st->req.body);
        self->answer_status(*st, 413);
        return 0;
    }
    // All streams of one connection together may buffer a few bodies' worth, no more.
    if (self->buffered_bytes_ + len > 4 * self->limits_.max_body_bytes) {
        nghttp2_submit_rst_stream(self->session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_ENHANCE_YOUR_CALM);
        return 0;
    }
    st->req.body.append(reinterpret_cast<const char*>(data), len);
    self->buffered_bytes_ += len;
    return 0;
}

int H2Connection::on_frame_recv(nghttp2_session*, const nghttp2_frame* f, void* u) {
    auto* self = static_cast<H2Connection*>(u);
    if (f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA) return 0;
    Stream* st = self->find(f->hd.stream_id);
    if (!st || st->answered) return 0;
    if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST) {
        if (st->headers_too_large) {
            self->answer_status(*st, 431);
            return 0;
        }
        auto cl = st->req.header("content-length");
        size_t declared = 0;
        if (!cl.empty() &&
            std::from_chars(cl.data(), cl.data() + cl.size(), declared).ec == std::errc() &&
            declared > self->limits_.max_body_bytes) {
            // AWS: an oversized body is refused before it is read.
            self->answer_status(*st, 413);
            return 0;
        }
    }
    if (f->hd.flags & NGHTTP2_FLAG_END_STREAM) self->ready_.push_back(st->id);
    return 0;
}

int H2Connection::on_frame_send(nghttp2_session*, const nghttp2_frame* f, void* u) {
    auto* self = static_cast<H2Connection*>(u);
    if (!(f->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
    Stream* st = self->find(f->hd.stream_id);
    // RFC 9113 §8.1: once the answer is complete, RST_STREAM(NO_ERROR) tells the client to
    // stop sending the body we refused. Submitted only now so it cannot overtake the answer.
    if (st && st->reset_after_response &&
        !nghttp2_session_get_stream_remote_close(self->session_, st->id)) {
        nghttp2_submit_rst_stream(self->session_, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_NO_ERROR);
    }
    return 0;
}

int H2Connection::on_stream_close(nghttp2_session*, int32_t id, uint32_t, void* u) {
    auto* self = static_cast<H2Connection*>(u);
    auto it = self->streams_.find(id);
    if (it == self->streams_.end()) return 0;
    auto& st = *it->second;
    if (st.retry) st.retry->cancel();
    self->finish_source(st, false);
    if (!st.dispatched)
        self->buffered_bytes_ -= std::min(self->buffered_bytes_, st.req.body.size());
    self->streams_.erase(it);
    return 0;
}

ssize_t H2Connection::read_body(nghttp2_session*, int32_t id, uint8_t* buf, size_t len,
                                uint32_t* flags, nghttp2_data_source*, void* u) {
    auto* self = static_cast<H2Connection*>(u);
    Stream* st = self->find(id);
    if (!st) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    if (!st->source) {
        size_t n = std::min(len, st->body.size() - st->body_off);
        std::copy_n(st->body.data() + st->body_off, n, buf);
        st->body_off += n;
        if (st->body_off == st->body.size()) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            std::string().swap(st->body);
        }
        return static_cast<ssize_t>(n);
    }
    while (st->piece_off == st->piece.size()) {
        if (st->end_now || st->source_done) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            return 0;
        }
        auto p = st->source->pull();
        if (p.kind == BodySource::Piece::kEnd) {
            st->source_done = true;
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            return 0;
        }
        if (p.kind == BodySource::Piece::kPending) {
            if (p.wait_ms >= 0) {
                if (!st->retry)
                    st->retry = std::make_unique<net::steady_timer>(self->socket_.get_executor());
                st->retry->expires_after(std::chrono::milliseconds(p.wait_ms));
                st->retry->async_wait(
                    [weak = self->weak_from_this(), id](boost::system::error_code ec) {
                        if (ec) return;
                        if (auto s = weak.lock()) s->wake(id);
                    });
            }
            return NGHTTP2_ERR_DEFERRED;
        }
        st->piece = std::move(p.bytes);
        st->piece_off = 0;
    }
    size_t n = std::min(len, st->piece.size() - st->piece_off);
    std::copy_n(st->piece.data() + st->piece_off, n, buf);
    st->piece_off += n;
    if (st->piece_off == st->piece.size()) {
        st->piece.clear();
        st->piece_off = 0;
    }
    return static_cast<ssize_t>(n);
}

std::shared_ptr<H2Connection> make_h2_connection(tcp::socket socket, std::string prefix,
                                                 std::string remote, H2Limits limits,
                                                 H2Serve serve) {
    return std::make_shared<H2Connection>(std::move(socket), std::move(prefix), std::move(remote),
                                          limits, std::move(serve));
}

net::awaitable<void> run_h2(std::shared_ptr<H2Connection> conn) {
    co_await conn->run();
}

void shutdown_h2(const std::weak_ptr<H2Connection>& weak) {
    auto conn = weak.lock();
    if (!conn) return;
    // The connection's executor is its strand; reach it through a post.
    conn->post_shutdown();
}

}  // namespace kemu::detail
