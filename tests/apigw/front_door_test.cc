// The front door's pipeline over a real in-memory Kinesis store and a ManualClock: responses,
// headers, error mapping, the processing order (docs/aws/apigw.md, Check order), access logs and
// metrics.

#include "apigw/front_door.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/db.h"
#include "core/encoding.h"
#include "support/answer_now.h"
#include "support/result_printer.h"
#include "support/test_db.h"

using namespace kemu;
using namespace kemu::apigw;
namespace json = boost::json;

namespace {

constexpr const char* kAccount = "000000000000";
constexpr const char* kRegion = "us-east-1";

struct Fixture {
    ManualClock clock{1'700'000'000'000};
    std::unique_ptr<Db> db;
    std::unique_ptr<kinesis::Store> store;
    Config config;
    std::shared_ptr<FrontDoor> door;

    explicit Fixture(FrontDoorOptions options = {}, std::function<void(Config&)> tweak = nullptr,
                     kinesis::StoreOptions store_options = {}) {
        db = kemu::test::open_test_db();
        store = std::make_unique<kinesis::Store>(*db, clock, store_options);
        store->load();
        config.event_flows.push_back(flow("orders"));
        config.event_flows.push_back(flow("clicks"));
        if (tweak) tweak(config);
        for (const auto& f : config.event_flows) {
            REQUIRE(
                store->create_stream(key(config.stream_name(f)), f.shard_count, std::nullopt, {}));
        }
        options.account = kAccount;
        options.region = kRegion;
        door = make_front_door(*store, clock, config, options);
    }

    static FlowConfig flow(const std::string& type) {
        FlowConfig f;
        f.event_type = type;
        return f;
    }
    static kinesis::StreamKey key(const std::string& name) { return {kAccount, kRegion, name}; }

    HttpResponse call(const std::string& method, const std::string& target,
                      const std::string& body = "{}", std::vector<Header> headers = {}) {
        HttpRequest r;
        r.method = method;
        r.target = target;
        r.body = body;
        r.headers = std::move(headers);
        r.remote_address = "127.0.0.1";
        REQUIRE(door->matches(r));
        return test::answer_now(*door, r);
    }

