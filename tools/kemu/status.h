#pragma once
// `kemu status`: one line per flow of a running kemu (records in, iterator age, invocations,
// errors, throttles, DLQ depth, lanes, the stream's capacity mode, alarms in ALARM).

#include <string>

namespace kemu::cli {

int run_status(const std::string& endpoint, bool as_json);

}  // namespace kemu::cli
