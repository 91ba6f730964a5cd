#include "driver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "client.h"
#include "core/encoding.h"
#include "process_usage.h"
#include "scenario/body_template.h"

namespace kemu::load {

using json = nlohmann::json;

namespace {
using SteadyClock = std::chrono::steady_clock;

int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Sleeps until `until`, in slices, returning early (false) when `stop` is set.
bool sleep_until(SteadyClock::time_point until, const std::atomic<bool>& stop) {
    while (SteadyClock::now() < until) {
        if (stop.load()) return false;
        auto slice = std::min<SteadyClock::duration>(until - SteadyClock::now(),
                                                     std::chrono::milliseconds(50));
        std::this_thread::sleep_for(slice);
    }
    return !stop.load();
}

// The headers of an AWS JSON 1.1 call; kemu checks their SigV4 shape, not the signature.
std::vector<std::pair<std::string, std::string>> kinesis_headers() {
    return {{"Content-Type", "application/x-amz-json-1.1"},
            {"X-Amz-Target", "Kinesis_20131202.PutRecords"},
            {"X-Amz-Date", "20260101T000000Z"},
            {"Authorization",
             "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0"}};
}

cli::HttpCall request_of(const SendPlan& plan, int64_t first, int events) {
    cli::HttpCall c;
    c.method = "POST";
    c.path = plan.path;
    c.timeout_s = 30;
    if (plan.kinesis) {
        json body{{"StreamName", plan.stream}, {"Records", json::array()}};
        for (int64_t i = first; i < first + events; ++i)
            body["Records"].push_back({{"Data", base64_encode(event_data(plan, i))},
                                       {"PartitionKey", event_key(plan, i)}});
        c.body = body.dump();
        c.headers = kinesis_headers();
    } else if (plan.batch_path) {
        json body{{"records", json::array()}};
        for (int64_t i = first; i < first + events; ++i)
            body["records"].push_back(
                {{"data", event_data(plan, i)}, {"partitionKey", event_key(plan, i)}});
        c.body = body.dump();
        c.headers = {{"Content-Type", "application/json"}};
    } else {
        c.body = event_data(plan, first);
        c.headers = {{"Content-Type", "application/json"}};
    }
    return c;
}

// Fills the outcome's counts from a 200 answer: a PutRecords-shaped body reports each entry.
void count_entries(const std::string& body, RequestOutcome* out) {
    out->accepted = out->events;
    auto doc = json::parse(body, nullptr, false);
    if (!doc.is_object() || !doc.contains("Records") || !doc["Records"].is_array()) return;
    for (const auto& r : doc["Records"]) {
        auto code = r.is_object() ? r.value("ErrorCode", "") : "";
        if (code.empty()) continue;
        out->accepted -= 1;
        if (code == "ProvisionedThroughputExceededException")
            out->partial_throttled += 1;
        else
            out->partial_failed += 1;
    }
}

}  // namespace

std::vector<std::string> read_payloads(const std::vector<std::string>& paths, std::string* why) {
    namespace fs = std::filesystem;
    std::vector<std::string> out;
    auto whole = [](const fs::path& p, std::string* text) {
        std::ifstream in(p, std::ios::binary);
        if (!in) return false;
        std::ostringstream ss;
        ss << in.rdbuf();
        *text = ss.str();
        while (!text->empty() && (text->back() == '\n' || text->back() == '\r'))
            text->pop_back();
        return true;
    };
    for (const auto& path : paths) {
        std::error_code ec;
        std::vector<fs::path> files;
        if (fs::is_directory(path, ec)) {
            for (const auto& e : fs::directory_iterator(path, ec))
                if (e.is_regular_file()) files.push_back(e.path());
            std::sort(files.begin(), files.end());
        } else {
            files.emplace_back(path);
        }
        for (const auto& f : files) {
            std::string text;
            if (!whole(f, &text)) {
                *why = "--payload-file: cannot read " + f.string();
                return {};
            }
            auto ext = f.extension().string();
            if (ext == ".jsonl" || ext == ".ndjson") {
                std::istringstream lines(text);
                std::string line;
                while (std::getline(lines, line)) {
                    if (!line.empty() && line.back() == '\r') line.pop_back();
                    if (line.find_first_not_of(" \t") != std::string::npos) out.push_back(line);
                }
            } else if (!text.empty()) {
                out.push_back(text);
            }
        }
    }
    if (out.empty()) *why = "--payload-file: no payload in the given files";
    return out;
}

std::string event_data(const SendPlan& plan, int64_t index) {
    if (plan.payloads && !plan.payloads->empty()) {
        // splitmix64 of (seed, index): the same run draws the same payloads.
        uint64_t z = plan.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(index) + 1;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        return (*plan.payloads)[z % plan.payloads->size()];
    }
    return scenario::render_template(plan.body_template, index, plan.seed);
}

std::string event_key(const SendPlan& plan, int64_t index) {
    if (!plan.key_field.empty()) {
        auto doc = json::parse(event_data(plan, index), nullptr, false);
        if (doc.is_object() && doc.contains(plan.key_field)) {
            const auto& v = doc[plan.key_field];
            auto key = v.is_string() ? v.get<std::string>() : v.dump();
            if (!key.empty()) return key.substr(0, 256);  // Kinesis: 1 to 256 characters
        }
    }
    return scenario::render_template(plan.key_template, index, plan.seed);
}

namespace {

// Sends one request and fills `out` from its answer.
void send_one(const SendPlan& plan, int64_t i, RequestOutcome* out, SteadyClock::time_point due) {
    out->sent = true;
    auto answer =
        cli::http_call(plan.endpoint, request_of(plan, i * plan.per_request, plan.per_request));
    out->latency_us =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - due).count();
    if (answer) {
        out->status = answer->first;
        if (out->status == 200) count_entries(answer->second, out);
    }
    if (plan.live)
        plan.live->record(out->events, out->accepted,
                          (out->status == 429 ? out->events : 0) + out->partial_throttled,
                          out->status == 0 || out->status >= 500, out->latency_us / 1000.0);
}

// --max: each worker sends its next request as soon as the last is answered, until the end.
SendRun send_max(const SendPlan& plan, const std::atomic<bool>& stop) {
    SendRun run;
    std::atomic<int64_t> next{0};
    auto start = SteadyClock::now();
    auto end = start + std::chrono::milliseconds(plan.duration_ms);
    run.start_wall_ms = wall_ms();
    std::vector<std::vector<std::pair<int64_t, RequestOutcome>>> done(
        static_cast<size_t>(plan.workers));
    auto worker = [&](size_t w) {
        while (!stop.load()) {
            auto now = SteadyClock::now();
            if (now >= end) return;
            int64_t i = next.fetch_add(1);
            RequestOutcome out;
            out.due_us = std::chrono::duration_cast<std::chrono::microseconds>(now - start).count();
            out.events = plan.per_request;
            send_one(plan, i, &out, now);
            done[w].emplace_back(i, out);
        }
    };
    std::vector<std::thread> threads;
    for (size_t w = 0; w < done.size(); ++w)
        threads.emplace_back(worker, w);
    for (auto& t : threads)
        t.join();
    run.requests.resize(static_cast<size_t>(next.load()));  // every index taken was sent
    for (auto& list : done)
        for (auto& [i, out] : list)
            run.requests[static_cast<size_t>(i)] = out;
    run.elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
    return run;
}

}  // namespace

