// Route resolution as a REST API does it (docs/aws/apigw.md, Routes and stages).

#include "route.h"

#include <catch2/catch.hpp>

using namespace kemu::apigw;

TEST_CASE("POST on /{stage}/events/{type} is PutRecord with the decoded type", "[apigw]") {
    auto r = resolve_route("POST", "/v1/events/orders", "v1");
    CHECK(r.kind == RouteKind::kPutRecord);
    CHECK(r.event_type == "orders");
    CHECK(r.resource_path == "/events/{event_type}");
    CHECK(resolve_route("POST", "/v1/events/a%2Db", "v1").event_type == "a-b");
}

TEST_CASE("POST on /{stage}/events/batch/{type} is PutRecords", "[apigw]") {
    auto r = resolve_route("POST", "/v1/events/batch/clicks", "v1");
    CHECK(r.kind == RouteKind::kPutRecords);
    CHECK(r.event_type == "clicks");
    CHECK(r.resource_path == "/events/batch/{event_type}");
}

TEST_CASE("the literal batch resource wins over {event_type} and has no POST", "[apigw]") {
    CHECK(resolve_route("POST", "/v1/events/batch", "v1").kind == RouteKind::kNone);
    CHECK(resolve_route("OPTIONS", "/v1/events/batch", "v1").kind == RouteKind::kNone);
    CHECK(resolve_route("POST", "/v1/events/batch/", "v1").kind == RouteKind::kNone);
}

TEST_CASE("OPTIONS on both resources is the preflight", "[apigw]") {
    CHECK(resolve_route("OPTIONS", "/v1/events/orders", "v1").kind == RouteKind::kPreflight);
    CHECK(resolve_route("OPTIONS", "/v1/events/batch/x", "v1").kind == RouteKind::kPreflight);
}

TEST_CASE("unknown methods, paths and stages resolve to nothing", "[apigw]") {
    for (const char* m : {"GET", "PUT", "DELETE", "HEAD", "PATCH", "post"}) {
        INFO(m);
        auto r = resolve_route(m, "/v1/events/orders", "v1");
        CHECK(r.kind == RouteKind::kNone);
        CHECK(r.resource_path == "-");
    }
    for (const char* p :
         {"/v2/events/orders", "/V1/events/orders", "/v1/Events/orders", "/v1/events", "/v1", "/",
          "", "/v1//events/orders", "/v1/events//orders", "/v1/events/orders/extra",
          "/v1/events/batch/x/y", "/v1/other/orders", "v1/events/orders", "/v1/events/orders//"}) {
        INFO(p);
        CHECK(resolve_route("POST", p, "v1").kind == RouteKind::kNone);
    }
}

TEST_CASE("one trailing slash is ignored", "[apigw]") {
    CHECK(resolve_route("POST", "/v1/events/orders/", "v1").kind == RouteKind::kPutRecord);
    CHECK(resolve_route("POST", "/v1/events/batch/o/", "v1").kind == RouteKind::kPutRecords);
}

TEST_CASE("the stage is whatever the api block names", "[apigw]") {
    CHECK(resolve_route("POST", "/prod_2/events/x", "prod_2").kind == RouteKind::kPutRecord);
    CHECK(resolve_route("POST", "/v1/events/x", "prod_2").kind == RouteKind::kNone);
}

TEST_CASE("host-style names give the api id, with or without a port", "[apigw]") {
    std::string_view id;
    CHECK(host_style("abc123defg.execute-api.localhost:4566", &id));
    CHECK(id == "abc123defg");
    CHECK(host_style("abc123defg.execute-api.localhost", &id));
    CHECK(host_style("ABC.Execute-Api.Localhost", &id));
    CHECK(id == "ABC");
    CHECK_FALSE(host_style("127.0.0.1:4566", &id));
    CHECK_FALSE(host_style("localhost", &id));
    CHECK_FALSE(host_style(".execute-api.localhost", &id));
    CHECK_FALSE(host_style("", &id));
}

TEST_CASE("percent decoding keeps malformed escapes", "[apigw]") {
    CHECK(percent_decode("a%20b") == "a b");
    CHECK(percent_decode("%zz%2") == "%zz%2");
    CHECK(percent_decode("%") == "%");
    CHECK(percent_decode("%41%42") == "AB");
}
