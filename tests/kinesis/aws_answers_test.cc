// Answers compared with AWS's, as a client sees them, in both encodings where both apply (JSON
// 1.1 and CBOR): type errors, sequence numbers AWS refuses, the order of checks of the tag
// actions, shard ids in SplitShard's refusal, the order of validation failures, and PutRecords
// with some records throttled (docs/aws/kinesis.md).

#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "api_fixture.h"
#include "core/encoding.h"
#include "wire/cbor.h"

namespace json = boost::json;

namespace {

struct Answer {
    int status;
    json::value body;  // JSON, or CBOR read into the JSON form; null when empty
};

// `body` is JSON text; sent as is, or as CBOR with the CBOR content type.
Answer ask(Api& api, bool cbor, const std::string& action, const std::string& body) {
    auto req = json_request(action, cbor ? kemu::kinesis::wire::json_to_cbor(body) : body);
    if (cbor) {
        for (auto& h : req.headers) {
            if (h.name == "Content-Type") h.value = "application/x-amz-cbor-1.1";
        }
    }
    auto r = api.call(req);
    if (r.body.empty()) return {r.status, nullptr};
    if (!cbor) return {r.status, json::parse(r.body)};
    auto v = kemu::kinesis::wire::cbor_to_json(r.body);
    REQUIRE(v);
    return {r.status, *v};
}

// Runs `check` once per encoding.
template <class Check>
void in_both_encodings(Check check) {
    for (bool cbor : {false, true}) {
        INFO((cbor ? "CBOR" : "JSON"));
        check(cbor);
    }
}

json::value error(const char* type, const std::string& message, const char* key = "message") {
    json::object o{{"__type", type}};
    if (!message.empty()) o[key] = message;
    return o;
}

json::value serialization(const std::string& message) {
    return error("SerializationException", message, "Message");
}

void create(Api& api, const char* name, int shards) {
    REQUIRE(ask(api, false, "CreateStream",
                std::string(R"({"StreamName":")") + name + R"(","ShardCount":)" +
                    std::to_string(shards) + "}")
                .status == 200);
}

// A version-0 number whose shard creation date (hex digits 1-9: 0x3bb2cc3d8 s, in 2477) is
// past what AWS accepts; its shard index (the last four hex digits) is 0.
constexpr const char* kFarFuture = "26227199374822427428162556223570313216";  // 0x13bb2cc3d8 0…

}  // namespace

TEST_CASE("a number where a string is expected names TruncatingBigNumber", "[kinesis][aws]") {
    Api api;
    in_both_encodings([&](bool cbor) {
        auto a = ask(api, cbor, "PutRecord", R"({"StreamName":"s","PartitionKey":5,"Data":""})");
        CHECK(a.status == 400);
        CHECK(a.body == serialization("class com.amazon.coral.value.json.numbers."
                                      "TruncatingBigNumber can not be converted to an String"));
    });
}

TEST_CASE("a list where a record structure is expected is a start of list", "[kinesis][aws]") {
    Api api;
    in_both_encodings([&](bool cbor) {
        auto a = ask(api, cbor, "PutRecords", R"({"StreamName":"s","Records":[["x"]]})");
        CHECK(a.status == 400);
        CHECK(a.body == serialization("Start of list found where not expected"));
        // A scalar there is still "Expected null".
        a = ask(api, cbor, "PutRecords", R"({"StreamName":"s","Records":["x"]})");
        CHECK(a.body == serialization("Expected null"));
    });
}

TEST_CASE("an invalid base64 blob names the misplaced pad, not what follows it", "[kinesis][aws]") {
    Api api;
    in_both_encodings([&](bool cbor) {
        auto a =
            ask(api, cbor, "PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"=+/="})");
        CHECK(a.status == 400);
        CHECK(
            a.body ==
            serialization("'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"));
    });
}

TEST_CASE("sequence numbers dated far in the future are invalid arguments", "[kinesis][aws]") {
    Api api;
    create(api, "s1", 1);
    const std::string n = kFarFuture;
    in_both_encodings([&](bool cbor) {
        for (const char* type : {"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"}) {
            INFO(type);
            auto a = ask(api, cbor, "GetShardIterator",
                         R"({"StreamName":"s1","ShardId":"shard-0","ShardIteratorType":")" +
                             std::string(type) + R"(","StartingSequenceNumber":")" + n + "\"}");
            CHECK(a.status == 400);
            CHECK(a.body == error("InvalidArgumentException",
                                  "StartingSequenceNumber " + n +
                                      " used in GetShardIterator on shard shardId-000000000000 in "
                                      "stream s1 under account 000000000000 is invalid."));
        }
        auto a =
            ask(api, cbor, "PutRecord",
                R"({"StreamName":"s1","PartitionKey":"k","Data":"","SequenceNumberForOrdering":")" +
                    n + "\"}");
        CHECK(a.status == 400);
        CHECK(a.body == error("InvalidArgumentException",
                              "ExclusiveMinimumSequenceNumber " + n +
                                  " used in PutRecord on stream s1 under account 000000000000 is "
                                  "invalid."));
    });
}

