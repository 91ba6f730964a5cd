#pragma once
// Route resolution as a REST API does it (docs/aws/apigw.md, Routes and stages): stage first, then
// the resource tree /events/{event_type}, /events/batch (literal, no methods),
// /events/batch/{event_type}.

#include <string>
#include <string_view>

#include "core/encoding.h"

namespace kemu::apigw {

enum class RouteKind {
    kNone,        // 403 Missing Authentication Token
    kPutRecord,   // POST /events/{event_type}
    kPutRecords,  // POST /events/batch/{event_type}
    kPreflight,   // OPTIONS on either (MOCK integration)
};

struct Route {
    RouteKind kind = RouteKind::kNone;
    std::string event_type;          // percent-decoded path parameter
    std::string_view resource_path;  // "/events/{event_type}", ...; "-" when unmatched
};

// `path` is the request target without the query. Matching is case-sensitive; one trailing
// slash is ignored. A wrong stage, an unknown path and a method the resource lacks all give
// kNone. The literal `batch` wins over `{event_type}`: `POST /v1/events/batch` is kNone.
Route resolve_route(std::string_view method, std::string_view path, std::string_view stage);

// True for `{api_id}.execute-api.localhost[:port]`; sets `*api_id`.
bool host_style(std::string_view host, std::string_view* api_id);

// %XX decoding (core/encoding.h); malformed escapes are kept as they are.
using kemu::percent_decode;

}  // namespace kemu::apigw
