// CloudWatch actions over kemu's alarms and metric history. Inputs are the API reference's
// input shapes as JSON (query-protocol values arrive as strings, CBOR ones typed); outputs are
// the output shapes, timestamps written {"$ts": ms} for each protocol to render its own way.

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>

#include "core/encoding.h"
#include "monitoring.h"

namespace kemu::cloudwatch::wire {
namespace {

using Dims = std::vector<std::pair<std::string, std::string>>;

ApiError invalid_value(std::string m) {
    return {"InvalidParameterValue", 400, std::move(m)};
}
ApiError missing(std::string_view name) {
    return {"MissingParameter", 400, "The parameter " + std::string(name) + " is required."};
}

std::optional<std::string> str(const ojson& in, const char* k) {
    auto it = in.find(k);
    if (it == in.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// A number given as a number (CBOR) or a string (query); nullopt when absent, NaN when bad.
std::optional<double> number(const ojson& in, const char* k) {
    auto it = in.find(k);
    if (it == in.end() || it->is_null()) return std::nullopt;
    if (it->is_number()) return it->get<double>();
    if (it->is_string()) {
        const auto& s = it->get_ref<const std::string&>();
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == '\0') return v;
    }
    return std::nan("");
}

// ISO 8601 ("2026-12-06T17:00:00Z", "...T17:00:00.123Z", "+00:00") or epoch seconds.
std::optional<int64_t> parse_time(const ojson& v) {
    if (auto ms = timestamp_marker_ms(v)) return ms;
    if (v.is_number()) return whole_int64(std::round(v.get<double>() * 1000));
    if (!v.is_string()) return std::nullopt;
    const auto& s = v.get_ref<const std::string&>();
    std::tm tm{};
    double sec = 0;
    int used = 0;
    if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%lf%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &sec, &used) < 6) {
        char* end = nullptr;
        double e = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == '\0') return static_cast<int64_t>(std::llround(e * 1000));
        return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_sec = 0;
    int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000 + std::llround(sec * 1000);
    std::string_view rest(s.c_str() + used);
    if (rest.size() >= 6 && (rest[0] == '+' || rest[0] == '-')) {
        int hh = 0, mm = 0;
        std::sscanf(rest.data() + 1, "%d:%d", &hh, &mm);
        int64_t off = (int64_t{hh} * 60 + mm) * 60'000;
        ms += rest[0] == '+' ? -off : off;
    }
    return ms;
}

std::optional<int64_t> time_field(const ojson& in, const char* k) {
    auto it = in.find(k);
    if (it == in.end() || it->is_null()) return std::nullopt;
    return parse_time(*it);
}

Dims dims_of(const ojson& list) {
    Dims d;
    if (!list.is_array()) return d;
    for (const auto& e : list)
        if (e.is_object())
            d.emplace_back(str(e, "Name").value_or(""), str(e, "Value").value_or(""));
    std::sort(d.begin(), d.end());
    return d;
}

ojson dims_json(const Dims& d) {
    ojson a = ojson::array();
    for (const auto& [n, v] : d)
        a.push_back({{"Name", n}, {"Value", v}});
    return a;
}

// Where a page starts: kemu's NextToken is the index of the next item (opaque to clients).
std::optional<ApiError> page_start(const ojson& in, size_t* skip) {
    auto t = str(in, "NextToken");
    if (!t) return std::nullopt;
    auto n = parse_int64(*t);
    if (!n || *n < 0)
        return ApiError{"InvalidNextToken", 400, "The service cannot recognize the NextToken."};
    *skip = static_cast<size_t>(*n);
    return std::nullopt;
}

std::optional<Statistic> statistic_of(std::string_view s) {
    for (auto st : kAllStatistics)
        if (statistic_name(st) == s) return st;
    return std::nullopt;
}

// A period CloudWatch accepts: 1, 5, 10, 30 or a multiple of 60 (high-resolution periods below
// 60 s are kept here for 15 minutes, as CloudWatch keeps 1-second data for 3 hours).
std::optional<ApiError> check_period(std::optional<double> p, std::string_view field) {
    if (!p || std::isnan(*p) || *p != std::floor(*p) || *p < 1)
        return invalid_value("The parameter " + std::string(field) + " must be greater than 0.");
    // Period is an Integer in the API; a larger one is no multiple of 60 CloudWatch keeps.
    if (*p > std::numeric_limits<int32_t>::max())
        return invalid_value("The parameter " + std::string(field) + " must be a multiple of 60.");
    auto v = static_cast<int64_t>(*p);
    if (v < 60 && v != 1 && v != 5 && v != 10 && v != 20 && v != 30)
        return invalid_value("The parameter " + std::string(field) +
                             " must be 1, 5, 10, 20, 30, or a multiple of 60.");
    if (v >= 60 && v % 60 != 0)
        return invalid_value("The parameter " + std::string(field) + " must be a multiple of 60.");
    return std::nullopt;
}

// The datapoints of one series in [from, to), in `period_s` buckets aligned to the epoch.
std::vector<std::pair<int64_t, Stats>> buckets(const MetricHistory& h, const SeriesKey& key,
                                               int64_t from, int64_t to, int64_t period_s) {
    int64_t pms = period_s * 1000;
    from = from / pms * pms;
    auto points = h.query(key, from, to, period_s % 60 == 0 ? 60 : 1);
    std::map<int64_t, Stats> by;
    for (const auto& p : points) {
        int64_t b = p.at_ms / pms * pms;
        auto [it, fresh] = by.try_emplace(b, p.stats);
        if (!fresh) it->second.merge(p.stats);
    }
    return {by.begin(), by.end()};
}

std::optional<SeriesKey> find_series(const MetricHistory& h, const std::string& ns,
                                     const std::string& metric, const Dims& dims) {
    for (auto& k : h.series()) {
        if (k.ns != ns || k.metric != metric) continue;
        auto d = k.dimensions;
        std::sort(d.begin(), d.end());
        if (d == dims) return k;
    }
    return std::nullopt;
}

ActionResult describe_alarms(CloudWatch& cw, const ApiOptions& o, int64_t started,
                             const ojson& in) {
    auto max = number(in, "MaxRecords");
    if (max && (std::isnan(*max) || *max < 1 || *max > 100))
        return {{},
                ApiError{"ValidationError", 400,
                         "1 validation error detected: Value '" + in["MaxRecords"].dump() +
                             "' at 'maxRecords' failed to satisfy constraint: Member must "
                             "have value between 1 and 100"}};
    std::vector<std::string> names;
    if (auto it = in.find("AlarmNames"); it != in.end() && it->is_array())
        for (const auto& n : *it)
            if (n.is_string()) names.push_back(n.get<std::string>());
    auto prefix = str(in, "AlarmNamePrefix");
    if (prefix && !names.empty())
        return {{},
                ApiError{"InvalidParameterCombination", 400,
                         "AlarmNamePrefix and AlarmNames cannot be used together."}};
    auto state = str(in, "StateValue");
    bool metric_type = true;
    if (auto it = in.find("AlarmTypes"); it != in.end() && it->is_array()) {
        metric_type = std::find(it->begin(), it->end(), "MetricAlarm") != it->end();
    }
    size_t skip = 0;
    if (auto err = page_start(in, &skip)) return {{}, *err};
    std::vector<AlarmView> picked;
    for (auto& a : cw.alarms().view()) {
        if (!metric_type) break;
        if (!names.empty() && std::find(names.begin(), names.end(), a.def.name) == names.end())
            continue;
        if (prefix && !a.def.name.starts_with(*prefix)) continue;
        if (state && a.state != *state) continue;
        picked.push_back(std::move(a));
    }
    size_t end = std::min(picked.size(), skip + static_cast<size_t>(max.value_or(50)));
    ojson out;
    out["CompositeAlarms"] = ojson::array();
    out["MetricAlarms"] = ojson::array();
    for (size_t i = skip; i < end; ++i) {
        const auto& a = picked[i];
        const auto& d = a.def;
        ojson j;
        j["AlarmName"] = d.name;
        j["AlarmArn"] = "arn:aws:cloudwatch:" + o.region + ":" + o.account + ":alarm:" + d.name;
        j["AlarmConfigurationUpdatedTimestamp"] = timestamp_marker(started);
        j["ActionsEnabled"] = true;
        j["OKActions"] = ojson::array();
        j["AlarmActions"] = ojson::array();
        j["InsufficientDataActions"] = ojson::array();
        j["StateValue"] = a.state;
        j["StateReason"] = a.reason;
        if (!a.reason_data.empty()) j["StateReasonData"] = a.reason_data;
        j["StateUpdatedTimestamp"] = timestamp_marker(a.updated_ms ? a.updated_ms : started);
        j["MetricName"] = d.metric;
        j["Namespace"] = d.ns;
        j["Statistic"] = d.statistic;
        j["Dimensions"] = dims_json({{d.dimension, d.dimension_value}});
        j["Period"] = d.period_s;
        j["EvaluationPeriods"] = d.evaluation_periods;
        j["DatapointsToAlarm"] = d.evaluation_periods;
        j["Threshold"] = d.threshold;
        j["ComparisonOperator"] = "GreaterThanThreshold";
        j["TreatMissingData"] = "notBreaching";
        j["StateTransitionedTimestamp"] = timestamp_marker(a.updated_ms ? a.updated_ms : started);
        out["MetricAlarms"].push_back(std::move(j));
    }
    if (end < picked.size()) out["NextToken"] = std::to_string(end);
    return {out, std::nullopt};
}

ActionResult describe_alarm_history(CloudWatch& cw, const ojson& in) {
    auto name = str(in, "AlarmName");
    auto type = str(in, "HistoryItemType");
    auto from = time_field(in, "StartDate");
    auto to = time_field(in, "EndDate");
    auto max = number(in, "MaxRecords");
    if (max && (std::isnan(*max) || *max < 1 || *max > 100))
        return {{},
                ApiError{"ValidationError", 400,
                         "1 validation error detected: Value '" + in["MaxRecords"].dump() +
                             "' at 'maxRecords' failed to satisfy constraint: Member must "
                             "have value between 1 and 100"}};
    bool ascending = str(in, "ScanBy").value_or("TimestampDescending") == "TimestampAscending";
    size_t skip = 0;
    if (auto err = page_start(in, &skip)) return {{}, *err};
    std::vector<AlarmChange> items;
    for (auto& c : cw.alarms().history()) {
        if (name && c.name != *name) continue;
        if (type && *type != "StateUpdate") continue;
        if (from && c.at_ms < *from) continue;
        if (to && c.at_ms > *to) continue;
        items.push_back(std::move(c));
    }
    if (!ascending) std::reverse(items.begin(), items.end());
    size_t end = std::min(items.size(), skip + static_cast<size_t>(max.value_or(100)));
    ojson out;
    out["AlarmHistoryItems"] = ojson::array();
    for (size_t i = skip; i < end; ++i)
        out["AlarmHistoryItems"].push_back({{"AlarmName", items[i].name},
                                            {"AlarmType", "MetricAlarm"},
                                            {"Timestamp", timestamp_marker(items[i].at_ms)},
                                            {"HistoryItemType", "StateUpdate"},
                                            {"HistorySummary", items[i].summary},
                                            {"HistoryData", items[i].data}});
    if (end < items.size()) out["NextToken"] = std::to_string(end);
    return {out, std::nullopt};
}

ActionResult list_metrics(CloudWatch& cw, const ojson& in) {
    auto ns = str(in, "Namespace");
    auto metric = str(in, "MetricName");
    std::vector<std::pair<std::string, std::optional<std::string>>> filters;
    if (auto it = in.find("Dimensions"); it != in.end() && it->is_array())
        for (const auto& f : *it)
            if (f.is_object()) filters.emplace_back(str(f, "Name").value_or(""), str(f, "Value"));
    size_t skip = 0;
    if (auto err = page_start(in, &skip)) return {{}, *err};
    // ListMetrics pages hold up to 500 metrics, as CloudWatch's do.
    constexpr size_t kPage = 500;
    size_t seen = 0;
    ojson out;
    out["Metrics"] = ojson::array();
    for (const auto& k : cw.history().series()) {
        if (ns && k.ns != *ns) continue;
        if (metric && k.metric != *metric) continue;
        bool ok = std::all_of(filters.begin(), filters.end(), [&](const auto& f) {
            return std::any_of(k.dimensions.begin(), k.dimensions.end(), [&](const auto& d) {
                return d.first == f.first && (!f.second || d.second == *f.second);
            });
        });
        if (!ok) continue;
        if (seen++ < skip) continue;
        if (out["Metrics"].size() == kPage) {
            out["NextToken"] = std::to_string(skip + kPage);
            break;
        }
        Dims d(k.dimensions.begin(), k.dimensions.end());
        out["Metrics"].push_back(
            {{"Namespace", k.ns}, {"MetricName", k.metric}, {"Dimensions", dims_json(d)}});
    }
    return {out, std::nullopt};
}

// StartTime before EndTime, and the datapoint limit (1,440 per series per call).
std::optional<ApiError> check_range(int64_t from, int64_t to, int64_t period_s, bool datapoints) {
    if (from >= to)
        return invalid_value("The parameter StartTime must be less than the parameter EndTime.");
    if (!datapoints) return std::nullopt;
    int64_t n = (to - from + period_s * 1000 - 1) / (period_s * 1000);
    if (n > 1440)
        return ApiError{"InvalidParameterCombination", 400,
                        "You have requested up to " + std::to_string(n) +
                            " datapoints, which exceeds the limit of 1440. You may reduce the "
                            "datapoints requested by increasing Period, or decreasing the time "
                            "range."};
    return std::nullopt;
}

ActionResult get_metric_statistics(CloudWatch& cw, const ojson& in) {
    for (auto f : {"Namespace", "MetricName", "StartTime", "EndTime", "Period"})
        if (!in.contains(f)) return {{}, missing(f)};
    auto from = time_field(in, "StartTime");
    auto to = time_field(in, "EndTime");
    if (!from) return {{}, invalid_value("The parameter StartTime must be a valid timestamp.")};
    if (!to) return {{}, invalid_value("The parameter EndTime must be a valid timestamp.")};
    auto period = number(in, "Period");
    if (auto e = check_period(period, "Period")) return {{}, e};
    auto p = static_cast<int64_t>(*period);
    std::vector<Statistic> stats;
    if (auto it = in.find("Statistics"); it != in.end() && it->is_array()) {
        for (const auto& s : *it) {
            auto st = s.is_string() ? statistic_of(s.get<std::string>()) : std::nullopt;
            if (!st)
                return {{},
                        invalid_value("The parameter Statistics.member." +
                                      std::to_string(stats.size() + 1) +
                                      " must be a value in the set [ SampleCount, Average, "
                                      "Sum, Minimum, Maximum ].")};
            stats.push_back(*st);
        }
    }
    if (stats.empty() && !in.contains("ExtendedStatistics"))
        return {{},
                ApiError{"InvalidParameterCombination", 400,
                         "At least one of the parameters Statistics and ExtendedStatistics "
                         "must be specified."}};
    if (auto e = check_range(*from, *to, p, true)) return {{}, e};
    auto name = *str(in, "MetricName");
    ojson out;
    out["Label"] = name;
    out["Datapoints"] = ojson::array();
    auto key = find_series(cw.history(), str(in, "Namespace").value_or(""), name,
                           dims_of(in.value("Dimensions", ojson::array())));
    if (!key) return {out, std::nullopt};
    const auto* m = find_metric(key->ns, key->metric);
    for (const auto& [at, s] : buckets(cw.history(), *key, *from, *to, p)) {
        ojson d;
        d["Timestamp"] = timestamp_marker(at);
        for (auto st : stats)
            d[std::string(statistic_name(st))] = s.get(st);
        d["Unit"] = m ? std::string(m->unit) : "None";
        out["Datapoints"].push_back(std::move(d));
    }
    return {out, std::nullopt};
}

ActionResult get_metric_data(CloudWatch& cw, const ojson& in) {
    for (auto f : {"MetricDataQueries", "StartTime", "EndTime"})
        if (!in.contains(f)) return {{}, missing(f)};
    auto from = time_field(in, "StartTime");
    auto to = time_field(in, "EndTime");
    if (!from) return {{}, invalid_value("The parameter StartTime must be a valid timestamp.")};
    if (!to) return {{}, invalid_value("The parameter EndTime must be a valid timestamp.")};
    if (auto e = check_range(*from, *to, 60, false)) return {{}, e};
    bool ascending = str(in, "ScanBy").value_or("TimestampDescending") == "TimestampAscending";
    const auto& queries = in["MetricDataQueries"];
    if (!queries.is_array() || queries.empty()) return {{}, missing("MetricDataQueries")};
    ojson out;
    out["MetricDataResults"] = ojson::array();
    out["Messages"] = ojson::array();
    for (size_t i = 0; i < queries.size(); ++i) {
        const auto& q = queries[i];
        std::string field = "MetricDataQueries.member." + std::to_string(i + 1);
        auto id = q.is_object() ? str(q, "Id") : std::nullopt;
        if (!id) return {{}, missing(field + ".Id")};
        if (id->empty() || !(id->front() >= 'a' && id->front() <= 'z'))
            return {{},
                    ApiError{"ValidationError", 400,
                             "The value " + *id + " for parameter " + field + ".Id is not valid."}};
        auto rd = q.find("ReturnData");
        if (rd != q.end() && ((rd->is_boolean() && !rd->get<bool>()) || *rd == "false")) continue;
        if (q.contains("Expression"))
            return {{},
                    invalid_value("The parameter " + field +
                                  ".Expression is not supported by kemu (metric math).")};
        auto stat_it = q.find("MetricStat");
        if (stat_it == q.end() || !stat_it->is_object())
            return {{},
                    ApiError{"ValidationError", 400,
                             "The parameter " + field +
                                 " must contain either a MetricStat or an Expression."}};
        const auto& ms = *stat_it;
        auto period = number(ms, "Period");
        if (auto e = check_period(period, field + ".MetricStat.Period")) return {{}, e};
        auto p = static_cast<int64_t>(*period);
        auto stat = statistic_of(str(ms, "Stat").value_or(""));
        // A Metric that is not a structure names no series (nlohmann's value() would throw on
        // it below; found by fuzz/cloudwatch_api.cc).
        static const ojson kNoMetric = ojson::object();
        auto metric_it = ms.find("Metric");
        const ojson& metric =
            metric_it != ms.end() && metric_it->is_object() ? *metric_it : kNoMetric;
        auto name = str(metric, "MetricName").value_or("");
        ojson r;
        r["Id"] = *id;
        r["Label"] = str(q, "Label").value_or(name);
        r["Timestamps"] = ojson::array();
        r["Values"] = ojson::array();
        r["StatusCode"] = "Complete";
        auto key = find_series(cw.history(), str(metric, "Namespace").value_or(""), name,
                               dims_of(metric.value("Dimensions", ojson::array())));
        if (key && stat) {
            auto b = buckets(cw.history(), *key, *from, *to, p);
            if (!ascending) std::reverse(b.begin(), b.end());
            for (const auto& [at, s] : b) {
                r["Timestamps"].push_back(timestamp_marker(at));
                r["Values"].push_back(s.get(*stat));
            }
        }
        out["MetricDataResults"].push_back(std::move(r));
    }
    return {out, std::nullopt};
}

ActionResult set_alarm_state(CloudWatch& cw, const Clock& clock, const ojson& in) {
    for (auto f : {"AlarmName", "StateValue", "StateReason"})
        if (!in.contains(f)) return {{}, missing(f)};
    auto name = str(in, "AlarmName").value_or("");
    auto state = str(in, "StateValue").value_or("");
    if (state != "OK" && state != "ALARM" && state != "INSUFFICIENT_DATA")
        return {{},
                ApiError{"ValidationError", 400,
                         "1 validation error detected: Value '" + state +
                             "' at 'stateValue' failed to satisfy constraint: Member must "
                             "satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]"}};
    auto data = str(in, "StateReasonData").value_or("");
    if (!data.empty() && ojson::parse(data, nullptr, false).is_discarded())
        return {{}, ApiError{"InvalidFormat", 400, "Invalid JSON in StateReasonData"}};
    if (!cw.alarms().set_state(name, state, str(in, "StateReason").value_or(""), data,
                               clock.now_ms()))
        return {{}, ApiError{"ResourceNotFound", 404, "Alarm " + name + " not found"}};
    return {ojson(), std::nullopt};
}

}  // namespace

ActionResult run_monitoring_action(CloudWatch& cw, const Clock& clock, const ApiOptions& options,
                                   std::string_view action, const ojson& input) {
    if (action == "DescribeAlarms") return describe_alarms(cw, options, options.started_ms, input);
    if (action == "DescribeAlarmHistory") return describe_alarm_history(cw, input);
    if (action == "ListMetrics") return list_metrics(cw, input);
    if (action == "GetMetricStatistics") return get_metric_statistics(cw, input);
    if (action == "GetMetricData") return get_metric_data(cw, input);
    if (action == "SetAlarmState") return set_alarm_state(cw, clock, input);
    // AWS's common-errors sentence for an action the service does not have.
    return {{},
            ApiError{"InvalidAction", 400,
                     "The action or operation requested is invalid. Verify that the action "
                     "is typed correctly."}};
}

}  // namespace kemu::cloudwatch::wire
