// The CloudWatch and CloudWatch Logs wire adapters without sockets: filter patterns, the query
// protocol's form fields and XML, the CBOR reader and writer, the Logs actions over a LogStore,
// and SetAlarmState on the alarms.

#include <catch2/catch.hpp>

#include "cloudwatch/alarms.h"
#include "cloudwatch/api.h"
#include "cloudwatch/cloudwatch.h"
#include "core/clock.h"
#include "core/config.h"
#include "wire/filter_pattern.h"
#include "wire/logs.h"
#include "wire/monitoring.h"

using namespace kemu::cloudwatch;
using namespace kemu::cloudwatch::wire;

namespace {

bool match(std::string_view pattern, std::string_view message) {
    auto p = FilterPattern::parse(pattern);
    REQUIRE(p);
    return p->matches(message);
}

ojson logs_call(const LogStore& logs, std::string_view action, const ojson& input, int* status) {
    auto r = handle_logs(logs, {}, action, input.dump());
    *status = r.status;
    return ojson::parse(r.body);
}

std::string bytes(std::initializer_list<int> b) {
    std::string out;
    for (int c : b)
        out += static_cast<char>(c);
    return out;
}

}  // namespace

TEST_CASE("filter patterns: every term, quoted phrases, any-of and exclusions", "[wire]") {
    CHECK(match("", "anything"));
    CHECK(match("ERROR", "[ERROR] ValueError"));
    CHECK_FALSE(match("error", "[ERROR] ValueError"));  // case-sensitive, as CloudWatch
    CHECK(match("ERROR ORD-1", "[ERROR] bad order ORD-1"));
    CHECK_FALSE(match("ERROR ORD-2", "[ERROR] bad order ORD-1"));  // several terms: all of them
    CHECK(match("\"order ORD-1 created\"", "x order ORD-1 created: 2 items"));
    CHECK_FALSE(match("\"order created\"", "order ORD-1 created"));
    CHECK(match("?WARN ?ERROR", "[ERROR] x"));
    CHECK_FALSE(match("?WARN ?ERROR", "[INFO] x"));
    CHECK(match("ERROR -Retry", "[ERROR] x"));
    CHECK_FALSE(match("ERROR -Retry", "[ERROR] Retry x"));
    CHECK_FALSE(FilterPattern::parse("\"unterminated"));
    CHECK_FALSE(FilterPattern::parse("{ $.level = \"ERROR\" }"));
    CHECK_FALSE(FilterPattern::parse("[ip, user]"));
}

TEST_CASE("query protocol: member lists and nested fields become the JSON input", "[wire]") {
    std::string action;
    auto in = query_input(
        "Action=GetMetricData&Version=2010-08-01&StartTime=2026-12-06T17%3A00%3A00Z"
        "&MetricDataQueries.member.1.Id=a&MetricDataQueries.member.1.MetricStat.Period=60"
        "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=FunctionName"
        "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=f+1"
        "&MetricDataQueries.member.2.Id=b",
        &action);
    REQUIRE(in);
    CHECK(action == "GetMetricData");
    CHECK_FALSE(in->contains("Version"));
    CHECK((*in)["StartTime"] == "2026-12-06T17:00:00Z");
    const auto& q = (*in)["MetricDataQueries"];
    REQUIRE(q.size() == 2);
    CHECK(q[0]["MetricStat"]["Period"] == "60");
    CHECK(q[0]["MetricStat"]["Metric"]["Dimensions"][0]["Value"] == "f 1");
    CHECK(q[1]["Id"] == "b");
    CHECK_FALSE(query_input("Action=X&Bad=%4", &action));
}

TEST_CASE("query protocol: XML answers and errors", "[wire]") {
    ojson out = {{"MetricAlarms", {{{"AlarmName", "a<b"}, {"Threshold", 0.5}}}},
                 {"When", {{"$ts", 1'700'000'000'000}}}};
    CHECK(query_xml("DescribeAlarms", out, "rid") ==
          "<DescribeAlarmsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
          "<DescribeAlarmsResult><MetricAlarms><member><AlarmName>a&lt;b</AlarmName>"
          "<Threshold>0.5</Threshold></member></MetricAlarms>"
          "<When>2023-11-14T22:13:20.000Z</When></DescribeAlarmsResult>"
          "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>"
          "</DescribeAlarmsResponse>");
    CHECK(query_error_xml({"ResourceNotFound", 404, "Alarm x not found"}, "rid") ==
          "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error>"
          "<Type>Sender</Type><Code>ResourceNotFound</Code><Message>Alarm x not found</Message>"
          "</Error><RequestId>rid</RequestId></ErrorResponse>");
}

