#pragma once
// CloudWatch Logs over AWS JSON 1.1: DescribeLogGroups, DescribeLogStreams, GetLogEvents,
// FilterLogEvents over the log store.

#include <string_view>

#include "cloudwatch/log_store.h"
#include "core/http.h"
#include "wire.h"

namespace kemu::cloudwatch::wire {

// `action` is the X-Amz-Target after "Logs_20140328.".
HttpResponse handle_logs(const LogStore& logs, const ApiOptions& options, std::string_view action,
                         std::string_view body);

}  // namespace kemu::cloudwatch::wire
