// AWS's recorded answers, through the adapter in both protocols (JSON 1.0 and query/XML): the
// X-Amzn-Trace-Id header, MessageAttributeNames patterns, MessageGroupId on a standard queue,
// batch entry wording, the SSE and FIFO attribute errors and visibility changes on expired
// handles (docs/aws/sqs.md).

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api_fixture.h"
#include "md5.h"
#include "support/result_printer.h"

using namespace kemu;
using namespace kemu::sqs_dlq;
using namespace kemu::sqs_dlq::fixtures;

namespace {

const std::string kTrace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
const std::string kGroupError =
    " for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include "
    "alphanumeric and punctuation characters. 1 to 128 in length.";

bool has(const std::string& body, const std::string& part) {
    INFO(body);
    return body.find(part) != std::string::npos;
}

// A base64 receipt handle as a form value.
std::string form_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '+')
            out += "%2B";
        else if (c == '/')
            out += "%2F";
        else if (c == '=')
            out += "%3D";
        else
            out += c;
    }
    return out;
}

HttpRequest with_trace(HttpRequest r) {
    r.headers.push_back({"X-Amzn-Trace-Id", kTrace});
    return r;
}

}  // namespace

TEST_CASE("JSON: X-Amzn-Trace-Id becomes the messages' AWSTraceHeader", "[sqs][api][aws]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    auto sent = f.call(
        with_trace(f.json_request("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "one"}})));
    REQUIRE(sent.status == 200);
    CHECK(json::parse(sent.body)["MD5OfMessageSystemAttributes"] ==
          md5_of_attributes({{"AWSTraceHeader", MessageAttribute{"String", kTrace}}}));
    auto batch = f.call(with_trace(f.json_request(
        "SendMessageBatch",
        {{"QueueUrl", kUrl}, {"Entries", {{{"Id", "a"}, {"MessageBody", "two"}}}}})));
    REQUIRE(batch.status == 200);
    for (const char* key : {"AttributeNames", "MessageSystemAttributeNames"}) {
        for (const char* name : {"All", "AWSTraceHeader"}) {
            auto got = f.call_json("ReceiveMessage", {{"QueueUrl", kUrl},
                                                      {"MaxNumberOfMessages", 10},
                                                      {"VisibilityTimeout", 0},
                                                      {key, {name}}});
            REQUIRE(got["Messages"].size() == 2);
            for (const auto& m : got["Messages"])
                CHECK(m["Attributes"]["AWSTraceHeader"] == kTrace);
        }
    }
    // Not asked for: not there.
    auto plain = f.call_json("ReceiveMessage", {{"QueueUrl", kUrl}, {"VisibilityTimeout", 0}});
    CHECK_FALSE(plain["Messages"][0].contains("Attributes"));
}

TEST_CASE("query: X-Amzn-Trace-Id becomes the messages' AWSTraceHeader", "[sqs][api][aws]") {
    Fixture f;
    f.call(f.query_request("Action=CreateQueue&QueueName=q"));
    auto sent =
        f.call(with_trace(f.query_request("Action=SendMessage&QueueUrl=q&MessageBody=one")));
    CHECK(has(sent.body, "<MD5OfMessageSystemAttributes>"));
    auto batch = f.call(with_trace(
        f.query_request("Action=SendMessageBatch&QueueUrl=q&SendMessageBatchRequestEntry.1.Id=a&"
                        "SendMessageBatchRequestEntry.1.MessageBody=two")));
    CHECK(has(batch.body, "<SendMessageBatchResultEntry>"));
    auto got =
        f.call(f.query_request("Action=ReceiveMessage&QueueUrl=q&MaxNumberOfMessages=10&"
                               "AttributeName.1=AWSTraceHeader"));
    const std::string attr =
        "<Attribute><Name>AWSTraceHeader</Name><Value>" + kTrace + "</Value></Attribute>";
    auto first = got.body.find(attr);
    REQUIRE(first != std::string::npos);
    CHECK(got.body.find(attr, first + 1) != std::string::npos);  // both messages
}

TEST_CASE(
    "MessageAttributeNames star and All and a prefix pattern with the MD5 of what is returned",
    "[sqs][api][aws]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    json attrs = {{"Hello", {{"DataType", "String"}, {"StringValue", "w"}}},
                  {"Help", {{"DataType", "Number"}, {"StringValue", "1"}}},
                  {"Other", {{"DataType", "String"}, {"StringValue", "o"}}}};
    f.call_json("SendMessage",
                {{"QueueUrl", kUrl}, {"MessageBody", "m"}, {"MessageAttributes", attrs}});
    MessageAttributes hel = {{"Hello", {"String", "w"}}, {"Help", {"Number", "1"}}};
    MessageAttributes all = hel;
    all.emplace("Other", MessageAttribute{"String", "o"});
    for (const char* pattern : {"*", "All", "Hel.*"}) {
        INFO(pattern);
        bool prefix = std::string(pattern) == "Hel.*";
        auto m =
            f.call_json("ReceiveMessage", {{"QueueUrl", kUrl},
                                           {"VisibilityTimeout", 0},
                                           {"MessageAttributeNames", {pattern}}})["Messages"][0];
        CHECK(m["MessageAttributes"].size() == (prefix ? 2u : 3u));
        CHECK(m["MessageAttributes"].contains("Help"));
        CHECK(m["MD5OfMessageAttributes"] == md5_of_attributes(prefix ? hel : all));
        auto x =
            f.call(f.query_request("Action=ReceiveMessage&QueueUrl=q&VisibilityTimeout=0&"
                                   "MessageAttributeName.1=" +
                                   std::string(pattern)));
        CHECK(has(x.body, "<MessageAttribute><Name>Hello</Name>"));
        CHECK(has(x.body, "<MD5OfMessageAttributes>" + md5_of_attributes(prefix ? hel : all) +
                              "</MD5OfMessageAttributes>"));
        CHECK(has(x.body, "<Name>Other</Name>") == !prefix);
    }
}

TEST_CASE("MessageGroupId on a standard queue in both protocols", "[sqs][api][aws]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    f.call_json("SendMessage",
                {{"QueueUrl", kUrl}, {"MessageBody", "m"}, {"MessageGroupId", "g-1"}});
    auto m = f.call_json("ReceiveMessage", {{"QueueUrl", kUrl},
                                            {"VisibilityTimeout", 0},
                                            {"MessageSystemAttributeNames", {"MessageGroupId"}}});
    CHECK(m["Messages"][0]["Attributes"] == json{{"MessageGroupId", "g-1"}});
    auto bad = f.call_json(
        "SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "m"}, {"MessageGroupId", "group 123"}},
        400);
    CHECK(bad["__type"] == "com.amazonaws.sqs#InvalidParameterValueException");
    CHECK(bad["message"] == "Value group 123" + kGroupError);
    auto empty =
        f.call(f.query_request("Action=SendMessage&QueueUrl=q&MessageBody=m&"
                               "MessageGroupId="));
    CHECK(empty.status == 400);
    CHECK(has(empty.body, "<Code>InvalidParameterValue</Code>"));
    CHECK(has(empty.body, "<Message>Value " + kGroupError + "</Message>"));
    auto got = f.call(f.query_request("Action=ReceiveMessage&QueueUrl=q&AttributeName.1=All"));
    CHECK(has(got.body, "<Attribute><Name>MessageGroupId</Name><Value>g-1</Value></Attribute>"));
    // In a batch, an invalid value fails its entry only.
    auto batch = f.call_json(
        "SendMessageBatch",
        {{"QueueUrl", kUrl},
         {"Entries",
          {{{"Id", "ok"}, {"MessageBody", "m"}, {"MessageGroupId", "g"}},
           {{"Id", "bad"}, {"MessageBody", "m"}, {"MessageGroupId", std::string(129, 'g')}}}}});
    REQUIRE(batch["Successful"].size() == 1);
    REQUIRE(batch["Failed"].size() == 1);
    CHECK(batch["Failed"][0]["Id"] == "bad");
    CHECK(batch["Failed"][0]["Code"] == "InvalidParameterValue");
    CHECK(batch["Failed"][0]["Message"] == "Value " + std::string(129, 'g') + kGroupError);
}

