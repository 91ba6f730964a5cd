#pragma once
// JUnit XML for CI: one <testsuite> per scenario, one <testcase> per expectation, each
// carrying its step's output; a failure's message is expected against actual.

#include <string>
#include <vector>

#include "runner.h"

namespace kemu::scenario {

std::string junit_xml(const std::vector<ScenarioResult>& results);

}  // namespace kemu::scenario
