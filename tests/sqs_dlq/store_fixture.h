#pragma once
// sqs_dlq::QueueStore for the unit tests: over a real RocksDB (in memory, or at a temp dir
// where a restart is needed), driven by a ManualClock, with helpers that REQUIRE success.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/db.h"
#include "sqs_dlq/queue_store.h"
#include "support/test_db.h"

namespace kemu::sqs_dlq::fixtures {

struct StoreFixture {
    kemu::ManualClock clock{1'700'000'000'000};
    std::unique_ptr<kemu::Db> db;
    std::unique_ptr<QueueStore> store;
    std::string path;
    QueueStoreOptions options;

    explicit StoreFixture(std::string dir = {}, QueueStoreOptions o = {})
        : path(std::move(dir)), options(o) {
        open();
    }

    void open() {
        store.reset();
        db.reset();
        db = kemu::test::open_test_db(path);
        store = std::make_unique<QueueStore>(*db, clock, options);
        store->load();
    }

    void create(const std::string& name, const AttributeList& attrs = {}) {
        REQUIRE(store->create_queue(name, attrs, {}));
    }

    std::string send(const std::string& q, const std::string& body) {
        SendRequest r;
        r.body = body;
        auto s = store->send_message(q, r);
        REQUIRE(s);
        return s->message_id;
    }

    std::vector<ReceivedMessage> receive(const std::string& q, int max = 10,
                                         std::optional<int> visibility = std::nullopt) {
        ReceiveRequest r;
        r.max_messages = max;
        r.visibility_timeout = visibility;
        auto got = store->receive(q, r);
        REQUIRE(got);
        return *got;
    }

    std::string attribute(const std::string& q, const std::string& name) {
        auto a = store->get_attributes(q, {name});
        REQUIRE(a);
        REQUIRE(a->size() == 1);
        return a->front().second;
    }
};

}  // namespace kemu::sqs_dlq::fixtures
