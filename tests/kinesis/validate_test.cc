// Member type checks (SerializationException) and constraint validation (ValidationException)
// against the per-action rules (docs/aws/kinesis.md, Wire protocol).

#include "wire/validate.h"

#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "wire/rules.h"

namespace json = boost::json;
using namespace kemu::kinesis::wire;

namespace {

const Rules& rules(const char* action) {
    const Rules* r = rules_for(action);
    REQUIRE(r != nullptr);
    return *r;
}

json::object obj(const char* text) {
    return json::parse(text).as_object();
}

// check_types' message for `text` under `action`'s rules ("" when it passes).
std::string type_error(const char* action, const char* text) {
    auto body = obj(text);
    return check_types(body, rules(action)).value_or("");
}

// check_types then check_constraints, as the adapter runs them ("" when both pass).
std::string validation_error(const char* action, json::object body) {
    auto t = check_types(body, rules(action));
    REQUIRE_FALSE(t);
    return check_constraints(body, rules(action)).value_or("");
}
std::string validation_error(const char* action, const char* text) {
    return validation_error(action, obj(text));
}

}  // namespace

TEST_CASE("rules exist for every implemented action and not for unknown ones", "[kinesis]") {
    for (const char* a :
         {"CreateStream", "DeleteStream", "DescribeStream", "DescribeStreamSummary", "ListStreams",
          "ListShards", "PutRecord", "PutRecords", "GetShardIterator", "GetRecords", "SplitShard",
          "MergeShards", "UpdateShardCount", "IncreaseStreamRetentionPeriod",
          "DecreaseStreamRetentionPeriod", "AddTagsToStream", "RemoveTagsFromStream",
          "ListTagsForStream", "DescribeLimits"}) {
        INFO(a);
        CHECK(rules_for(a) != nullptr);
    }
    CHECK(rules_for("ListStream") == nullptr);
    CHECK(rules_for("liststreams") == nullptr);
}

// ---- ValidationException -------------------------------------------------------------------

TEST_CASE("CreateStream with an empty name and zero shards lists AWS's three errors", "[kinesis]") {
    CHECK(validation_error("CreateStream", R"({"StreamName":"","ShardCount":0})") ==
          "3 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1; Value '' at 'streamName' failed to "
          "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
          "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater "
          "than or equal to 1");
}

TEST_CASE("a single failure says 'error', and a valid body passes", "[kinesis]") {
    CHECK(validation_error("CreateStream", R"({"ShardCount":1})") ==
          "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
          "Member must not be null");
    CHECK(validation_error("CreateStream", R"({"StreamName":"s1","ShardCount":1})").empty());
    // CreateStream takes no StreamARN: one does not stand in for the name (it crashed kemu).
    CHECK(validation_error("CreateStream",
                           R"({"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s1"})") ==
          "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
          "Member must not be null");
    // Unknown members are ignored, and null counts as absent.
    CHECK(
        validation_error("CreateStream", R"({"StreamName":"s1","Bogus":[1],"Tags":null})").empty());
    std::string long_name(129, 'a');
    CHECK(validation_error("DescribeStream", json::object{{"StreamName", long_name}}) ==
          "1 validation error detected: Value '" + long_name +
              "' at 'streamName' failed to satisfy constraint: Member must have length less than "
              "or equal to 128");
}

TEST_CASE("a stream-scoped action without StreamName or StreamARN reports streamName null",
          "[kinesis]") {
    CHECK(validation_error("DescribeStreamSummary", "{}") ==
          "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
          "Member must not be null");
    CHECK(validation_error("DescribeStreamSummary",
                           R"({"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s1"})")
              .empty());
}

TEST_CASE("PutRecords with 501 entries lists ten errors, the list length first", "[kinesis]") {
    json::array records;
    std::string shown = "[";
    for (int i = 0; i < 501; ++i) {
        records.push_back(json::object{{"PartitionKey", ""}, {"Data", ""}});
        if (i) shown += ", ";
        shown += "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310";
    }
    shown += "]";
    std::string want = "10 validation errors detected: Value '" + shown +
                       "' at 'records' failed to satisfy constraint: Member must have length "
                       "less than or equal to 500";
    for (int i = 1; i <= 9; ++i) {
        want += "; Value '' at 'records." + std::to_string(i) +
                ".member.partitionKey' failed to satisfy constraint: Member must have length "
                "greater than or equal to 1";
    }
    CHECK(validation_error("PutRecords", json::object{{"StreamName", ""},
                                                      {"Records", std::move(records)}}) == want);
}

TEST_CASE("PutRecords entry members are reported with 1-based paths", "[kinesis]") {
    CHECK(
        validation_error(
            "PutRecords",
            R"({"StreamName":"","Records":[{"PartitionKey":"","Data":"","ExplicitHashKey":""}]})") ==
        "4 validation errors detected: Value '' at 'records.1.member.explicitHashKey' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "0|([1-9]\\d{0,38}); Value '' at 'records.1.member.partitionKey' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1; Value '' at "
        "'streamName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater "
        "than or equal to 1");
    CHECK(validation_error("PutRecords", R"({"StreamName":"s","Records":[]})") ==
          "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
          "Member must have length greater than or equal to 1");
}