    std::vector<kinesis::Record> records(const std::string& stream) {
        std::vector<kinesis::Record> out;
        auto shards = store->shards(key(stream));
        REQUIRE(shards);
        for (const auto& s : *shards) {
            auto it = store->get_shard_iterator(key(stream), kinesis::shard_id(s.index), {});
            REQUIRE(it);
            auto batch = store->get_records(*it, 10000);
            REQUIRE(batch);
            for (auto& rec : batch->records)
                out.push_back(rec);
        }
        return out;
    }
};

std::string header(const HttpResponse& r, std::string_view name) {
    for (const auto& h : r.headers) {
        if (iequals(h.name, name)) return h.value;
    }
    return "<none>";
}

bool has_header(const HttpResponse& r, std::string_view name) {
    return header(r, name) != "<none>";
}

void check_gateway_error(const HttpResponse& r, int status, const std::string& body,
                         const std::string& type) {
    CHECK(r.status == status);
    CHECK(r.body == body);
    CHECK(header(r, "x-amzn-ErrorType") == type);
    CHECK(header(r, "Content-Type") == "application/json");
    CHECK(header(r, "x-amzn-RequestId").size() == 36);
    CHECK(has_header(r, "x-amz-apigw-id"));
    CHECK(header(r, "Date").ends_with(" GMT"));
}

std::string str(const json::value& v) {
    return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

const std::string kMat = R"({"message":"Missing Authentication Token"})";

}  // namespace

TEST_CASE("PutRecord answers 200 with Kinesis's body and AWS's headers", "[apigw]") {
    Fixture f;
    std::string body = "{\"order_id\": \"ORD-1\",\n  \"total\": 9.5}";
    auto r = f.call("POST", "/v1/events/orders", body, {{"Content-Type", "application/json"}});
    REQUIRE(r.status == 200);
    auto v = json::parse(r.body).as_object();
    CHECK(v.at("ShardId") == "shardId-000000000000");
    CHECK(v.contains("SequenceNumber"));
    CHECK(header(r, "Content-Type") == "application/json");
    auto id = header(r, "x-amzn-RequestId");
    CHECK(id.size() == 36);
    CHECK(header(r, "x-amz-apigw-id").size() == 16);
    CHECK(header(r, "X-Amzn-Trace-Id").starts_with("Root=1-"));
    CHECK(header(r, "Date") == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK(header(r, "Access-Control-Allow-Origin") == "*");
    auto recs = f.records("dev-orders-stream");
    REQUIRE(recs.size() == 1);
    CHECK(recs[0].data == body);
    CHECK(recs[0].partition_key == id);
}

TEST_CASE("a UUID in x-amzn-RequestId becomes the request id and partition key", "[apigw]") {
    Fixture f;
    std::string mine = "0b8e1a6c-8f7e-4c1a-9d2b-5e4f3a2b1c0d";
    auto r = f.call("POST", "/v1/events/orders", "{}", {{"x-amzn-RequestId", mine}});
    REQUIRE(r.status == 200);
    CHECK(header(r, "x-amzn-RequestId") == mine);
    CHECK(f.records("dev-orders-stream").at(0).partition_key == mine);

    auto other = f.call("POST", "/v1/events/orders", "{}", {{"x-amzn-RequestId", "not-a-uuid"}});
    REQUIRE(other.status == 200);
    CHECK(header(other, "x-amzn-RequestId") != "not-a-uuid");
}

TEST_CASE("Kinesis errors become 400 with the error template", "[apigw]") {
    Fixture f;
    auto r = f.call("POST", "/v1/events/nope");
    CHECK(r.status == 400);
    auto v = json::parse(r.body).as_object();
    CHECK(v.at("type") == "ValidationException");
    CHECK(std::string(v.at("message").as_string()).find("streamName") != std::string::npos);
    CHECK(header(r, "Access-Control-Allow-Origin") == "*");
    CHECK_FALSE(has_header(r, "x-amzn-ErrorType"));
}

TEST_CASE("a deleted stream is ResourceNotFoundException through the 400", "[apigw]") {
    Fixture f;
    REQUIRE(f.store->delete_stream(Fixture::key("dev-orders-stream"), false));
    auto r = f.call("POST", "/v1/events/orders");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body).as_object().at("type") == "ResourceNotFoundException");
}

TEST_CASE("with only a default integration response Kinesis errors are 200", "[apigw]") {
    Fixture f({}, [](Config& c) { c.api.integration_responses = "default-only"; });
    auto r = f.call("POST", "/v1/events/nope");
    CHECK(r.status == 200);
    CHECK(json::parse(r.body).as_object().at("__type") == "ValidationException");
}

TEST_CASE("with no integration responses every call is 500", "[apigw]") {
    Fixture f({}, [](Config& c) { c.api.integration_responses = "none"; });
    auto r = f.call("POST", "/v1/events/orders");
    check_gateway_error(r, 500, R"({"message": "Internal server error"})",
                        "InternalServerErrorException");
}

TEST_CASE("unknown routes, methods and stages are 403 Missing Authentication Token", "[apigw]") {
    Fixture f;
    check_gateway_error(f.call("GET", "/v1/events/orders"), 403, kMat,
                        "MissingAuthenticationTokenException");
    check_gateway_error(f.call("POST", "/v2/events/orders"), 403, kMat,
                        "MissingAuthenticationTokenException");
    check_gateway_error(f.call("POST", "/v1/events/batch"), 403, kMat,
                        "MissingAuthenticationTokenException");
    check_gateway_error(f.call("POST", "/v1/nothing"), 403, kMat,
                        "MissingAuthenticationTokenException");
    CHECK(f.records("dev-orders-stream").empty());
}

