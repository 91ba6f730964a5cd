// sqs_dlq::QueueStore over a real RocksDB (in memory, or a temp dir where a restart is needed),
// driven by a ManualClock. Expected texts are AWS's (docs/aws/sqs.md, Errors and Messages).

#include "sqs_dlq/queue_store.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/db.h"
#include "core/encoding.h"
#include "failure_record_sample.h"
#include "md5.h"
#include "store_fixture.h"
#include "support/result_printer.h"
#include "support/temp_dir.h"

using namespace kemu::sqs_dlq;
using kemu::AwsErrorCode;

using kemu::testing::TempDir;

using kemu::sqs_dlq::fixtures::StoreFixture;

TEST_CASE("a received message is hidden for the visibility timeout and then comes back", "[sqs]") {
    StoreFixture f;
    f.create("q", {{"VisibilityTimeout", "30"}});
    auto id = f.send("q", "hello");
    auto first = f.receive("q");
    REQUIRE(first.size() == 1);
    CHECK(first[0].message_id == id);
    CHECK(first[0].receive_count == 1);
    CHECK(first[0].first_receive_ms == f.clock.now_ms());
    CHECK(f.receive("q").empty());
    CHECK(f.attribute("q", "ApproximateNumberOfMessagesNotVisible") == "1");
    CHECK(f.attribute("q", "ApproximateNumberOfMessages") == "0");

    f.clock.advance_ms(29'999);
    CHECK(f.receive("q").empty());
    f.clock.advance_ms(1);
    auto second = f.receive("q");
    REQUIRE(second.size() == 1);
    CHECK(second[0].receive_count == 2);
    CHECK(second[0].first_receive_ms == first[0].first_receive_ms);
    CHECK(second[0].receipt_handle != first[0].receipt_handle);
}

TEST_CASE("the receive's VisibilityTimeout overrides the queue's", "[sqs]") {
    StoreFixture f;
    f.create("q");
    f.send("q", "x");
    REQUIRE(f.receive("q", 1, 2).size() == 1);
    f.clock.advance_ms(2'000);
    REQUIRE(f.receive("q").size() == 1);
}

TEST_CASE("only the latest receipt handle deletes, a stale one is a quiet no-op", "[sqs]") {
    StoreFixture f;
    f.create("q");
    f.send("q", "x");
    auto old_handle = f.receive("q", 1, 1)[0].receipt_handle;
    f.clock.advance_ms(1'000);
    auto fresh = f.receive("q", 1, 1);
    REQUIRE(fresh.size() == 1);
    REQUIRE(f.store->delete_message("q", old_handle));
    f.clock.advance_ms(1'000);
    REQUIRE(f.receive("q").size() == 1);  // still there
    f.clock.advance_ms(30'000);
    auto latest = f.receive("q");
    REQUIRE(latest.size() == 1);
    REQUIRE(f.store->delete_message("q", latest[0].receipt_handle));
    f.clock.advance_ms(60'000);
    CHECK(f.receive("q").empty());
    CHECK(f.attribute("q", "ApproximateNumberOfMessagesNotVisible") == "0");
}

TEST_CASE("a malformed receipt handle is ReceiptHandleIsInvalid with AWS's text", "[sqs]") {
    StoreFixture f;
    f.create("q");
    auto r = f.store->delete_message("q", "garbage");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == AwsErrorCode::kReceiptHandleIsInvalid);
    CHECK(r.error().message ==
          "The input receipt handle \"garbage\" is not a valid receipt handle.");
}

TEST_CASE("changing the visibility of a deleted message names the handle", "[sqs]") {
    StoreFixture f;
    f.create("q");
    f.send("q", "x");
    auto h = f.receive("q")[0].receipt_handle;
    REQUIRE(f.store->delete_message("q", h));
    auto r = f.store->change_visibility("q", h, 10);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == AwsErrorCode::kSqsInvalidParameterValue);
    CHECK(r.error().message == "Value " + h +
                                   " for parameter ReceiptHandle is invalid. Reason: Message does "
                                   "not exist or is not available for visibility timeout change.");
}

TEST_CASE("ChangeMessageVisibility restarts the timer from the call, 0 makes it visible now",
          "[sqs]") {
    StoreFixture f;
    f.create("q");
    f.send("q", "x");
    auto h = f.receive("q")[0].receipt_handle;
    f.clock.advance_ms(20'000);
    REQUIRE(f.store->change_visibility("q", h, 5));
    f.clock.advance_ms(4'999);
    CHECK(f.receive("q").empty());
    f.clock.advance_ms(1);
    auto again = f.receive("q");
    REQUIRE(again.size() == 1);
    REQUIRE(f.store->change_visibility("q", again[0].receipt_handle, 0));
    CHECK(f.receive("q").size() == 1);
}

TEST_CASE("visibility may not run past 12 hours from the first receive", "[sqs]") {
    StoreFixture f;
    f.create("q");
    f.send("q", "x");
    auto h = f.receive("q")[0].receipt_handle;
    f.clock.advance_ms(10'000);
    auto r = f.store->change_visibility("q", h, 43'200);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("Total VisibilityTimeout for the message is beyond the limit "
                                 "[43200 seconds]") != std::string::npos);
    REQUIRE(f.store->change_visibility("q", h, 43'190));
}

TEST_CASE("DelaySeconds hides a new message and counts it as delayed", "[sqs]") {
    StoreFixture f;
    f.create("q", {{"DelaySeconds", "10"}});
    f.send("q", "queue delay");
    SendRequest r;
    r.body = "no delay";
    r.delay_seconds = 0;
    REQUIRE(f.store->send_message("q", r));
    CHECK(f.attribute("q", "ApproximateNumberOfMessagesDelayed") == "1");
    auto now = f.receive("q");
    REQUIRE(now.size() == 1);
    CHECK(now[0].body == "no delay");
    f.clock.advance_ms(10'000);
    auto later = f.receive("q");
    REQUIRE(later.size() == 1);
    CHECK(later[0].body == "queue delay");

    r.delay_seconds = 901;
    auto bad = f.store->send_message("q", r);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message ==
          "Value 901 for parameter DelaySeconds is invalid. Reason: Must be >= 0 and <= 900, if "
          "provided.");
}

TEST_CASE("messages expire after the retention period, counted from the send", "[sqs]") {
    StoreFixture f;
    f.create("q", {{"MessageRetentionPeriod", "60"}});
    f.send("q", "old");
    f.clock.advance_ms(30'000);
    f.send("q", "young");
    f.clock.advance_ms(30'000);
    CHECK(f.attribute("q", "ApproximateNumberOfMessages") == "1");
    auto got = f.receive("q");
    REQUIRE(got.size() == 1);
    CHECK(got[0].body == "young");
    f.clock.advance_ms(30'000);
    CHECK(f.store->trim_expired() == 1);
    CHECK(f.attribute("q", "ApproximateNumberOfMessagesNotVisible") == "0");
}

TEST_CASE("the default retention is 4 days and the maximum 14", "[sqs]") {
    StoreFixture f;
    f.create("q");
    CHECK(f.attribute("q", "MessageRetentionPeriod") == "345600");
    auto r = f.store->create_queue("long", {{"MessageRetentionPeriod", "1209601"}}, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == AwsErrorCode::kInvalidAttributeValue);
    CHECK(r.error().message == "Invalid value for the parameter MessageRetentionPeriod.");
    REQUIRE(f.store->create_queue("long", {{"MessageRetentionPeriod", "1209600"}}, {}));
}

TEST_CASE("CreateQueue is idempotent for equal attributes and refuses different ones", "[sqs]") {
    StoreFixture f;
    f.create("q", {{"DelaySeconds", "5"}});
    REQUIRE(f.store->create_queue("q", {{"DelaySeconds", "5"}}, {}));
    REQUIRE(f.store->create_queue("q", {}, {}));
    auto r = f.store->create_queue("q", {{"DelaySeconds", "6"}}, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == AwsErrorCode::kQueueNameExists);
    CHECK(r.error().message ==
          "A queue already exists with the same name and a different value for attribute "
          "DelaySeconds");
    // A default given explicitly equals the default.
    REQUIRE(f.store->create_queue("q", {{"VisibilityTimeout", "30"}}, {}));
}

TEST_CASE("queue names and attribute names are checked", "[sqs]") {
    StoreFixture f;
    auto bad = f.store->create_queue("has space", {}, {});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == AwsErrorCode::kSqsInvalidParameterValue);
    auto unknown = f.store->create_queue("q", {{"FifoQueue", "true"}}, {});
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == AwsErrorCode::kSqsInvalidParameterValue);
    auto attr = f.store->create_queue("q", {{"ContentBasedDeduplication", "true"}}, {});
    REQUIRE_FALSE(attr);
    CHECK(attr.error().code == AwsErrorCode::kInvalidAttributeName);
    CHECK(attr.error().message == "Unknown Attribute ContentBasedDeduplication.");
    f.create("q");
    auto get = f.store->get_attributes("q", {"Nope"});
    REQUIRE_FALSE(get);
    CHECK(get.error().message == "Unknown Attribute Nope.");
}

TEST_CASE("GetQueueAttributes without names returns none, All returns the lot", "[sqs]") {
    StoreFixture f;
    f.create("q");
    auto none = f.store->get_attributes("q", {});
    REQUIRE(none);
    CHECK(none->empty());
    auto all = f.store->get_attributes("q", {"All"});
    REQUIRE(all);
    std::map<std::string, std::string> m(all->begin(), all->end());
    CHECK(m.at("QueueArn") == "arn:aws:sqs:us-east-1:000000000000:q");
    CHECK(m.at("VisibilityTimeout") == "30");
    CHECK(m.at("MaximumMessageSize") == "1048576");
    CHECK(m.at("CreatedTimestamp") == "1700000000");
    CHECK(m.at("SqsManagedSseEnabled") == "true");
    CHECK(m.count("RedrivePolicy") == 0);
}

TEST_CASE("a missing queue is QueueDoesNotExist everywhere", "[sqs]") {
    StoreFixture f;
    SendRequest s;
    s.body = "x";
    CHECK(f.store->send_message("nope", s).error().code == AwsErrorCode::kQueueDoesNotExist);
    CHECK(f.store->receive("nope", {}).error().code == AwsErrorCode::kQueueDoesNotExist);
    CHECK(f.store->purge("nope").error().code == AwsErrorCode::kQueueDoesNotExist);
    CHECK(f.store->delete_queue("nope").error().code == AwsErrorCode::kQueueDoesNotExist);
    CHECK(f.store->get_attributes("nope", {"All"}).error().message ==
          "The specified queue does not exist.");
}

TEST_CASE("a body larger than MaximumMessageSize is refused, attributes count", "[sqs]") {
    StoreFixture f;
    f.create("q", {{"MaximumMessageSize", "1024"}});
    SendRequest r;
    r.body = std::string(1000, 'a');
    r.attributes["k"] = {"String", std::string(30, 'v')};
    auto s = f.store->send_message("q", r);
    REQUIRE_FALSE(s);
    CHECK(s.error().message ==
          "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.");
    r.attributes.clear();
    REQUIRE(f.store->send_message("q", r));
}

TEST_CASE("bodies outside XML's character ranges are InvalidMessageContents", "[sqs]") {
    StoreFixture f;
    f.create("q");
    for (std::string body :
         {std::string("a\x01z"), std::string("\xff"), std::string("\xef\xbf\xbe")}) {
        SendRequest r;
        r.body = body;
        auto s = f.store->send_message("q", r);
        REQUIRE_FALSE(s);
        CHECK(s.error().code == AwsErrorCode::kInvalidMessageContents);
    }
    SendRequest ok;
    ok.body = "tab\tcr\rlf\n é ✓ 😀";
    REQUIRE(f.store->send_message("q", ok));
}

TEST_CASE("MD5OfMessageAttributes follows AWS's encoding", "[sqs]") {
    // Known value: boto3 docs / AWS's algorithm for {"a": String "x"} (computed independently
    // below from the byte layout).
    MessageAttributes attrs{{"a", {"String", "x"}}};
    std::string raw;
    raw += std::string("\0\0\0\x01", 4) + "a";
    raw += std::string("\0\0\0\x06", 4) + "String";
    raw += '\x01';
    raw += std::string("\0\0\0\x01", 4) + "x";
    CHECK(md5_of_attributes(attrs) == kemu::md5_hex(raw));
    // Binary uses transport type 2 and the raw bytes; names are sorted.
    MessageAttributes two{{"b", {"Binary", std::string("\x00\x01", 2)}},
                          {"a", {"Number.int", "5"}}};
    std::string raw2;
    raw2 += std::string("\0\0\0\x01", 4) + "a" + std::string("\0\0\0\x0a", 4) + "Number.int" +
            '\x01' + std::string("\0\0\0\x01", 4) + "5";
    raw2 += std::string("\0\0\0\x01", 4) + "b" + std::string("\0\0\0\x06", 4) + "Binary" + '\x02' +
            std::string("\0\0\0\x02", 4) + std::string("\x00\x01", 2);
    CHECK(md5_of_attributes(two) == kemu::md5_hex(raw2));
    CHECK(md5_of_attributes({}).empty());
}

TEST_CASE("message attributes are validated", "[sqs]") {
    StoreFixture f;
    f.create("q");
    SendRequest r;
    r.body = "x";
    r.attributes["X"] = {"String", ""};
    auto s = f.store->send_message("q", r);
    REQUIRE_FALSE(s);
    CHECK(s.error().message ==
          "Message (user) attribute 'X' must contain a non-empty value of type 'String'.");
    r.attributes["X"] = {"Text", "v"};
    CHECK_FALSE(f.store->send_message("q", r));
    r.attributes["X"] = {"Number", "12a"};
    CHECK_FALSE(f.store->send_message("q", r));
    r.attributes["X"] = {"Number", "-1.5e3"};
    CHECK(f.store->send_message("q", r));
    r.attributes.clear();
    for (int i = 0; i < 11; ++i)
        r.attributes["a" + std::to_string(i)] = {"String", "v"};
    auto many = f.store->send_message("q", r);
    REQUIRE_FALSE(many);
    CHECK(many.error().message ==
          "Number of message attributes [11] exceeds the allowed maximum [10].");
}

TEST_CASE("a second purge within 60 s is PurgeQueueInProgress (403)", "[sqs]") {
    StoreFixture f;
    f.create("my-q");
    f.send("my-q", "a");
    f.receive("my-q");  // in flight messages go too
    f.send("my-q", "b");
    REQUIRE(f.store->purge("my-q"));
    CHECK(f.attribute("my-q", "ApproximateNumberOfMessagesNotVisible") == "0");
    CHECK(f.attribute("my-q", "ApproximateNumberOfMessages") == "0");
    auto again = f.store->purge("my-q");
    REQUIRE_FALSE(again);
    CHECK(again.error().code == AwsErrorCode::kPurgeQueueInProgress);
    CHECK(again.error().http_status() == 403);
    CHECK(again.error().message ==
          "Only one PurgeQueue operation on my-q is allowed every 60 seconds.");
    f.clock.advance_ms(60'000);
    REQUIRE(f.store->purge("my-q"));
}

TEST_CASE("a receive past maxReceiveCount moves the message to the DLQ", "[sqs]") {
    StoreFixture f;
    f.create("dlq");
    f.create(
        "src",
        {{"RedrivePolicy",
          R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":2})"}});
    auto id = f.send("src", "poison");
    REQUIRE(f.receive("src", 1, 0).size() == 1);
    REQUIRE(f.receive("src", 1, 0).size() == 1);
    CHECK(f.receive("src", 1, 0).empty());  // the third receive moves it instead
    auto moved = f.receive("dlq");
    REQUIRE(moved.size() == 1);
    CHECK(moved[0].message_id == id);
    CHECK(moved[0].receive_count == 3);  // continues from the source's 2, as on AWS
    CHECK(moved[0].dead_letter_source_arn == "arn:aws:sqs:us-east-1:000000000000:src");
}

TEST_CASE("RedrivePolicy needs an existing target and a count of 1 to 1000", "[sqs]") {
    StoreFixture f;
    f.create("src");
    auto missing = f.store->set_attributes(
        "src",
        {{"RedrivePolicy",
          R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:none","maxReceiveCount":3})"}});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find("Dead-letter target does not exist.") != std::string::npos);
    f.create("dlq");
    auto zero = f.store->set_attributes(
        "src",
        {{"RedrivePolicy",
          R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":0})"}});
    REQUIRE_FALSE(zero);
    CHECK(zero.error().message.find("Invalid value for maxReceiveCount: 0, valid values are from 1 "
                                    "to 1000 both inclusive.") != std::string::npos);
    REQUIRE(f.store->set_attributes(
        "src",
        {{"RedrivePolicy",
          R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"3"})"}}));
}

TEST_CASE("a move task needs a redrive DLQ as its source, as for Lambda's on-failure queues",
          "[sqs]") {
    StoreFixture f;
    f.create("lambda-dlq");
    auto r = f.store->start_move_task("arn:aws:sqs:us-east-1:000000000000:lambda-dlq", "", 0);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == AwsErrorCode::kSqsInvalidParameterValue);
    CHECK(r.error().message == "Source queue must be configured as a Dead Letter Queue.");

    f.create(
        "src",
        {{"RedrivePolicy",
          R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:lambda-dlq","maxReceiveCount":1})"}});
    f.send("src", "m");
    REQUIRE(f.receive("src", 1, 0).size() == 1);
    REQUIRE(f.receive("src", 1, 0).empty());
    auto task = f.store->start_move_task("arn:aws:sqs:us-east-1:000000000000:lambda-dlq", "", 0);
    REQUIRE(task);
    auto back = f.receive("src");
    REQUIRE(back.size() == 1);
    CHECK(back[0].body == "m");
    auto tasks = f.store->list_move_tasks("arn:aws:sqs:us-east-1:000000000000:lambda-dlq", 10);
    REQUIRE(tasks);
    REQUIRE(tasks->size() == 1);
    CHECK(tasks->front().status == "COMPLETED");
    CHECK(tasks->front().moved == 1);
    auto dest = f.store->start_move_task("arn:aws:sqs:us-east-1:000000000000:lambda-dlq",
                                         "arn:aws:sqs:us-east-1:000000000000:gone", 0);
    REQUIRE_FALSE(dest);
    CHECK(dest.error().http_status() == 404);
}

TEST_CASE("a long-poll waker registered on an empty queue fires on the next send", "[sqs]") {
    StoreFixture f;
    f.create("q");
    int woken = 0;
    uint64_t id = 0;
    auto got = f.store->receive(
        "q", {}, [&] { ++woken; }, &id);
    REQUIRE(got);
    CHECK(got->empty());
    CHECK(id != 0);
    f.send("q", "x");
    CHECK(woken == 1);
    f.send("q", "y");  // once only
    CHECK(woken == 1);

    // A cancelled waker never fires.
    f.create("r");
    auto again = f.store->receive(
        "r", {}, [&] { ++woken; }, &id);
    f.store->cancel_wait("r", id);
    f.send("r", "x");
    CHECK(woken == 1);
}

TEST_CASE("messages and their receive state survive a restart, deletes stay deleted", "[sqs]") {
    TempDir dir;
    std::string kept_id, deleted_id;
    {
        StoreFixture f(dir.path.string());
        f.create("q", {{"VisibilityTimeout", "60"}, {"DelaySeconds", "0"}});
        REQUIRE(f.store->tag_queue("q", {{"team", "data"}}));
        kept_id = f.send("q", "kept");
        deleted_id = f.send("q", "deleted");
        auto got = f.receive("q");
        REQUIRE(got.size() == 2);
        for (const auto& m : got) {
            if (m.message_id == deleted_id) REQUIRE(f.store->delete_message("q", m.receipt_handle));
        }
        f.create("gone");
        f.send("gone", "x");
        REQUIRE(f.store->delete_queue("gone"));
    }
    StoreFixture f(dir.path.string());
    CHECK_FALSE(f.store->queue_exists("gone"));
    auto tags = f.store->list_tags("q");
    REQUIRE(tags);
    CHECK(tags->size() == 1);
    CHECK(f.attribute("q", "ApproximateNumberOfMessagesNotVisible") == "1");
    CHECK(f.receive("q").empty());  // still in flight after the restart
    f.clock.advance_ms(60'000);
    auto got = f.receive("q");
    REQUIRE(got.size() == 1);
    CHECK(got[0].message_id == kept_id);
    CHECK(got[0].body == "kept");
    CHECK(got[0].receive_count == 2);
    // New messages after a restart do not reuse sequence numbers.
    f.send("q", "new");
    f.clock.advance_ms(60'000);
    CHECK(f.receive("q").size() == 2);
}

TEST_CASE("the DeadLetterSink writes AWS's on-failure record", "[sqs]") {
    StoreFixture f;
    f.create("dev-orders-dlq");
    FailureRecord r = kemu::sqs_dlq::testing::sample_failure_record();
    DeadLetterSink& sink = *f.store;
    REQUIRE(sink.send(r));
    auto got = f.receive("dev-orders-dlq");
    REQUIRE(got.size() == 1);
    auto j = nlohmann::json::parse(got[0].body);
    CHECK(j["requestContext"]["condition"] == "RetryAttemptsExhausted");
    CHECK(j["requestContext"]["approximateInvokeCount"] == 3);
    CHECK(j["responseContext"]["functionError"] == "Unhandled");
    CHECK(j["version"] == "1.0");
    CHECK(j["timestamp"] == "2024-06-10T14:55:02.118Z");
    CHECK(j["KinesisBatchInfo"]["approximateArrivalOfFirstRecord"] == "2024-06-10T14:54:05.512Z");
    CHECK(j["KinesisBatchInfo"]["batchSize"] == 2);

    r.condition = FailureCondition::kRecordAgeExceeded;
    auto age = nlohmann::json::parse(failure_record_json(r));
    CHECK(age["requestContext"]["condition"] == "RecordAgeExceeded");
    CHECK_FALSE(age.contains("responseContext"));
    r.condition = FailureCondition::kRetryAttemptsExhausted;
    r.function_error.reset();
    CHECK(nlohmann::json::parse(failure_record_json(r))["responseContext"]["functionError"]
              .is_null());

    r.queue_name = "missing";
    auto missing = sink.send(r);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == AwsErrorCode::kQueueDoesNotExist);
}

TEST_CASE("a restart never reuses a receipt handle, even after the newest message is gone",
          "[sqs]") {
    TempDir dir;
    std::string old_handle;
    {
        StoreFixture f(dir.path.string());
        f.create("q");
        f.send("q", "first");
        old_handle = f.receive("q")[0].receipt_handle;
        REQUIRE(f.store->delete_message("q", old_handle));
    }
    StoreFixture f(dir.path.string());
    f.send("q", "second");
    auto got = f.receive("q");
    REQUIRE(got.size() == 1);
    CHECK(got[0].receipt_handle != old_handle);
    // The stale handle deletes nothing.
    REQUIRE(f.store->delete_message("q", old_handle));
    CHECK(f.attribute("q", "ApproximateNumberOfMessagesNotVisible") == "1");
}

TEST_CASE("a queue deleted and recreated across a restart gets a new id", "[sqs]") {
    TempDir dir;
    std::string old_handle;
    {
        StoreFixture f(dir.path.string());
        f.create("q");
        f.send("q", "x");
        old_handle = f.receive("q")[0].receipt_handle;
        REQUIRE(f.store->delete_queue("q"));
    }
    StoreFixture f(dir.path.string());
    f.create("q");
    f.send("q", "y");
    REQUIRE(f.receive("q").size() == 1);
    auto r = f.store->delete_message("q", old_handle);
    REQUIRE_FALSE(r);  // another queue's handle
    CHECK(r.error().code == AwsErrorCode::kReceiptHandleIsInvalid);
}

TEST_CASE("attribute names and values, queue attributes and tags must be valid text", "[sqs]") {
    StoreFixture f;
    f.create("q");
    SendRequest r;
    r.body = "x";
    r.attributes["a"] = {"String", std::string("\xff")};
    auto bad = f.store->send_message("q", r);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == AwsErrorCode::kInvalidMessageContents);
    r.attributes = {{std::string("n\x01"), {"String", "v"}}};
    CHECK_FALSE(f.store->send_message("q", r));
    r.attributes = {{"b", {"Binary", std::string("\xff\x00", 2)}}};  // binary may hold any bytes
    CHECK(f.store->send_message("q", r));
    auto kms = f.store->set_attributes("q", {{"KmsMasterKeyId", std::string("\xff")}});
    REQUIRE_FALSE(kms);
    CHECK(kms.error().code == AwsErrorCode::kInvalidAttributeValue);
    REQUIRE(f.store->get_attributes("q", {"All"}));  // the queue is untouched
    CHECK_FALSE(f.store->tag_queue("q", {{"k", std::string("\x01")}}));
    CHECK_FALSE(f.store->create_queue("t", {}, {{"", "v"}}));
}

TEST_CASE("a receive with visibility timeout 0 takes each message once per call", "[sqs]") {
    // The received message was re-indexed as visible at `now` inside the loop, so one call
    // returned it up to MaxNumberOfMessages times, all but the last handle already stale.
    StoreFixture f;
    f.create("q");
    f.send("q", "only");
    auto got = f.receive("q", 10, 0);
    REQUIRE(got.size() == 1);
    CHECK(got[0].receive_count == 1);
    auto again = f.receive("q", 10, 0);  // visible again at once, as AWS does
    REQUIRE(again.size() == 1);
    CHECK(again[0].receive_count == 2);
}
