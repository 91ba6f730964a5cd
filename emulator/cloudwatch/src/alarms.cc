#include "cloudwatch/alarms.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/log.h"

namespace kemu::cloudwatch {
namespace {

std::string iso(int64_t ms) {
    return iso8601_ms(ms);
}

// CloudWatch's own datapoint format in reasons: "(26/11/26 18:40:00)".
std::string cw_time(int64_t ms) {
    std::time_t secs = ms / 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d/%02d/%02d %02d:%02d:%02d", tm.tm_mday, tm.tm_mon + 1,
                  tm.tm_year % 100, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// StateReasonData as CloudWatch writes it for a threshold alarm.
std::string reason_data(const AlarmDef& d, const std::deque<std::pair<int64_t, double>>& buckets,
                        int64_t now_ms) {
    nlohmann::ordered_json j;
    int64_t period_ms = int64_t{d.period_s} * 1000;
    int64_t newest = now_ms / period_ms;
    j["version"] = "1.0";
    j["queryDate"] = iso8601_ms(now_ms);
    j["startDate"] = iso8601_ms((newest - d.evaluation_periods + 1) * period_ms);
    j["statistic"] = d.statistic;
    j["period"] = d.period_s;
    j["recentDatapoints"] = nlohmann::ordered_json::array();
    j["evaluatedDatapoints"] = nlohmann::ordered_json::array();
    for (auto it = buckets.rbegin(); it != buckets.rend(); ++it) {
        j["recentDatapoints"].push_back(it->second);
        j["evaluatedDatapoints"].push_back(
            {{"timestamp", iso8601_ms(it->first * period_ms)}, {"value", it->second}});
    }
    j["threshold"] = d.threshold;
    return j.dump();
}

}  // namespace

void Alarms::record(const Alarm& a, const std::string& was, const std::string& was_reason,
                    int64_t now_ms) {
    nlohmann::ordered_json data;
    data["version"] = "1.0";
    data["oldState"] = {{"stateValue", was}, {"stateReason", was_reason}};
    data["newState"] = {{"stateValue", a.state}, {"stateReason", a.reason}};
    if (!a.reason_data.empty())
        data["newState"]["stateReasonData"] = nlohmann::ordered_json::parse(a.reason_data);
    history_.push_back(
        {a.def.name, now_ms, "Alarm updated from " + was + " to " + a.state, data.dump()});
    if (history_.size() > 1000) history_.pop_front();
}

std::vector<AlarmView> Alarms::view() const {
    std::lock_guard lock(mu_);
    std::vector<AlarmView> out;
    for (const auto& a : alarms_)
        out.push_back({a.def, a.state, a.reason, a.reason_data, a.updated_ms});
    return out;
}

std::vector<AlarmChange> Alarms::history() const {
    std::lock_guard lock(mu_);
    return {history_.begin(), history_.end()};
}

bool Alarms::set_state(const std::string& name, const std::string& state, const std::string& reason,
                       const std::string& reason_data, int64_t now_ms) {
    std::lock_guard lock(mu_);
    for (auto& a : alarms_) {
        if (a.def.name != name) continue;
        if (a.state == state) return true;  // AWS records nothing when the state stays
        std::string was = a.state, was_reason = a.reason;
        a.state = state;
        a.reason = reason;
        a.reason_data = reason_data;
        a.updated_ms = now_ms;
        record(a, was, was_reason, now_ms);
        return true;
    }
    return false;
}

void Alarms::build(const Config& cfg, const std::set<std::string>& functions,
                   int period_override_s) {
    auto period = [&](int p) { return period_override_s > 0 ? period_override_s : p; };
    auto add = [&](AlarmDef def) {
        Alarm a;
        a.series = series(def.ns, def.metric, def.dimension, def.dimension_value).id();
        a.def = std::move(def);
        alarms_.push_back(std::move(a));
    };
    for (const auto& f : cfg.event_flows) {
        std::string base = cfg.environment + "-" + f.event_type;
        auto age_threshold = static_cast<double>(f.iterator_age_alarm_ms);
        add({base + "-iterator-age", std::string(names::kKinesis),
             std::string(names::kGetRecordsIteratorAge), "StreamName", cfg.stream_name(f),
             "Maximum", period(60), 5, age_threshold});
        auto fn = cfg.function_name(f);
        if (functions.count(fn)) {
            add({base + "-lambda-iterator-age", std::string(names::kLambda),
                 std::string(names::kIteratorAge), "FunctionName", fn, "Maximum", period(60), 5,
                 age_threshold});
            // A datapoint exists for a second in which the function was invoked.
            add({base + "-lambda-errors", std::string(names::kLambda), std::string(names::kErrors),
                 "FunctionName", fn, "Sum", period(60), 1, 0});
        }
        if (f.dlq_enabled) {
            add({base + "-dlq-not-empty", std::string(names::kSqs),
                 std::string(names::kMessagesVisible), "QueueName", cfg.dlq_name(f), "Maximum",
                 period(60), 1, 0});
        }
    }
}

void Alarms::tick(int64_t now_ms, const std::vector<Datapoint>& second) {
    std::map<std::string, const Stats*> points_of;
    for (const auto& p : second)
        points_of[p.key.id()] = &p.stats;
    std::vector<std::string> changes;
    {
        std::lock_guard lock(mu_);
        for (auto& a : alarms_) {
            const auto& d = a.def;
            int64_t index = now_ms / (int64_t{d.period_s} * 1000);
            if (auto it = points_of.find(a.series); it != points_of.end()) {
                double v = d.statistic == "Sum" ? it->second->sum : it->second->max;
                if (!a.buckets.empty() && a.buckets.back().first == index) {
                    auto& cur = a.buckets.back().second;
                    cur = d.statistic == "Sum" ? cur + v : std::max(cur, v);
                } else {
                    a.buckets.emplace_back(index, v);
                }
            }
            while (!a.buckets.empty() && a.buckets.front().first <= index - d.evaluation_periods)
                a.buckets.pop_front();
            // The last N periods, newest included; a missing period is not breaching.
            int breaching = 0;
            std::vector<std::string> points;
            for (const auto& [i, v] : a.buckets) {
                if (v > d.threshold) ++breaching;
                points.push_back(num(v) + " (" + cw_time(i * d.period_s * 1000) + ")");
            }
            std::string next = breaching == d.evaluation_periods ? "ALARM" : "OK";
            if (next == a.state) continue;
            std::string joined;
            for (size_t k = 0; k < points.size(); ++k)
                joined += (k ? ", " : "") + points[k];
            std::string was = a.state;
            std::string old_reason = a.reason;
            a.reason = next == "ALARM"
                           ? "Threshold Crossed: " + std::to_string(breaching) +
                                 " out of the last " + std::to_string(d.evaluation_periods) +
                                 " datapoints [" + joined + "] was greater than the threshold (" +
                                 num(d.threshold) + ") (minimum " +
                                 std::to_string(d.evaluation_periods) +
                                 " datapoint for OK -> ALARM transition)."
                           : (points.empty()
                                  ? "Threshold Crossed: no datapoints were received for " +
                                        std::to_string(d.evaluation_periods) + " periods and " +
                                        std::to_string(d.evaluation_periods) +
                                        " missing datapoints were treated as [NonBreaching]."
                                  : "Threshold Crossed: " +
                                        std::to_string(d.evaluation_periods - breaching) +
                                        " out of the last " + std::to_string(d.evaluation_periods) +
                                        " datapoints were not greater than the threshold (" +
                                        num(d.threshold) + ").");
            std::string was_reason = old_reason;
            a.state = next;
            a.updated_ms = now_ms;
            a.reason_data = reason_data(d, a.buckets, now_ms);
            if (was != "INSUFFICIENT_DATA" || next == "ALARM") {
                record(a, was, was_reason, now_ms);
                if (log_format() == LogFormat::kJson) {
                    changes.push_back("{\"ts\":\"" + log_timestamp() + "\",\"alarm\":" +
                                      json_quote(d.name) + ",\"from\":\"" + was + "\",\"to\":\"" +
                                      next + "\",\"reason\":" + json_quote(a.reason) + "}");
                } else {
                    changes.push_back("kemu alarm " + d.name + ": " + was + " -> " + next + " (" +
                                      a.reason + ")");
                }
            }
        }
    }
    for (const auto& c : changes) {
        std::printf("%s\n", c.c_str());
        std::fflush(stdout);
    }
}

std::string Alarms::describe_json() const {
    std::lock_guard lock(mu_);
    nlohmann::ordered_json out;
    out["MetricAlarms"] = nlohmann::ordered_json::array();
    for (const auto& a : alarms_) {
        const auto& d = a.def;
        nlohmann::ordered_json j;
        j["AlarmName"] = d.name;
        j["StateValue"] = a.state;
        j["StateReason"] = a.reason;
        if (a.updated_ms) {
            j["StateUpdatedTimestamp"] = iso(a.updated_ms);
        } else {
            j["StateUpdatedTimestamp"] = nullptr;
        }
        j["MetricName"] = d.metric;
        j["Namespace"] = d.ns;
        j["Statistic"] = d.statistic;
        j["Dimensions"] = {{{"Name", d.dimension}, {"Value", d.dimension_value}}};
        j["Period"] = d.period_s;
        j["EvaluationPeriods"] = d.evaluation_periods;
        j["DatapointsToAlarm"] = d.evaluation_periods;
        j["Threshold"] = d.threshold;
        j["ComparisonOperator"] = "GreaterThanThreshold";
        j["TreatMissingData"] = "notBreaching";
        out["MetricAlarms"].push_back(std::move(j));
    }
    out["AlarmHistory"] = nlohmann::ordered_json::array();
    for (const auto& c : history_) {
        out["AlarmHistory"].push_back({{"AlarmName", c.name},
                                       {"Timestamp", iso(c.at_ms)},
                                       {"HistoryItemType", "StateUpdate"},
                                       {"HistorySummary", c.summary}});
    }
    return out.dump();
}

std::vector<std::pair<std::string, std::string>> Alarms::states() const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& a : alarms_)
        out.emplace_back(a.def.name, a.state);
    return out;
}

}  // namespace kemu::cloudwatch
