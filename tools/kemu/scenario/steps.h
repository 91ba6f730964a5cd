#pragma once
// The parsers of a scenario's steps and expectations (parser.cc reads the file around them).

#include "scenario.h"
#include "yaml_reader.h"

namespace kemu::scenario {

// One entry of `steps:`; false (errors recorded) when it is not a valid step.
bool parse_step(YamlReader& r, const YAML::Node& n, const std::string& path, const std::string& dir,
                Step* out);

// One entry of an `expect:` list.
bool parse_expectation(YamlReader& r, const YAML::Node& n, const std::string& path,
                       Expectation* out);

}  // namespace kemu::scenario
