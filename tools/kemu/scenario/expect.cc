#include "expect.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "client.h"

namespace kemu::scenario {

using json = nlohmann::json;

namespace {
using K = Expectation::Kind;

// Records in the invocations; only those of successful invocations when `ok_only`.
int64_t record_count(const json& invocations, bool ok_only) {
    int64_t n = 0;
    for (const auto& inv : invocations) {
        if (ok_only && inv.value("status", "") != "ok") continue;
        n += static_cast<int64_t>(inv["records"].size());
    }
    return n;
}

// Distinct records (by sequence number) in successful invocations.
int64_t distinct_processed(const json& invocations) {
    std::set<std::string> seqs;
    for (const auto& inv : invocations) {
        if (inv.value("status", "") != "ok") continue;
        for (const auto& r : inv["records"])
            seqs.insert(r.value("sequenceNumber", ""));
    }
    return static_cast<int64_t>(seqs.size());
}

// Records in successful invocations: all of them (duplicates counted), and distinct ones.
Outcome processed(const json& invocations, const Expectation& e) {
    auto n = record_count(invocations, true);
    auto d = distinct_processed(invocations);
    Outcome out{true, "", ""};
    if (e.count) {
        out.passed = n == *e.count;
        out.expected = std::to_string(*e.count) + " records processed";
    }
    if (e.distinct) {
        out.passed = out.passed && d == *e.distinct;
        out.expected += (out.expected.empty() ? "" : ", ") + std::to_string(*e.distinct) +
                        " distinct records processed";
    }
    out.actual = std::to_string(n) + " records processed, " + std::to_string(d) + " distinct";
    return out;
}

// Does the record's data match `expected`: JSON objects by the expected fields (a subset),
// anything else by equal text.
bool body_matches(const std::string& data, const std::string& expected) {
    auto want = json::parse(expected, nullptr, false);
    if (!want.is_object()) return data == expected;
    auto got = json::parse(data, nullptr, false);
    if (!got.is_object()) return false;
    for (const auto& [k, v] : want.items()) {
        if (!got.contains(k) || got[k] != v) return false;
    }
    return true;
}

// Each partition key's records, by first delivery, must come in sequence order.
Outcome order_per_key(const json& invocations) {
    std::map<std::string, std::string> last;  // key -> sequence of its latest first delivery
    std::map<std::string, bool> seen;         // sequence -> delivered before
    for (const auto& inv : invocations) {
        for (const auto& r : inv["records"]) {
            std::string key = r.value("partitionKey", ""), seq = r.value("sequenceNumber", "");
            if (seen[seq]) continue;
            seen[seq] = true;
            auto it = last.find(key);
            if (it != last.end() && sequence_less(seq, it->second)) {
                return {false, "records of each partition key in sequence order",
                        "key " + key + ": sequence " + seq + " after " + it->second};
            }
            last[key] = seq;
        }
    }
    return {true, "records of each partition key in sequence order",
            std::to_string(last.size()) + " keys in order"};
}

Outcome received(const json& inv, const Expectation& e) {
    Outcome out;
    out.passed = true;
    auto got = record_count(inv, false);
    if (e.count) {
        out.expected = std::to_string(*e.count) + " records received";
        out.actual = std::to_string(got) + " records received";
        out.passed = got == *e.count;
    }
    for (const auto& body : e.bodies) {
        bool found = false;
        for (const auto& i : inv) {
            for (const auto& r : i["records"])
                found = found || body_matches(r.value("data", ""), body);
        }
        if (found) continue;
        out.passed = false;
        out.expected +=
            (out.expected.empty() ? "" : "; ") + std::string("a record matching ") + body;
        out.actual += (out.actual.empty() ? "" : "; ") + std::string("none of ") +
                      std::to_string(got) + " records matches it";
    }
    if (out.expected.empty()) out.expected = out.actual = "every body received";
    return out;
}

// The value at a dotted path of `doc` ("requestContext.condition"), or nullptr.
const json* at_path(const json& doc, const std::string& path) {
    const json* cur = &doc;
    size_t pos = 0;
    while (pos <= path.size()) {
        auto dot = path.find('.', pos);
        auto part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
        if (!cur->is_object() || !cur->contains(part)) return nullptr;
        cur = &(*cur)[part];
        if (dot == std::string::npos) break;
        pos = dot + 1;
    }
    return cur;
}

std::string fmt_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

Outcome dlq_record(const json& records, const Expectation& e) {
    Outcome out;
    if (e.index >= static_cast<int>(records.size())) {
        return {false, "a DLQ record at index " + std::to_string(e.index),
                std::to_string(records.size()) + " records in the DLQ"};
    }
    const auto& rec = records[e.index];
    out.passed = true;
    for (const auto& [path, want] : e.fields) {
        const json* got = at_path(rec, path);
        auto got_text = got ? got->dump() : std::string("(missing)");
        out.expected += (out.expected.empty() ? "" : ", ") + path + " = " + want;
        out.actual += (out.actual.empty() ? "" : ", ") + path + " = " + got_text;
        if (got_text != want) out.passed = false;
    }
    return out;
}

// A header's value (names compare case-insensitively, as HTTP's do).
std::optional<std::string> header_value(
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& name) {
    auto lower = [](std::string t) {
        std::transform(t.begin(), t.end(), t.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return t;
    };
    for (const auto& [k, v] : headers) {
        if (lower(k) == lower(name)) return v;
    }
    return std::nullopt;
}

// What a send step's responses must show, in one line.
std::string response_wants(const Expectation& e) {
    std::vector<std::string> parts;
    if (e.status) parts.push_back("every response status " + std::to_string(*e.status));
    if (!e.body_contains.empty()) parts.push_back("every body contains " + e.body_contains);
    if (e.any_status) parts.push_back("a response status " + std::to_string(*e.any_status));
    if (!e.any_body_contains.empty()) parts.push_back("a body contains " + e.any_body_contains);
    if (e.min_retries) parts.push_back("at least " + std::to_string(*e.min_retries) + " retries");
    for (const auto& [name, value] : e.headers)
        parts.push_back("every response has " + name + ": " + value);
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ", ") + p;
    return out;
}

Outcome response(const Expectation& e, const std::map<std::string, SendLog>& sends,
                 const std::string& last_send) {
    auto it = sends.find(e.send.empty() ? last_send : e.send);
    if (it == sends.end()) return {false, "responses of a send step", "no send step ran"};
    const auto& log = it->second;
    Outcome out{true, response_wants(e), ""};
    std::map<int, int> statuses;
    bool any_status = false, any_body = false;
    for (const auto& [status, body, headers] : log.responses) {
        ++statuses[status];
        for (const auto& [name, want] : e.headers) {
            auto got = header_value(headers, name);
            if (got != want && out.passed) {
                out.passed = false;
                out.actual = "a response " + std::to_string(status) + " with " + name + ": " +
                             (got ? *got : std::string("(none)"));
            }
        }
        any_status = any_status || (e.any_status && status == *e.any_status);
        any_body = any_body || (!e.any_body_contains.empty() &&
                                body.find(e.any_body_contains) != std::string::npos);
        bool bad = (e.status && status != *e.status) ||
                   (!e.body_contains.empty() && body.find(e.body_contains) == std::string::npos);
        if (bad && out.passed) {
            out.passed = false;
            out.actual = "a response " + std::to_string(status) + " " + body.substr(0, 300);
        }
    }
    if (!out.passed) return out;
    for (const auto& [s, n] : statuses)
        out.actual +=
            (out.actual.empty() ? "" : ", ") + std::to_string(n) + " x " + std::to_string(s);
    out.actual += ", " + std::to_string(log.retries) + " retries";
    if (e.any_status && !any_status) out.passed = false;
    if (!e.any_body_contains.empty() && !any_body) {
        out.passed = false;
        out.actual += ", no body contains " + e.any_body_contains;
    }
    if (e.min_retries && log.retries < *e.min_retries) out.passed = false;
    return out;
}

std::string texts(const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t k = 0; k < v.size(); ++k)
        s += (k ? ", " : "") + v[k];
    return s + "]";
}

// The states an alarm went to, oldest first, from GET /_kemu/alarms' AlarmHistory (kept in
// the order of the changes: "Alarm updated from OK to ALARM").
Outcome alarm_history(const json& alarms, const Expectation& e) {
    std::vector<std::string> went;
    for (const auto& h : alarms.value("AlarmHistory", json::array())) {
        if (h.value("AlarmName", "") != e.alarm) continue;
        auto summary = h.value("HistorySummary", "");
        auto to = summary.rfind(" to ");
        if (to != std::string::npos) went.push_back(summary.substr(to + 4));
    }
    return {went == e.history, e.alarm + " went " + texts(e.history),
            e.alarm + " went " + texts(went)};
}

// The sum of the series of a Prometheus family whose labels include `labels`; nullopt when
// none does.
std::optional<double> metric_sum(const std::string& text, const std::string& family,
                                 const std::map<std::string, std::string>& labels) {
    std::optional<double> sum;
    size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        if (line.empty() || line[0] == '#' || !line.starts_with(family)) continue;
        auto rest = line.substr(family.size());
        if (!rest.empty() && rest[0] != '{' && rest[0] != ' ') continue;  // a longer name
        std::string_view label_text;
        if (!rest.empty() && rest[0] == '{') {
            auto close = rest.find('}');
            if (close == std::string_view::npos) continue;
            label_text = rest.substr(1, close - 1);
            rest = rest.substr(close + 1);
        }
        bool all = true;
        for (const auto& [k, v] : labels)
            all = all && label_text.find(k + "=\"" + v + "\"") != std::string_view::npos;
        if (!all) continue;
        sum = sum.value_or(0) + std::strtod(std::string(rest).c_str(), nullptr);
    }
    return sum;
}

