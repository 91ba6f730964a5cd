#pragma once
// Checks of kemu.yaml beyond its schema, which need the file system: each flow's handler
// directory, the handler's file and function, the runtime and its interpreter. `kemu validate`
// and `kemu up` run them; every error names the file, line and key.

#include <string>
#include <vector>

#include "core/config.h"

namespace kemu::cli {

std::vector<ConfigError> check_handlers(const Config& cfg, const std::string& python_override,
                                        const std::string& node_override);

// The flow's code directory, absolute.
std::string code_dir(const Config& cfg, const FlowConfig& f);

}  // namespace kemu::cli
