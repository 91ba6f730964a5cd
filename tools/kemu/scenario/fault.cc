#include "fault.h"

#include <algorithm>

namespace kemu::scenario {

using json = nlohmann::json;

std::string Faults::add(const json& j) {
    if (!j.is_object()) return "a fault is a JSON object";
    FaultSpec f;
    try {
        f.function = j.at("function").get<std::string>();
        f.kind = j.at("kind").get<std::string>();
        f.first = j.value("first", int64_t{0});
        f.nth = j.value("nth", int64_t{0});
        f.partition_key = j.value("partition_key", "");
        f.body_field = j.value("body_field", "");
        f.equals = j.value("equals", "");
        f.probability = j.value("probability", 1.0);
        f.seed = j.value("seed", uint64_t{0});
    } catch (const json::exception& e) {
        return std::string("bad fault: ") + e.what();
    }
    static const std::vector<std::string> kKinds = {"raises", "partial_batch_failure", "times_out",
                                                    "killed", "out_of_memory",         "recovers"};
    if (std::find(kKinds.begin(), kKinds.end(), f.kind) == kKinds.end())
        return "kind must be one of raises, partial_batch_failure, times_out, killed, "
               "out_of_memory, recovers";
    std::lock_guard lock(mu_);
    if (f.kind == "recovers") {
        // The function's faults end: its next invocations run the handler untouched.
        std::erase_if(active_, [&](const Active& a) { return a.spec.function == f.function; });
        return "";
    }
    active_.push_back({f, 0, std::mt19937_64(f.seed)});
    return "";
}

std::vector<std::string> Faults::aimed_records(const FaultSpec& f,
                                               const std::vector<InvokedRecord>& records) const {
    std::vector<std::string> out;
    for (const auto& r : records) {
        bool hit = false;
        if (!f.partition_key.empty()) hit = r.partition_key == f.partition_key;
        if (!f.body_field.empty()) {
            auto body = json::parse(r.data, nullptr, false);
            if (body.is_object() && body.contains(f.body_field)) {
                const auto& v = body[f.body_field];
                hit = (v.is_string() ? v.get<std::string>() : v.dump()) == f.equals;
            }
        }
        if (hit) out.push_back(r.sequence_number);
    }
    return out;
}

std::optional<Faults::Decision> Faults::decide(const std::string& function,
                                               const std::vector<InvokedRecord>& records) {
    std::lock_guard lock(mu_);
    for (auto& a : active_) {
        const auto& f = a.spec;
        if (f.function != function) continue;
        ++a.seen;
        Decision d{f.kind, {}};
        if (!f.partition_key.empty() || !f.body_field.empty()) {
            d.failed_sequences = aimed_records(f, records);
            if (d.failed_sequences.empty()) continue;
        } else {
            if (f.first > 0 && a.seen > f.first) continue;
            if (f.nth > 0 && a.seen != f.nth) continue;
            if (!records.empty()) d.failed_sequences.push_back(records.front().sequence_number);
        }
        // One draw per aimed invocation, in invocation order: the seed replays it.
        if (f.probability < 1 &&
            std::uniform_real_distribution<double>(0, 1)(a.draws) >= f.probability)
            continue;
        return d;
    }
    return std::nullopt;
}

}  // namespace kemu::scenario