TEST_CASE("matches claims gateway requests and never the AWS APIs", "[apigw]") {
    Fixture f;
    auto claims = [&](std::string method, std::string target, std::vector<Header> h = {},
                      std::string body = {}) {
        HttpRequest r;
        r.method = std::move(method);
        r.target = std::move(target);
        r.headers = std::move(h);
        r.body = std::move(body);
        return f.door->matches(r);
    };
    CHECK(claims("POST", "/v1/events/orders"));
    CHECK(claims("GET", "/v1/anything"));
    CHECK(claims("POST", "/v2/events/orders"));
    CHECK(claims("POST", "/v2/events"));
    CHECK(claims("GET", "/", {{"Host", f.door->api_id() + ".execute-api.localhost:4566"}}));
    CHECK_FALSE(claims("POST", "/"));
    CHECK_FALSE(claims("POST", "/_kemu/health"));
    CHECK_FALSE(claims("POST", "/000000000000/my-queue"));
    CHECK_FALSE(
        claims("POST", "/v1/events/orders", {{"X-Amz-Target", "Kinesis_20131202.PutRecord"}}));
    CHECK_FALSE(claims("GET", "/v1/events/orders?Action=ListQueues"));
    CHECK_FALSE(claims("GET", "/v1/x?Version=1&Action=ListQueues"));
    CHECK_FALSE(claims("POST", "/v1/events/x",
                       {{"Content-Type", "application/x-www-form-urlencoded"}},
                       "Action=SendMessage&MessageBody=x"));
    CHECK(
        claims("POST", "/v1/events/x", {{"Content-Type", "application/json"}}, R"({"Action=":1})"));
}

TEST_CASE("host-style requests work and a foreign api id is 403", "[apigw]") {
    Fixture f;
    auto host = f.door->api_id() + ".execute-api.localhost:4566";
    CHECK(f.door->api_id().size() == 10);
    CHECK(f.call("POST", "/v1/events/orders", "{}", {{"Host", host}}).status == 200);
    auto r = f.call("POST", "/v1/events/orders", "{}",
                    {{"Host", "zzzzzzzzzz.execute-api.localhost:4566"}});
    check_gateway_error(r, 403, kMat, "MissingAuthenticationTokenException");
}

TEST_CASE("a body over the limit is 413 before the key and the template", "[apigw]") {
    FrontDoorOptions o;
    o.api_keys = {{"k1", true}};
    Fixture f(o, [](Config& c) { c.api.api_key_required = true; });
    std::string big((10u << 20) + 1, 'x');
    check_gateway_error(f.call("POST", "/v1/events/orders", big), 413,
                        R"({"message":"Request Too Long"})", "RequestTooLongException");
    // Exactly 10 MiB passes the gateway (and Kinesis then refuses a record that large).
    big.pop_back();
    auto r = f.call("POST", "/v1/events/orders", big, {{"x-api-key", "k1"}});
    CHECK(r.status == 400);
    // ... but the route comes first.
    big.push_back('x');
    CHECK(f.call("GET", "/v1/events/orders", big).status == 403);
}

TEST_CASE("API keys: missing, unknown or disabled is 403 Forbidden", "[apigw]") {
    FrontDoorOptions o;
    o.api_keys = {{"good-key", true}, {"off-key", false}};
    Fixture f(o, [](Config& c) { c.api.api_key_required = true; });
    std::string forbidden = R"({"message":"Forbidden"})";
    check_gateway_error(f.call("POST", "/v1/events/orders"), 403, forbidden, "ForbiddenException");
    check_gateway_error(f.call("POST", "/v1/events/orders", "{}", {{"x-api-key", "bad"}}), 403,
                        forbidden, "ForbiddenException");
    check_gateway_error(f.call("POST", "/v1/events/orders", "{}", {{"x-api-key", "off-key"}}), 403,
                        forbidden, "ForbiddenException");
    CHECK(f.call("POST", "/v1/events/orders", "{}", {{"X-API-Key", "good-key"}}).status == 200);
    // Preflight never needs a key.
    CHECK(f.call("OPTIONS", "/v1/events/orders").status == 200);
    // Unknown routes stay 403 MAT, not Forbidden.
    check_gateway_error(f.call("POST", "/v1/events/batch"), 403, kMat,
                        "MissingAuthenticationTokenException");
}

