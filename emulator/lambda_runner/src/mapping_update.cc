#include "lambda_runner/mapping_update.h"

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace kemu::lambda_runner {
namespace {

using json = nlohmann::json;

// The Coral validation sentence Lambda answers for a value outside the model's range.
std::string range_message(int64_t value, const std::string& field, int64_t min, int64_t max) {
    return "1 validation error detected: Value '" + std::to_string(value) + "' at '" + field +
           "' failed to satisfy constraint: Member must have value " +
           (value < min ? "greater than or equal to " + std::to_string(min)
                        : "less than or equal to " + std::to_string(max));
}

struct IntField {
    const char* name;   // the JSON member
    const char* field;  // as Lambda's validation names it
    int64_t min, max;
    int MappingSettings::*target;
};

}  // namespace

bool parse_mapping_update(const std::string& body, const MappingSettings& current,
                          MappingSettings* out, MappingUpdateError* error) {
    json j = json::parse(body.empty() ? std::string("{}") : body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        *error = {"SerializationException", 400, "Could not parse the request body."};
        return false;
    }
    MappingSettings s = current;
    static const IntField kInts[] = {
        {"BatchSize", "batchSize", 1, 10000, &MappingSettings::batch_size},
        {"MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0, 300,
         &MappingSettings::batch_window_seconds},
        {"MaximumRetryAttempts", "maximumRetryAttempts", -1, 10000,
         &MappingSettings::max_retry_attempts},
        {"MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", -1, 604800,
         &MappingSettings::max_record_age_seconds},
        {"ParallelizationFactor", "parallelizationFactor", 1, 10,
         &MappingSettings::parallelization_factor},
    };
    for (const auto& f : kInts) {
        auto it = j.find(f.name);
        if (it == j.end() || it->is_null()) continue;
        if (!it->is_number_integer()) {
            *error = {"SerializationException", 400,
                      std::string("Could not parse the value of ") + f.name + "."};
            return false;
        }
        auto v = it->get<int64_t>();
        if (v < f.min || v > f.max) {
            *error = {"ValidationException", 400, range_message(v, f.field, f.min, f.max)};
            return false;
        }
        s.*f.target = static_cast<int>(v);
    }
    for (auto [name, target] :
         {std::pair{"Enabled", &MappingSettings::enabled},
          std::pair{"BisectBatchOnFunctionError", &MappingSettings::bisect_on_error}}) {
        auto it = j.find(name);
        if (it == j.end() || it->is_null()) continue;
        if (!it->is_boolean()) {
            *error = {"SerializationException", 400,
                      std::string("Could not parse the value of ") + name + "."};
            return false;
        }
        s.*target = it->get<bool>();
    }
    // Lambda: a record age limit, when set, is at least 60 s (-1 is "no limit").
    if (s.max_record_age_seconds >= 0 && s.max_record_age_seconds < 60) {
        *error = {"InvalidParameterValueException", 400,
                  "MaximumRecordAgeInSeconds must be -1 or between 60 and 604800."};
        return false;
    }
    for (const auto& [key, value] : j.items()) {
        if (value.is_null() || key == "FunctionName") continue;
        bool known = key == "Enabled" || key == "BisectBatchOnFunctionError";
        for (const auto& f : kInts)
            known = known || key == f.name;
        if (!known) {
            *error = {"InvalidParameterValueException", 400,
                      "kemu does not change " + key +
                          " on a running mapping; edit kemu.yaml and restart kemu."};
            return false;
        }
    }
    *out = s;
    return true;
}

std::string mapping_uuid(const std::string& function_arn, const std::string& stream_arn) {
    auto h = md5_hex("kemu-event-source-mapping\n" + function_arn + "\n" + stream_arn);
    // Shaped as a version-4 UUID, as AWS's are.
    h[12] = '4';
    h[16] = "89ab"[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3];
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20, 12);
}

}  // namespace kemu::lambda_runner
