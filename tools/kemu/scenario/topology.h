#pragma once
// A scenario's topology: its kemu.yaml (or `kemu test -c`'s) with the scenario's flow
// overrides applied, written out for its own `kemu up`, and the checks that every flow a
// step names exists in it.

#include <string>
#include <vector>

#include "core/config.h"
#include "scenario.h"

namespace kemu::scenario {

struct Topology {
    Config config;     // as the scenario's kemu sees it
    std::string yaml;  // the file to give `kemu up -c` (handler paths made absolute)
};

// `default_config` is `kemu test -c` (may be empty). Errors name the scenario's lines, or the
// kemu.yaml's for a problem of that file.
std::vector<ConfigError> prepare_topology(const Scenario& sc, const std::string& default_config,
                                          Topology* out);

}  // namespace kemu::scenario