TEST_CASE("stage throttling: burst requests at t=0 pass, the next is 429", "[apigw]") {
    Fixture f({}, [](Config& c) {
        c.api.throttling_rate_limit = 2;
        c.api.throttling_burst_limit = 3;
    });
    for (int i = 0; i < 3; ++i)
        REQUIRE(f.call("POST", "/v1/events/orders").status == 200);
    check_gateway_error(f.call("POST", "/v1/events/orders"), 429,
                        R"({"message":"Too Many Requests"})", "TooManyRequestsException");
    // Throttling covers the preflight too, and unknown routes are not throttled but 403.
    CHECK(f.call("OPTIONS", "/v1/events/orders").status == 429);
    CHECK(f.call("GET", "/v1/events/orders").status == 403);
    f.clock.advance_ms(500);
    CHECK(f.call("POST", "/v1/events/orders").status == 200);
    CHECK(f.call("POST", "/v1/events/orders").status == 429);
    CHECK(f.records("dev-orders-stream").size() == 4);
}

TEST_CASE("the account limit applies across routes", "[apigw]") {
    FrontDoorOptions o;
    o.account_throttle = ThrottleSettings{1, 2};
    Fixture f(o);
    CHECK(f.call("POST", "/v1/events/orders").status == 200);
    CHECK(f.call("POST", "/v1/events/batch/clicks",
                 R"({"records":[{"data":"a","partitionKey":"k"}]})")
              .status == 200);
    CHECK(f.call("POST", "/v1/events/clicks").status == 429);
}

TEST_CASE("a method's own stage throttle replaces */* for that method only", "[apigw]") {
    Fixture f({}, [](Config& c) {
        c.api.throttling_rate_limit = 0.001;
        c.api.throttling_burst_limit = 2;
        MethodSettingsConfig m;
        m.method_path = "events/batch/{event_type}/POST";
        m.throttling_burst_limit = 1;  // the rate is the stage's
        c.api.method_settings.push_back(m);
    });
    std::string batch = R"({"records":[{"data":"a","partitionKey":"k"}]})";
    CHECK(f.call("POST", "/v1/events/batch/orders", batch).status == 200);
    check_gateway_error(f.call("POST", "/v1/events/batch/clicks", batch), 429,
                        R"({"message":"Too Many Requests"})", "TooManyRequestsException");
    // The single-record method still has the stage's bucket of 2, untouched by the batches.
    CHECK(f.call("POST", "/v1/events/orders").status == 200);
    CHECK(f.call("OPTIONS", "/v1/events/batch/orders").status == 200);
    CHECK(f.call("POST", "/v1/events/orders").status == 429);
}

TEST_CASE("usage plan: per-key throttle, then quota with Limit Exceeded", "[apigw]") {
    FrontDoorOptions o;
    o.api_keys = {{"a", true, std::nullopt, Quota{3, QuotaPeriod::kDay}},
                  {"b", true, std::nullopt, Quota{3, QuotaPeriod::kDay}}};
    Fixture f(o, [](Config& c) { c.api.api_key_required = true; });
    for (int i = 0; i < 3; ++i) {
        REQUIRE(f.call("POST", "/v1/events/orders", "{}", {{"x-api-key", "a"}}).status == 200);
    }
    check_gateway_error(f.call("POST", "/v1/events/orders", "{}", {{"x-api-key", "a"}}), 429,
                        R"({"message":"Limit Exceeded"})", "LimitExceededException");
    // Quotas are per key.
    CHECK(f.call("POST", "/v1/events/orders", "{}", {{"x-api-key", "b"}}).status == 200);
    f.clock.advance_ms(86'400'000);
    CHECK(f.call("POST", "/v1/events/orders", "{}", {{"x-api-key", "a"}}).status == 200);

    FrontDoorOptions t;
    t.api_keys = {{"a", true, ThrottleSettings{1, 1}, Quota{100, QuotaPeriod::kDay}}};
    Fixture g(t, [](Config& c) { c.api.api_key_required = true; });
    CHECK(g.call("POST", "/v1/events/orders", "{}", {{"x-api-key", "a"}}).status == 200);
    check_gateway_error(g.call("POST", "/v1/events/orders", "{}", {{"x-api-key", "a"}}), 429,
                        R"({"message":"Too Many Requests"})", "TooManyRequestsException");
}

