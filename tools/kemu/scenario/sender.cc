#include "sender.h"

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "body_template.h"
#include "client.h"
#include "core/encoding.h"

namespace kemu::scenario {

using json = nlohmann::json;

namespace {
using Clock = std::chrono::steady_clock;

struct Rec {
    std::string data, key;
};

// The headers of an AWS JSON 1.1 call; kemu checks their SigV4 shape, not the signature.
std::vector<std::pair<std::string, std::string>> kinesis_headers() {
    return {{"Content-Type", "application/x-amz-json-1.1"},
            {"X-Amz-Target", "Kinesis_20131202.PutRecords"},
            {"X-Amz-Date", "20260101T000000Z"},
            {"Authorization",
             "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0"}};
}

class Sender {
public:
    Sender(const std::string& endpoint, const Config& cfg, const SendStep& step)
        : endpoint_(endpoint),
          cfg_(cfg),
          step_(step),
          deadline_(Clock::now() + std::chrono::milliseconds(step.deadline_ms)) {
        for (const auto& f : cfg.event_flows) {
            if (f.event_type == step.event_type) stream_ = cfg.stream_name(f);
        }
    }

    // Sends `recs` until all are in or the deadline passes; false with error_ set when not.
    void send(std::vector<Rec> recs, SendResult* out) {
        while (!recs.empty()) {
            std::vector<std::pair<std::string, std::string>> headers;
            auto answer = call(recs, &headers);
            if (!answer) return fail(out, "kemu did not answer");
            out->log.responses.push_back({answer->first, answer->second, std::move(headers)});
            auto [status, body] = *answer;
            std::vector<Rec> again;
            if (status == 429) {
                again = std::move(recs);
            } else if (status == 200) {
                again = throttled_records(recs, body);
                out->records_in += static_cast<int64_t>(recs.size() - again.size());
            } else {
                return;  // an answer the expectations judge; not retried
            }
            if (again.empty()) return;
            if (Clock::now() >= deadline_) {
                return fail(
                    out, std::to_string(again.size()) + " records still throttled at the deadline");
            }
            out->log.retries += 1;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            recs = std::move(again);
        }
    }

private:
    void fail(SendResult* out, const std::string& why) { out->error = why; }

    cli::HttpResult call(const std::vector<Rec>& recs,
                         std::vector<std::pair<std::string, std::string>>* headers) {
        const auto& stage = cfg_.api.stage_name;
        cli::HttpCall c;
        c.response_headers = headers;
        c.method = "POST";
        if (step_.to == SendStep::Target::kStream) {
            json body{{"StreamName", stream_}, {"Records", json::array()}};
            for (const auto& r : recs)
                body["Records"].push_back(
                    {{"Data", base64_encode(r.data)}, {"PartitionKey", r.key}});
            c.path = "/";
            c.body = body.dump();
            c.headers = kinesis_headers();
        } else if (step_.batch > 0) {
            json body{{"records", json::array()}};
            for (const auto& r : recs)
                body["records"].push_back({{"data", r.data}, {"partitionKey", r.key}});
            c.path = "/" + stage + "/events/batch/" + step_.event_type;
            c.body = body.dump();
            c.headers = {{"Content-Type", "application/json"}};
        } else {
            c.path = "/" + stage + "/events/" + step_.event_type;
            c.body = recs.front().data;
            c.headers = {{"Content-Type", "application/json"}};
        }
        return cli::http_call(endpoint_, c);
    }

    // The records a PutRecords answer reports as over the shard's limit (none for a single
    // PutRecord answer).
    static std::vector<Rec> throttled_records(const std::vector<Rec>& sent,
                                              const std::string& body) {
        std::vector<Rec> again;
        auto doc = json::parse(body, nullptr, false);
        if (!doc.is_object() || !doc.contains("Records") || !doc["Records"].is_array())
            return again;
        const auto& results = doc["Records"];
        for (size_t i = 0; i < results.size() && i < sent.size(); ++i) {
            if (results[i].value("ErrorCode", "") == "ProvisionedThroughputExceededException")
                again.push_back(sent[i]);
        }
        return again;
    }

    std::string endpoint_;
    const Config& cfg_;
    const SendStep& step_;
    std::string stream_;
    Clock::time_point deadline_;
};

}  // namespace

SendResult run_send(const std::string& endpoint, const Config& cfg, const SendStep& step,
                    uint64_t seed) {
    SendResult out;
    Sender sender(endpoint, cfg, step);
    std::string key_template = step.partition_key.empty() ? "pk-{{i}}" : step.partition_key;
    int per_call = step.batch > 0 ? step.batch : (step.to == SendStep::Target::kStream ? 500 : 1);
    std::vector<Rec> chunk;
    for (int i = 0; i < step.count && out.error.empty(); ++i) {
        chunk.push_back(
            {render_template(step.body, i, seed), render_template(key_template, i, seed)});
        if (static_cast<int>(chunk.size()) == per_call || i + 1 == step.count) {
            sender.send(std::move(chunk), &out);
            chunk.clear();
        }
    }
    return out;
}

}  // namespace kemu::scenario
