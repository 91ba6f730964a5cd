#pragma once
// JUnit XML for CI: one <testsuite> per scenario, one <testcase> per expectation, each
// carrying its step's output; a failure's message is expected against actual. Each suite's
// <properties> name the failure paths it exercised (`failure_path`).

#include <string>
#include <vector>

#include "runner.h"

namespace kemu::scenario {

std::string junit_xml(const std::vector<ScenarioResult>& results);

}  // namespace kemu::scenario
