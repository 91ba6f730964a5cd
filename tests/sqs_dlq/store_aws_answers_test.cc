// The engine's answers where AWS was recorded answering otherwise than kemu once did: visibility
// changes on expired handles, the SSE and FIFO attributes, MessageGroupId on a standard queue,
// and what a restart reads back (docs/aws/sqs.md).

#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "codec.h"
#include "message_codec.h"
#include "store_fixture.h"
#include "support/result_printer.h"
#include "support/temp_dir.h"

using namespace kemu::sqs_dlq;
using kemu::AwsErrorCode;
using kemu::sqs_dlq::fixtures::StoreFixture;
using kemu::testing::TempDir;

namespace {

std::map<std::string, std::string> all_attributes(StoreFixture& f, const std::string& q) {
    auto a = f.store->get_attributes(q, {"All"});
    REQUIRE(a);
    return {a->begin(), a->end()};
}

}  // namespace

TEST_CASE("ChangeMessageVisibility after the timeout ran out is OK and changes nothing",
          "[sqs][aws]") {
    StoreFixture f;
    f.create("q");
    f.send("q", "x");
    auto h = f.receive("q", 1, 5)[0].receipt_handle;
    f.clock.advance_ms(5'000);
    REQUIRE(f.store->change_visibility("q", h, 60));
    // AWS leaves the message visible: the next receive gets it.
    auto again = f.receive("q");
    REQUIRE(again.size() == 1);
    CHECK(again[0].receive_count == 2);
    // The handle of that earlier receive is stale now: AWS's "not available" error.
    auto stale = f.store->change_visibility("q", h, 60);
    REQUIRE_FALSE(stale);
    CHECK(stale.error().code == AwsErrorCode::kSqsInvalidParameterValue);
}

TEST_CASE("a handle naming no receive of a message is MessageNotInflight", "[sqs][aws]") {
    StoreFixture f;
    f.create("q");
    f.send("q", "received");
    f.send("q", "never received");
    auto h = parse_handle(f.receive("q", 1)[0].receipt_handle);
    REQUIRE(h);
    // The second message, which no receive handed out (count 0).
    auto never = make_handle(h->queue_id, h->seq + 1, 0);
    auto r = f.store->change_visibility("q", never, 10);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == AwsErrorCode::kMessageNotInflight);
}

TEST_CASE("a KMS key turns SqsManagedSseEnabled to false and it stays so after the key is removed",
          "[sqs][aws]") {
    StoreFixture f;
    f.create("q");
    CHECK(all_attributes(f, "q").at("SqsManagedSseEnabled") == "true");
    REQUIRE(f.store->set_attributes("q", {{"KmsMasterKeyId", "alias/aws/sqs"}}));
    auto with_key = all_attributes(f, "q");
    CHECK(with_key.at("KmsMasterKeyId") == "alias/aws/sqs");
    CHECK(with_key.at("KmsDataKeyReusePeriodSeconds") == "300");
    CHECK(with_key.at("SqsManagedSseEnabled") == "false");
    REQUIRE(f.store->set_attributes("q", {{"KmsMasterKeyId", ""}}));
    auto without = all_attributes(f, "q");
    CHECK(without.count("KmsMasterKeyId") == 0);
    CHECK(without.at("SqsManagedSseEnabled") == "false");
    // Created with a key: the same.
    f.create("k", {{"KmsMasterKeyId", "alias/aws/sqs"}});
    CHECK(all_attributes(f, "k").at("SqsManagedSseEnabled") == "false");
}

TEST_CASE("both kinds of SSE in one request are InvalidAttributeName", "[sqs][aws]") {
    StoreFixture f;
    const AttributeList both = {{"KmsMasterKeyId", "alias/aws/sqs"},
                                {"SqsManagedSseEnabled", "true"}};
    auto created = f.store->create_queue("q", both, {});
    REQUIRE_FALSE(created);
    CHECK(created.error().code == AwsErrorCode::kInvalidAttributeName);
    CHECK(created.error().message ==
          "You can use one type of server-side encryption (SSE) at one time. You can either "
          "enable KMS SSE or SQS SSE.");
    f.create("q");
    auto set = f.store->set_attributes("q", both);
    REQUIRE_FALSE(set);
    CHECK(set.error().code == AwsErrorCode::kInvalidAttributeName);
    // A key with SSE-SQS off is fine; switching SSE-SQS back on drops the key (kemu's choice).
    REQUIRE(f.store->set_attributes(
        "q", {{"KmsMasterKeyId", "alias/aws/sqs"}, {"SqsManagedSseEnabled", "false"}}));
    REQUIRE(f.store->set_attributes("q", {{"SqsManagedSseEnabled", "true"}}));
    auto a = all_attributes(f, "q");
    CHECK(a.at("SqsManagedSseEnabled") == "true");
    CHECK(a.count("KmsMasterKeyId") == 0);
}

