// CORS decisions (docs/aws/apigw.md, CORS): static for one origin or "*", echo for several, nothing
// implicit.

#include "cors.h"

#include <catch2/catch.hpp>

using namespace kemu::apigw;

TEST_CASE("* is sent as * whatever the Origin", "[apigw]") {
    CorsPolicy p({"*"});
    CHECK(p.allow_origin("") == "*");
    CHECK(p.allow_origin("https://evil.example") == "*");
    CHECK_FALSE(p.echoes());
    CHECK(p.gateway_allow_origin() == "*");
}

TEST_CASE("one origin is a static value, not a check", "[apigw]") {
    CorsPolicy p({"https://app.example.com"});
    CHECK(p.allow_origin("https://other.example") == "https://app.example.com");
    CHECK(p.allow_origin("") == "https://app.example.com");
    CHECK_FALSE(p.echoes());
}

TEST_CASE("several origins echo a listed Origin and nothing else", "[apigw]") {
    CorsPolicy p({"https://a.example", "https://b.example"});
    CHECK(p.echoes());
    CHECK(p.allow_origin("https://b.example") == "https://b.example");
    CHECK(p.allow_origin("https://c.example").empty());
    CHECK(p.allow_origin("").empty());
    // Never a comma-joined list (a known bug of a serverless plugin).
    CHECK(p.allow_origin("https://a.example") == "https://a.example");
    CHECK(p.gateway_allow_origin() == "https://a.example");
}

TEST_CASE("no origins means no CORS headers at all", "[apigw]") {
    CorsPolicy p({});
    CHECK_FALSE(p.enabled());
    CHECK(p.allow_origin("https://a.example").empty());
    CHECK(p.gateway_allow_origin().empty());
}
