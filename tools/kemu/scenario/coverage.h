#pragma once
// What a suite exercised: after each scenario, which of the pipeline's failure paths its kemu
// went through (read from what it recorded, not from what the scenario file says); after the
// run, each path with the scenarios that hit it, and the paths none did.

#include <set>
#include <string>
#include <vector>

#include "expect.h"

namespace kemu::scenario {

// The failure paths kemu can show, in report order.
const std::vector<std::string>& failure_paths();

// The paths one scenario's kemu went through: its invocations, DLQ records and alarm history
// (read through `o`), its sends' answers, and whether it restarted kemu.
std::set<std::string> exercised(Observer& o, const std::map<std::string, SendLog>& sends,
                                bool restarted);

// "failure paths exercised:" and one line per path with the scenarios that hit it.
std::string coverage_report(
    const std::vector<std::pair<std::string, std::set<std::string>>>& by_scenario);

}  // namespace kemu::scenario