TEST_CASE("the key is checked before throttling, throttling before the content type", "[apigw]") {
    FrontDoorOptions o;
    o.api_keys = {{"a", true}};
    Fixture f(o, [](Config& c) {
        c.api.api_key_required = true;
        c.api.throttling_rate_limit = 0.001;
        c.api.throttling_burst_limit = 1;
    });
    CHECK(f.call("POST", "/v1/events/orders", "x",
                 {{"x-api-key", "a"}, {"Content-Type", "text/plain"}})
              .status == 415);
    CHECK(f.call("POST", "/v1/events/orders", "x", {{"Content-Type", "text/plain"}}).status == 403);
    CHECK(f.call("POST", "/v1/events/orders", "x",
                 {{"x-api-key", "a"}, {"Content-Type", "text/plain"}})
              .status == 429);
}

TEST_CASE("content types: JSON (with parameters) or none is mapped, others 415", "[apigw]") {
    Fixture f;
    CHECK(f.call("POST", "/v1/events/orders", "{}",
                 {{"Content-Type", "application/json; charset=utf-8"}})
              .status == 200);
    CHECK(
        f.call("POST", "/v1/events/orders", "{}", {{"Content-Type", "Application/JSON"}}).status ==
        200);
    check_gateway_error(f.call("POST", "/v1/events/orders", "hi", {{"Content-Type", "text/plain"}}),
                        415, R"({"message":"Unsupported Media Type"})",
                        "UnsupportedMediaTypeException");
    CHECK(f.records("dev-orders-stream").size() == 2);
}

TEST_CASE("WHEN_NO_MATCH sends other content types to Kinesis unmapped", "[apigw]") {
    Fixture f({}, [](Config& c) { c.api.passthrough_behavior = "WHEN_NO_MATCH"; });
    auto r = f.call("POST", "/v1/events/orders", "hello", {{"Content-Type", "text/plain"}});
    CHECK(r.status == 400);
    CHECK(json::parse(r.body).as_object().at("type") == "SerializationException");
}

TEST_CASE("request line and headers over 10 KB are refused first", "[apigw]") {
    Fixture f;
    auto r = f.call("GET", "/v9/events/x", "", {{"X-Big", std::string(10300, 'a')}});
    CHECK(r.status == 431);
    CHECK(r.body == R"({"message":"Request Header Fields Too Large"})");
    CHECK(f.call("POST", "/v1/events/orders", "{}", {{"X-Big", std::string(9000, 'a')}}).status ==
          200);
}

TEST_CASE("PutRecords keeps order and reports partial failures as 200", "[apigw]") {
    kinesis::StoreOptions so;
    so.shard_limits = true;
    Fixture f({}, nullptr, so);
    // Nearly as large as one record may be (1 MiB of data and key), so that with the first
    // record it passes the shard's 1 MiB a second.
    std::string big((1u << 20) - 8, 'b');
    std::string body = R"({"records":[{"data":"first","partitionKey":"k1"},{"data":")" + big +
                       R"(","partitionKey":"k2"},{"data":"third","partitionKey":"k3"}]})";
    auto r = f.call("POST", "/v1/events/batch/orders", body);
    REQUIRE(r.status == 200);
    auto v = json::parse(r.body).as_object();
    CHECK(v.at("FailedRecordCount") == 1);
    auto& recs = v.at("Records").as_array();
    REQUIRE(recs.size() == 3);
    CHECK(recs[0].as_object().contains("SequenceNumber"));
    CHECK(recs[1].at("ErrorCode") == "ProvisionedThroughputExceededException");
    CHECK(recs[2].as_object().contains("SequenceNumber"));
    auto stored = f.records("dev-orders-stream");
    REQUIRE(stored.size() == 2);
    CHECK(stored[0].data == "first");
    CHECK(stored[1].data == "third");
    CHECK(stored[1].partition_key == "k3");
}

