// The Kinesis HTTP adapter without sockets: HttpRequest in, HttpResponse out (the envelope,
// the order of checks, authentication, errors: docs/aws/kinesis.md, Wire protocol).

#include "kinesis/api.h"

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "api_fixture.h"
#include "core/clock.h"
#include "core/db.h"
#include "core/encoding.h"
#include "core/http.h"
#include "kinesis/store.h"
#include "support/result_printer.h"
#include "wire/cbor.h"

namespace json = boost::json;
using kemu::Header;
using kemu::HttpRequest;
using kemu::HttpResponse;

namespace {

std::vector<std::string> headers_named(const HttpResponse& r, std::string_view name) {
    std::vector<std::string> out;
    for (const auto& h : r.headers) {
        if (kemu::iequals(h.name, name)) out.push_back(h.value);
    }
    return out;
}

std::string header(const HttpResponse& r, std::string_view name) {
    auto v = headers_named(r, name);
    REQUIRE(v.size() <= 1);
    return v.empty() ? std::string() : v[0];
}

// The envelope every response carries.
void require_envelope(const HttpResponse& r) {
    static const std::regex uuid(
        "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    auto id = header(r, "x-amzn-RequestId");
    INFO("x-amzn-RequestId: " << id);
    CHECK(std::regex_match(id, uuid));
    auto id2 = header(r, "x-amz-id-2");
    INFO("x-amz-id-2: " << id2);
    auto raw = kemu::base64_decode(id2);
    REQUIRE(raw);
    CHECK(raw->size() == 72);
    CHECK(headers_named(r, "x-amzn-ErrorType").empty());
}

}  // namespace

// ---- checklist item 1 -----------------------------------------------------------------------

TEST_CASE("ListStreams with a SigV4 header answers 200 in AWS's envelope", "[kinesis]") {
    Api api;
    auto r = api.call(json_request("ListStreams", "{}"));
    CHECK(r.status == 200);
    CHECK(r.body == R"({"StreamNames":[],"HasMoreStreams":false,"StreamSummaries":[]})");
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.1");
    require_envelope(r);
    auto again = api.call(json_request("ListStreams", "{}"));
    CHECK(header(again, "x-amzn-RequestId") != header(r, "x-amzn-RequestId"));
}

TEST_CASE("CreateStream answers 200 with an empty body, and the stream is listed", "[kinesis]") {
    Api api;
    auto r = api.call(json_request("CreateStream", R"({"StreamName":"s1","ShardCount":2})"));
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.1");
    require_envelope(r);

    auto list = api.call(json_request("ListStreams", "{}"));
    REQUIRE(list.status == 200);
    auto v = json::parse(list.body).as_object();
    CHECK(json::serialize(v.at("StreamNames")) == R"(["s1"])");
    CHECK(v.at("HasMoreStreams") == false);
    const auto& summary = v.at("StreamSummaries").as_array().at(0).as_object();
    // No 12-digit access key id: the default account; region from the credential scope.
    CHECK(summary.at("StreamARN") == "arn:aws:kinesis:us-east-1:000000000000:stream/s1");
    CHECK(summary.at("StreamStatus") == "ACTIVE");
    CHECK(summary.at("StreamCreationTimestamp") == 1'699'999'998);

    auto dup = api.call(json_request("CreateStream", R"({"StreamName":"s1","ShardCount":2})"));
    CHECK(dup.status == 400);
    CHECK(
        dup.body ==
        R"({"__type":"ResourceInUseException","message":"Stream s1 under account 000000000000 already exists."})");
}

TEST_CASE("account and region come from the SigV4 credential scope", "[kinesis]") {
    Api api;
    const std::string auth =
        "AWS4-HMAC-SHA256 Credential=123456789012/20261126/eu-west-1/kinesis/aws4_request, "
        "SignedHeaders=host, Signature=abc";
    REQUIRE(api.call(json_request("CreateStream", R"({"StreamName":"s1","ShardCount":1})", auth))
                .status == 200);
    auto d = api.call(json_request("DescribeStreamSummary", R"({"StreamName":"s1"})", auth));
    REQUIRE(d.status == 200);
    auto sd = json::parse(d.body).at("StreamDescriptionSummary").as_object();
    CHECK(sd.at("StreamARN") == "arn:aws:kinesis:eu-west-1:123456789012:stream/s1");
    CHECK(sd.at("OpenShardCount") == 1);
    // The default account and region do not see it.
    auto other = api.call(json_request("DescribeStreamSummary", R"({"StreamName":"s1"})"));
    CHECK(other.status == 400);
    CHECK(
        other.body ==
        R"({"__type":"ResourceNotFoundException","message":"Stream s1 under account 000000000000 not found."})");
}

// ---- checklist item 2 -----------------------------------------------------------------------

TEST_CASE("a request without Authorization is refused as unauthenticated", "[kinesis]") {
    Api api;
    auto r = api.call(json_request("ListStreams", "{}", ""));
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        R"({"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"})");
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.1");
    require_envelope(r);
}

TEST_CASE("an incomplete Authorization header lists every missing part", "[kinesis]") {
    Api api;
    auto req = json_request("ListStreams", "{}", "X");
    req.headers.erase(req.headers.begin() + 3);  // no X-Amz-Date
    REQUIRE_FALSE(req.has_header("X-Amz-Date"));
    auto r = api.call(req);
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        R"({"__type":"IncompleteSignatureException","message":"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=X"})");