TEST_CASE("blobs are shown as a HeapByteBuffer of their decoded length", "[kinesis]") {
    // 1048577 bytes: one over the limit.
    std::string data((1048577 + 2) / 3 * 4, 'A');
    data[data.size() - 1] = '=';  // 349526 groups, the last holding two bytes
    CHECK(base64_decoded_size(data) == 1048577);
    CHECK(validation_error(
              "PutRecord",
              json::object{{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", data}}) ==
          "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 "
          "cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less "
          "than or equal to 1048576");
}

TEST_CASE("partition keys are measured in UTF-16 code units", "[kinesis]") {
    std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600: two UTF-16 units
    CHECK(utf16_length(emoji) == 2);
    CHECK(utf16_length("h\xC3\xA9llo") == 5);
    std::string ok, over;
    for (int i = 0; i < 128; ++i)
        ok += emoji;
    over = ok + "a";
    CHECK(validation_error("PutRecord",
                           json::object{{"StreamName", "s"}, {"PartitionKey", ok}, {"Data", ""}})
              .empty());
    CHECK(
        validation_error("PutRecord",
                         json::object{{"StreamName", "s"}, {"PartitionKey", over}, {"Data", ""}}) ==
        "1 validation error detected: Value '" + over +
            "' at 'partitionKey' failed to satisfy constraint: Member must have length less "
            "than or equal to 256");
}

TEST_CASE("enum members list AWS's value set", "[kinesis]") {
    CHECK(validation_error("GetShardIterator",
                           R"({"StreamName":"s","ShardId":"shardId-0","ShardIteratorType":"X"})") ==
          "1 validation error detected: Value 'X' at 'shardIteratorType' failed to satisfy "
          "constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, "
          "AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
    CHECK(validation_error("GetShardIterator", R"({"StreamName":"s"})") ==
          "2 validation errors detected: Value null at 'shardId' failed to satisfy constraint: "
          "Member must not be null; Value null at 'shardIteratorType' failed to satisfy "
          "constraint: Member must not be null");
}

TEST_CASE("only the first ten failures are listed", "[kinesis]") {
    json::array records;
    for (int i = 0; i < 12; ++i)
        records.push_back(json::object{{"PartitionKey", ""}, {"Data", ""}});
    auto msg = validation_error("PutRecords",
                                json::object{{"StreamName", "s"}, {"Records", std::move(records)}});
    CHECK(msg.rfind("10 validation errors detected: ", 0) == 0);
    size_t listed = 0;
    for (size_t p = 0; (p = msg.find("Value ", p)) != std::string::npos; ++p)
        ++listed;
    CHECK(listed == 10);
    CHECK(msg.find("records.10.member") != std::string::npos);
    CHECK(msg.find("records.11.member") == std::string::npos);
}

// ---- SerializationException ----------------------------------------------------------------

TEST_CASE("members of the wrong JSON type get the Java conversion message", "[kinesis]") {
    CHECK(type_error("CreateStream", R"({"StreamName":true})") ==
          "class java.lang.Boolean can not be converted to an String");
    CHECK(type_error("CreateStream", R"({"StreamName":12})") ==
          "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to "
          "an String");
    CHECK(type_error("CreateStream", R"({"StreamName":"s","ShardCount":"23"})") ==
          "class java.lang.String can not be converted to an Integer");
    CHECK(type_error("CreateStream", R"({"StreamName":"s","ShardCount":true})") ==
          "class java.lang.Boolean can not be converted to an Integer");
    CHECK(type_error("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":"yes"})") ==
          "'YES' can not be converted to an Boolean");
    CHECK(type_error("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":1})") ==
          "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to "
          "an Boolean");
    CHECK(type_error("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":true})") ==
          "class java.lang.Boolean can not be converted to a Blob");
    CHECK(type_error("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":12})") ==
          "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to "
          "a Blob");
    CHECK(type_error("GetShardIterator", R"({"Timestamp":"2015"})") ==
          "class java.lang.String can not be converted to milliseconds since epoch");
    CHECK(type_error("PutRecords", R"({"Records":1})") == "Expected list or null");
    CHECK(type_error("PutRecords", R"({"Records":[1]})") == "Expected null");
    CHECK(type_error("PutRecords", R"({"Records":[["x"]]})") ==
          "Start of list found where not expected");
    CHECK(type_error("CreateStream", R"({"Tags":"x"})") == "Expected map or null");
    CHECK(type_error("CreateStream", R"({"StreamModeDetails":"x"})") == "Expected null");
    CHECK(type_error("CreateStream", R"({"StreamName":[]})") ==
          "Start of list found where not expected");
    CHECK(type_error("CreateStream", R"({"StreamName":{}})") ==
          "Start of structure or map found where not expected.");
}

