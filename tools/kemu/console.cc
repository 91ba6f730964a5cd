#include "console.h"

#include <algorithm>
#include <cstddef>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "flow_replay.h"
#include "kinesis/numbers.h"

namespace kemu::embedded {
extern const unsigned char console_html[];
extern const std::size_t console_html_size;
extern const unsigned char console_js[];
extern const std::size_t console_js_size;
extern const unsigned char console_css[];
extern const std::size_t console_css_size;
extern const unsigned char uplot_js[];
extern const std::size_t uplot_js_size;
extern const unsigned char uplot_css[];
extern const std::size_t uplot_css_size;
}  // namespace kemu::embedded

namespace kemu::cli {

using json = nlohmann::json;

namespace {

constexpr std::string_view kConsole = "/_kemu/console";
constexpr std::string_view kStreams = "/_kemu/streams/";
constexpr std::string_view kLogs = "/_kemu/logs";

HttpResponse message(int status, const std::string& text) {
    return json_answer(status, json{{"message", text}}.dump());
}

HttpResponse asset(std::string_view type, const unsigned char* bytes, size_t size) {
    HttpResponse r;
    r.set_header("Content-Type", std::string(type));
    // Only the page's own files: no inline script, nothing from elsewhere, no framing.
    r.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    r.set_header("X-Content-Type-Options", "nosniff");
    r.set_header("Cache-Control", "no-cache");
    r.body.assign(reinterpret_cast<const char*>(bytes), size);
    return r;
}

std::optional<HttpResponse> static_asset(std::string_view path) {
    using namespace kemu::embedded;
    if (path == kConsole || path == "/_kemu/console/")
        return asset("text/html; charset=utf-8", console_html, console_html_size);
    if (path == "/_kemu/console/console.js")
        return asset("text/javascript; charset=utf-8", console_js, console_js_size);
    if (path == "/_kemu/console/console.css")
        return asset("text/css; charset=utf-8", console_css, console_css_size);
    if (path == "/_kemu/console/uPlot.js")
        return asset("text/javascript; charset=utf-8", uplot_js, uplot_js_size);
    if (path == "/_kemu/console/uPlot.css")
        return asset("text/css; charset=utf-8", uplot_css, uplot_css_size);
    return std::nullopt;
}

std::string param(const HttpRequest& req, std::string_view name) {
    auto pairs = parse_form(req.query());
    if (!pairs) return "";
    for (auto& [k, v] : *pairs)
        if (k == name) return v;
    return "";
}

int64_t int_param(const HttpRequest& req, std::string_view name, int64_t fallback) {
    auto v = parse_int64(param(req, name));
    return v ? *v : fallback;
}

HttpResponse shards(const ConsoleDeps& d, const kinesis::StreamKey& key) {
    auto list = d.store->shards(key);
    if (!list) return message(404, list.error().message);
    json out = json::array();
    for (const auto& s : *list) {
        json j{{"shard_id", kinesis::shard_id(s.index)},
               {"hash_start", kinesis::u128_to_string(s.range.start)},
               {"hash_end", kinesis::u128_to_string(s.range.end)},
               {"starting_sequence", s.starting_sequence},
               {"created_ms", s.created_ms},
               {"open", s.open()}};
        if (s.parent) j["parent"] = kinesis::shard_id(*s.parent);
        if (s.adjacent_parent) j["adjacent_parent"] = kinesis::shard_id(*s.adjacent_parent);
        if (s.ending_sequence) j["ending_sequence"] = *s.ending_sequence;
        out.push_back(std::move(j));
    }
    return json_answer(200, json{{"stream", key.name}, {"shards", out}}.dump());
}

// One GetRecords-like read: `limit` records of one shard from a position.
HttpResponse records(const ConsoleDeps& d, const kinesis::StreamKey& key, const HttpRequest& req) {
    auto shard = param(req, "shard");
    if (shard.empty()) shard = kinesis::shard_id(0);
    auto type = param(req, "type");
    auto at = param(req, "at");
    kinesis::IteratorStart start;
    if (type.empty() || type == "TRIM_HORIZON") {
        start.type = kinesis::IteratorType::kTrimHorizon;
    } else if (type == "LATEST") {
        start.type = kinesis::IteratorType::kLatest;
    } else if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
        start.type = type == "AT_SEQUENCE_NUMBER" ? kinesis::IteratorType::kAtSequenceNumber
                                                  : kinesis::IteratorType::kAfterSequenceNumber;
        start.sequence_number = at;
    } else if (type == "AT_TIMESTAMP") {
        auto ms = parse_int64(at);
        if (!ms) return message(400, "AT_TIMESTAMP needs at= epoch milliseconds");
        start.type = kinesis::IteratorType::kAtTimestamp;
        start.timestamp_ms = *ms;
    } else {
        return message(400,
                       "type must be TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, "
                       "AFTER_SEQUENCE_NUMBER or AT_TIMESTAMP");
    }
    auto limit = std::clamp<int64_t>(int_param(req, "limit", 50), 1, 1000);
    auto it = d.store->get_shard_iterator(key, shard, start);
    if (!it) return message(400, it.error().message);
    auto batch = d.store->get_records(*it, static_cast<int>(limit));
    if (!batch) return message(400, batch.error().message);
    json out = json::array();
    for (const auto& r : batch->records) {
        out.push_back({{"sequence_number", r.sequence_number},
                       {"partition_key", r.partition_key},
                       {"arrival_ms", r.arrival_ms},
                       {"data_base64", base64_encode(r.data)}});
    }
    return json_answer(200, json{{"stream", key.name},
                                 {"shard", shard},
                                 {"records", out},
                                 {"millis_behind_latest", batch->millis_behind_latest}}
                                .dump());
}

HttpResponse logs(const ConsoleDeps& d, const HttpRequest& req) {
    if (!d.logs) return message(404, "no log store");
    auto function = param(req, "function");
    cloudwatch::LogQuery q;
    q.group = function.empty() ? param(req, "group") : cloudwatch::lambda_log_group(function);
    if (q.group.empty()) return message(400, "function= or group= is required");
    q.after = static_cast<uint64_t>(std::max<int64_t>(0, int_param(req, "after", 0)));
    q.limit = static_cast<size_t>(std::clamp<int64_t>(int_param(req, "limit", 500), 1, 10'000));
    json out = json::array();
    uint64_t cursor = q.after;
    for (const auto& e : d.logs->query(q)) {
        out.push_back({{"ingestion", e.ingestion},
                       {"timestamp_ms", e.timestamp_ms},
                       {"stream", e.stream},
                       {"message", e.message}});
        cursor = std::max(cursor, e.ingestion);
    }
    return json_answer(200, json{{"group", q.group}, {"events", out}, {"cursor", cursor}}.dump());
}

// The send form: the body goes through the front door as a client's POST would (its checks,
// throttling, access log), without an Origin, since the console's own origin already passed
// the guard on the way here.
void send(const ConsoleDeps& d, const HttpRequest& req, Respond respond) {
    auto type = param(req, "type");
    bool known = false;
    for (const auto& f : d.cfg->event_flows)
        known = known || f.event_type == type;
    if (!known) {
        respond(message(404, "no event type '" + type + "' in kemu.yaml"));
        return;
    }
    if (!d.front_door) {
        respond(message(409, "no front door"));
        return;
    }
    HttpRequest inner;
    inner.method = "POST";
    inner.target = "/" + d.cfg->api.stage_name + "/events/" + type;
    inner.body = req.body;
    inner.remote_address = req.remote_address;
    inner.headers.push_back({"Host", std::string(req.header("Host"))});
    inner.headers.push_back({"Content-Type", "application/json"});
    if (!d.api_key.empty()) inner.headers.push_back({"x-api-key", d.api_key});
    if (!d.front_door->matches(inner)) {
        respond(message(409, "the front door does not take " + inner.target));
        return;
    }
    d.front_door->handle(
        inner, [respond = std::move(respond), target = inner.target](HttpResponse r) {
            respond(json_answer(
                200,
                json{{"target", "POST " + target}, {"status", r.status}, {"body", r.body}}.dump()));
        });
}

}  // namespace

bool is_console_path(std::string_view path) {
    return path == kConsole || path.starts_with("/_kemu/console/") || path.starts_with(kStreams) ||
           path == kLogs;
}

void handle_console(const ConsoleDeps& d, const HttpRequest& req, Respond respond) {
    auto path = req.path();
    bool get = req.method == "GET" || req.method == "HEAD";
    if (path == "/_kemu/console/send") {
        if (req.method != "POST") {
            respond(message(405, "POST only"));
            return;
        }
        send(d, req, std::move(respond));
        return;
    }
    if (!get) {
        respond(message(405, "GET only"));
        return;
    }
    if (auto a = static_asset(path)) {
        respond(std::move(*a));
        return;
    }
    if (path == kLogs) {
        respond(logs(d, req));
        return;
    }
    if (path.starts_with(kStreams)) {
        auto rest = path.substr(kStreams.size());
        auto slash = rest.find('/');
        if (slash != std::string_view::npos) {
            kinesis::StreamKey key{d.account, d.region, std::string(rest.substr(0, slash))};
            auto what = rest.substr(slash + 1);
            if (what == "shards") {
                respond(shards(d, key));
                return;
            }
            if (what == "records") {
                respond(records(d, key, req));
                return;
            }
        }
    }
    respond(message(404, "no such kemu endpoint"));
}

}  // namespace kemu::cli
