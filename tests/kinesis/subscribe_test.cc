// SubscribeToShard's push side with a ManualClock (docs/aws/kinesis.md, SubscribeToShard): the
// message order, heartbeats, the lifetime, shard end, the per consumer + shard rules, and the
// consumers' lazy status, all without sockets: the test pulls the BodySource as the edge would.

#include "wire/subscribe.h"

#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/db.h"
#include "kinesis/store.h"
#include "support/result_printer.h"
#include "support/test_db.h"
#include "wire/cbor.h"
#include "wire/event_stream.h"

using namespace kemu::kinesis;
using namespace kemu::kinesis::wire;
using kemu::AwsErrorCode;
using kemu::BodySource;

namespace {

const StreamKey kKey{"000000000000", "us-east-1", "s1"};
constexpr const char* kArn =
    "arn:aws:kinesis:us-east-1:000000000000:stream/s1/consumer/c1:1700000000";

struct HubFixture {
    kemu::ManualClock clock{1'700'000'000'000};
    std::unique_ptr<kemu::Db> db;
    std::unique_ptr<Store> store;
    std::unique_ptr<SubscriptionHub> hub;
    int wakes = 0;

    HubFixture() {
        db = kemu::test::open_test_db();
        store = std::make_unique<Store>(*db, clock, StoreOptions{});
        store->load();
        hub = std::make_unique<SubscriptionHub>(*store, clock);
        REQUIRE(store->create_stream(kKey, 1, std::nullopt, {}));
    }
    std::shared_ptr<BodySource> subscribe(IteratorStart start = {}, bool cbor = false) {
        auto it = store->get_shard_iterator(kKey, "shardId-000000000000", start);
        REQUIRE(it);
        auto s = hub->subscribe({kKey, kArn, "c1", "shardId-000000000000", *it, cbor});
        REQUIRE(s);
        (*s)->start([this] { ++wakes; });
        return *s;
    }
    void put(const std::string& data) { REQUIRE(store->put(kKey, {"pk", std::nullopt, data})); }
};

EventMessage message(const BodySource::Piece& p) {
    REQUIRE(p.kind == BodySource::Piece::kData);
    auto m = decode_event(p.bytes);
    REQUIRE(m);
    return *m;
}

std::string header(const EventMessage& m, const char* name) {
    auto* h = m.header(name);
    return h ? h->value : "";
}

boost::json::object event(const BodySource::Piece& p) {
    auto m = message(p);
    REQUIRE(header(m, ":event-type") == "SubscribeToShardEvent");
    return boost::json::parse(m.payload).as_object();
}

}  // namespace

TEST_CASE("subscribe: initial-response, then what is readable, then appends", "[kinesis][efo]") {
    HubFixture f;
    f.put("a");
    auto s = f.subscribe();
    auto first = message(s->pull());
    CHECK(header(first, ":event-type") == "initial-response");
    CHECK(first.payload == "{}");
    auto e1 = event(s->pull());
    REQUIRE(e1["Records"].as_array().size() == 1);
    CHECK(e1["Records"].as_array()[0].as_object().at("Data").as_string() == "YQ==");
    CHECK(e1["ContinuationSequenceNumber"] ==
          e1["Records"].as_array()[0].as_object().at("SequenceNumber"));
    CHECK(e1["MillisBehindLatest"] == 0);
    CHECK_FALSE(e1.contains("ChildShards"));
    auto idle = s->pull();
    CHECK(idle.kind == BodySource::Piece::kPending);
    CHECK(idle.wait_ms == 5000);
    f.put("b");
    CHECK(f.wakes == 1);  // the append woke the subscription
    auto e2 = event(s->pull());
    REQUIRE(e2["Records"].as_array().size() == 1);
    CHECK(e2["Records"].as_array()[0].as_object().at("Data").as_string() == "Yg==");
}