TEST_CASE("PutRecords with a body that is not JSON is the gateway's 400", "[apigw]") {
    Fixture f;
    auto r = f.call("POST", "/v1/events/batch/orders", "{oops");
    CHECK(r.status == 400);
    CHECK(header(r, "x-amzn-ErrorType") == "BadRequestException");
    CHECK(json::parse(r.body).as_object().at("message").as_string().starts_with(
        "Could not parse request body into json"));
}

TEST_CASE("PutRecords with no records is Kinesis's ValidationException", "[apigw]") {
    Fixture f;
    auto r = f.call("POST", "/v1/events/batch/orders", R"({"records":[]})");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body).as_object().at("type") == "ValidationException");
}

TEST_CASE("a quote in a batch partition key is a SerializationException", "[apigw]") {
    Fixture f;
    auto r = f.call("POST", "/v1/events/batch/orders",
                    R"({"records":[{"data":"d","partitionKey":"a\"b"}]})");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body).as_object().at("type") == "SerializationException");
    CHECK(f.records("dev-orders-stream").empty());
}

TEST_CASE("preflight: 200, empty body, the three Allow-* headers", "[apigw]") {
    Fixture f;
    auto r = f.call("OPTIONS", "/v1/events/orders", "");
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(header(r, "Access-Control-Allow-Origin") == "*");
    CHECK(header(r, "Access-Control-Allow-Methods") == "OPTIONS,POST");
    CHECK(header(r, "Access-Control-Allow-Headers") ==
          "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token");
    CHECK(f.call("OPTIONS", "/v1/events/batch/orders", "").status == 200);
    CHECK(f.call("OPTIONS", "/v1/events/batch", "").status == 403);
}

TEST_CASE("several origins: echo a listed Origin with Vary, gateway responses static", "[apigw]") {
    Fixture f({}, [](Config& c) {
        c.api.cors_allowed_origins = {"https://a.example", "https://b.example"};
    });
    auto r = f.call("POST", "/v1/events/orders", "{}", {{"Origin", "https://b.example"}});
    CHECK(header(r, "Access-Control-Allow-Origin") == "https://b.example");
    CHECK(header(r, "Vary") == "Origin");
    auto other = f.call("POST", "/v1/events/orders", "{}", {{"Origin", "https://c.example"}});
    CHECK_FALSE(has_header(other, "Access-Control-Allow-Origin"));
    auto pre = f.call("OPTIONS", "/v1/events/orders", "", {{"Origin", "https://a.example"}});
    CHECK(header(pre, "Access-Control-Allow-Origin") == "https://a.example");
    auto mat = f.call("GET", "/v1/events/orders", "", {{"Origin", "https://b.example"}});
    CHECK(header(mat, "Access-Control-Allow-Origin") == "https://a.example");
}

TEST_CASE("gateway responses carry CORS only when DEFAULT_4XX/5XX are customised", "[apigw]") {
    Fixture with({}, [](Config& c) {
        c.api.throttling_rate_limit = 0.001;
        c.api.throttling_burst_limit = 1;
    });
    REQUIRE(with.call("POST", "/v1/events/orders").status == 200);
    auto r = with.call("POST", "/v1/events/orders", "{}", {{"Origin", "https://x.example"}});
    REQUIRE(r.status == 429);
    CHECK(header(r, "Access-Control-Allow-Origin") == "*");
    CHECK(has_header(r, "Access-Control-Allow-Headers"));

    Fixture without({}, [](Config& c) {
        c.api.gateway_response_cors = false;
        c.api.throttling_rate_limit = 0.001;
        c.api.throttling_burst_limit = 1;
    });
    REQUIRE(without.call("POST", "/v1/events/orders").status == 200);
    auto t = without.call("POST", "/v1/events/orders", "{}", {{"Origin", "https://x.example"}});
    REQUIRE(t.status == 429);
    CHECK_FALSE(has_header(t, "Access-Control-Allow-Origin"));
}

