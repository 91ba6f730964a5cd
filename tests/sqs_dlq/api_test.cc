// The SQS adapter without sockets: both protocols, their error shapes, and long polling driven
// by a scheduler the test runs by hand. Expected shapes are AWS's (docs/aws/sqs.md, Wire protocols
// and Errors).

#include "sqs_dlq/api.h"

#include <optional>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api_fixture.h"
#include "core/encoding.h"
#include "support/result_printer.h"
#include "wire/form.h"

using namespace kemu;
using namespace kemu::sqs_dlq;

using namespace kemu::sqs_dlq::fixtures;

TEST_CASE("only SQS requests are claimed", "[sqs][api]") {
    HttpRequest kinesis;
    kinesis.headers = {{"X-Amz-Target", "Kinesis_20131202.ListStreams"}};
    CHECK_FALSE(is_sqs_request(kinesis));
    HttpRequest sqs_json;
    sqs_json.headers = {{"X-Amz-Target", "AmazonSQS.ListQueues"}};
    CHECK(is_sqs_request(sqs_json));
    HttpRequest form;
    form.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    form.body = "Action=ListQueues&Version=2012-11-05";
    CHECK(is_sqs_request(form));
    HttpRequest get;
    get.target = "/?Version=2012-11-05&Action=ListQueues";
    CHECK(is_sqs_request(get));
    HttpRequest no_action;  // a form without Action is still the query protocol
    no_action.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    no_action.body = "QueueName=x&Version=2012-11-05";
    CHECK(is_sqs_request(no_action));
    HttpRequest json_body;  // JSON text mentioning Action= is not a form
    json_body.headers = {{"Content-Type", "application/json"}};
    json_body.body = "Action=ListQueues";
    CHECK_FALSE(is_sqs_request(json_body));
}

TEST_CASE("form fields become the JSON protocol's input shape", "[sqs][api]") {
    auto fields = kemu::parse_form(
        "Action=SendMessageBatch&QueueUrl=http%3A%2F%2Fh%2F0%2Fq"
        "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two+words"
        "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v"
        "&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=30"
        "&AttributeName.2=QueueArn&AttributeName.1=All&Tag.1.Key=env&Tag.1.Value=dev");
    REQUIRE(fields);
    auto in = wire::form_to_input(*fields);
    CHECK(in["QueueUrl"] == "http://h/0/q");
    REQUIRE(in["Entries"].size() == 2);
    CHECK(in["Entries"][0]["Id"] == "a");
    CHECK(in["Entries"][1]["MessageBody"] == "two words");
    CHECK(in["Entries"][0]["MessageAttributes"]["k"]["StringValue"] == "v");
    CHECK(in["Attributes"]["VisibilityTimeout"] == "30");
    CHECK(in["AttributeNames"] == json::array({"All", "QueueArn"}));
    CHECK(in["tags"]["env"] == "dev");
}

