#include "lambda_api.h"

#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/log.h"
#include "lambda_runner/mapping_update.h"

namespace kemu::cli {

using ojson = nlohmann::ordered_json;

namespace {
using lambda_runner::MappingSettings;

constexpr std::string_view kFunctions = "/2015-03-31/functions";
constexpr std::string_view kMappings = "/2015-03-31/event-source-mappings";
// Invoke's synchronous payload limit (6 MB, MB = 1024 KB), as Lambda counts it.
constexpr size_t kMaxSyncPayload = 6 * 1024 * 1024;
constexpr size_t kTailBytes = 4096;  // LogType Tail: the last 4 KB of the log

struct Error {
    std::string type;
    int status = 400;
    std::string message;
    bool modeled = true;  // the model's shapes carry Type and Message; Coral's own, message
};

HttpResponse error_answer(const Error& e) {
    HttpResponse r;
    r.status = e.status;
    r.set_header("Content-Type", "application/json");
    r.set_header("x-amzn-ErrorType", e.type);
    r.set_header("x-amzn-RequestId", uuid_v4());
    ojson body =
        e.modeled ? ojson{{"Type", "User"}, {"Message", e.message}} : ojson{{"message", e.message}};
    r.body = body.dump();
    return r;
}

HttpResponse json_ok(int status, const ojson& body) {
    HttpResponse r;
    r.status = status;
    r.set_header("Content-Type", "application/json");
    r.set_header("x-amzn-RequestId", uuid_v4());
    r.body = body.dump();
    return r;
}

std::string url_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            auto hex = [](char c) {
                return c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0';
            };
            out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i] == '+' ? ' ' : s[i]);
        }
    }
    return out;
}

std::map<std::string, std::string> query_params(std::string_view q) {
    std::map<std::string, std::string> out;
    while (!q.empty()) {
        auto amp = q.find('&');
        auto part = q.substr(0, amp);
        auto eq = part.find('=');
        out[url_decode(part.substr(0, eq))] =
            eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        q = q.substr(amp + 1);
    }
    return out;
}

// "2026-12-06T17:40:01.123+0000", FunctionConfiguration's LastModified.
std::string lambda_time(int64_t ms) {
    std::time_t t = ms / 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[80];
    std::snprintf(out, sizeof out, "%.40s.%03d+0000", buf, static_cast<int>(ms % 1000));
    return out;
}

class LambdaApi final : public RequestHandler, public std::enable_shared_from_this<LambdaApi> {
public:
    LambdaApi(Processors& processors, const Clock& clock, LambdaApiOptions o)
        : processors_(processors), clock_(clock), o_(std::move(o)) {
        started_ms_ = clock_.now_ms();
        for (const auto& p : processors_.all()) {
            const auto& mc = p.mapping->config();
            MappingState st;
            st.proc = &p;
            st.uuid = lambda_runner::mapping_uuid(mc.function_arn, mc.stream_arn);
            st.last_modified_ms = started_ms_;
            mappings_.push_back(st);
        }
    }

    bool matches(const HttpRequest& req) const override { return is_lambda_request(req); }

    HttpResponse internal_error(const HttpRequest&) const override {
        return error_answer({"ServiceException", 500, "An internal error occurred.", true});
    }

    void handle(const HttpRequest& req, Respond respond) override {
        auto path = std::string(req.path());
        auto q = query_params(req.query());
        if (path.starts_with(kMappings)) {
            auto rest = path.substr(kMappings.size());
            if (rest.empty() || rest == "/") {
                if (req.method == "GET") return respond(list_mappings(q));
            } else if (rest[0] == '/') {
                auto uuid = url_decode(rest.substr(1));
                if (req.method == "GET") return respond(get_mapping(uuid));
                if (req.method == "PUT") return respond(update_mapping(uuid, req.body));
            }
            return respond(unknown_operation());
        }
        auto rest = path.substr(kFunctions.size());
        if (rest.empty() || rest == "/") {
            if (req.method == "GET") return respond(list_functions(q));
            return respond(unknown_operation());
        }
        rest = rest.substr(1);
        auto slash = rest.find('/');
        auto name = url_decode(rest.substr(0, slash));
        auto tail = slash == std::string::npos ? "" : rest.substr(slash);
        const Processor* p = nullptr;
        if (auto e = find_function(name, q.count("Qualifier") ? q["Qualifier"] : "", &p))
            return respond(error_answer(*e));
        if (req.method == "GET" && tail.empty()) return respond(json_ok(200, get_function(*p)));
        if (req.method == "GET" && tail == "/configuration")
            return respond(json_ok(200, configuration(*p)));
        if (req.method == "POST" && tail == "/invocations")
            return invoke(*p, req, std::move(respond));
        respond(unknown_operation());
    }