    // A complete header without any date header.
    req = json_request("ListStreams", "{}");
    req.headers.erase(req.headers.begin() + 3);
    r = api.call(req);
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        std::string(
            R"({"__type":"IncompleteSignatureException","message":"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=)") +
            kAuth + "\"}");
    // A Date header is enough.
    req.headers.push_back({"Date", "Thu, 26 Nov 2026 16:11:37 GMT"});
    CHECK(api.call(req).status == 200);
}

TEST_CASE("header and query-string authentication together are refused", "[kinesis]") {
    Api api;
    auto req = json_request("ListStreams", "{}");
    req.target = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256";
    auto r = api.call(req);
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        R"({"__type":"InvalidSignatureException","message":"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."})");

    req = json_request("ListStreams", "{}", "");
    req.target = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261126T161137Z";
    r = api.call(req);
    CHECK(
        r.body ==
        R"({"__type":"IncompleteSignatureException","message":"AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."})");
}

// ---- checklist item 3 -----------------------------------------------------------------------

TEST_CASE("an empty body without a content type is a CBOR UnknownOperationException", "[kinesis]") {
    Api api;
    HttpRequest req;
    req.method = "POST";
    req.target = "/";
    auto r = api.call(req);
    CHECK(r.status == 400);
    CHECK(header(r, "Content-Type") == "application/x-amz-cbor-1.1");
    // {"__type": "UnknownOperationException"} as a definite-length CBOR map.
    CHECK(r.body == std::string("\xa1\x66__type\x78\x19UnknownOperationException"));
    auto decoded = kemu::kinesis::wire::cbor_to_json(r.body);
    REQUIRE(decoded);
    CHECK(json::serialize(*decoded) == R"({"__type":"UnknownOperationException"})");
    require_envelope(r);
}

TEST_CASE("an empty body for a known action is a SerializationException in the request's type",
          "[kinesis]") {
    Api api;
    auto r = api.call(json_request("ListStreams", ""));
    CHECK(r.status == 400);
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.1");
    CHECK(r.body == R"({"__type":"SerializationException"})");
}

TEST_CASE("an unknown action is an UnknownOperationException, before authentication", "[kinesis]") {
    Api api;
    for (const char* auth : {kAuth, ""}) {
        auto r = api.call(json_request("ListStream", "{}", auth));
        CHECK(r.status == 400);
        CHECK(header(r, "Content-Type") == "application/x-amz-json-1.1");
        CHECK(r.body == R"({"__type":"UnknownOperationException"})");
    }
    auto req = json_request("ListStreams", "{}");
    req.headers[2].value = "Kinesis_20131201.ListStreams";
    CHECK(api.call(req).body == R"({"__type":"UnknownOperationException"})");
}

