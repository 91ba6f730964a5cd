#include "route.h"

#include <array>
#include <cctype>

#include "apigw/front_door.h"
#include "core/encoding.h"

namespace kemu::apigw {
namespace {

constexpr std::string_view kSingle = "/events/{event_type}";
constexpr std::string_view kBatch = "/events/batch/{event_type}";
constexpr std::string_view kUnmatched = "-";

// Splits "/a/b/c" into at most 5 segments; false if there are more or one is empty.
bool split(std::string_view path, std::array<std::string_view, 5>* out, size_t* n) {
    *n = 0;
    if (path.empty() || path.front() != '/') return false;
    path.remove_prefix(1);
    while (true) {
        auto slash = path.find('/');
        auto seg = path.substr(0, slash);
        if (seg.empty() || *n == out->size()) return false;
        (*out)[(*n)++] = seg;
        if (slash == std::string_view::npos) return true;
        path.remove_prefix(slash + 1);
    }
}

Route with_method(std::string_view method, std::string_view resource, RouteKind post,
                  std::string_view event_type) {
    Route r;
    r.resource_path = resource;
    if (method == "POST") {
        r.kind = post;
    } else if (method == "OPTIONS") {
        r.kind = RouteKind::kPreflight;
    } else {
        r.resource_path = kUnmatched;
        return r;
    }
    r.event_type = percent_decode(event_type);
    return r;
}

}  // namespace

Route resolve_route(std::string_view method, std::string_view path, std::string_view stage) {
    Route none;
    none.resource_path = kUnmatched;
    // AWS [U]: a trailing slash is treated like the path without it (kemu strips one).
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    std::array<std::string_view, 5> seg;
    size_t n = 0;
    if (!split(path, &seg, &n) || n < 3 || seg[0] != stage || seg[1] != "events") return none;
    if (n == 3) {
        // AWS: the literal sibling wins, and /events/batch has no methods.
        if (seg[2] == "batch") return none;
        return with_method(method, kSingle, RouteKind::kPutRecord, seg[2]);
    }
    if (n == 4 && seg[2] == "batch") {
        return with_method(method, kBatch, RouteKind::kPutRecords, seg[3]);
    }
    return none;
}

bool host_style(std::string_view host, std::string_view* api_id) {
    auto colon = host.rfind(':');
    if (colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
        host = host.substr(0, colon);
    }
    constexpr std::string_view kSuffix = ".execute-api.localhost";
    if (host.size() <= kSuffix.size()) return false;
    auto tail = host.substr(host.size() - kSuffix.size());
    for (size_t i = 0; i < tail.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(tail[i])) != kSuffix[i]) return false;
    }
    *api_id = host.substr(0, host.size() - kSuffix.size());
    return true;
}

std::string derive_api_id(const Config& config) {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    auto digest = md5("kemu-rest-api:" + config.api_name());
    std::string id;
    for (int i = 0; i < 10; ++i)
        id += kAlphabet[digest[static_cast<size_t>(i)] % 36];
    return id;
}

}  // namespace kemu::apigw