TEST_CASE("subscribe: an empty event every 5 s of silence, the end after 300 s", "[kinesis][efo]") {
    HubFixture f;
    auto s = f.subscribe({IteratorType::kLatest, {}, {}});
    message(s->pull());
    auto e1 = event(s->pull());
    CHECK(e1["Records"].as_array().empty());
    // No record yet: the continuation is the shard's starting sequence number.
    auto desc = f.store->describe_stream(kKey);
    CHECK(e1["ContinuationSequenceNumber"].as_string() == desc->shards[0].starting_sequence);
    f.clock.advance_ms(4999);
    CHECK(s->pull().kind == BodySource::Piece::kPending);
    f.clock.advance_ms(1);
    auto hb = event(s->pull());
    CHECK(hb["Records"].as_array().empty());
    CHECK(hb["ContinuationSequenceNumber"] == e1["ContinuationSequenceNumber"]);
    f.clock.advance_ms(300'000);
    CHECK(s->pull().kind == BodySource::Piece::kEnd);
}

TEST_CASE("subscribe: LATEST's continuation is the last record before it", "[kinesis][efo]") {
    HubFixture f;
    f.put("a");
    auto s = f.subscribe({IteratorType::kLatest, {}, {}});
    message(s->pull());
    auto e = event(s->pull());
    auto it = f.store->get_shard_iterator(kKey, "shardId-000000000000", {});
    auto all = f.store->get_records(*it, 10);
    CHECK(e["Records"].as_array().empty());
    CHECK(e["ContinuationSequenceNumber"].as_string() == all->records[0].sequence_number);
}

TEST_CASE("subscribe: shard end names the children, without a continuation", "[kinesis][efo]") {
    HubFixture f;
    f.put("a");
    auto s = f.subscribe();
    message(s->pull());
    event(s->pull());
    REQUIRE(f.store->split_shard(kKey, "shardId-000000000000", kemu::kinesis::u128(1) << 127));
    auto end = event(s->pull());
    CHECK_FALSE(end.contains("ContinuationSequenceNumber"));
    CHECK(end["ChildShards"].as_array().size() == 2);
    CHECK(s->pull().kind == BodySource::Piece::kEnd);
}

TEST_CASE("subscribe: a CBOR request gets CBOR events with byte-string data", "[kinesis][efo]") {
    HubFixture f;
    f.put("hello");
    auto s = f.subscribe({}, true);
    auto init = message(s->pull());
    CHECK(header(init, ":content-type") == "application/x-amz-cbor-1.1");
    CHECK(init.payload.empty());
    auto m = message(s->pull());
    CHECK(header(m, ":content-type") == "application/x-amz-cbor-1.1");
    auto j = cbor_to_json(m.payload);  // byte strings come back as base64 text
    REQUIRE(j);
    CHECK(j->at("Records").as_array()[0].as_object().at("Data").as_string() == "aGVsbG8=");
    // CBOR byte string header for 5 bytes (major type 2): 0x45 "hello".
    CHECK(m.payload.find(std::string("\x45hello")) != std::string::npos);
}

TEST_CASE("subscribe: one call a second, one subscription per 5 s, then take-over",
          "[kinesis][efo]") {
    HubFixture f;
    auto first = f.subscribe();
    auto it = f.store->get_shard_iterator(kKey, "shardId-000000000000", {});
    SubscribeTarget t{kKey, kArn, "c1", "shardId-000000000000", *it, false};
    auto again = f.hub->subscribe(t);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == AwsErrorCode::kLimitExceeded);
    CHECK(again.error().message ==
          std::string("Rate exceeded for consumer ") + kArn + " and shard shardId-000000000000");
    f.clock.advance_ms(1000);
    again = f.hub->subscribe(t);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == AwsErrorCode::kResourceInUse);
    CHECK(again.error().message ==
          "Another active subscription exists for this consumer: 000000000000:s1:"
          "shardId-000000000000:c1");
    f.clock.advance_ms(4000);
    auto second = f.hub->subscribe(t);
    REQUIRE(second);
    CHECK(f.wakes >= 1);
    // The old one, never pulled before: initial-response first (the protocol's rule even
    // when the end comes at once), then its exception, then the end.
    CHECK(header(message(first->pull()), ":event-type") == "initial-response");
    auto m = message(first->pull());
    CHECK(header(m, ":message-type") == "exception");
    CHECK(header(m, ":exception-type") == "ResourceInUseException");
    CHECK(first->pull().kind == BodySource::Piece::kEnd);
}