TEST_CASE("an old, small sequence number is a 500 with no message", "[kinesis][aws]") {
    Api api;
    create(api, "s1", 1);
    in_both_encodings([&](bool cbor) {
        auto a = ask(
            api, cbor, "GetShardIterator",
            R"({"StreamName":"s1","ShardId":"shardId-0","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"0"})");
        CHECK(a.status == 500);
        CHECK(a.body == error("InternalFailure", ""));
    });
}

TEST_CASE("tag actions look the stream up before they judge the tags", "[kinesis][aws]") {
    Api api;
    const auto not_found =
        error("ResourceNotFoundException", "Stream nope under account 000000000000 not found.");
    for (const char* keys : {R"(["a%b"])", R"(["a\tb"])", R"(["a;b"])"}) {
        INFO(keys);
        auto a = ask(api, false, "RemoveTagsFromStream",
                     std::string(R"({"StreamName":"nope","TagKeys":)") + keys + "}");
        CHECK(a.status == 400);
        CHECK(a.body == not_found);
    }
    for (const char* tags : {R"({"a%b":"v"})", R"({"k":"a\nb"})"}) {
        INFO(tags);
        auto a = ask(api, false, "AddTagsToStream",
                     std::string(R"({"StreamName":"nope","Tags":)") + tags + "}");
        CHECK(a.body == not_found);
    }
    CHECK(ask(api, false, "ListTagsForStream", R"({"StreamName":"nope"})").body == not_found);
    // On a stream that exists, the characters are judged: every text first, then any '%'.
    create(api, "s1", 1);
    auto a = ask(api, false, "AddTagsToStream", R"({"StreamName":"s1","Tags":{"a%":"b\tc"}})");
    CHECK(a.body == error("InvalidArgumentException",
                          "Some tags contain invalid characters. Valid characters: Unicode "
                          "letters, digits, white space, _ . / = + - % @."));
    a = ask(api, false, "RemoveTagsFromStream", R"({"StreamName":"s1","TagKeys":["a%"]})");
    CHECK(a.body ==
          error("InvalidArgumentException",
                "Failed to remove tags from stream s1 under account 000000000000 because some "
                "tags contained illegal characters. The allowed characters are Unicode letters, "
                "white-spaces, '_',',','/','=','+','-','@'."));
}

TEST_CASE("SplitShard names the shard by its full id when the key is past the range",
          "[kinesis][aws]") {
    Api api;
    create(api, "s1", 3);
    for (const char* key : {"999999999999999999999999999999999999999",  // past 2^128-1
                            "340282366920938463463374607431768211455"}) {
        INFO(key);
        auto a = ask(
            api, false, "SplitShard",
            std::string(R"({"StreamName":"s1","ShardToSplit":"shard-2","NewStartingHashKey":")") +
                key + "\"}");
        CHECK(a.status == 400);
        CHECK(a.body ==
              error("InvalidArgumentException",
                    std::string("NewStartingHashKey ") + key +
                        " used in SplitShard() on shard shardId-000000000002 in stream s1 under "
                        "account 000000000000 is not both greater than one plus the shard's "
                        "StartingHashKey 226854911280625642308916404954512140970 and less than "
                        "the shard's EndingHashKey 340282366920938463463374607431768211455."));
    }
    // MergeShards names both shards in full too.
    auto a = ask(api, false, "MergeShards",
                 R"({"StreamName":"s1","ShardToMerge":"shard-2","AdjacentShardToMerge":"x-0"})");
    CHECK(a.body == error("InvalidArgumentException",
                          "Shards shardId-000000000002 and shardId-000000000000 in stream s1 under "
                          "account 000000000000 are not an adjacent pair of shards eligible for "
                          "merging"));
}

