// CloudWatch's and CloudWatch Logs' adapter, every protocol it takes. Input: "<protocol>
// <Action>\n<body>" where <protocol> is `logs` (Logs JSON 1.1), `cbor` (RPC v2 CBOR on
// /service/GraniteServiceVersion20100801/operation/<Action>) or `json` (JSON 1.0); "query\n<form>"
// is a query protocol post signed for `monitoring`. The CloudWatch state (alarms, metric
// history, log groups) lives across inputs.

#include <memory>
#include <string>

#include "cloudwatch/api.h"
#include "cloudwatch/cloudwatch.h"
#include "core/clock.h"
#include "core/config.h"
#include "support.h"

namespace {

struct State {
    kemu::ManualClock clock{1'700'000'000'000};
    kemu::Config config;
    kemu::cloudwatch::CloudWatch cw{config, {}, nullptr};
    std::shared_ptr<kemu::RequestHandler> handler =
        kemu::cloudwatch::make_api_handler(cw, clock, {});
    // A function's log lines, for FilterLogEvents' patterns and GetLogEvents' tokens.
    State() {
        const char* lines[] = {"START RequestId: 1 Version: $LATEST", "[ERROR] bad order ORD-1",
                               "{\"level\":\"WARN\",\"n\":3}", "END RequestId: 1"};
        int64_t t = clock.now_ms() - 60'000;
        for (const char* line : lines)
            cw.logs().append("/aws/lambda/f", "2026/12/06/[$LATEST]abc", t += 1'000, line);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static State* state = new State;
    auto [head, body] = kemu::fuzz::split_head(data, size);
    auto space = head.find(' ');
    auto protocol = head.substr(0, space);
    std::string action(space == std::string_view::npos ? "" : head.substr(space + 1));
    kemu::HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", "localhost:4566"}};
    if (protocol == "logs") {
        r.headers.push_back({"Content-Type", "application/x-amz-json-1.1"});
        r.headers.push_back({"X-Amz-Target", "Logs_20140328." + action});
    } else if (protocol == "cbor") {
        r.target = "/service/GraniteServiceVersion20100801/operation/" + action;
        r.headers.push_back({"Content-Type", "application/cbor"});
        r.headers.push_back({"smithy-protocol", "rpc-v2-cbor"});
    } else if (protocol == "json") {
        r.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
        r.headers.push_back({"X-Amz-Target", "GraniteServiceVersion20100801." + action});
    } else {
        r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
        r.headers.push_back({"Authorization",
                             "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/monitoring/"
                             "aws4_request, SignedHeaders=host, Signature=0123"});
    }
    r.body = std::string(body);
    r.remote_address = "127.0.0.1";
    kemu::fuzz::call(*state->handler, r);
    state->clock.advance_ms(1'000);
    state->cw.tick(state->clock.now_ms());
    return 0;
}
