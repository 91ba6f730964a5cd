// CloudWatch Logs actions. Shapes: the Logs API reference (DescribeLogGroups, DescribeLogStreams,
// GetLogEvents, FilterLogEvents). A log group exists once something logged to it (Lambda creates
// /aws/lambda/{function} on a function's first log line); streams are the streams of its events.

#include "logs.h"

#include <algorithm>
#include <map>

#include "core/encoding.h"
#include "filter_pattern.h"

namespace kemu::cloudwatch::wire {
namespace {

using Answer = std::pair<ojson, std::optional<ApiError>>;

ApiError invalid(std::string message) {
    return {"InvalidParameterException", 400, std::move(message)};
}
ApiError group_not_found() {
    return {"ResourceNotFoundException", 400, "The specified log group does not exist."};
}
ApiError stream_not_found() {
    return {"ResourceNotFoundException", 400, "The specified log stream does not exist."};
}

struct Input {
    const ojson& j;
    std::optional<std::string> str(const char* k) const {
        auto it = j.find(k);
        if (it == j.end() || it->is_null()) return std::nullopt;
        if (!it->is_string()) return std::nullopt;
        return it->get<std::string>();
    }
    std::optional<int64_t> num(const char* k) const {
        auto it = j.find(k);
        if (it == j.end() || !it->is_number()) return std::nullopt;
        if (it->is_number_float()) return whole_int64(it->get<double>());
        return it->get<int64_t>();
    }
    bool flag(const char* k, bool def) const {
        auto it = j.find(k);
        return it != j.end() && it->is_boolean() ? it->get<bool>() : def;
    }
};

// `limit` within [1, max], or AWS's validation error.
std::optional<ApiError> check_limit(const Input& in, int64_t max, int64_t* out) {
    auto v = in.num("limit");
    if (!v) return std::nullopt;
    if (*v < 1)
        return invalid(constraint_message(std::to_string(*v), "limit",
                                          "Member must have value greater than or equal to 1"));
    if (*v > max)
        return invalid(constraint_message(
            std::to_string(*v), "limit",
            "Member must have value less than or equal to " + std::to_string(max)));
    *out = *v;
    return std::nullopt;
}

// logGroupName, or logGroupIdentifier (a name or an ARN).
std::optional<std::string> group_name(const Input& in) {
    if (auto n = in.str("logGroupName")) return n;
    auto id = in.str("logGroupIdentifier");
    if (!id) return std::nullopt;
    if (id->starts_with("arn:")) {
        auto at = id->find(":log-group:");
        if (at == std::string::npos) return id;
        auto name = id->substr(at + 11);
        if (name.ends_with(":*")) name.resize(name.size() - 2);
        return name;
    }
    return id;
}

bool group_exists(const LogStore& logs, const std::string& name) {
    auto all = logs.groups();
    return std::find(all.begin(), all.end(), name) != all.end();
}

std::string group_arn(const ApiOptions& o, const std::string& name) {
    return "arn:aws:logs:" + o.region + ":" + o.account + ":log-group:" + name;
}

std::vector<LogEvent> all_events(const LogStore& logs, const std::string& group,
                                 const std::string& stream = {}) {
    LogQuery q;
    q.group = group;
    q.stream = stream;
    q.limit = std::numeric_limits<size_t>::max();
    return logs.query(q);
}

std::optional<uint64_t> token_number(const std::string& token, std::string_view prefix) {
    if (!token.starts_with(prefix)) return std::nullopt;
    auto n = parse_int64(std::string_view(token).substr(prefix.size()));
    if (!n || *n < 0) return std::nullopt;
    return static_cast<uint64_t>(*n);
}

Answer describe_log_groups(const LogStore& logs, const ApiOptions& o, const Input& in) {
    int64_t limit = 50;
    if (auto e = check_limit(in, 50, &limit)) return {{}, e};
    auto prefix = in.str("logGroupNamePrefix").value_or("");
    auto pattern = in.str("logGroupNamePattern").value_or("");
    if (!prefix.empty() && !pattern.empty())
        return {{},
                invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive "
                        "parameters.")};
    uint64_t skip = 0;
    if (auto t = in.str("nextToken")) {
        auto n = token_number(*t, "g/");
        if (!n) return {{}, invalid("The specified nextToken is invalid.")};
        skip = *n;
    }
    std::vector<std::string> names;
    for (auto& g : logs.groups())
        if (g.starts_with(prefix) && g.find(pattern) != std::string::npos) names.push_back(g);
    ojson out;
    out["logGroups"] = ojson::array();
    size_t end = std::min<size_t>(names.size(), skip + static_cast<size_t>(limit));
    for (size_t i = skip; i < end; ++i) {
        const auto& name = names[i];
        auto events = all_events(logs, name);
        int64_t created = events.empty() ? 0 : events.front().ingestion_time_ms;
        ojson g;
        g["logGroupName"] = name;
        g["creationTime"] = created;
        g["metricFilterCount"] = 0;
        g["arn"] = group_arn(o, name) + ":*";
        g["storedBytes"] = logs.bytes(name);
        g["logGroupClass"] = "STANDARD";
        g["logGroupArn"] = group_arn(o, name);
        out["logGroups"].push_back(std::move(g));
    }
    // The last page has no nextToken: the CLI's paginator stops on its absence.
    if (end < names.size()) out["nextToken"] = "g/" + std::to_string(end);
    return {out, std::nullopt};
}

struct StreamInfo {
    std::string name;
    int64_t created = 0, first = 0, last = 0, last_ingestion = 0;
    size_t bytes = 0;
};

std::vector<StreamInfo> streams_of(const std::vector<LogEvent>& events) {
    std::map<std::string, StreamInfo> by;
    for (const auto& e : events) {
        auto [it, fresh] = by.try_emplace(e.stream);
        auto& s = it->second;
        if (fresh) {
            s.name = e.stream;
            s.created = e.ingestion_time_ms;
            s.first = e.timestamp_ms;
        }
        s.first = std::min(s.first, e.timestamp_ms);
        s.last = std::max(s.last, e.timestamp_ms);
        s.last_ingestion = std::max(s.last_ingestion, e.ingestion_time_ms);
        s.bytes += e.message.size();
    }
    std::vector<StreamInfo> out;
    for (auto& [_, s] : by)
        out.push_back(std::move(s));
    return out;
}

Answer describe_log_streams(const LogStore& logs, const ApiOptions& o, const Input& in) {
    int64_t limit = 50;
    if (auto e = check_limit(in, 50, &limit)) return {{}, e};
    auto group = group_name(in);
    if (!group)
        return {{}, invalid("Either logGroupName or logGroupIdentifier must be specified.")};
    auto order = in.str("orderBy").value_or("LogStreamName");
    if (order != "LogStreamName" && order != "LastEventTime")
        return {{},
                invalid(constraint_message(order, "orderBy",
                                           "Member must satisfy enum value set: "
                                           "[LogStreamName, LastEventTime]"))};
    auto prefix = in.str("logStreamNamePrefix").value_or("");
    if (order == "LastEventTime" && !prefix.empty())
        return {{}, invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")};
    if (!group_exists(logs, *group)) return {{}, group_not_found()};
    uint64_t skip = 0;
    if (auto t = in.str("nextToken")) {
        auto n = token_number(*t, "s/");
        if (!n) return {{}, invalid("The specified nextToken is invalid.")};
        skip = *n;
    }
    auto streams = streams_of(all_events(logs, *group));
    std::erase_if(streams, [&](const StreamInfo& s) { return !s.name.starts_with(prefix); });
    if (order == "LastEventTime")
        std::stable_sort(streams.begin(), streams.end(),
                         [](const auto& a, const auto& b) { return a.last < b.last; });
    if (in.flag("descending", false)) std::reverse(streams.begin(), streams.end());
    ojson out;
    out["logStreams"] = ojson::array();
    size_t end = std::min<size_t>(streams.size(), skip + static_cast<size_t>(limit));
    for (size_t i = skip; i < end; ++i) {
        const auto& s = streams[i];
        out["logStreams"].push_back({{"logStreamName", s.name},
                                     {"creationTime", s.created},
                                     {"firstEventTimestamp", s.first},
                                     {"lastEventTimestamp", s.last},
                                     {"lastIngestionTime", s.last_ingestion},
                                     {"uploadSequenceToken", "1"},
                                     {"arn", group_arn(o, *group) + ":log-stream:" + s.name},
                                     {"storedBytes", 0}});
    }
    if (end < streams.size()) out["nextToken"] = "s/" + std::to_string(end);
    return {out, std::nullopt};
}

// Events in [startTime, endTime), as the two event actions read them.
void time_window(const Input& in, std::vector<LogEvent>& events) {
    auto start = in.num("startTime");
    auto end = in.num("endTime");
    std::erase_if(events, [&](const LogEvent& e) {
        return (start && e.timestamp_ms < *start) || (end && e.timestamp_ms >= *end);
    });
}

Answer get_log_events(const LogStore& logs, const Input& in) {
    int64_t limit = 10'000;
    if (auto e = check_limit(in, 10'000, &limit)) return {{}, e};
    auto group = group_name(in);
    if (!group)
        return {{}, invalid("Either logGroupName or logGroupIdentifier must be specified.")};
    auto stream = in.str("logStreamName");
    if (!stream)
        return {{},
                invalid(constraint_message("null", "logStreamName", "Member must not be null"))};
    if (!group_exists(logs, *group)) return {{}, group_not_found()};
    auto events = all_events(logs, *group, *stream);
    if (events.empty()) return {{}, stream_not_found()};
    time_window(in, events);
    // Without a token: the oldest `limit` (startFromHead) or the newest `limit` events. A
    // forward token reads on after its cursor; a backward token reads back before it.
    size_t from = 0, to = events.size();
    auto token = in.str("nextToken");
    auto pos_after = [&](uint64_t c) {
        return static_cast<size_t>(
            std::find_if(events.begin(), events.end(),
                         [c](const LogEvent& e) { return e.ingestion > c; }) -
            events.begin());
    };
    bool forward = in.flag("startFromHead", false);
    if (token) {
        if (auto f = token_number(*token, "f/")) {
            from = pos_after(*f);
            forward = true;
        } else if (auto b = token_number(*token, "b/")) {
            to = pos_after(*b - 1);
            forward = false;
        } else {
            return {{}, invalid("The specified nextToken is invalid.")};
        }
    }
    auto n = static_cast<size_t>(limit);
    if (forward)
        to = std::min(to, from + n);
    else if (to - from > n)
        from = to - n;
    ojson out;
    out["events"] = ojson::array();
    for (size_t i = from; i < to; ++i)
        out["events"].push_back({{"timestamp", events[i].timestamp_ms},
                                 {"message", events[i].message},
                                 {"ingestionTime", events[i].ingestion_time_ms}});
    // With nothing more forward, the forward token stays where the reader is (AWS returns the
    // token it was given), which is how a reader knows it reached the end.
    uint64_t fwd = to > 0 ? events[to - 1].ingestion : 0;
    if (to == from && token && token->starts_with("f/")) fwd = *token_number(*token, "f/");
    uint64_t back = from < events.size() ? events[from].ingestion : fwd + 1;
    out["nextForwardToken"] = "f/" + std::to_string(fwd);
    out["nextBackwardToken"] = "b/" + std::to_string(back);
    return {out, std::nullopt};
}

Answer filter_log_events(const LogStore& logs, const Input& in) {
    int64_t limit = 10'000;
    if (auto e = check_limit(in, 10'000, &limit)) return {{}, e};
    auto group = group_name(in);
    if (!group)
        return {{}, invalid("Either logGroupName or logGroupIdentifier must be specified.")};
    auto names = in.j.find("logStreamNames");
    auto prefix = in.str("logStreamNamePrefix");
    if (names != in.j.end() && names->is_array() && prefix)
        return {{}, invalid("Cannot specify both logStreamNames and logStreamNamePrefix.")};
    auto pattern = FilterPattern::parse(in.str("filterPattern").value_or(""));
    if (!pattern) return {{}, invalid("Invalid filter pattern")};
    if (!group_exists(logs, *group)) return {{}, group_not_found()};
    uint64_t after = 0;
    if (auto t = in.str("nextToken")) {
        auto n = token_number(*t, "e/");
        if (!n) return {{}, invalid("The specified nextToken is invalid.")};
        after = *n;
    }
    auto events = all_events(logs, *group);
    time_window(in, events);
    std::erase_if(events, [&](const LogEvent& e) {
        if (e.ingestion <= after) return true;
        if (prefix && !e.stream.starts_with(*prefix)) return true;
        if (names != in.j.end() && names->is_array() &&
            std::find(names->begin(), names->end(), e.stream) == names->end())
            return true;
        return !pattern->matches(e.message);
    });
    // Interleaved across streams, oldest first (the store's order of arrival is the order the
    // handlers printed in).
    ojson out;
    out["events"] = ojson::array();
    size_t n = std::min(events.size(), static_cast<size_t>(limit));
    for (size_t i = 0; i < n; ++i) {
        const auto& e = events[i];
        out["events"].push_back({{"logStreamName", e.stream},
                                 {"timestamp", e.timestamp_ms},
                                 {"message", e.message},
                                 {"ingestionTime", e.ingestion_time_ms},
                                 {"eventId", std::to_string(e.ingestion)}});
    }
    out["searchedLogStreams"] = ojson::array();
    if (n < events.size()) out["nextToken"] = "e/" + std::to_string(events[n - 1].ingestion);
    return {out, std::nullopt};
}

HttpResponse json_answer(int status, const ojson& body) {
    HttpResponse r;
    r.status = status;
    r.set_header("Content-Type", "application/x-amz-json-1.1");
    r.set_header("x-amzn-RequestId", uuid_v4());
    r.body = body.dump();
    return r;
}

}  // namespace

HttpResponse handle_logs(const LogStore& logs, const ApiOptions& options, std::string_view action,
                         std::string_view body) {
    auto fail = [](const ApiError& e) {
        return json_answer(e.status, {{"__type", e.code}, {"message", e.message}});
    };
    ojson input = ojson::parse(body.empty() ? std::string_view("{}") : body, nullptr, false);
    if (input.is_discarded() || !input.is_object())
        return fail({"SerializationException", 400,
                     "Start of structure or map found where not "
                     "expected."});
    Input in{input};
    Answer a;
    if (action == "DescribeLogGroups") {
        a = describe_log_groups(logs, options, in);
    } else if (action == "DescribeLogStreams") {
        a = describe_log_streams(logs, options, in);
    } else if (action == "GetLogEvents") {
        a = get_log_events(logs, in);
    } else if (action == "FilterLogEvents") {
        a = filter_log_events(logs, in);
    } else {
        return fail({"UnknownOperationException", 400, ""});
    }
    if (a.second) return fail(*a.second);
    return json_answer(200, a.first);
}

std::string constraint_message(std::string_view value, std::string_view field,
                               std::string_view constraint) {
    return "1 validation error detected: Value '" + std::string(value) + "' at '" +
           std::string(field) + "' failed to satisfy constraint: " + std::string(constraint);
}

}  // namespace kemu::cloudwatch::wire