TEST_CASE("consumers: CREATING for the delay, DELETING until gone, limits", "[kinesis][efo]") {
    HubFixture f;
    auto c = f.store->register_consumer(kKey, "c1", {});
    REQUIRE(c);
    CHECK(c->status == ConsumerStatus::kCreating);
    CHECK(c->arn == "arn:aws:kinesis:us-east-1:000000000000:stream/s1/consumer/c1:1700000000");
    f.clock.advance_ms(500);
    CHECK(f.store->describe_consumer(kKey, "c1")->status == ConsumerStatus::kActive);
    REQUIRE(f.store->deregister_consumer(kKey, "c1"));
    CHECK(f.store->describe_consumer(kKey, "c1")->status == ConsumerStatus::kDeleting);
    f.clock.advance_ms(500);
    auto gone = f.store->describe_consumer(kKey, "c1");
    REQUIRE_FALSE(gone);
    CHECK(gone.error().message == "Consumer c1, account 000000000000 not found.");
    for (int i = 0; i < 20; ++i) {
        REQUIRE(f.store->register_consumer(kKey, "x" + std::to_string(i), {}));
        f.clock.advance_ms(500);
    }
    auto over = f.store->register_consumer(kKey, "x20", {});
    REQUIRE_FALSE(over);
    CHECK(over.error().message == "Only 20 consumers can be registered to a stream at once");
    CHECK(f.store->describe_stream(kKey)->consumer_count == 20);
}

TEST_CASE("subscribe: a deleted stream ends the subscription with ResourceNotFound",
          "[kinesis][efo]") {
    HubFixture f;
    REQUIRE(f.store->register_consumer(kKey, "c1", {}));
    auto blocked = f.store->delete_stream(kKey, false);
    REQUIRE_FALSE(blocked);
    CHECK(blocked.error().message ==
          "Stream s1 under account 000000000000 has registered consumers.");
    auto s = f.subscribe();
    message(s->pull());
    event(s->pull());
    int before = f.wakes;
    REQUIRE(f.store->delete_stream(kKey, true));
    CHECK(f.wakes > before);
    auto m = message(s->pull());
    CHECK(header(m, ":exception-type") == "ResourceNotFoundException");
    CHECK(m.payload == R"({"message":"Stream s1 under account 000000000000 not found."})");
    CHECK(s->pull().kind == BodySource::Piece::kEnd);
}

TEST_CASE("consumers: registered again within the same second, a new ARN", "[kinesis][efo]") {
    // The ARN ends in the creation second; with no consumer delay a name can be registered,
    // deregistered and registered again within one second (AWS gives a re-registered
    // name a new ARN; the old ARN is then not found).
    kemu::ManualClock clock{1'700'000'000'000};
    auto db = kemu::test::open_test_db();
    StoreOptions options;
    options.consumer_delay_ms = 0;
    Store store(*db, clock, options);
    store.load();
    REQUIRE(store.create_stream(kKey, 1, std::nullopt, {}));
    auto first = store.register_consumer(kKey, "c1", {});
    REQUIRE(first);
    REQUIRE(store.deregister_consumer(kKey, "c1"));
    clock.advance_ms(10);
    auto second = store.register_consumer(kKey, "c1", {});
    REQUIRE(second);
    CHECK(first->arn == "arn:aws:kinesis:us-east-1:000000000000:stream/s1/consumer/c1:1700000000");
    CHECK(second->arn == "arn:aws:kinesis:us-east-1:000000000000:stream/s1/consumer/c1:1700000001");
}
