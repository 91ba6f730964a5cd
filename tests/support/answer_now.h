#pragma once
// Calls a RequestHandler as the edge does and returns its answer, which must have been given
// before handle() returned (every action but a long poll). Unit tests of adapters use it.

#include <optional>
#include <utility>

#include <catch2/catch.hpp>

#include "core/http.h"

namespace kemu::test {

inline HttpResponse answer_now(RequestHandler& handler, const HttpRequest& req) {
    std::optional<HttpResponse> out;
    handler.handle(req, [&out](HttpResponse r) { out = std::move(r); });
    REQUIRE(out.has_value());
    return std::move(*out);
}

}  // namespace kemu::test