Outcome metric(const std::string& text, const Expectation& e) {
    auto got = metric_sum(text, e.metric, e.labels);
    std::string want;
    if (e.equals) want += "= " + fmt_number(*e.equals);
    if (e.at_least) want += std::string(want.empty() ? "" : ", ") + ">= " + fmt_number(*e.at_least);
    if (e.at_most) want += std::string(want.empty() ? "" : ", ") + "<= " + fmt_number(*e.at_most);
    if (!got) return {false, e.metric + " " + want, "no such series"};
    bool ok = (!e.equals || *got == *e.equals) && (!e.at_least || *got >= *e.at_least) &&
              (!e.at_most || *got <= *e.at_most);
    return {ok, e.metric + " " + want, e.metric + " = " + fmt_number(*got)};
}

Outcome output(const std::vector<std::string>& lines, const Expectation& e) {
    for (const auto& l : lines) {
        if (l.find(e.contains) != std::string::npos)
            return {true, "a line containing " + e.contains, l};
    }
    return {false, "a line containing " + e.contains,
            std::to_string(lines.size()) + " lines logged, none containing it"};
}

Outcome invocations(const json& inv, const Expectation& e) {
    std::vector<int64_t> sizes;
    std::vector<std::string> types;
    int64_t errors = 0, largest = 0;
    for (const auto& i : inv) {
        sizes.push_back(static_cast<int64_t>(i["records"].size()));
        largest = std::max(largest, sizes.back());
        if (i.value("status", "") != "error") continue;
        ++errors;
        types.push_back(i.value("error_type", ""));
    }
    auto list = [](const std::vector<int64_t>& v) {
        std::string s = "[";
        for (size_t k = 0; k < v.size(); ++k)
            s += (k ? ", " : "") + std::to_string(v[k]);
        return s + "]";
    };
    Outcome out{true, "", ""};
    auto want = [&](bool holds, const std::string& expected, const std::string& actual) {
        out.passed = out.passed && holds;
        out.expected += (out.expected.empty() ? "" : ", ") + expected;
        out.actual += (out.actual.empty() ? "" : ", ") + actual;
    };
    auto n = static_cast<int64_t>(sizes.size());
    if (e.count)
        want(n == *e.count, std::to_string(*e.count) + " invocations",
             std::to_string(n) + " invocations");
    if (!e.batch_sizes.empty())
        want(sizes == e.batch_sizes, "batch sizes " + list(e.batch_sizes),
             "batch sizes " + list(sizes));
    if (e.max_batch_size)
        want(largest <= *e.max_batch_size,
             "batches of at most " + std::to_string(*e.max_batch_size),
             "largest batch " + std::to_string(largest));
    if (e.errors)
        want(errors == *e.errors, std::to_string(*e.errors) + " failed invocations",
             std::to_string(errors) + " failed invocations");
    if (!e.error_types.empty())
        want(types == e.error_types, "failures " + texts(e.error_types),
             "failures " + texts(types));
    return out;
}

}  // namespace

