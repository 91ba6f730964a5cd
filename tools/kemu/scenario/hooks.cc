#include "hooks.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "flow_replay.h"

namespace kemu::scenario {

using json = nlohmann::json;

namespace {
using lambda_runner::InvokeResult;

class RecordingInvoker final : public lambda_runner::Invoker {
public:
    RecordingInvoker(Hooks& hooks, std::string function, lambda_runner::FunctionPool& inner)
        : hooks_(hooks), function_(std::move(function)), inner_(inner) {}

    InvokeResult invoke(const std::string& event) override {
        Hooks::Invocation inv;
        inv.function = function_;
        inv.records = records_of(event);
        inv.start_ms = hooks_.clock().now_ms();
        auto fault = hooks_.faults().decide(function_, inv.records);
        auto result = fault && fault->kind == "raises"
                          ? raised()
                          : inner_.invoke(event, disruption(fault ? fault->kind : ""));
        if (fault && fault->kind == "partial_batch_failure" &&
            result.status == InvokeResult::Status::kOk) {
            json items = json::array();
            for (const auto& seq : fault->failed_sequences)
                items.push_back({{"itemIdentifier", seq}});
            result.payload = json{{"batchItemFailures", items}}.dump();
        }
        inv.status = result.status == InvokeResult::Status::kOk              ? "ok"
                     : result.status == InvokeResult::Status::kFunctionError ? "error"
                                                                             : "throttled";
        inv.error_type = result.error_type;
        inv.end_ms = hooks_.clock().now_ms();
        auto answer = json::parse(result.payload, nullptr, false);
        if (answer.is_object() && answer.contains("batchItemFailures") &&
            answer["batchItemFailures"].is_array())
            inv.batch_item_failures = static_cast<int64_t>(answer["batchItemFailures"].size());
        hooks_.add(std::move(inv));
        return result;
    }

private:
    static std::vector<InvokedRecord> records_of(const std::string& event) {
        std::vector<InvokedRecord> out;
        auto doc = json::parse(event, nullptr, false);
        if (!doc.is_object() || !doc.contains("Records") || !doc["Records"].is_array()) return out;
        for (const auto& r : doc["Records"]) {
            const auto& k = r.value("kinesis", json::object());
            auto data = base64_decode(k.value("data", ""));
            out.push_back(
                {k.value("partitionKey", ""), k.value("sequenceNumber", ""), data.value_or("")});
        }
        return out;
    }

    // The failures the real environment suffers (function_pool.h): its own timeout, crash and
    // memory paths end the invocation.
    static lambda_runner::Disruption disruption(const std::string& kind) {
        using D = lambda_runner::Disruption;
        if (kind == "times_out") return D::kHang;
        if (kind == "killed") return D::kKill;
        if (kind == "out_of_memory") return D::kOutOfMemory;
        return D::kNone;
    }

    // What the runtime reports for an unhandled exception, raised by the fault instead of the
    // handler.
    static InvokeResult raised() {
        InvokeResult r;
        r.status = InvokeResult::Status::kFunctionError;
        r.error_type = "KemuFault";
        r.payload = R"({"errorMessage":"kemu fault: the handler raises","errorType":"KemuFault"})";
        r.request_id = uuid_v4();
        return r;
    }