TEST_CASE("a GET is refused with a 403 XML AccessDeniedException", "[kinesis]") {
    Api api;
    HttpRequest req;
    req.method = "GET";
    req.target = "/";
    auto r = api.call(req);
    CHECK(r.status == 403);
    CHECK(r.body ==
          "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be "
          "authorized</Message>\n</AccessDeniedException>\n");
    CHECK(headers_named(r, "Content-Type").empty());
    CHECK_FALSE(header(r, "x-amzn-RequestId").empty());
}

TEST_CASE("an unsupported content type is refused as AWS refuses it", "[kinesis]") {
    Api api;
    auto req = json_request("ListStreams", "{}");
    req.headers[1].value = "application/x-amz-json-1.0";
    auto r = api.call(req);
    CHECK(r.status == 404);
    CHECK(r.body == "<UnknownOperationException/>\n");

    req.headers.erase(req.headers.begin() + 2);  // no X-Amz-Target
    r = api.call(req);
    CHECK(r.status == 403);
    CHECK(r.body ==
          "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be "
          "authorized</Message>\n</AccessDeniedException>\n");

    // Only the part before ';' counts, trimmed.
    req = json_request("ListStreams", "{}");
    req.headers[1].value = "   application/x-amz-json-1.1   ;whatever";
    CHECK(api.call(req).status == 200);
}

TEST_CASE("a body that is not an object is a SerializationException", "[kinesis]") {
    Api api;
    for (const char* body : {"hello", "null", "[]", "1"}) {
        INFO(body);
        auto r = api.call(json_request("ListStreams", body));
        CHECK(r.status == 400);
        CHECK(r.body == R"({"__type":"SerializationException"})");
    }
    auto req = json_request("ListStreams", "hello");
    req.headers[1].value = "application/json";
    auto r = api.call(req);
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        R"({"Output":{"__type":"com.amazon.coral.service#SerializationException"},"Version":"1.0"})");
    req.body = "{}";
    r = api.call(req);
    CHECK(r.status == 404);
    CHECK(
        r.body ==
        R"({"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"})");
}

// ---- checklist items 4 and 5 ----------------------------------------------------------------

TEST_CASE(
    "CreateStream with an empty name and zero shards answers the 3-error "
    "ValidationException",
    "[kinesis]") {
    Api api;
    auto r = api.call(json_request("CreateStream", R"({"StreamName":"","ShardCount":0})"));
    CHECK(r.status == 400);
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.1");
    CHECK(
        r.body ==
        R"({"__type":"ValidationException","message":"3 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1"})");
    require_envelope(r);
}

TEST_CASE("wrong JSON types answer SerializationException with a capital Message", "[kinesis]") {
    Api api;
    auto r = api.call(json_request("CreateStream", R"({"StreamName":true,"ShardCount":1})"));
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        R"({"__type":"SerializationException","Message":"class java.lang.Boolean can not be converted to an String"})");
    r = api.call(json_request("CreateStream", R"({"StreamName":"s1","ShardCount":"23"})"));
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        R"({"__type":"SerializationException","Message":"class java.lang.String can not be converted to an Integer"})");
    r = api.call(
        json_request("PutRecord", R"({"StreamName":"s1","PartitionKey":"k","Data":"23456"})"));
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        R"({"__type":"SerializationException","Message":"'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"})");
    // Type errors are reported before (and instead of) constraint failures.
    r = api.call(json_request("CreateStream", R"({"StreamName":"","ShardCount":"0"})"));
    CHECK(
        r.body ==
        R"({"__type":"SerializationException","Message":"class java.lang.String can not be converted to an Integer"})");
}

// ---- beyond the first five: the order of PutRecord(s)' checks ------------------------------

TEST_CASE("PutRecord on a missing stream is not found before its hash key is judged", "[kinesis]") {
    Api api;
    auto r = api.call(json_request(
        "PutRecord",
        R"({"StreamName":"nope","PartitionKey":"k","Data":"","ExplicitHashKey":"340282366920938463463374607431768211456"})"));
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        R"({"__type":"ResourceNotFoundException","message":"Stream nope under account 000000000000 not found."})");
}