bool sequence_less(const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

std::vector<std::string> Observer::flows() const {
    std::vector<std::string> out;
    for (const auto& f : cfg_.event_flows)
        out.push_back(f.event_type);
    return out;
}

const json* Observer::alarms(std::string* error) {
    return fetch("/_kemu/alarms", error);
}

const json* Observer::fetch(const std::string& path, std::string* error) {
    if (auto it = cache_.find(path); it != cache_.end()) return &it->second;
    auto r = cli::http_call(endpoint_, {"GET", path, "", {}, 10});
    if (!r || r->first != 200) {
        *error =
            "GET " + path + ": " +
            (r ? std::to_string(r->first) + " " + r->second : std::string("kemu did not answer"));
        return nullptr;
    }
    auto doc = json::parse(r->second, nullptr, false);
    if (doc.is_discarded()) {
        *error = "GET " + path + ": not JSON";
        return nullptr;
    }
    return &(cache_[path] = std::move(doc));
}

const json* Observer::invocations(const std::string& flow, std::string* error) {
    std::string key = "inv:" + flow;
    if (auto it = by_flow_.find(key); it != by_flow_.end()) return &it->second;
    const json* all = fetch("/_kemu/scenario/invocations", error);
    if (!all) return nullptr;
    std::string function;
    for (const auto& f : cfg_.event_flows) {
        if (f.event_type == flow) function = cfg_.function_name(f);
    }
    json mine = json::array();
    for (const auto& inv : (*all)["invocations"]) {
        if (inv.value("function", "") == function) mine.push_back(inv);
    }
    return &(by_flow_[key] = std::move(mine));
}

const json* Observer::dlq(const std::string& flow, std::string* error) {
    std::string key = "dlq:" + flow;
    if (auto it = by_flow_.find(key); it != by_flow_.end()) return &it->second;
    std::string queue;
    for (const auto& f : cfg_.event_flows) {
        if (f.event_type == flow) queue = cfg_.dlq_name(f);
    }
    const json* peek = fetch("/_kemu/sqs/queues/" + queue + "/messages?max=10000", error);
    if (!peek) return nullptr;
    json records = json::array();
    for (const auto& m : (*peek)["messages"])
        records.push_back(json::parse(m.value("body", ""), nullptr, false));
    return &(by_flow_[key] = std::move(records));
}

const json* Observer::status(std::string* error) {
    return fetch("/_kemu/status", error);
}

const std::string* Observer::metrics_text(std::string* error) {
    if (metrics_) return &*metrics_;
    auto r = cli::http_call(endpoint_, {"GET", "/_kemu/metrics", "", {}, 10});
    if (!r || r->first != 200) {
        *error = "GET /_kemu/metrics: " + (r ? std::to_string(r->first) + " " + r->second
                                             : std::string("kemu did not answer"));
        return nullptr;
    }
    metrics_ = std::move(r->second);
    return &*metrics_;
}

std::vector<std::string> Observer::function_lines(const std::string& flow) const {
    std::string prefix;
    for (const auto& f : cfg_.event_flows) {
        if (f.event_type == flow) prefix = "[" + cfg_.function_name(f) + "] ";
    }
    std::vector<std::string> out;
    for (const auto& file : log_files_) {
        std::ifstream in(file);
        for (std::string line; std::getline(in, line);) {
            if (line.starts_with(prefix)) out.push_back(line.substr(prefix.size()));
        }
    }
    return out;
}

std::optional<std::string> Observer::alarm_state(const std::string& name, std::string* error) {
    const json* all = alarms(error);
    if (!all) return std::nullopt;
    for (const auto& a : (*all)["MetricAlarms"]) {
        if (a.value("AlarmName", "") == name) return a.value("StateValue", "");
    }
    *error = "no alarm named " + name;
    return std::nullopt;
}

Outcome check_condition(Observer& o, const Condition& c) {
    std::string err;
    using CK = Condition::Kind;
    if (c.kind == CK::kAlarmState) {
        auto state = o.alarm_state(c.alarm, &err);
        return {state == c.state, c.alarm + " in " + c.state, state ? *state : err};
    }
    if (c.kind == CK::kIteratorAge) {
        const json* st = o.status(&err);
        if (!st) return {false, "", err};
        std::optional<int64_t> age;
        for (const auto& f : (*st)["flows"]) {
            if (f.value("event_type", "") == c.flow && f.contains("iterator_age_ms"))
                age = f["iterator_age_ms"].get<int64_t>();
        }
        std::string want = c.flow + " iterator age " +
                           (c.below_ms ? "below " + std::to_string(*c.below_ms)
                                       : "above " + std::to_string(c.above_ms.value_or(0))) +
                           " ms";
        if (!age) return {false, want, "no iterator age reported"};
        bool ok = c.below_ms ? *age < *c.below_ms : *age > c.above_ms.value_or(0);
        return {ok, want, c.flow + " iterator age " + std::to_string(*age) + " ms"};
    }
    if (c.kind == CK::kDlqDepth) {
        const json* d = o.dlq(c.flow, &err);
        if (!d) return {false, "", err};
        auto n = static_cast<int64_t>(d->size());
        return {n >= c.count, "at least " + std::to_string(c.count) + " messages in the DLQ",
                std::to_string(n) + " messages in the DLQ"};
    }
    const json* inv = o.invocations(c.flow, &err);
    if (!inv) return {false, "", err};
    if (c.distinct) {
        auto d = distinct_processed(*inv);
        return {d >= c.count, "at least " + std::to_string(c.count) + " distinct records processed",
                std::to_string(d) + " distinct records processed"};
    }
    auto n = record_count(*inv, c.kind == CK::kProcessed);
    const char* what = c.kind == CK::kProcessed ? " records processed" : " records received";
    return {n >= c.count, "at least " + std::to_string(c.count) + what, std::to_string(n) + what};
}

Outcome check_expectation(Observer& o, const Expectation& e,
                          const std::map<std::string, SendLog>& sends,
                          const std::string& last_send) {
    std::string err;
    if (e.kind == K::kResponse) return response(e, sends, last_send);
    if (e.kind == K::kAlarmState) {
        if (!e.history.empty()) {
            const json* all = o.alarms(&err);
            if (!all) return {false, describe(e), err};
            auto out = alarm_history(*all, e);
            if (e.state.empty() || !out.passed) return out;
        }
        Condition c;
        c.kind = Condition::Kind::kAlarmState;
        c.alarm = e.alarm;
        c.state = e.state;
        return check_condition(o, c);
    }
    if (e.kind == K::kMetric) {
        const std::string* text = o.metrics_text(&err);
        if (!text) return {false, describe(e), err};
        return metric(*text, e);
    }
    if (e.kind == K::kOutput) return output(o.function_lines(e.flow), e);
    if (e.kind == K::kDlqCount || e.kind == K::kDlqRecord) {
        const json* d = o.dlq(e.flow, &err);
        if (!d) return {false, describe(e), err};
        if (e.kind == K::kDlqRecord) return dlq_record(*d, e);
        auto n = static_cast<int64_t>(d->size());
        return {n == *e.count, std::to_string(*e.count) + " messages in the DLQ",
                std::to_string(n) + " messages in the DLQ"};
    }
    const json* inv = o.invocations(e.flow, &err);
    if (!inv) return {false, describe(e), err};
    if (e.kind == K::kOrderByKey) return order_per_key(*inv);
    if (e.kind == K::kInvocations) return invocations(*inv, e);
    if (e.kind == K::kProcessed) return processed(*inv, e);
    return received(*inv, e);
}

std::string describe(const Expectation& e) {
    if (!e.name.empty()) return e.name;
    switch (e.kind) {
        case K::kReceived:
            return e.flow + " received " +
                   (e.count ? std::to_string(*e.count) + " records" : std::string("its bodies"));
        case K::kProcessed:
            return e.flow + " processed " +
                   (e.count ? std::to_string(*e.count)
                            : std::to_string(*e.distinct) + " distinct") +
                   " records";
        case K::kOrderByKey:
            return e.flow + " in order per partition key";
        case K::kDlqCount:
            return e.flow + " DLQ holds " + std::to_string(*e.count);
        case K::kDlqRecord:
            return e.flow + " DLQ record " + std::to_string(e.index) + " fields";
        case K::kAlarmState:
            return e.alarm + (e.history.empty() ? " is " + e.state : " went " + texts(e.history));
        case K::kOutput:
            return e.flow + " logged " + e.contains;
        case K::kMetric:
            return "metric " + e.metric;
        case K::kInvocations:
            return e.flow + " invocations";
        case K::kResponse:
            return "responses of " + (e.send.empty() ? std::string("the last send") : e.send);
    }
    return "expectation";
}

}  // namespace kemu::scenario