TEST_CASE("blobs must be canonical padded base64", "[kinesis]") {
    auto blob = [](const char* v) {
        return type_error("PutRecord",
                          (std::string(R"({"PartitionKey":"k","Data":")") + v + "\"}").c_str());
    };
    CHECK(blob("23456") ==
          "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple "
          "of 4 bytes but found: 5");
    CHECK(blob("abc!") == "'abc!' can not be converted to a Blob: Invalid Base64 character: '!'");
    // AWS names the '=' that a non-'=' follows, not the character after it.
    CHECK(blob("ab=c") == "'ab=c' can not be converted to a Blob: Invalid Base64 character: '='");
    CHECK(blob("=+/=") == "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='");
    CHECK(blob("a%=b") == "'a%=b' can not be converted to a Blob: Invalid Base64 character: '%'");
    CHECK(blob("YR==") ==
          "'YR==' can not be converted to a Blob: Invalid last non-pad Base64 character "
          "dectected");
    CHECK(blob("YQ==").empty());
    CHECK(blob("aGVsbG8=").empty());
    CHECK(blob("").empty());  // zero bytes is a valid blob
}

TEST_CASE("the first member of the wrong type ends the check", "[kinesis]") {
    // PutRecords entries are checked inside the list, in member order.
    CHECK(
        type_error(
            "PutRecords",
            R"({"Records":[{"PartitionKey":"k","Data":"YQ=="},{"PartitionKey":5,"Data":"!"}]})") ==
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to "
        "an String");
}

TEST_CASE("integers are floored and clamped to 32 bits before validation", "[kinesis]") {
    auto body = obj(R"({"StreamName":"s","ShardCount":100000000000})");
    REQUIRE_FALSE(check_types(body, rules("CreateStream")));
    CHECK(body.at("ShardCount").as_int64() == 2147483647);
    CHECK(check_constraints(body, rules("CreateStream")).value_or("") ==
          "1 validation error detected: Value '2147483647' at 'shardCount' failed to satisfy "
          "constraint: Member must have value less than or equal to 100000");

    body = obj(R"({"StreamName":"s","ShardCount":23.9})");
    REQUIRE_FALSE(check_types(body, rules("CreateStream")));
    CHECK(body.at("ShardCount").as_int64() == 23);

    body = obj(R"({"StreamName":"s","ShardCount":-0.5})");
    REQUIRE_FALSE(check_types(body, rules("CreateStream")));
    CHECK(body.at("ShardCount").as_int64() == -1);
    CHECK(check_constraints(body, rules("CreateStream")).value_or("") ==
          "1 validation error detected: Value '-1' at 'shardCount' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1");
}

// One rule for every action (docs/aws/kinesis.md, Wire protocol): a structure's failures are
// listed by member path name in alphabetical order, as AWS lists ListTagsForStream's.
TEST_CASE("validation failures are listed by member name in alphabetical order", "[kinesis]") {
    auto paths = [](const std::string& msg) {
        std::string out;
        for (size_t p = 0; (p = msg.find(" at '", p)) != std::string::npos;) {
            p += 5;
            auto end = msg.find('\'', p);
            std::string path = msg.substr(p, end - p);
            if (out.empty() || out.substr(out.rfind(' ') + 1) != path) out += " " + path;
        }
        return out;
    };
    CHECK(paths(validation_error("ListTagsForStream",
                                 R"({"StreamName":"","ExclusiveStartTagKey":"","Limit":0})")) ==
          " exclusiveStartTagKey limit streamName");
    CHECK(
        paths(validation_error(
            "PutRecord",
            R"({"StreamName":"","PartitionKey":"","Data":"","ExplicitHashKey":"x","SequenceNumberForOrdering":"x"})")) ==
        " explicitHashKey partitionKey sequenceNumberForOrdering streamName");
    CHECK(paths(validation_error("DescribeStream",
                                 R"({"StreamName":"","Limit":0,"ExclusiveStartShardId":""})")) ==
          " exclusiveStartShardId limit streamName");
    CHECK(paths(validation_error("ListStreams", R"({"Limit":0,"ExclusiveStartStreamName":""})")) ==
          " exclusiveStartStreamName limit");
    CHECK(paths(validation_error(
              "SplitShard", R"({"StreamName":"","ShardToSplit":"","NewStartingHashKey":""})")) ==
          " newStartingHashKey shardToSplit streamName");
    CHECK(paths(validation_error("MergeShards", "{}")) ==
          " adjacentShardToMerge shardToMerge streamName");
    CHECK(paths(validation_error("PutRecords", R"({"Records":[{}]})")) ==
          " records.1.member.data records.1.member.partitionKey streamName");
    CHECK(paths(validation_error(
              "ListShards", R"({"StreamName":"","ShardFilter":{"ShardId":""},"MaxResults":0})")) ==
          " maxResults shardFilter.shardId shardFilter.type streamName");
}