SendRun send_load(const SendPlan& plan, const std::atomic<bool>& stop) {
    if (plan.max) return send_max(plan, stop);
    Pacer pacer =
        plan.ramp.empty() ? Pacer(plan.rate, plan.per_request) : Pacer(plan.ramp, plan.per_request);
    SendRun run;
    int64_t n = pacer.requests_in(plan.duration_ms);
    run.requests.resize(static_cast<size_t>(n));
    std::atomic<int64_t> next{0};
    auto start = SteadyClock::now();
    run.start_wall_ms = wall_ms();
    auto worker = [&] {
        for (;;) {
            int64_t i = next.fetch_add(1);
            if (i >= n) return;
            auto& out = run.requests[static_cast<size_t>(i)];
            out.due_us = pacer.due_us(i);
            out.events = plan.per_request;
            auto due = start + std::chrono::microseconds(out.due_us);
            if (!sleep_until(due, stop)) return;
            out.start_late_us =
                std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - due)
                    .count();
            send_one(plan, i, &out, due);
        }
    };
    std::vector<std::thread> threads;
    int w = static_cast<int>(std::min<int64_t>(plan.workers, std::max<int64_t>(n, 1)));
    for (int t = 0; t < w; ++t)
        threads.emplace_back(worker);
    for (auto& t : threads)
        t.join();
    run.elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
    return run;
}

void poll_status(const std::string& endpoint, const std::string& event_type, int64_t start_wall_ms,
                 const std::atomic<bool>& stop_polling, std::vector<nlohmann::json>* samples,
                 LiveCounters* live, int kemu_pid) {
    ProgressPrinter progress(stdout, ProgressPrinter::stdout_is_tty());
    auto next = SteadyClock::now();
    while (!stop_polling.load()) {
        next += std::chrono::seconds(1);
        if (!sleep_until(next, stop_polling)) break;
        auto r = cli::http_call(endpoint, {"GET", "/_kemu/status", "", {}, 5});
        if (!r || r->first != 200) continue;
        auto doc = json::parse(r->second, nullptr, false);
        if (!doc.is_object()) continue;
        int64_t t_ms = wall_ms() - start_wall_ms;
        json sample{{"t_ms", t_ms}, {"status", doc}};
        if (auto u = process_usage(kemu_pid))
            sample["kemu"] = {{"cpu_s", u->cpu_s}, {"rss_mb", u->rss_mb}};
        samples->push_back(std::move(sample));
        json flow = nullptr;
        for (const auto& f : doc.value("flows", json::array()))
            if (f.value("event_type", "") == event_type) flow = f;
        auto window = live ? live->take() : LiveCounters::Window{};
        progress.show({progress_line(event_type, t_ms, window, flow)});
    }
    progress.finish();
}

}  // namespace kemu::load
