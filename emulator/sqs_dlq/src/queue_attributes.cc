#include "queue_attributes.h"

#include <algorithm>
#include <iterator>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "errors.h"

namespace kemu::sqs_dlq {
namespace {

using json = nlohmann::json;

constexpr IntAttribute kIntAttributes[] = {
    {"VisibilityTimeout", 0, kMaxVisibility, 30},
    {"MaximumMessageSize", 1024, 1'048'576, 1'048'576},
    {"MessageRetentionPeriod", 60, 1'209'600, 345'600},
    {"DelaySeconds", 0, 900, 0},
    {"ReceiveMessageWaitTimeSeconds", 0, 20, 0},
    {"KmsDataKeyReusePeriodSeconds", 60, 86'400, 300},
};
constexpr std::string_view kStringAttributes[] = {"RedrivePolicy", "RedriveAllowPolicy", "Policy",
                                                  "KmsMasterKeyId", "SqsManagedSseEnabled"};
constexpr std::string_view kReadOnlyAttributes[] = {"QueueArn",
                                                    "ApproximateNumberOfMessages",
                                                    "ApproximateNumberOfMessagesNotVisible",
                                                    "ApproximateNumberOfMessagesDelayed",
                                                    "CreatedTimestamp",
                                                    "LastModifiedTimestamp"};
constexpr std::string_view kFifoAttributes[] = {"FifoQueue", "ContentBasedDeduplication",
                                                "DeduplicationScope", "FifoThroughputLimit"};

template <size_t N>
bool one_of(const std::string_view (&names)[N], std::string_view name) {
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

}  // namespace

const IntAttribute* int_attribute(std::string_view name) {
    for (const auto& a : kIntAttributes) {
        if (a.name == name) return &a;
    }
    return nullptr;
}

bool is_settable(std::string_view name) {
    return int_attribute(name) || one_of(kStringAttributes, name);
}

bool is_known(std::string_view name) {
    return is_settable(name) || one_of(kReadOnlyAttributes, name);
}

bool is_fifo_attribute(std::string_view name) {
    return one_of(kFifoAttributes, name);
}

std::string name_from_arn(std::string_view arn) {
    // arn:aws:sqs:{region}:{account}:{name}
    if (!arn.starts_with("arn:")) return {};
    auto pos = arn.rfind(':');
    return std::string(arn.substr(pos + 1));
}

Result<Redrive> parse_redrive(const std::string& value) {
    json j = json::parse(value, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return errors::redrive_not_a_map(value);
    Redrive r;
    auto t = j.find("deadLetterTargetArn");
    if (t == j.end() || !t->is_string())
        return errors::redrive_missing(value, "deadLetterTargetArn");
    r.target_arn = t->get<std::string>();
    auto c = j.find("maxReceiveCount");
    if (c == j.end()) return errors::redrive_missing(value, "maxReceiveCount");
    std::optional<int64_t> n;
    if (c->is_number_integer()) n = c->get<int64_t>();
    if (c->is_string()) n = parse_int64(c->get<std::string>());
    if (!n || *n < 1 || *n > 1000) {
        return errors::redrive_bad_count(value, c->is_string() ? c->get<std::string>() : c->dump());
    }
    r.max_receive_count = static_cast<int>(*n);
    return r;
}

}  // namespace kemu::sqs_dlq
