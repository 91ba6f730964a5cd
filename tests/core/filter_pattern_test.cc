// Lambda event filtering patterns (core/filter_pattern.h): each kind matching and not, and each
// class of invalid pattern refused.

#include "core/filter_pattern.h"

#include <string>

#include <catch2/catch.hpp>

using kemu::FilterPattern;
using kemu::FilterPatternError;
using json = nlohmann::json;

namespace {

bool match(const char* pattern, const char* record) {
    FilterPatternError why;
    auto p = FilterPattern::parse_text(pattern, &why);
    INFO(pattern << ": " << why.reason);
    REQUIRE(p);
    return p->matches(json::parse(record));
}

// The reason a pattern is refused, with its path joined by '.'.
std::string refusal(const char* pattern) {
    FilterPatternError why;
    auto p = FilterPattern::parse_text(pattern, &why);
    INFO(pattern);
    REQUIRE_FALSE(p);
    std::string path;
    for (const auto& k : why.path)
        path += (path.empty() ? "" : ".") + k;
    return path + ": " + why.reason;
}

}  // namespace

TEST_CASE("filter: exact strings, numbers, booleans and null", "[core][filter]") {
    CHECK(match(R"({"data":{"type":["created"]}})", R"({"data":{"type":"created"}})"));
    CHECK_FALSE(match(R"({"data":{"type":["created"]}})", R"({"data":{"type":"Created"}})"));
    CHECK(match(R"({"data":{"qty":[5]}})", R"({"data":{"qty":5.0}})"));
    CHECK_FALSE(match(R"({"data":{"qty":[5]}})", R"({"data":{"qty":"5"}})"));
    CHECK(match(R"({"data":{"ok":[true]}})", R"({"data":{"ok":true}})"));
    CHECK_FALSE(match(R"({"data":{"ok":[true]}})", R"({"data":{"ok":false}})"));
    CHECK(match(R"({"data":{"v":[null]}})", R"({"data":{"v":null}})"));
    CHECK_FALSE(match(R"({"data":{"v":[null]}})", R"({"data":{}})"));
    CHECK(match(R"({"data":{"type":["a","b"]}})", R"({"data":{"type":"b"}})"));
}

TEST_CASE("filter: every field of a pattern must match", "[core][filter]") {
    const char* p = R"({"partitionKey":["k1"],"data":{"type":["created"]}})";
    CHECK(match(p, R"({"partitionKey":"k1","data":{"type":"created"}})"));
    CHECK_FALSE(match(p, R"({"partitionKey":"k2","data":{"type":"created"}})"));
    CHECK_FALSE(match(p, R"({"partitionKey":"k1"})"));
}

TEST_CASE("filter: a field holding an array matches when any element does", "[core][filter]") {
    CHECK(match(R"({"data":{"tags":["red"]}})", R"({"data":{"tags":["blue","red"]}})"));
    CHECK_FALSE(match(R"({"data":{"tags":["red"]}})", R"({"data":{"tags":["blue"]}})"));
}

TEST_CASE("filter: prefix and suffix, also ignoring case", "[core][filter]") {
    CHECK(match(R"({"data":{"id":[{"prefix":"ord-"}]}})", R"({"data":{"id":"ord-7"}})"));
    CHECK_FALSE(match(R"({"data":{"id":[{"prefix":"ord-"}]}})", R"({"data":{"id":"ORD-7"}})"));
    CHECK(match(R"({"data":{"id":[{"prefix":{"equals-ignore-case":"ord-"}}]}})",
                R"({"data":{"id":"ORD-7"}})"));
    CHECK(match(R"({"data":{"f":[{"suffix":".png"}]}})", R"({"data":{"f":"a.png"}})"));
    CHECK_FALSE(match(R"({"data":{"f":[{"suffix":".png"}]}})", R"({"data":{"f":"a.jpg"}})"));
    CHECK(match(R"({"data":{"f":[{"suffix":{"equals-ignore-case":".png"}}]}})",
                R"({"data":{"f":"A.PNG"}})"));
    CHECK_FALSE(match(R"({"data":{"n":[{"prefix":"1"}]}})", R"({"data":{"n":12}})"));
}

