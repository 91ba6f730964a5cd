#include "dlq.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "client.h"
#include "core/config.h"
#include "core/encoding.h"
#include "sqs_dlq/dead_letter_sink.h"

namespace kemu::cli {

using json = nlohmann::json;

namespace {

std::optional<Config> load(const std::string& path) {
    std::string p = path;
    if (p.empty() && std::filesystem::exists("kemu.yaml")) p = "kemu.yaml";
    if (p.empty()) return std::nullopt;
    Config cfg;
    auto errors = load_config(p, &cfg);
    if (!errors.empty()) {
        for (const auto& e : errors)
            std::cerr << "kemu: " << e.to_string() << "\n";
        return std::nullopt;
    }
    return cfg;
}

std::string str(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return "?";
    return it->is_string() ? it->get<std::string>() : it->dump();
}

// One failure record in a few readable lines; other bodies as they are.
void print_record(int n, const json& msg) {
    std::string body = msg.value("body", "");
    std::printf("#%d  message %s  (received %s times)\n", n, str(msg, "messageId").c_str(),
                str(msg, "receiveCount").c_str());
    auto r = sqs_dlq::parse_failure_record(body);
    if (!r) {
        std::printf("    body: %s\n", body.c_str());
        return;
    }
    std::printf("    %s  %s after %d attempts", iso8601_ms(r->timestamp_ms).c_str(),
                std::string(sqs_dlq::failure_condition_name(r->condition)).c_str(),
                r->approximate_invoke_count);
    if (r->condition != sqs_dlq::FailureCondition::kRecordAgeExceeded) {
        std::printf(" (functionError: %s)",
                    r->function_error ? r->function_error->c_str() : "null, partial batch failure");
    }
    std::printf("\n    %d records of %s, %s\n", r->batch_size, r->shard_id.c_str(),
                r->stream_arn.c_str());
    std::printf("    sequence %s .. %s\n", r->start_sequence_number.c_str(),
                r->end_sequence_number.c_str());
    std::printf("    arrived %s .. %s\n", iso8601_ms(r->first_arrival_ms).c_str(),
                iso8601_ms(r->last_arrival_ms).c_str());
    std::printf("    request %s, function %s\n", r->request_id.c_str(), r->function_arn.c_str());
}

}  // namespace

int run_dlq_count(const DlqOptions& o) {
    auto cfg = load(o.config);
    auto res = http_get(o.endpoint, "/_kemu/sqs/queues");
    if (!res) return 1;
    auto j = json::parse(res->second, nullptr, false);
    if (res->first != 200 || j.is_discarded()) {
        std::cerr << "kemu: unexpected answer from " << o.endpoint << ": " << res->second << "\n";
        return 1;
    }
    std::vector<std::string> wanted;
    if (cfg) {
        for (const auto& f : cfg->event_flows) {
            if (f.dlq_enabled) wanted.push_back(cfg->dlq_name(f));
        }
    }
    if (o.json) {
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("%-40s %8s %9s %8s\n", "QUEUE", "VISIBLE", "INFLIGHT", "DELAYED");
    for (const auto& q : j["queues"]) {
        auto name = q.value("name", "");
        if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end())
            continue;
        std::printf("%-40s %8lld %9lld %8lld\n", name.c_str(), q.value("visible", 0LL),
                    q.value("inflight", 0LL), q.value("delayed", 0LL));
    }
    return 0;
}

int run_dlq_list(const DlqOptions& o) {
    std::string queue = o.flow;
    if (auto cfg = load(o.config)) {
        for (const auto& f : cfg->event_flows) {
            if (f.event_type == o.flow) queue = cfg->dlq_name(f);
        }
    }
    auto res = http_get(o.endpoint,
                        "/_kemu/sqs/queues/" + queue + "/messages?max=" + std::to_string(o.max));
    if (!res) return 1;
    if (res->first == 404) {
        std::cerr << "kemu: no queue " << queue
                  << " (give an event type of kemu.yaml or a queue name)\n";
        return 2;
    }
    auto j = json::parse(res->second, nullptr, false);
    if (res->first != 200 || j.is_discarded()) {
        std::cerr << "kemu: unexpected answer from " << o.endpoint << ": " << res->second << "\n";
        return 1;
    }
    const auto& msgs = j["messages"];
    if (o.json) {
        for (const auto& m : msgs)
            std::printf("%s\n", m.dump().c_str());
        return 0;
    }
    std::printf("%s: %zu message%s%s\n", queue.c_str(), msgs.size(), msgs.size() == 1 ? "" : "s",
                static_cast<int>(msgs.size()) >= o.max ? " (more may follow; --max)" : "");
    int n = 0;
    for (const auto& m : msgs)
        print_record(++n, m);
    return 0;
}

int run_dlq_replay(const DlqOptions& o) {
    // Replays may run many invocations, each up to the function's timeout.
    auto res = http_post(o.endpoint, "/_kemu/flows/" + o.flow + "/replay", 3600);
    if (!res) return 1;
    auto j = json::parse(res->second, nullptr, false);
    if (j.is_discarded()) {
        std::cerr << "kemu: unexpected answer from " << o.endpoint << ": " << res->second << "\n";
        return 1;
    }
    if (res->first != 200) {
        std::cerr << "kemu: " << j.value("message", res->second) << "\n";
        return 2;
    }
    if (o.json) {
        std::printf("%s\n", j.dump().c_str());
    } else {
        int replayed = j.value("replayed", 0), failed = j.value("failed", 0);
        std::printf("%s: replayed %d failure record%s, %d left\n", j.value("queue", "").c_str(),
                    replayed, replayed == 1 ? "" : "s", failed);
        for (const auto& r : j["results"]) {
            if (r.value("ok", false)) {
                std::printf("  ok      %s (%d records)\n", r.value("messageId", "").c_str(),
                            r.value("records", 0));
            } else {
                std::printf("  failed  %s: %s\n", r.value("messageId", "").c_str(),
                            r.value("detail", "").c_str());
            }
        }
    }
    return j.value("failed", 0) == 0 ? 0 : 3;
}

}  // namespace kemu::cli