    Hooks& hooks_;
    std::string function_;
    lambda_runner::FunctionPool& inner_;
};

HttpResponse answer(int status, const std::string& body) {
    return cli::json_answer(status, body);
}

// The `name` parameter (a whole number) of a query string, or nullopt.
std::optional<int64_t> query_int(std::string_view query, std::string_view name) {
    auto fields = parse_form(query);
    if (!fields) return std::nullopt;
    for (const auto& [k, v] : *fields) {
        if (k != name) continue;
        auto n = parse_int64(v);
        return n && *n >= 0 ? n : std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

lambda_runner::Invoker& Hooks::record(const std::string& function,
                                      lambda_runner::FunctionPool& inner) {
    recorders_.push_back(std::make_unique<RecordingInvoker>(*this, function, inner));
    return *recorders_.back();
}

Hooks::Hooks(std::string journal) : journal_(std::move(journal)) {
    if (journal_.empty()) return;
    std::ifstream in(journal_);
    for (std::string line; std::getline(in, line);) {
        auto j = json::parse(line, nullptr, false);
        if (!j.is_object()) continue;  // a line cut short by kill -9
        Invocation inv{j.value("function", ""),
                       j.value("status", ""),
                       j.value("error_type", ""),
                       {},
                       j.value("batch_item_failures", int64_t{0}),
                       j.value("start_ms", int64_t{0}),
                       j.value("end_ms", int64_t{0})};
        for (const auto& r : j.value("records", json::array()))
            inv.records.push_back(
                {r.value("partitionKey", ""), r.value("sequenceNumber", ""), r.value("data", "")});
        invocations_.push_back(std::move(inv));
    }
}

json Hooks::to_json(const Invocation& inv) {
    json records = json::array();
    for (const auto& r : inv.records) {
        records.push_back({{"partitionKey", r.partition_key},
                           {"sequenceNumber", r.sequence_number},
                           {"data", r.data}});
    }
    return {{"function", inv.function},     {"status", inv.status},
            {"error_type", inv.error_type}, {"batch_item_failures", inv.batch_item_failures},
            {"start_ms", inv.start_ms},     {"end_ms", inv.end_ms},
            {"records", std::move(records)}};
}

void Hooks::add(Invocation inv) {
    if (!keep_) return;
    std::lock_guard lock(mu_);
    if (!journal_.empty()) {
        // Written through to the kernel before the mapping checkpoints: kill -9 keeps it.
        std::ofstream out(journal_, std::ios::app);
        out << to_json(inv).dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    }
    invocations_.push_back(std::move(inv));
}

std::string Hooks::invocations_json(size_t from) {
    json list = json::array();
    std::lock_guard lock(mu_);
    for (size_t i = from; i < invocations_.size(); ++i)
        list.push_back(to_json(invocations_[i]));
    // Handlers may receive any bytes: replace what is not UTF-8 rather than fail.
    return json{{"invocations", std::move(list)}}.dump(-1, ' ', false,
                                                       json::error_handler_t::replace);
}

std::string Hooks::clock_json() const {
    return json{{"now_ms", clock_.now_ms()},
                {"offset_ms", clock_.offset()},
                {"ticks", ticks_.load(std::memory_order_relaxed)}}
        .dump();
}

HttpResponse Hooks::handle(const HttpRequest& req) {
    auto action = req.path().substr(kHooksPrefix.size());
    if (action == "invocations" && req.method == "GET") {
        auto from = query_int(req.query(), "from").value_or(0);
        return answer(200, invocations_json(static_cast<size_t>(from)));
    }
    if (action == "advance_time" && req.method == "POST") {
        auto ms = query_int(req.query(), "ms");
        if (!ms) return answer(400, R"({"message":"advance_time needs ?ms=N, N >= 0"})");
        clock_.advance_ms(*ms);
        return answer(200, clock_json());
    }
    if (action == "clock" && req.method == "GET") return answer(200, clock_json());
    if (action == "faults" && req.method == "POST") {
        auto spec = json::parse(req.body, nullptr, false);
        auto service =
            spec.is_object() ? service_faults_.find(spec.value("kind", "")) : service_faults_.end();
        if (service != service_faults_.end()) {
            auto why = service->second(spec);
            if (!why.empty()) return answer(400, json{{"message", why}}.dump());
            return answer(200, "{}");
        }
        auto why = faults_.add(spec);
        if (!why.empty()) return answer(400, json{{"message", why}}.dump());
        return answer(200, "{}");
    }
    return answer(404, R"({"message":"no such kemu endpoint"})");
}

}  // namespace kemu::scenario