TEST_CASE("PutRecords on a missing stream is not found before its hash keys are judged",
          "[kinesis]") {
    Api api;
    auto r = api.call(json_request(
        "PutRecords",
        R"({"StreamName":"nope","Records":[{"PartitionKey":"k","Data":"","ExplicitHashKey":"340282366920938463463374607431768211456"}]})"));
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        R"({"__type":"ResourceNotFoundException","message":"Stream nope under account 000000000000 not found."})");
}

TEST_CASE("an out-of-range ExplicitHashKey on an existing stream gets AWS's text", "[kinesis]") {
    Api api;
    REQUIRE(
        api.call(json_request("CreateStream", R"({"StreamName":"s1","ShardCount":3})")).status ==
        200);
    auto r = api.call(json_request(
        "PutRecord",
        R"({"StreamName":"s1","PartitionKey":"k","Data":"","ExplicitHashKey":"340282366920938463463374607431768211456"})"));
    CHECK(r.status == 400);
    CHECK(
        r.body ==
        R"({"__type":"InvalidArgumentException","message":"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456"})");
    r = api.call(json_request(
        "PutRecord",
        R"({"StreamName":"s1","PartitionKey":"k","Data":"aGk=","ExplicitHashKey":"340282366920938463463374607431768211455"})"));
    CHECK(r.status == 200);
    auto v = json::parse(r.body).as_object();
    CHECK(v.at("ShardId") == "shardId-000000000002");
    CHECK(v.at("SequenceNumber").as_string().size() == 56);
    CHECK_FALSE(v.contains("EncryptionType"));
}

TEST_CASE("null elements in lists are answered, never an internal failure", "[kinesis]") {
    // Found by tests/e2e/test_fuzz.py: each of these answered 500 InternalFailure.
    Api api;
    REQUIRE(api.call(json_request("CreateStream", R"({"StreamName":"s","ShardCount":1})")).status ==
            200);
    auto tags =
        api.call(json_request("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":[null]})"));
    CHECK(tags.status == 200);
    auto metrics = api.call(json_request("EnableEnhancedMonitoring",
                                         R"({"StreamName":"s","ShardLevelMetrics":[null]})"));
    CHECK(metrics.status == 200);
    // A null record is an empty one: its required members are null.
    auto recs = api.call(json_request("PutRecords", R"({"StreamName":"s","Records":[null]})"));
    CHECK(recs.status == 400);
    CHECK(
        recs.body ==
        R"({"__type":"ValidationException","message":"2 validation errors detected: Value null at 'records.1.member.data' failed to satisfy constraint: Member must not be null; Value null at 'records.1.member.partitionKey' failed to satisfy constraint: Member must not be null"})");
    // The same order as for a record that is an empty object.
    auto empty = api.call(json_request("PutRecords", R"({"StreamName":"s","Records":[{}]})"));
    CHECK(empty.body == recs.body);
}

TEST_CASE("a CBOR text string that is not UTF-8 is a SerializationException", "[kinesis]") {
    // RFC 8949 §3.1: text strings are UTF-8. A partition key with byte 0xff used to reach the
    // store, where nothing downstream could render it as JSON.
    std::string good = std::string("\xa1\x6aStreamName\x61s");
    CHECK(kemu::kinesis::wire::cbor_to_json(good));
    std::string bad = std::string("\xa1\x6aStreamName\x62s\xff");
    CHECK_FALSE(kemu::kinesis::wire::cbor_to_json(bad));
    Api api;
    auto req = json_request("DescribeStreamSummary", bad);
    for (auto& h : req.headers) {
        if (h.name == "Content-Type") h.value = "application/x-amz-cbor-1.1";
    }
    auto r = api.call(req);
    CHECK(r.status == 400);
    auto decoded = kemu::kinesis::wire::cbor_to_json(r.body);
    REQUIRE(decoded);
    CHECK(json::serialize(*decoded) == R"({"__type":"SerializationException"})");
}
