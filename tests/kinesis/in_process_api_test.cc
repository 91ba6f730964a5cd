// The adapter's in-process entry (make_in_process_api): the caller's account and region are
// given, so a request needs no signature, and everything else is the wire adapter's.

#include <memory>
#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/db.h"
#include "core/http.h"
#include "kinesis/api.h"
#include "kinesis/store.h"
#include "support/answer_now.h"
#include "support/test_db.h"

namespace json = boost::json;
using kemu::HttpRequest;

namespace {

HttpRequest unsigned_request(const std::string& action, std::string body) {
    HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "Kinesis_20131202." + action}};
    r.body = std::move(body);
    return r;
}

}  // namespace

TEST_CASE("in process: the given caller's streams, no signature needed", "[kinesis][api]") {
    kemu::ManualClock clock{1'700'000'000'000};
    auto db = kemu::test::open_test_db();
    kemu::kinesis::Store store(*db, clock, {});
    store.load();
    REQUIRE(store.create_stream({"123456789012", "eu-west-1", "s"}, 1, std::nullopt, {}));
    auto api = kemu::kinesis::make_in_process_api(store, clock);
    auto put =
        unsigned_request("PutRecord", R"({"StreamName":"s","Data":"YQ==","PartitionKey":"k"})");

    auto ok = api->call({"123456789012", "eu-west-1"}, put);
    CHECK(ok.status == 200);
    CHECK(json::parse(ok.body).as_object().contains("SequenceNumber"));
    // Another account or region has no such stream.
    auto other = api->call({"000000000000", "eu-west-1"}, put);
    CHECK(other.status == 400);
    CHECK(json::parse(other.body).as_object().at("__type") == "ResourceNotFoundException");
    // The wire's own validation still applies.
    auto bad = api->call({"123456789012", "eu-west-1"},
                         unsigned_request("PutRecord", R"({"StreamName":"s","Data":"YQ=="})"));
    CHECK(bad.status == 400);
    CHECK(json::parse(bad.body).as_object().at("__type") == "ValidationException");

    // The same request on the wire, unsigned, is refused.
    auto wire = kemu::kinesis::make_api_handler(store, clock, {"123456789012", "eu-west-1"});
    auto refused = kemu::test::answer_now(*wire, put);
    CHECK(refused.status == 400);
    CHECK(json::parse(refused.body).as_object().at("__type") ==
          "MissingAuthenticationTokenException");
}