TEST_CASE("no cors origins: no OPTIONS method and no CORS headers", "[apigw]") {
    Fixture f({}, [](Config& c) { c.api.cors_allowed_origins.clear(); });
    CHECK(f.call("OPTIONS", "/v1/events/orders", "").status == 403);
    CHECK_FALSE(has_header(f.call("POST", "/v1/events/orders"), "Access-Control-Allow-Origin"));
}

TEST_CASE("access log: one JSON line per request, rejected ones included", "[apigw]") {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kemu-apigw-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    struct Cleanup {
        std::string p;
        ~Cleanup() {
            std::error_code ec;
            std::filesystem::remove_all(p, ec);
        }
    } cleanup{tmpl};
    FrontDoorOptions o;
    o.access_log_root = tmpl;
    Fixture f(o);
    auto ok = f.call("POST", "/v1/events/orders", "{}", {{"User-Agent", "ua \"quoted\""}});
    auto bad = f.call("GET", "/v1/events/orders");
    auto path = access_log_path(f.config, tmpl);
    CHECK(path == tmpl + "/logs/aws/apigateway/dev-events-ingestion/access-logs.log");
    std::ifstream in(path);
    std::vector<json::object> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(json::parse(line).as_object());
    REQUIRE(lines.size() == 2);
    CHECK(str(lines[0].at("requestId")) == header(ok, "x-amzn-RequestId"));
    CHECK(str(lines[0].at("extendedRequestId")) == header(ok, "x-amz-apigw-id"));
    CHECK(lines[0].at("status") == "200");
    CHECK(lines[0].at("resourcePath") == "/events/{event_type}");
    CHECK(lines[0].at("path") == "/v1/events/orders");
    CHECK(lines[0].at("stage") == "v1");
    CHECK(lines[0].at("httpMethod") == "POST");
    CHECK(lines[0].at("integrationStatus") == "200");
    CHECK(lines[0].at("errorResponseType") == "-");
    CHECK(lines[0].at("userAgent") == "ua \"quoted\"");
    CHECK(lines[0].at("requestTime") == "14/Nov/2023:22:13:20 +0000");
    CHECK(lines[0].at("requestTimeEpoch") == "1700000000000");
    CHECK(lines[0].at("caller") == "-");
    CHECK(str(lines[0].at("responseLength")) == std::to_string(ok.body.size()));
    CHECK(str(lines[1].at("requestId")) == header(bad, "x-amzn-RequestId"));
    CHECK(lines[1].at("status") == "403");
    CHECK(lines[1].at("errorResponseType") == "MISSING_AUTHENTICATION_TOKEN");
    CHECK(lines[1].at("errorMessage") == "Missing Authentication Token");
    CHECK(lines[1].at("integrationStatus") == "-");
}

TEST_CASE("metrics count requests by route and status, errors and latencies", "[apigw]") {
    Fixture f;
    (void)f.call("POST", "/v1/events/orders");
    (void)f.call("POST", "/v1/events/orders");
    (void)f.call("POST", "/v1/events/nope");
    (void)f.call("GET", "/v1/events/orders");
    (void)f.call("BREW", "/v1/events/orders");
    auto m = f.door->metrics();
    CHECK(m.count == 5);
    CHECK(m.errors_4xx == 3);
    CHECK(m.errors_5xx == 0);
    CHECK(m.latency.count == 5);
    CHECK(m.integration_latency.count == 3);
    REQUIRE(m.requests.size() == 4);
    CHECK(m.requests[0].method == "GET");
    CHECK(m.requests[0].resource == "-");
    CHECK(m.requests[1].method == "OTHER");
    CHECK(m.requests[2].method == "POST");
    CHECK(m.requests[2].resource == "/events/{event_type}");
    CHECK(m.requests[2].status == 200);
    CHECK(m.requests[2].count == 2);
    CHECK(m.requests[3].status == 400);
}