TEST_CASE("JSON protocol: create, send, receive, delete", "[sqs][api]") {
    Fixture f;
    auto created = f.call_json("CreateQueue", {{"QueueName", "q"}});
    CHECK(created["QueueUrl"] == kUrl);
    auto sent = f.call_json(
        "SendMessage",
        {{"QueueUrl", kUrl},
         {"MessageBody", "hi"},
         {"MessageAttributes", {{"a", {{"DataType", "String"}, {"StringValue", "x"}}}}}});
    CHECK(sent["MD5OfMessageBody"] == "49f68a5c8493ec2c0bf489821c21fc3b");
    CHECK(sent["MD5OfMessageAttributes"].is_string());
    auto got =
        f.call_json("ReceiveMessage", {{"QueueUrl", kUrl},
                                       {"MaxNumberOfMessages", 10},
                                       {"MessageSystemAttributeNames", {"ApproximateReceiveCount"}},
                                       {"MessageAttributeNames", {"All"}}});
    REQUIRE(got["Messages"].size() == 1);
    auto m = got["Messages"][0];
    CHECK(m["Body"] == "hi");
    CHECK(m["Attributes"] == json({{"ApproximateReceiveCount", "1"}}));
    CHECK(m["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]);
    CHECK(m["MessageAttributes"]["a"]["StringValue"] == "x");
    auto deleted =
        f.call_json("DeleteMessage", {{"QueueUrl", kUrl}, {"ReceiptHandle", m["ReceiptHandle"]}});
    CHECK(deleted == json::object());
    // An empty receive has no Messages member at all.
    CHECK(f.call_json("ReceiveMessage", {{"QueueUrl", kUrl}}) == json::object());
}

TEST_CASE("JSON errors carry __type and the legacy code header", "[sqs][api]") {
    Fixture f;
    auto r = f.call(f.json_request("GetQueueUrl", {{"QueueName", "nope"}}));
    CHECK(r.status == 400);
    CHECK(header(r, "x-amzn-query-error") == "AWS.SimpleQueueService.NonExistentQueue;Sender");
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.0");
    auto body = json::parse(r.body);
    CHECK(body["__type"] == "com.amazonaws.sqs#QueueDoesNotExist");
    CHECK(body["message"] == "The specified queue does not exist.");

    f.call_json("CreateQueue", {{"QueueName", "q"}});
    auto max =
        f.call_json("ReceiveMessage", {{"QueueUrl", kUrl}, {"MaxNumberOfMessages", 11}}, 400);
    CHECK(max["__type"] == "com.amazonaws.sqs#InvalidParameterValueException");
    CHECK(
        max["message"] ==
        "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, "
        "if provided.");
    auto wait = f.call_json("ReceiveMessage", {{"QueueUrl", kUrl}, {"WaitTimeSeconds", 21}}, 400);
    CHECK(wait["message"] ==
          "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if "
          "provided.");
    auto body_missing = f.call_json("SendMessage", {{"QueueUrl", kUrl}}, 400);
    CHECK(body_missing["__type"] == "com.amazonaws.sqs#MissingRequiredParameterException");
    CHECK(body_missing["message"] == "The request must contain the parameter MessageBody.");

    auto unknown = f.call(f.json_request("Frobnicate", json::object()));
    CHECK(unknown.status == 400);
    CHECK(json::parse(unknown.body)["__type"] ==
          "com.amazon.coral.service#UnknownOperationException");
}

TEST_CASE("batch checks run in AWS's order with AWS's texts", "[sqs][api]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    auto empty =
        f.call_json("SendMessageBatch", {{"QueueUrl", kUrl}, {"Entries", json::array()}}, 400);
    CHECK(empty["__type"] == "com.amazonaws.sqs#EmptyBatchRequest");
    json many = json::array();
    for (int i = 0; i < 20; ++i)
        many.push_back({{"Id", "e" + std::to_string(i)}, {"MessageBody", "x"}});
    auto too_many = f.call_json("SendMessageBatch", {{"QueueUrl", kUrl}, {"Entries", many}}, 400);
    CHECK(too_many["message"] == "Maximum number of entries per request are 10. You have sent 20.");
    auto bad_id = f.call_json(
        "SendMessageBatch",
        {{"QueueUrl", kUrl}, {"Entries", {{{"Id", "a b"}, {"MessageBody", "x"}}}}}, 400);
    CHECK(bad_id["message"] ==
          "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It "
          "can be at most 80 letters long.");
    auto dup = f.call_json(
        "SendMessageBatch",
        {{"QueueUrl", kUrl},
         {"Entries", {{{"Id", "a"}, {"MessageBody", "x"}}, {{"Id", "a"}, {"MessageBody", "y"}}}}},
        400);
    CHECK(dup["__type"] == "com.amazonaws.sqs#BatchEntryIdsNotDistinct");
    auto big = f.call_json("SendMessageBatch",
                           {{"QueueUrl", kUrl},
                            {"Entries",
                             {{{"Id", "a"}, {"MessageBody", std::string(600'000, 'a')}},
                              {{"Id", "b"}, {"MessageBody", std::string(448'577, 'b')}}}}},
                           400);
    CHECK(big["message"] ==
          "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.");
    // One bad entry fails alone; the call is a 200.
    auto partial = f.call_json("SendMessageBatch",
                               {{"QueueUrl", kUrl},
                                {"Entries",
                                 {{{"Id", "ok"}, {"MessageBody", "x"}},
                                  {{"Id", "bad"}, {"MessageBody", "x"}, {"DelaySeconds", 901}}}}});
    REQUIRE(partial["Successful"].size() == 1);
    REQUIRE(partial["Failed"].size() == 1);
    CHECK(partial["Failed"][0]["Id"] == "bad");
    CHECK(partial["Failed"][0]["SenderFault"] == true);
    CHECK(partial["Failed"][0]["Code"] == "InvalidParameterValue");
}

TEST_CASE("query protocol: XML results with flattened lists and maps", "[sqs][api]") {
    Fixture f;
    auto created = f.call(f.query_request(
        "Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=0"));
    CHECK(created.status == 200);
    CHECK(header(created, "Content-Type") == "text/xml");
    CHECK(created.body.find("<CreateQueueResult><QueueUrl>http://127.0.0.1:9999/000000000000/q</"
                            "QueueUrl></CreateQueueResult>") != std::string::npos);

    auto sent = f.call(f.query_request("Action=SendMessage&QueueUrl=q&MessageBody=a%26b%0D%0Ac"));
    CHECK(sent.body.find("<MD5OfMessageBody>") != std::string::npos);
    auto got = f.call(f.query_request(
        "Action=ReceiveMessage&QueueUrl=http%3A%2F%2Fx%2F000000000000%2Fq&AttributeName.1=All"));
    INFO(got.body);
    CHECK(got.body.find("<Body>a&amp;b&#xD;\nc</Body>") != std::string::npos);
    CHECK(got.body.find(
              "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>") !=
          std::string::npos);
    auto attrs = f.call(
        f.query_request("Action=GetQueueAttributes&QueueUrl=q&AttributeName.1=VisibilityTimeout"));
    CHECK(attrs.body.find("<GetQueueAttributesResult><Attribute><Name>VisibilityTimeout</"
                          "Name><Value>30</Value></Attribute></GetQueueAttributesResult>") !=
          std::string::npos);
    auto none = f.call(f.query_request("Action=DeleteQueue&QueueUrl=q"));
    CHECK(none.body.find("<DeleteQueueResponse") != std::string::npos);
    CHECK(none.body.find("<RequestId>") != std::string::npos);
}

TEST_CASE("query errors are <ErrorResponse> with the legacy code", "[sqs][api]") {
    Fixture f;
    auto r = f.call(f.query_request("Action=GetQueueUrl&QueueName=nope"));
    CHECK(r.status == 400);
    CHECK(
        r.body.find("<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
                    "<Message>The specified queue does not exist for this wsdl "
                    "version.</Message><Detail/></Error>") != std::string::npos);
    auto bad = f.call(f.query_request("Action=Frobnicate"));
    CHECK(bad.body.find("<Code>InvalidAction</Code><Message>The action Frobnicate is not valid for "
                        "this endpoint.</Message>") != std::string::npos);
    f.call(f.query_request("Action=CreateQueue&QueueName=q"));
    REQUIRE(f.call(f.query_request("Action=PurgeQueue&QueueUrl=q")).status == 200);
    auto purge = f.call(f.query_request("Action=PurgeQueue&QueueUrl=q"));
    CHECK(purge.status == 403);
    CHECK(purge.body.find("<Code>AWS.SimpleQueueService.PurgeQueueInProgress</Code>") !=
          std::string::npos);
}

TEST_CASE("a JSON request posted to the queue URL needs no QueueUrl member", "[sqs][api]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    auto req = f.json_request("SendMessage", {{"MessageBody", "x"}});
    req.target = "/000000000000/q";
    CHECK(f.call(req).status == 200);
    CHECK(f.store->get_attributes("q", {"ApproximateNumberOfMessages"})->front().second == "1");
}

TEST_CASE("a long poll answers when a message is sent", "[sqs][api]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    std::optional<HttpResponse> out;
    f.api->handle(f.json_request("ReceiveMessage", {{"QueueUrl", kUrl}, {"WaitTimeSeconds", 20}}),
                  [&](HttpResponse r) { out = std::move(r); });
    CHECK_FALSE(out);
    REQUIRE(f.scheduler.tasks.size() == 1);  // the re-check timer
    f.call_json("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "late"}});
    CHECK_FALSE(out);  // the wake-up runs on a scheduler thread, not the sender's
    f.scheduler.run_pending();
    REQUIRE(out);
    auto body = json::parse(out->body);
    REQUIRE(body["Messages"].size() == 1);
    CHECK(body["Messages"][0]["Body"] == "late");
}

TEST_CASE("a long poll on an empty queue answers empty when the wait runs out", "[sqs][api]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    std::optional<HttpResponse> out;
    f.api->handle(f.json_request("ReceiveMessage", {{"QueueUrl", kUrl}, {"WaitTimeSeconds", 1}}),
                  [&](HttpResponse r) { out = std::move(r); });
    int timers = 0;
    while (!out && timers < 100) {
        REQUIRE(f.scheduler.tasks.size() == 1);
        f.scheduler.run_pending();
        ++timers;
    }
    REQUIRE(out);
    CHECK(timers == 10);  // 1 s in 100 ms re-checks
    CHECK(json::parse(out->body) == json::object());
    // A message sent afterwards is not taken by the finished poll.
    f.call_json("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "x"}});
    CHECK(f.scheduler.tasks.empty());
    CHECK(f.call_json("ReceiveMessage", {{"QueueUrl", kUrl}})["Messages"].size() == 1);
}

TEST_CASE("a long poll sees a message whose visibility ran out", "[sqs][api]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    f.call_json("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "x"}});
    REQUIRE(
        f.call_json("ReceiveMessage", {{"QueueUrl", kUrl}, {"VisibilityTimeout", 1}})["Messages"]
            .size() == 1);
    std::optional<HttpResponse> out;
    f.api->handle(f.json_request("ReceiveMessage", {{"QueueUrl", kUrl}, {"WaitTimeSeconds", 5}}),
                  [&](HttpResponse r) { out = std::move(r); });
    f.scheduler.run_pending();
    CHECK_FALSE(out);
    f.clock.advance_ms(1'000);
    f.scheduler.run_pending();
    REQUIRE(out);
    CHECK(json::parse(out->body)["Messages"].size() == 1);
}

TEST_CASE("a long poll is answered at shutdown", "[sqs][api]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    std::optional<HttpResponse> out;
    f.api->handle(f.json_request("ReceiveMessage", {{"QueueUrl", kUrl}, {"WaitTimeSeconds", 20}}),
                  [&](HttpResponse r) { out = std::move(r); });
    f.scheduler.run_pending(/*shutting_down=*/true);
    REQUIRE(out);
    CHECK(out->status == 200);
    CHECK(f.scheduler.tasks.empty());
}

TEST_CASE("a queue's ReceiveMessageWaitTimeSeconds makes plain receives long polls", "[sqs][api]") {
    Fixture f;
    f.call_json("CreateQueue",
                {{"QueueName", "q"}, {"Attributes", {{"ReceiveMessageWaitTimeSeconds", "2"}}}});
    std::optional<HttpResponse> out;
    f.api->handle(f.json_request("ReceiveMessage", {{"QueueUrl", kUrl}}),
                  [&](HttpResponse r) { out = std::move(r); });
    CHECK_FALSE(out);
    // WaitTimeSeconds 0 on the call overrides it.
    std::optional<HttpResponse> now;
    f.api->handle(f.json_request("ReceiveMessage", {{"QueueUrl", kUrl}, {"WaitTimeSeconds", 0}}),
                  [&](HttpResponse r) { now = std::move(r); });
    CHECK(now);
    f.scheduler.run_pending(true);
    CHECK(out);
}

TEST_CASE("ListQueues pages only when MaxResults is given", "[sqs][api]") {
    Fixture f;
    for (auto n : {"a1", "a2", "a3", "b1"})
        f.call_json("CreateQueue", {{"QueueName", n}});
    auto all = f.call_json("ListQueues", json::object());
    CHECK(all["QueueUrls"].size() == 4);
    CHECK_FALSE(all.contains("NextToken"));
    auto prefix = f.call_json("ListQueues", {{"QueueNamePrefix", "a"}, {"MaxResults", 2}});
    REQUIRE(prefix["QueueUrls"].size() == 2);
    REQUIRE(prefix.contains("NextToken"));
    auto rest = f.call_json(
        "ListQueues",
        {{"QueueNamePrefix", "a"}, {"MaxResults", 2}, {"NextToken", prefix["NextToken"]}});
    REQUIRE(rest["QueueUrls"].size() == 1);
    CHECK(rest["QueueUrls"][0] == "http://localhost:4566/000000000000/a3");
    CHECK_FALSE(rest.contains("NextToken"));
    CHECK(f.call_json("ListQueues", {{"QueueNamePrefix", "zzz"}}) == json::object());
}

TEST_CASE("deep or odd members get client errors, never a crash or a 500", "[sqs][api]") {
    // Found in review: dumping a 500,000-deep QueueName recursed off the stack (the whole
    // emulator gone), a form key of 200,000 segments did the same, and bad UTF-8 under a
    // nested query member made dump() throw (500).
    Fixture f;
    HttpRequest deep = f.json_request("GetQueueUrl", json::object());
    deep.body = "{\"QueueName\":" + std::string(500'000, '[') + std::string(500'000, ']') + "}";
    auto r = f.call(deep);
    CHECK(r.status == 400);
    std::string key = "Action=ListQueues&a";
    for (int i = 0; i < 200'000; ++i)
        key += ".a";
    CHECK(f.call(f.query_request(key + "=1")).status == 200);  // a parameter that names nothing
    auto bad = f.call(f.query_request("Action=GetQueueUrl&QueueName.x=%FF"));
    CHECK(bad.status == 400);
}
