#pragma once
// The Kinesis HTTP adapter over a fresh store, driven without sockets: what the adapter's tests
// share (api_test.cc, aws_answers_test.cc).

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/db.h"
#include "core/http.h"
#include "kinesis/api.h"
#include "kinesis/store.h"
#include "support/answer_now.h"
#include "support/test_db.h"

namespace {

using kemu::HttpRequest;
using kemu::HttpResponse;

constexpr const char* kAuth =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/kinesis/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef";

struct Api {
    kemu::ManualClock clock{1'700'000'000'000};
    std::unique_ptr<kemu::Db> db;
    std::unique_ptr<kemu::kinesis::Store> store;
    std::shared_ptr<kemu::RequestHandler> handler;

    explicit Api(kemu::kinesis::StoreOptions options = {}) {
        db = kemu::test::open_test_db();
        store = std::make_unique<kemu::kinesis::Store>(*db, clock, options);
        store->load();
        handler = kemu::kinesis::make_api_handler(*store, clock, {});
    }

    HttpResponse call(const HttpRequest& req) {
        REQUIRE(handler->matches(req));
        return kemu::test::answer_now(*handler, req);
    }
};

// A JSON 1.1 request shaped like botocore's (SigV4 header and X-Amz-Date).
HttpRequest json_request(const std::string& action, std::string body, std::string auth = kAuth) {
    HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", "127.0.0.1:4566"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "Kinesis_20131202." + action},
                 {"X-Amz-Date", "20261126T161137Z"}};
    if (!auth.empty()) r.headers.push_back({"Authorization", std::move(auth)});
    r.body = std::move(body);
    r.remote_address = "127.0.0.1";
    return r;
}

}  // namespace
