#pragma once
// Times every request an adapter answers, into kemu's request-latency histograms
// (kemu_http_request_duration_seconds{service, action}): from the handler's start to the
// response handed back (an async handler's `respond`). The action is the AWS operation
// (`X-Amz-Target`'s part after the dot, or the query protocol's `Action=`), or the HTTP method
// for the API Gateway front door and kemu's own endpoints.

#include <memory>
#include <string>

#include "cloudwatch/histogram.h"
#include "core/http.h"

namespace kemu::cli {

// The request's AWS action, "-" when it names none.
std::string action_of(const HttpRequest& req);

std::shared_ptr<RequestHandler> timed(std::shared_ptr<RequestHandler> inner, std::string service,
                                      cloudwatch::HistogramFamily& histograms);

}  // namespace kemu::cli