TEST_CASE("FIFO attributes on a standard queue are InvalidAttributeName and FifoQueue=false too",
          "[sqs][aws]") {
    StoreFixture f;
    f.create("q");
    for (bool create : {true, false}) {
        auto apply = [&](const std::string& name, const std::string& value) {
            AttributeList a = {{name, value}};
            return create ? f.store->create_queue("other", a, {}) : f.store->set_attributes("q", a);
        };
        auto fifo = apply("FifoQueue", "false");
        REQUIRE_FALSE(fifo);
        CHECK(fifo.error().code == AwsErrorCode::kInvalidAttributeName);
        CHECK(fifo.error().message == "Unknown Attribute FifoQueue.");
        for (std::string name : {"DeduplicationScope", "FifoThroughputLimit"}) {
            auto r = apply(name, name == "DeduplicationScope" ? "messageGroup" : "perQueue");
            REQUIRE_FALSE(r);
            CHECK(r.error().code == AwsErrorCode::kInvalidAttributeName);
            CHECK(r.error().message ==
                  "You can specify the " + name + " only when FifoQueue is set to true.");
        }
    }
    CHECK_FALSE(f.store->queue_exists("other"));
}

TEST_CASE("MessageGroupId on a standard queue is kept when valid and else InvalidParameterValue",
          "[sqs][aws]") {
    StoreFixture f;
    f.create("q");
    SendRequest ok;
    ok.body = "x";
    ok.message_group_id = std::string(128, 'g');
    REQUIRE(f.store->send_message("q", ok));
    auto got = f.receive("q");
    REQUIRE(got.size() == 1);
    CHECK(got[0].message_group_id == std::string(128, 'g'));
    SendRequest punctuation = ok;
    punctuation.message_group_id = "a!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~z";
    REQUIRE(f.store->send_message("q", punctuation));
    for (const std::string& bad : {std::string(), std::string(129, 'g'), std::string("group 123"),
                                   std::string("gr\xc3\xa9")}) {
        SendRequest r = ok;
        r.message_group_id = bad;
        auto sent = f.store->send_message("q", r);
        REQUIRE_FALSE(sent);
        CHECK(sent.error().code == AwsErrorCode::kSqsInvalidParameterValue);
        CHECK(sent.error().message ==
              "Value " + bad +
                  " for parameter MessageGroupId is invalid. Reason: MessageGroupId can only "
                  "include alphanumeric and punctuation characters. 1 to 128 in length.");
    }
}

TEST_CASE("a batch entry over MaximumMessageSize says the parameters cannot be validated",
          "[sqs][aws]") {
    StoreFixture f;
    f.create("q", {{"MaximumMessageSize", "1024"}});
    SendRequest r;
    r.body = std::string(1025, 'x');
    CHECK(f.store->send_message("q", r).error().message ==
          "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.");
    r.batch_entry = true;
    CHECK(f.store->send_message("q", r).error().message ==
          "One or more parameters cannot be validated. Reason: Message must be shorter than "
          "1024 bytes.");
}

TEST_CASE("trace header and group id survive a restart and older stored messages still load",
          "[sqs][aws]") {
    TempDir dir;
    StoreFixture f(dir.path.string());
    f.create("q");
    SendRequest r;
    r.body = "new";
    r.trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793";
    r.message_group_id = "g-1";
    REQUIRE(f.store->send_message("q", r));
    // A message as a kemu before group ids stored it: format version 1, no group id at the end.
    std::string v1;
    v1.push_back(1);
    for (std::string_view s : {"old-id", "old", "md5", ""})
        codec::put_str(v1, s);
    codec::put_u64(v1, static_cast<uint64_t>(f.clock.now_ms()));
    codec::put_u32(v1, 0);
    for (std::string_view s : {"000000000000", "Root=1-old", ""})
        codec::put_str(v1, s);
    codec::put_u32(v1, 0);
    auto h = parse_handle(f.receive("q", 1, 0)[0].receipt_handle);
    REQUIRE(h);
    REQUIRE(f.db->raw()
                ->Put(f.db->write_options(), f.db->messages(),
                      codec::message_key('M', h->queue_id, h->seq + 1), v1)
                .ok());
    f.open();
    auto got = f.receive("q");
    REQUIRE(got.size() == 2);
    CHECK(got[0].body == "new");
    CHECK(got[0].trace_header == "Root=1-5759e988-bd862e3fe1be46a994272793");
    CHECK(got[0].message_group_id == "g-1");
    CHECK(got[1].body == "old");
    CHECK(got[1].trace_header == "Root=1-old");
    CHECK(got[1].message_group_id.empty());
}
