// The mapping templates, rendered with API Gateway's Velocity quirks (docs/aws/apigw.md,
// Mapping templates).

#include "mapping_template.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "core/encoding.h"

using namespace kemu::apigw;
namespace json = boost::json;

namespace {

std::string java(std::string_view json_text) {
    std::string out;
    append_java_text(out, json::parse(json_text));
    return out;
}

}  // namespace

TEST_CASE("PutRecord carries the raw body bytes and the request id", "[apigw]") {
    std::string stream = "dev-orders-stream";
    std::string body = "{ \"a\" : 1 }\n";  // whitespace kept: $input.body, not $input.json
    auto text = render_put_record(&stream, body, "6c4d0f2e-0000-4000-8000-000000000001");
    auto v = json::parse(text).as_object();
    CHECK(v.at("StreamName") == "dev-orders-stream");
    CHECK(kemu::base64_decode(std::string(v.at("Data").as_string())) == body);
    CHECK(v.at("PartitionKey") == "6c4d0f2e-0000-4000-8000-000000000001");
}

TEST_CASE("an unknown event type renders the lookup's source text", "[apigw]") {
    auto text = render_put_record(nullptr, "{}", "id");
    auto v = json::parse(text).as_object();
    CHECK(v.at("StreamName") == "$streams.get($input.params('event_type'))");
}

TEST_CASE("PutRecords maps each record in order", "[apigw]") {
    std::string stream = "dev-clicks-stream";
    auto r = render_put_records(&stream, R"({"records":[{"data":"x y","partitionKey":"k1"},
        {"data":"{\"user\": 1}","partitionKey":"k2"}]})");
    REQUIRE(r.ok);
    auto v = json::parse(r.text).as_object();
    CHECK(v.at("StreamName") == "dev-clicks-stream");
    auto& recs = v.at("Records").as_array();
    REQUIRE(recs.size() == 2);
    CHECK(kemu::base64_decode(std::string(recs[0].at("Data").as_string())) == "x y");
    CHECK(recs[0].at("PartitionKey") == "k1");
    CHECK(kemu::base64_decode(std::string(recs[1].at("Data").as_string())) == "{\"user\": 1}");
    CHECK(recs[1].at("PartitionKey") == "k2");
}

TEST_CASE("object-valued data is stored as Java map text", "[apigw]") {
    auto r =
        render_put_records(nullptr, R"({"records":[{"data":{"a":1,"b":"x"},"partitionKey":"k"}]})");
    REQUIRE(r.ok);
    auto v = json::parse(r.text).as_object();
    auto data = v.at("Records").as_array()[0].at("Data").as_string();
    CHECK(kemu::base64_decode(std::string(data)) == "{a=1, b=x}");
}

TEST_CASE("Java toString for every JSON kind", "[apigw]") {
    CHECK(java(R"("s")") == "s");
    CHECK(java("12") == "12");
    CHECK(java("-3") == "-3");
    CHECK(java("1.5") == "1.5");
    CHECK(java("2.0") == "2.0");
    CHECK(java("1e20") == "1.0E20");
    CHECK(java("1.25e-5") == "1.25E-5");
    CHECK(java("0.001") == "0.001");
    CHECK(java("true") == "true");
    CHECK(java("null") == "null");
    CHECK(java(R"([1,"a",[2]])") == "[1, a, [2]]");
    CHECK(java(R"({"a":{"b":[1,2]},"c":null})") == "{a={b=[1, 2]}, c=null}");
    CHECK(java("{}") == "{}");
}

TEST_CASE("a partition key is pasted verbatim, so a quote breaks the JSON", "[apigw]") {
    auto r = render_put_records(nullptr, R"({"records":[{"data":"d","partitionKey":"a\"b"}]})");
    REQUIRE(r.ok);
    json::error_code ec;
    (void)json::parse(r.text, ec);
    CHECK(ec);  // Kinesis answers SerializationException
    CHECK(r.text.find(R"("PartitionKey":"a"b")") != std::string::npos);
}

TEST_CASE("an escaped backslash in a key becomes a JSON escape Kinesis reads", "[apigw]") {
    auto r = render_put_records(nullptr, R"({"records":[{"data":"d","partitionKey":"a\\nb"}]})");
    REQUIRE(r.ok);
    auto v = json::parse(r.text).as_object();
    CHECK(v.at("Records").as_array()[0].at("PartitionKey") == "a\nb");
}

TEST_CASE("missing values print their reference text", "[apigw]") {
    auto r = render_put_records(nullptr, R"({"records":[{"data":"d"},{"partitionKey":"k"}]})");
    REQUIRE(r.ok);
    auto recs = json::parse(r.text).as_object().at("Records").as_array();
    CHECK(recs[0].at("PartitionKey") == "$r.partitionKey");
    CHECK(recs[1].at("Data") == "$util.base64Encode($r.data)");
}

TEST_CASE("no records, or records that are not a list, render an empty list", "[apigw]") {
    for (const char* body :
         {"{}", "", "  ", R"({"records":"x"})", R"({"records":null})", "[1]", "3"}) {
        INFO(body);
        auto r = render_put_records(nullptr, body);
        REQUIRE(r.ok);
        CHECK(json::parse(r.text).as_object().at("Records").as_array().empty());
    }
}

TEST_CASE("a map of records iterates its values", "[apigw]") {
    auto r = render_put_records(nullptr, R"({"records":{"x":{"data":"d","partitionKey":"k"}}})");
    REQUIRE(r.ok);
    CHECK(json::parse(r.text).as_object().at("Records").as_array().size() == 1);
}

TEST_CASE("a body that is not JSON is the gateway's 400", "[apigw]") {
    auto r = render_put_records(nullptr, "{not json");
    CHECK_FALSE(r.ok);
    CHECK(r.error.starts_with("Could not parse request body into json: "));
}

TEST_CASE("the error template copies message and __type", "[apigw]") {
    CHECK(render_error_template(R"({"__type":"ResourceNotFoundException","message":"gone"})") ==
          R"({"message":"gone","type":"ResourceNotFoundException"})");
    // JSONPath is case-sensitive: SerializationException's "Message" is not "message".
    CHECK(render_error_template(R"({"__type":"SerializationException","Message":"x"})") ==
          R"({"message":"","type":"SerializationException"})");
    CHECK(render_error_template("not json") == R"({"message":"","type":""})");
}