TEST_CASE("a batch entry over MaximumMessageSize: 'cannot be validated' in both protocols",
          "[sqs][api][aws]") {
    Fixture f;
    f.call_json("CreateQueue",
                {{"QueueName", "q"}, {"Attributes", {{"MaximumMessageSize", "1024"}}}});
    const std::string text =
        "One or more parameters cannot be validated. Reason: Message must be "
        "shorter than 1024 bytes.";
    auto j = f.call_json("SendMessageBatch",
                         {{"QueueUrl", kUrl},
                          {"Entries", {{{"Id", "big"}, {"MessageBody", std::string(1025, 'x')}}}}});
    REQUIRE(j["Failed"].size() == 1);
    CHECK(j["Failed"][0]["Message"] == text);
    auto x =
        f.call(f.query_request("Action=SendMessageBatch&QueueUrl=q&"
                               "SendMessageBatchRequestEntry.1.Id=big&"
                               "SendMessageBatchRequestEntry.1.MessageBody=" +
                               std::string(1025, 'x')));
    CHECK(has(x.body, "<Message>" + text + "</Message>"));
}

TEST_CASE("SSE and FIFO attribute errors are InvalidAttributeName in both protocols",
          "[sqs][api][aws]") {
    Fixture f;
    auto sse = f.call_json(
        "CreateQueue",
        {{"QueueName", "q"},
         {"Attributes", {{"KmsMasterKeyId", "alias/aws/sqs"}, {"SqsManagedSseEnabled", "true"}}}},
        400);
    CHECK(sse["__type"] == "com.amazonaws.sqs#InvalidAttributeName");
    CHECK(sse["message"] ==
          "You can use one type of server-side encryption (SSE) at one time. "
          "You can either enable KMS SSE or SQS SSE.");
    auto fifo =
        f.call(f.query_request("Action=CreateQueue&QueueName=q&Attribute.1.Name=FifoQueue&"
                               "Attribute.1.Value=false"));
    CHECK(fifo.status == 400);
    CHECK(has(fifo.body,
              "<Code>InvalidAttributeName</Code><Message>Unknown Attribute "
              "FifoQueue.</Message>"));
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    auto scope =
        f.call(f.query_request("Action=SetQueueAttributes&QueueUrl=q&Attribute.1.Name="
                               "DeduplicationScope&Attribute.1.Value=messageGroup"));
    CHECK(has(scope.body,
              "<Code>InvalidAttributeName</Code><Message>You can specify the "
              "DeduplicationScope only when FifoQueue is set to true.</Message>"));
    auto limit = f.call_json(
        "SetQueueAttributes",
        {{"QueueUrl", kUrl}, {"Attributes", {{"FifoThroughputLimit", "perMessageGroupId"}}}}, 400);
    CHECK(limit["message"] ==
          "You can specify the FifoThroughputLimit only when FifoQueue is set to true.");
    auto both = f.call(f.query_request(
        "Action=SetQueueAttributes&QueueUrl=q&Attribute.1.Name=KmsMasterKeyId&Attribute.1.Value=k&"
        "Attribute.2.Name=SqsManagedSseEnabled&Attribute.2.Value=true"));
    CHECK(has(both.body, "<Code>InvalidAttributeName</Code>"));
}

TEST_CASE("ChangeMessageVisibility on an expired handle answers 200 in both protocols",
          "[sqs][api][aws]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    f.call_json("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "m"}});
    auto h =
        f.call_json("ReceiveMessage",
                    {{"QueueUrl", kUrl}, {"VisibilityTimeout", 1}})["Messages"][0]["ReceiptHandle"]
            .get<std::string>();
    f.clock.advance_ms(1'000);
    f.call_json("ChangeMessageVisibility",
                {{"QueueUrl", kUrl}, {"ReceiptHandle", h}, {"VisibilityTimeout", 30}});
    auto x =
        f.call(f.query_request("Action=ChangeMessageVisibility&QueueUrl=q&VisibilityTimeout=30&"
                               "ReceiptHandle=" +
                               form_escape(h)));
    CHECK(x.status == 200);
    // Nothing changed: the message is there to receive.
    CHECK(f.call_json("ReceiveMessage", {{"QueueUrl", kUrl}})["Messages"].size() == 1);
}
