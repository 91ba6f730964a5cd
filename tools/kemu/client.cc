#include "client.h"

#include <iostream>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace kemu::cli {

namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

// The request on http://host:port; nullopt (and a line on stderr when `say`) when kemu cannot
// be reached.
HttpResult http_request(const std::string& endpoint, const HttpCall& call, bool say) {
    std::string rest = endpoint;
    if (rest.starts_with("http://")) rest = rest.substr(7);
    while (rest.ends_with('/'))
        rest.pop_back();
    auto colon = rest.rfind(':');
    std::string host = colon == std::string::npos ? rest : rest.substr(0, colon);
    std::string port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
    try {
        net::io_context ioc;
        net::ip::tcp::resolver resolver(ioc);
        boost::beast::tcp_stream stream(ioc);
        stream.expires_after(std::chrono::seconds(call.timeout_s));
        stream.connect(resolver.resolve(host, port));
        http::request<http::string_body> req{http::string_to_verb(call.method), call.path, 11};
        req.set(http::field::host, rest);
        for (const auto& [name, value] : call.headers)
            req.set(name, value);
        if (!call.body.empty() || call.method == "POST") {
            req.body() = call.body;
            req.prepare_payload();
        }
        http::write(stream, req);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        if (call.response_headers) {
            for (const auto& field : res)
                call.response_headers->emplace_back(std::string(field.name_string()),
                                                    std::string(field.value()));
        }
        boost::beast::error_code ec;
        stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
        return std::make_pair(static_cast<int>(res.result_int()), res.body());
    } catch (const std::exception& e) {
        if (say) {
            std::cerr << "kemu: cannot reach kemu at " << endpoint << ": " << e.what()
                      << " (is `kemu up` running? --endpoint sets the address)\n";
        }
        return std::nullopt;
    }
}

}  // namespace

HttpResult http_get(const std::string& endpoint, const std::string& path, int timeout_s) {
    return http_request(endpoint, {"GET", path, "", {}, timeout_s}, true);
}

HttpResult http_post(const std::string& endpoint, const std::string& path, int timeout_s) {
    return http_request(endpoint, {"POST", path, "", {}, timeout_s}, true);
}

HttpResult http_call(const std::string& endpoint, const HttpCall& call) {
    return http_request(endpoint, call, false);
}

}  // namespace kemu::cli
