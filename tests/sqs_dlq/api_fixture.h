#pragma once
// The SQS adapter without sockets, for the unit tests: a store on an in-memory database, a
// scheduler the test runs by hand, and helpers that call the handler in either protocol.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/db.h"
#include "sqs_dlq/api.h"
#include "support/answer_now.h"
#include "support/test_db.h"

namespace kemu::sqs_dlq::fixtures {

using json = nlohmann::json;

// Collects scheduled tasks; the test runs them.
class FakeScheduler final : public Scheduler {
public:
    struct Task {
        int64_t delay_ms;
        std::function<void(bool)> fn;
    };
    void after(int64_t delay_ms, std::function<void(bool)> fn) override {
        tasks.push_back({delay_ms, std::move(fn)});
    }
    // Runs the tasks queued so far (not those they queue). Returns how many ran.
    size_t run_pending(bool shutting_down = false) {
        auto now = std::move(tasks);
        tasks.clear();
        for (auto& t : now)
            t.fn(shutting_down);
        return now.size();
    }
    std::vector<Task> tasks;
};

struct Fixture {
    ManualClock clock;
    std::unique_ptr<Db> db;
    std::unique_ptr<QueueStore> store;
    FakeScheduler scheduler;
    std::shared_ptr<RequestHandler> api;

    Fixture() {
        db = kemu::test::open_test_db();
        store = std::make_unique<QueueStore>(*db, clock);
        store->load();
        api = make_api_handler(*store, scheduler);
    }

    HttpRequest json_request(const std::string& action, const json& body) {
        HttpRequest r;
        r.method = "POST";
        r.target = "/";
        r.headers = {{"Host", "localhost:4566"},
                     {"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", "AmazonSQS." + action}};
        r.body = body.dump();
        return r;
    }

    HttpRequest query_request(const std::string& form) {
        HttpRequest r;
        r.method = "POST";
        r.target = "/";
        r.headers = {{"Host", "127.0.0.1:9999"},
                     {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
        r.body = form;
        return r;
    }

    // Sends and expects an answer right away.
    HttpResponse call(const HttpRequest& req) {
        REQUIRE(api->matches(req));
        return kemu::test::answer_now(*api, req);
    }

    json call_json(const std::string& action, const json& body, int status = 200) {
        auto r = call(json_request(action, body));
        INFO(r.body);
        CHECK(r.status == status);
        return json::parse(r.body);
    }
};

inline std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& h : r.headers) {
        if (iequals(h.name, name)) return h.value;
    }
    return {};
}

// The queue "q" as the JSON requests name it.
inline const std::string kUrl = "http://localhost:4566/000000000000/q";

}  // namespace kemu::sqs_dlq::fixtures