TEST_CASE("ListTagsForStream lists its validation failures in AWS's order", "[kinesis][aws]") {
    Api api;
    in_both_encodings([&](bool cbor) {
        auto a = ask(api, cbor, "ListTagsForStream",
                     R"({"StreamName":"","ExclusiveStartTagKey":"","Limit":0})");
        CHECK(a.status == 400);
        CHECK(a.body ==
              error("ValidationException",
                    "4 validation errors detected: Value '' at 'exclusiveStartTagKey' failed to "
                    "satisfy constraint: Member must have length greater than or equal to 1; "
                    "Value '0' at 'limit' failed to satisfy constraint: Member must have value "
                    "greater than or equal to 1; Value '' at 'streamName' failed to satisfy "
                    "constraint: Member must satisfy regular expression pattern: "
                    "[a-zA-Z0-9_.-]+; Value '' at 'streamName' failed to satisfy constraint: "
                    "Member must have length greater than or equal to 1"));
    });
}

TEST_CASE("PutRecords answers throttled records per entry and counts them", "[kinesis][aws]") {
    kemu::kinesis::StoreOptions options;
    options.shard_limits = true;
    Api api(options);
    create(api, "s1", 2);
    // 1 MiB a second per shard: the third 400 KB record to "a"'s shard is throttled, the record
    // for "b" (the other shard) and those before still go in.
    std::string data = kemu::base64_encode(std::string(400000, 'x'));
    std::string entry = R"({"PartitionKey":"a","Data":")" + data + "\"}";
    auto a = ask(api, false, "PutRecords",
                 R"({"StreamName":"s1","Records":[)" + entry + "," + entry + "," + entry +
                     R"(,{"PartitionKey":"b","Data":"aGk="}]})");
    REQUIRE(a.status == 200);
    const auto& out = a.body.as_object();
    CHECK(out.at("FailedRecordCount") == 1);
    const auto& recs = out.at("Records").as_array();
    REQUIRE(recs.size() == 4);
    for (size_t i : {0u, 1u, 3u}) {
        INFO(i);
        const auto& r = recs[i].as_object();
        CHECK(r.size() == 2);
        CHECK(r.at("SequenceNumber").as_string().size() == 56);
        CHECK(r.at("ShardId") == (i == 3 ? "shardId-000000000001" : "shardId-000000000000"));
    }
    CHECK(recs[2] ==
          json::value(json::object{{"ErrorCode", "ProvisionedThroughputExceededException"},
                                   {"ErrorMessage",
                                    "Rate exceeded for shard shardId-000000000000 in stream "
                                    "s1 under account 000000000000."}}));
    // Request-level failures fail the whole request instead: data over 1 MiB (validation), a
    // hash key out of range.
    std::string big = kemu::base64_encode(std::string(1048577, 'x'));
    a = ask(api, false, "PutRecords",
            R"({"StreamName":"s1","Records":[{"PartitionKey":"b","Data":"aGk="},)"
            R"({"PartitionKey":"b","Data":")" +
                big + "\"}]}");
    CHECK(a.status == 400);
    CHECK(a.body.as_object().at("__type") == "ValidationException");
    a = ask(
        api, false, "PutRecords",
        R"({"StreamName":"s1","Records":[{"PartitionKey":"b","Data":"aGk="},)"
        R"({"PartitionKey":"b","Data":"","ExplicitHashKey":"340282366920938463463374607431768211456"}]})");
    CHECK(a.status == 400);
    CHECK(a.body.as_object().at("__type") == "InvalidArgumentException");
}