    // Returns once no Invoke is running (each ends within its function's timeout).
    void wait_for_invocations() {
        std::unique_lock lock(invoking_mu_);
        invoking_cv_.wait(lock, [&] { return invoking_ == 0; });
    }

private:
    void begin_invocation() {
        std::lock_guard lock(invoking_mu_);
        ++invoking_;
    }
    void end_invocation() {
        std::lock_guard lock(invoking_mu_);
        if (--invoking_ == 0) invoking_cv_.notify_all();
    }

    struct MappingState {
        const Processor* proc = nullptr;
        std::string uuid;
        int64_t last_modified_ms = 0;
        std::string transition;  // Updating, Enabling, Disabling; shown until transition_until
        int64_t transition_until_ms = 0;
    };

    static HttpResponse unknown_operation() {
        return error_answer({"UnknownOperationException", 404, "Unknown operation", false});
    }

    std::string arn_prefix() const {
        return "arn:aws:lambda:" + o_.region + ":" + o_.account + ":function:";
    }

    // FunctionName as Lambda takes it: a name, a partial ARN (123456789012:function:name) or
    // a full ARN, each optionally qualified; kemu has $LATEST only.
    std::optional<Error> find_function(const std::string& given, std::string qualifier,
                                       const Processor** out) const {
        std::string name = given;
        if (auto at = name.find("function:"); at != std::string::npos) name = name.substr(at + 9);
        if (auto colon = name.find(':'); colon != std::string::npos) {
            qualifier = name.substr(colon + 1);
            name = name.substr(0, colon);
        }
        for (const auto& p : processors_.all()) {
            if (p.pool->config().name != name) continue;
            if (qualifier.empty() || qualifier == "$LATEST") {
                *out = &p;
                return std::nullopt;
            }
        }
        auto arn = arn_prefix() + name + (qualifier.empty() ? "" : ":" + qualifier);
        return Error{"ResourceNotFoundException", 404, "Function not found: " + arn};
    }

