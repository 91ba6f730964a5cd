#pragma once
// `kemu test [PATHS...] [-c kemu.yaml] [--junit FILE] [-j N] [--filter NAME] [--seed N]`:
// finds the scenario files (a file, or every *.yaml under a folder), checks them all, runs
// each against a kemu of its own, prints a closing `N passed, N failed` line.
// Exit codes: 0 all passed, 1 an expectation failed, 2 an invalid scenario.

#include <cstdint>
#include <string>
#include <vector>

namespace kemu::scenario {

struct TestOptions {
    std::vector<std::string> paths = {"scenarios"};
    std::string config;  // the topology of scenarios that name none
    std::string junit;   // empty: no XML
    int jobs = 1;
    std::string filter;  // a substring of the scenario's name or file
    uint64_t seed = 0;
};

int run_test(const TestOptions& o);

}  // namespace kemu::scenario