TEST_CASE("filter: anything-but a value, a list, a prefix, a suffix, ignoring case",
          "[core][filter]") {
    CHECK(match(R"({"data":{"s":[{"anything-but":"x"}]}})", R"({"data":{"s":"y"}})"));
    CHECK_FALSE(match(R"({"data":{"s":[{"anything-but":"x"}]}})", R"({"data":{"s":"x"}})"));
    CHECK_FALSE(match(R"({"data":{"s":[{"anything-but":"x"}]}})", R"({"data":{}})"));
    CHECK(match(R"({"data":{"n":[{"anything-but":[1,2]}]}})", R"({"data":{"n":3}})"));
    CHECK_FALSE(match(R"({"data":{"n":[{"anything-but":[1,2]}]}})", R"({"data":{"n":2}})"));
    CHECK(match(R"({"data":{"s":[{"anything-but":{"prefix":"us-"}}]}})",
                R"({"data":{"s":"eu-west-1"}})"));
    CHECK_FALSE(match(R"({"data":{"s":[{"anything-but":{"prefix":"us-"}}]}})",
                      R"({"data":{"s":"us-east-1"}})"));
    CHECK_FALSE(match(R"({"data":{"s":[{"anything-but":{"suffix":".png"}}]}})",
                      R"({"data":{"s":"a.png"}})"));
    CHECK_FALSE(match(R"({"data":{"s":[{"anything-but":{"equals-ignore-case":["a","b"]}}]}})",
                      R"({"data":{"s":"B"}})"));
    CHECK(match(R"({"data":{"s":[{"anything-but":{"equals-ignore-case":"a"}}]}})",
                R"({"data":{"s":"c"}})"));
}

TEST_CASE("filter: numeric ranges and equality", "[core][filter]") {
    const char* p = R"({"data":{"qty":[{"numeric":[">",0,"<=",5]}]}})";
    CHECK(match(p, R"({"data":{"qty":5}})"));
    CHECK(match(p, R"({"data":{"qty":0.5}})"));
    CHECK_FALSE(match(p, R"({"data":{"qty":0}})"));
    CHECK_FALSE(match(p, R"({"data":{"qty":6}})"));
    CHECK_FALSE(match(p, R"({"data":{"qty":"3"}})"));
    CHECK(match(R"({"data":{"qty":[{"numeric":["=",3]}]}})", R"({"data":{"qty":3.0}})"));
    CHECK(match(R"({"data":{"qty":[{"numeric":[">=",10]}]}})", R"({"data":{"qty":10}})"));
    CHECK_FALSE(match(R"({"data":{"qty":[{"numeric":["<",10]}]}})", R"({"data":{"qty":10}})"));
}

TEST_CASE("filter: exists true and false", "[core][filter]") {
    CHECK(match(R"({"data":{"c":[{"exists":true}]}})", R"({"data":{"c":0}})"));
    CHECK_FALSE(match(R"({"data":{"c":[{"exists":true}]}})", R"({"data":{}})"));
    CHECK(match(R"({"data":{"c":[{"exists":false}]}})", R"({"data":{}})"));
    CHECK_FALSE(match(R"({"data":{"c":[{"exists":false}]}})", R"({"data":{"c":1}})"));
    CHECK(match(R"({"data":{"c":[{"exists":true}]}})", R"({"data":{"c":null}})"));
    // Only leaves exist for EventBridge: a field holding an object is not matched by exists.
    CHECK_FALSE(match(R"({"data":{"c":[{"exists":true}]}})", R"({"data":{"c":{"d":1}}})"));
    CHECK_FALSE(match(R"({"data":{"c":[{"exists":false}]}})", R"({"data":{"c":{"d":1}}})"));
}

TEST_CASE("filter: equals-ignore-case", "[core][filter]") {
    CHECK(match(R"({"data":{"t":[{"equals-ignore-case":"Created"}]}})",
                R"({"data":{"t":"CREATED"}})"));
    CHECK_FALSE(match(R"({"data":{"t":[{"equals-ignore-case":"Created"}]}})",
                      R"({"data":{"t":"deleted"}})"));
}