    ojson configuration(const Processor& p) const {
        const auto& fc = p.pool->config();
        ojson env = ojson::object();
        for (const auto& [k, v] : fc.environment)
            env[k] = v;
        auto digest = md5(fc.name + fc.code_dir);
        std::string sha(digest.begin(), digest.end());
        return {{"FunctionName", fc.name},
                {"FunctionArn", fc.arn},
                {"Runtime", fc.runtime},
                {"Role", p.mapping->config().role_arn},
                {"Handler", fc.handler},
                {"CodeSize", 0},
                {"Description", ""},
                {"Timeout", fc.timeout_s},
                {"MemorySize", fc.memory_mb},
                {"LastModified", lambda_time(started_ms_)},
                {"CodeSha256", base64_encode(sha)},
                {"Version", "$LATEST"},
                {"Environment", {{"Variables", env}}},
                {"TracingConfig", {{"Mode", "PassThrough"}}},
                {"RevisionId", uuid_of(fc.arn + "/revision")},
                {"State", "Active"},
                {"LastUpdateStatus", "Successful"},
                {"PackageType", "Zip"},
                {"Architectures", {"x86_64"}},
                {"EphemeralStorage", {{"Size", 512}}},
                {"SnapStart", {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}}},
                {"LoggingConfig", {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + fc.name}}}};
    }

    static std::string uuid_of(const std::string& s) { return lambda_runner::mapping_uuid(s, ""); }

    ojson get_function(const Processor& p) const {
        return {{"Configuration", configuration(p)},
                {"Code",
                 {{"RepositoryType", "S3"}, {"Location", "file://" + p.pool->config().code_dir}}}};
    }

    // Marker is the index of the next item; MaxItems 1..10000.
    template <class Item>
    std::optional<Error> page(const std::map<std::string, std::string>& q, size_t total,
                              int default_max, size_t* from, size_t* to) const {
        *from = 0;
        int max = default_max;
        if (auto m = q.find("Marker"); m != q.end()) {
            char* end = nullptr;
            auto v = std::strtoull(m->second.c_str(), &end, 10);
            if (m->second.empty() || *end || v > total)
                return Error{"InvalidParameterValueException", 400, "Invalid marker: " + m->second};
            *from = v;
        }
        if (auto m = q.find("MaxItems"); m != q.end()) {
            max = std::atoi(m->second.c_str());
            if (max < 1 || max > 10000)
                return Error{
                    "ValidationException", 400,
                    "1 validation error detected: Value '" + m->second +
                        "' at 'maxItems' failed to satisfy constraint: Member must "
                        "have value " +
                        (max < 1 ? "greater than or equal to 1" : "less than or equal to 10000"),
                    false};
        }
        *to = std::min(total, *from + static_cast<size_t>(max));
        return std::nullopt;
    }

    HttpResponse list_functions(const std::map<std::string, std::string>& q) const {
        const auto& all = processors_.all();
        size_t from = 0, to = 0;
        if (auto e = page<Processor>(q, all.size(), 50, &from, &to)) return error_answer(*e);
        ojson fns = ojson::array();
        for (size_t i = from; i < to; ++i)
            fns.push_back(configuration(all[i]));
        ojson out{{"Functions", fns}};
        if (to < all.size()) out["NextMarker"] = std::to_string(to);
        return json_ok(200, out);
    }

    // Runs the invocation on a thread of its own: it may take up to the function's timeout.
    void invoke(const Processor& p, const HttpRequest& req, Respond respond) {
        std::string type(req.header("X-Amz-Invocation-Type"));
        if (type.empty()) type = "RequestResponse";
        if (type != "RequestResponse" && type != "Event" && type != "DryRun")
            return respond(error_answer(
                {"ValidationException", 400,
                 "1 validation error detected: Value '" + type +
                     "' at 'invocationType' failed to satisfy constraint: Member must satisfy "
                     "enum value set: [Event, RequestResponse, DryRun]",
                 false}));
        if (req.body.size() > kMaxSyncPayload)
            return respond(error_answer({"RequestTooLargeException", 413,
                                         "Request must be smaller than 6291456 bytes for the "
                                         "InvokeFunction operation"}));
        std::string event = req.body.empty() ? "{}" : req.body;
        if (nlohmann::json::parse(event, nullptr, false).is_discarded())
            return respond(error_answer({"InvalidRequestContentException", 400,
                                         "Could not parse request body into json: Could not "
                                         "parse payload into json: Unexpected character"}));
        HttpResponse r;
        r.set_header("x-amzn-RequestId", uuid_v4());
        if (type == "DryRun") {
            r.status = 204;
            return respond(std::move(r));
        }
        bool tail = req.header("X-Amz-Log-Type") == "Tail";
        auto* pool = p.pool.get();
        if (type == "Event") {
            begin_invocation();
            std::thread([self = shared_from_this(), pool, event] {
                pool->invoke(event);
                self->end_invocation();
            }).detach();
            r.status = 202;
            return respond(std::move(r));
        }
        begin_invocation();
        std::thread([self = shared_from_this(), pool, tap = p.tap, event, tail,
                     respond = std::move(respond)] {
            auto id = tap->begin();
            auto res = pool->invoke(event);
            auto lines = tap->end(id);
            respond(invoke_answer(res, lines, tail));
            self->end_invocation();
        }).detach();
    }

    static HttpResponse invoke_answer(const lambda_runner::InvokeResult& res,
                                      const std::vector<std::string>& lines, bool tail) {
        using Status = lambda_runner::InvokeResult::Status;
        if (res.status == Status::kThrottled) {
            auto r = error_answer({"TooManyRequestsException", 429, "Rate Exceeded."});
            return r;
        }
        HttpResponse r;
        r.status = 200;
        r.set_header("Content-Type", "application/json");
        r.set_header("x-amzn-RequestId", res.request_id);
        r.set_header("X-Amz-Executed-Version", "$LATEST");
        if (res.status == Status::kFunctionError) r.set_header("X-Amz-Function-Error", "Unhandled");
        if (tail) {
            // This invocation's lines: from its START to its REPORT (other environments of the
            // function may have written in between; Lambda's tail is per environment).
            std::string log;
            bool in = false;
            for (const auto& l : lines) {
                if (l.find("START RequestId: " + res.request_id) != std::string::npos) in = true;
                if (!in) continue;
                log += l;
                if (log.empty() || log.back() != '\n') log += '\n';
                if (l.find("REPORT RequestId: " + res.request_id) != std::string::npos) break;
            }
            if (log.size() > kTailBytes) log = log.substr(log.size() - kTailBytes);
            r.set_header("X-Amz-Log-Result", base64_encode(log));
        }
        r.body = res.payload;
        return r;
    }

    MappingState* find_mapping(const std::string& uuid) {
        for (auto& m : mappings_) {
            if (m.uuid == uuid) return &m;
        }
        return nullptr;
    }

    static Error mapping_not_found() {
        return {"ResourceNotFoundException", 404, "The resource you requested does not exist."};
    }

    // REQUIRES: mu_ held.
    ojson mapping_json(const MappingState& m) const {
        const auto& mc = m.proc->mapping->config();
        auto s = m.proc->mapping->settings();
        std::string state = s.enabled ? "Enabled" : "Disabled";
        if (!m.transition.empty() && clock_.now_ms() < m.transition_until_ms) state = m.transition;
        ojson j{{"UUID", m.uuid}};
        switch (mc.starting_position) {
            case kinesis::IteratorType::kTrimHorizon:
                j["StartingPosition"] = "TRIM_HORIZON";
                break;
            case kinesis::IteratorType::kAtTimestamp:
                j["StartingPosition"] = "AT_TIMESTAMP";
                j["StartingPositionTimestamp"] =
                    static_cast<double>(mc.starting_timestamp_ms.value_or(0)) / 1000.0;
                break;
            default:
                j["StartingPosition"] = "LATEST";
        }
        j["BatchSize"] = s.batch_size;
        j["MaximumBatchingWindowInSeconds"] = s.batch_window_seconds;
        j["ParallelizationFactor"] = s.parallelization_factor;
        j["EventSourceArn"] = mc.stream_arn;
        if (!mc.filter_patterns.empty()) {
            ojson filters = ojson::array();
            for (const auto& f : mc.filter_patterns)
                filters.push_back({{"Pattern", f}});
            j["FilterCriteria"] = {{"Filters", filters}};
        }
        j["FunctionArn"] = mc.function_arn;
        j["LastModified"] = static_cast<double>(m.last_modified_ms) / 1000.0;
        j["LastProcessingResult"] =
            m.proc->metrics->invocations.load() > 0 ? "OK" : "No records processed";
        j["State"] = state;
        j["StateTransitionReason"] = "User action";
        ojson dest = ojson::object();
        if (!mc.on_failure_queue.empty())
            dest["Destination"] =
                "arn:aws:sqs:" + o_.region + ":" + o_.account + ":" + mc.on_failure_queue;
        j["DestinationConfig"] = {{"OnFailure", dest}};
        j["MaximumRecordAgeInSeconds"] = s.max_record_age_seconds;
        j["BisectBatchOnFunctionError"] = s.bisect_on_error;
        j["MaximumRetryAttempts"] = s.max_retry_attempts;
        j["TumblingWindowInSeconds"] = mc.tumbling_window_seconds;
        j["FunctionResponseTypes"] = mc.report_batch_item_failures
                                         ? ojson::array({"ReportBatchItemFailures"})
                                         : ojson::array();
        j["EventSourceMappingArn"] =
            "arn:aws:lambda:" + o_.region + ":" + o_.account + ":event-source-mapping:" + m.uuid;
        return j;
    }

    HttpResponse list_mappings(const std::map<std::string, std::string>& q) {
        std::lock_guard lock(mu_);
        std::vector<const MappingState*> picked;
        std::string fn;
        if (auto f = q.find("FunctionName"); f != q.end()) {
            const Processor* p = nullptr;
            if (auto e = find_function(f->second, "", &p)) return error_answer(*e);
            fn = p->pool->config().arn;
        }
        for (const auto& m : mappings_) {
            const auto& mc = m.proc->mapping->config();
            if (!fn.empty() && mc.function_arn != fn) continue;
            if (auto a = q.find("EventSourceArn"); a != q.end() && a->second != mc.stream_arn)
                continue;
            picked.push_back(&m);
        }
        size_t from = 0, to = 0;
        if (auto e = page<MappingState>(q, picked.size(), 100, &from, &to)) return error_answer(*e);
        ojson items = ojson::array();
        for (size_t i = from; i < to; ++i)
            items.push_back(mapping_json(*picked[i]));
        ojson out{{"EventSourceMappings", items}};
        if (to < picked.size()) out["NextMarker"] = std::to_string(to);
        return json_ok(200, out);
    }

    HttpResponse get_mapping(const std::string& uuid) {
        std::lock_guard lock(mu_);
        auto* m = find_mapping(uuid);
        if (!m) return error_answer(mapping_not_found());
        return json_ok(200, mapping_json(*m));
    }

    HttpResponse update_mapping(const std::string& uuid, const std::string& body) {
        std::lock_guard lock(mu_);
        MappingSettings next;
        lambda_runner::MappingUpdateError err;
        auto refused = [&] {
            return error_answer(
                {err.type, err.status, err.message,
                 err.type != "ValidationException" && err.type != "SerializationException"});
        };
        // The request's shape and ranges are checked before the mapping is looked up (Lambda's
        // front end validates first).
        if (!lambda_runner::parse_mapping_update(body, {}, &next, &err) &&
            err.type != "InvalidParameterValueException")
            return refused();
        auto* m = find_mapping(uuid);
        if (!m) return error_answer(mapping_not_found());
        auto before = m->proc->mapping->settings();
        if (!lambda_runner::parse_mapping_update(body, before, &next, &err)) return refused();
        // FunctionName may name the mapping's own function only (kemu has one per flow).
        auto j = nlohmann::json::parse(body.empty() ? "{}" : body, nullptr, false);
        if (j.contains("FunctionName") && j["FunctionName"].is_string()) {
            const Processor* p = nullptr;
            if (auto e = find_function(j["FunctionName"].get<std::string>(), "", &p))
                return error_answer(*e);
            if (p != m->proc)
                return error_answer({"InvalidParameterValueException", 400,
                                     "kemu does not move a mapping to another function."});
        }
        m->proc->mapping->update(next);
        m->last_modified_ms = clock_.now_ms();
        // AWS answers with the transition under way: Disabling, Enabling or Updating; the
        // mapping settles in Disabled or Enabled.
        m->transition = before.enabled && !next.enabled   ? "Disabling"
                        : !before.enabled && next.enabled ? "Enabling"
                                                          : "Updating";
        m->transition_until_ms = m->last_modified_ms + o_.transition_ms;
        auto out = mapping_json(*m);
        out["State"] = m->transition;
        log_info("lambda", m->proc->pool->config().name + ": event source mapping " + uuid +
                               " updated through the Lambda API (until kemu restarts)");
        return json_ok(202, out);
    }

    Processors& processors_;
    const Clock& clock_;
    LambdaApiOptions o_;
    int64_t started_ms_ = 0;
    std::mutex mu_;
    std::vector<MappingState> mappings_;  // guarded by mu_
    std::mutex invoking_mu_;
    std::condition_variable invoking_cv_;
    int invoking_ = 0;  // Invoke calls running; guarded by invoking_mu_
};

}  // namespace

bool is_lambda_request(const HttpRequest& req) {
    auto path = req.path();
    auto under = [&](std::string_view prefix) {
        return path.starts_with(prefix) &&
               (path.size() == prefix.size() || path[prefix.size()] == '/');
    };
    return under(kFunctions) || under(kMappings);
}

void wait_for_invocations(RequestHandler& lambda_api) {
    if (auto* api = dynamic_cast<LambdaApi*>(&lambda_api)) api->wait_for_invocations();
}

std::shared_ptr<RequestHandler> make_lambda_api(Processors& processors, const Clock& clock,
                                                LambdaApiOptions options) {
    return std::make_shared<LambdaApi>(processors, clock, std::move(options));
}

}  // namespace kemu::cli