TEST_CASE("CBOR: botocore's request bytes, tagged timestamps, indefinite lengths", "[wire]") {
    // {"StartTime": 1(1796576400), "Period": 60} as botocore writes it.
    auto in =
        cbor_input(bytes({0xa2, 0x69, 'S',  't',  'a',  'r', 't', 'T', 'i', 'm', 'e', 0xc1, 0x1a,
                          0x6b, 0x15, 0x94, 0x90, 0x66, 'P', 'e', 'r', 'i', 'o', 'd', 0x18, 0x3c}));
    REQUIRE(in);
    CHECK((*in)["StartTime"] == 1'796'576'400);
    CHECK((*in)["Period"] == 60);
    // {_ "a": [_ 1.5 (half), true]}
    auto indef = cbor_input(bytes({0xbf, 0x61, 'a', 0x9f, 0xf9, 0x3e, 0x00, 0xf5, 0xff, 0xff}));
    REQUIRE(indef);
    CHECK((*indef)["a"][0] == 1.5);
    CHECK((*indef)["a"][1] == true);
    CHECK_FALSE(cbor_input(bytes({0xa1, 0x61})));        // truncated
    CHECK_FALSE(cbor_input(bytes({0x7a, 0xff, 0xff})));  // length past the end
    CHECK_FALSE(cbor_input(bytes({0x01})));              // not a map
    CHECK(cbor_input("")->empty());
    // Written timestamps are tag 1 with epoch seconds as a double.
    CHECK(cbor_encode({{"t", {{"$ts", 1500}}}}) ==
          bytes({0xa1, 0x61, 't', 0xc1, 0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}));
    // A client's map with a "$ts" key is only a map unless it is the marker exactly: one member,
    // an integer (fuzz/corpus/cloudwatch_cbor/crash-ts-key-a-huge-double).
    CHECK(cbor_encode({{"$ts", -2.95879e+287}}).substr(0, 6) ==
          bytes({0xa1, 0x63, '$', 't', 's', 0xfb}));  // a map of one double, no tag 1
    CHECK(static_cast<uint8_t>(cbor_encode({{"$ts", 1500}, {"x", 1}})[0]) == 0xa2);
    // A negative integer below int64's range reads as a double, not a wrapped integer.
    auto low =
        cbor_input(bytes({0xa1, 0x61, 'n', 0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
    REQUIRE(low);
    CHECK((*low)["n"].is_number_float());
    CHECK((*low)["n"].get<double>() < -1.8e19);
    auto round = cbor_input(cbor_encode({{"n", -3}, {"s", "x"}, {"l", {1, 2}}}));
    REQUIRE(round);
    CHECK(*round == ojson{{"n", -3}, {"s", "x"}, {"l", {1, 2}}});
}

TEST_CASE("numbers past what a cast can hold are refused, not cast", "[wire]") {
    kemu::ManualClock clock{1'700'000'000'000};
    kemu::Config config;
    CloudWatch cw{config, {}, nullptr};
    auto stats = [&](ojson period, ojson start) {
        ojson in = {{"Namespace", "AWS/Lambda"}, {"MetricName", "Errors"},
                    {"StartTime", start},        {"EndTime", 1'700'000'000.0},
                    {"Period", period},          {"Statistics", {"Sum"}}};
        return run_monitoring_action(cw, clock, {}, "GetMetricStatistics", in);
    };
    auto ok = stats(60, 1'699'999'000.0);
    CHECK_FALSE(ok.error);
    auto period = stats("1e300", 1'699'999'000.0);  // the query protocol's numbers are strings
    REQUIRE(period.error);
    CHECK(period.error->code == "InvalidParameterValue");
    CHECK(period.error->message == "The parameter Period must be a multiple of 60.");
    auto start = stats(60, -2.95879e+287);
    REQUIRE(start.error);
    CHECK(start.error->message == "The parameter StartTime must be a valid timestamp.");
    // A client's {"$ts": ...} is no timestamp marker.
    auto marker = stats(60, ojson{{"$ts", 1e300}});
    REQUIRE(marker.error);
    CHECK(marker.error->message == "The parameter StartTime must be a valid timestamp.");
    // Logs' Longs sent as floats: in range they are truncated, past it they are left out.
    LogStore logs;
    auto g = lambda_log_group("f");
    logs.append(g, "s1", 1000, "early");
    logs.append(g, "s1", 2000, "late");
    int status = 0;
    auto found =
        logs_call(logs, "FilterLogEvents",
                  {{"logGroupName", g}, {"startTime", 1e300}, {"endTime", 1500.7}}, &status);
    CHECK(status == 200);
    REQUIRE(found["events"].size() == 1);
    CHECK(found["events"][0]["message"] == "early");
}

TEST_CASE("logs: unknown group, paging without a last nextToken, filtered events", "[wire]") {
    LogStore logs;
    auto g = lambda_log_group("f");
    logs.append(g, "s1", 1000, "START RequestId: 1");
    logs.append(g, "s1", 1001, "order ORD-1 created");
    logs.append(g, "s2", 1002, "[ERROR] order ORD-2 rejected");
    int status = 0;
    auto err = logs_call(logs, "FilterLogEvents", {{"logGroupName", "/aws/lambda/nope"}}, &status);
    CHECK(status == 400);
    CHECK(err == ojson{{"__type", "ResourceNotFoundException"},
                       {"message", "The specified log group does not exist."}});
    auto all = logs_call(logs, "FilterLogEvents", {{"logGroupName", g}}, &status);
    CHECK(status == 200);
    CHECK(all["events"].size() == 3);
    CHECK_FALSE(all.contains("nextToken"));
    auto page = logs_call(logs, "FilterLogEvents", {{"logGroupName", g}, {"limit", 2}}, &status);
    REQUIRE(page["events"].size() == 2);
    auto rest =
        logs_call(logs, "FilterLogEvents",
                  {{"logGroupName", g}, {"limit", 2}, {"nextToken", page["nextToken"]}}, &status);
    CHECK(rest["events"].size() == 1);
    CHECK_FALSE(rest.contains("nextToken"));
    auto found = logs_call(logs, "FilterLogEvents",
                           {{"logGroupName", g}, {"filterPattern", "order ERROR"}}, &status);
    REQUIRE(found["events"].size() == 1);
    CHECK(found["events"][0]["logStreamName"] == "s2");
    CHECK(found["events"][0]["timestamp"] == 1002);
    auto bad = logs_call(logs, "FilterLogEvents", {{"logGroupName", g}, {"limit", 0}}, &status);
    CHECK(bad["__type"] == "InvalidParameterException");
    CHECK(bad["message"] ==
          "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1");
    auto streams = logs_call(logs, "DescribeLogStreams", {{"logGroupName", g}}, &status);
    CHECK(streams["logStreams"].size() == 2);
    auto head =
        logs_call(logs, "GetLogEvents",
                  {{"logGroupName", g}, {"logStreamName", "s1"}, {"startFromHead", true}}, &status);
    CHECK(head["events"].size() == 2);
    auto none =
        logs_call(logs, "GetLogEvents", {{"logGroupName", g}, {"logStreamName", "zz"}}, &status);
    CHECK(none["message"] == "The specified log stream does not exist.");
}

TEST_CASE("SetAlarmState changes a known alarm and records it, and refuses unknown names",
          "[wire]") {
    kemu::Config cfg;
    kemu::FlowConfig f;
    f.event_type = "orders";
    cfg.event_flows.push_back(f);
    Alarms alarms;
    alarms.build(cfg, {}, 0);
    CHECK(alarms.set_state("dev-orders-iterator-age", "ALARM", "testing", "{}", 5000));
    auto v = alarms.view();
    REQUIRE_FALSE(v.empty());
    CHECK(v[0].state == "ALARM");
    CHECK(v[0].reason == "testing");
    REQUIRE(alarms.history().size() == 1);
    CHECK(alarms.history()[0].summary == "Alarm updated from INSUFFICIENT_DATA to ALARM");
    CHECK_FALSE(alarms.set_state("nope", "OK", "x", "", 5000));
}

TEST_CASE("routing: form posts by the credential scope's service, targets and the CBOR path",
          "[wire]") {
    auto form = [](std::string service) {
        kemu::HttpRequest r;
        r.method = "POST";
        r.target = "/";
        r.headers = {
            {"Content-Type", "application/x-www-form-urlencoded"},
            {"Authorization", "AWS4-HMAC-SHA256 Credential=test/20261206/us-east-1/" + service +
                                  "/aws4_request, SignedHeaders=host, "
                                  "Signature=00"}};
        r.body = "Action=DescribeAlarms&Version=2010-08-01";
        return r;
    };
    CHECK(is_cloudwatch_request(form("monitoring")));
    CHECK_FALSE(is_cloudwatch_request(form("sqs")));
    auto unsigned_form = form("monitoring");
    unsigned_form.headers.pop_back();
    CHECK_FALSE(is_cloudwatch_request(unsigned_form));
    kemu::HttpRequest target;
    target.method = "POST";
    target.target = "/";
    target.headers = {{"X-Amz-Target", "Logs_20140328.FilterLogEvents"}};
    CHECK(is_cloudwatch_request(target));
    target.headers = {{"X-Amz-Target", "GraniteServiceVersion20100801.DescribeAlarms"}};
    CHECK(is_cloudwatch_request(target));
    target.headers = {{"X-Amz-Target", "Kinesis_20131202.ListStreams"}};
    CHECK_FALSE(is_cloudwatch_request(target));
    kemu::HttpRequest cbor;
    cbor.method = "POST";
    cbor.target = "/service/GraniteServiceVersion20100801/operation/DescribeAlarms";
    CHECK(is_cloudwatch_request(cbor));
}