TEST_CASE("filter: $or offers alternatives at its level", "[core][filter]") {
    const char* p = R"({"data":{"$or":[{"a":[1]},{"b":[2]}]}})";
    CHECK(match(p, R"({"data":{"a":1}})"));
    CHECK(match(p, R"({"data":{"b":2}})"));
    CHECK_FALSE(match(p, R"({"data":{"a":2,"b":1}})"));
}

TEST_CASE("filter: metadata fields beside data", "[core][filter]") {
    CHECK(match(R"({"partitionKey":[{"prefix":"user-"}]})",
                R"({"partitionKey":"user-1","sequenceNumber":"1"})"));
    CHECK(match(R"({"approximateArrivalTimestamp":[{"numeric":[">",1000]}]})",
                R"({"approximateArrivalTimestamp":1718031245.512})"));
    CHECK_FALSE(match(R"({"kinesisSchemaVersion":["2.0"]})", R"({"kinesisSchemaVersion":"1.0"})"));
}

TEST_CASE("filter: a list with no patterns matches every record", "[core][filter]") {
    CHECK(kemu::matches_any({}, json::parse(R"({"data":1})")));
    auto p = FilterPattern::parse_text(R"({"data":{"a":[1]}})");
    REQUIRE(p);
    CHECK_FALSE(kemu::matches_any({*p}, json::parse(R"({"data":{"a":2}})")));
}

TEST_CASE("filter: invalid patterns are refused with where and why", "[core][filter]") {
    CHECK(kemu::kInvalidFilterPattern == "Invalid filter pattern definition.");
    CHECK(refusal("not json") == ": not valid JSON");
    CHECK(refusal("[1]") == ": a pattern is an object of field names");
    CHECK(refusal("{}") == ": a pattern needs at least one field");
    CHECK(refusal(R"({"data":{"type":"created"}})").rfind("data.type: a field's value is", 0) == 0);
    CHECK(refusal(R"({"data":{"type":[]}})") == "data.type: a list of values must not be empty");
    CHECK(refusal(R"({"d":[{"wildcard-ish":"x"}]})").rfind("d.0: unknown operator", 0) == 0);
    CHECK(refusal(R"({"d":[{"prefix":"a","suffix":"b"}]})").rfind("d.0: each entry", 0) == 0);
    CHECK(refusal(R"({"d":[{"prefix":1}]})").rfind("d.0: prefix takes a string", 0) == 0);
    CHECK(refusal(R"({"d":[{"suffix":["a"]}]})").rfind("d.0: suffix takes a string", 0) == 0);
    CHECK(refusal(R"({"d":[{"anything-but":[]}]})") == "d.0: anything-but takes a non-empty list");
    CHECK(refusal(R"({"d":[{"anything-but":{"wildcard":"*"}}]})").rfind("d.0: anything-but", 0) ==
          0);
    CHECK(refusal(R"({"d":[{"numeric":[">"]}]})").rfind("d.0: numeric takes", 0) == 0);
    CHECK(refusal(R"({"d":[{"numeric":["~",1]}]})") ==
          "d.0: unknown numeric operator '~' (=, <, <=, >, >=)");
    CHECK(refusal(R"({"d":[{"numeric":[">",1,">",2]}]})") == "d.0: numeric has two lower bounds");
    CHECK(refusal(R"({"d":[{"numeric":["=",1,"<",2]}]})").rfind("d.0: numeric takes", 0) == 0);
    CHECK(refusal(R"({"d":[{"exists":"yes"}]})") == "d.0: exists takes true or false");
    CHECK(refusal(R"({"d":[{"equals-ignore-case":3}]})") ==
          "d.0: equals-ignore-case takes a string");
    CHECK(refusal(R"({"$or":[{"a":[1]}]})") == "$or: $or takes a list of at least two patterns");
    CHECK(refusal(R"({"$or":[{"a":[1]},{"b":"x"}]})").rfind("$or.1.b: a field's value", 0) == 0);
}
