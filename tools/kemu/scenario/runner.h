#pragma once
// Runs one scenario against a kemu of its own (child.h): each step in order, a progress line
// per step, every expectation's outcome kept for the report.

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "scenario.h"
#include "topology.h"

namespace kemu::scenario {

// One JUnit testcase: an expectation (or the step that failed before any expectation ran).
struct CaseResult {
    std::string name;
    int line = 0;
    bool passed = false;
    std::string expected, actual;
    std::string output;  // the progress lines of its step
    double seconds = 0;
};

struct ScenarioResult {
    std::string name, file;
    bool passed = true;
    std::vector<CaseResult> cases;
    std::set<std::string> exercised;  // coverage.h's failure paths its kemu went through
    double seconds = 0;
};

struct RunOptions {
    uint64_t seed = 0;
    // Called with each progress line as it happens (thread-safe on the caller's side).
    std::function<void(const std::string&)> progress;
};

ScenarioResult run_scenario(const Scenario& sc, const Topology& topo, const RunOptions& o);

// `v` with `digits` decimals (seconds in reports).
std::string fixed(double v, int digits = 1);

}  // namespace kemu::scenario
