#pragma once
// The scenario parser's reading of YAML nodes: typed scalars, maps with known keys, and every
// problem recorded as `file:line: key: message`. Only the parser includes it.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "core/config.h"

namespace kemu::scenario {

class YamlReader {
public:
    YamlReader(std::string file, std::vector<ConfigError>* errors)
        : file_(std::move(file)), errors_(errors) {}

    const std::string& file() const { return file_; }
    size_t error_count() const { return errors_->size(); }
    static int line_of(const YAML::Node& n) { return n.IsDefined() ? n.Mark().line + 1 : 0; }
    void error(const YAML::Node& n, const std::string& key, const std::string& msg);
    void error_at(int line, const std::string& key, const std::string& msg);

    // Each known key goes to its reader; any other key is an error. False when `n` is not a map.
    using Reader = std::function<void(const YAML::Node& value, const std::string& path)>;
    bool read_map(const YAML::Node& n, const std::string& path,
                  const std::map<std::string, Reader>& readers);

    bool string(const YAML::Node& n, const std::string& path, std::string* out);
    bool integer(const YAML::Node& n, const std::string& path, int64_t lo, int64_t hi,
                 int64_t* out);
    bool boolean(const YAML::Node& n, const std::string& path, bool* out);
    bool duration_ms(const YAML::Node& n, const std::string& path, int64_t* out);
    // One of `allowed`.
    bool choice(const YAML::Node& n, const std::string& path,
                const std::vector<std::string>& allowed, std::string* out);

    // Readers for read_map.
    Reader int_reader(int* out, int64_t lo, int64_t hi);
    Reader string_reader(std::string* out);

private:
    std::string file_;
    std::vector<ConfigError>* errors_;
};

// A YAML value as JSON: maps and lists as objects and arrays, plain scalars as numbers,
// booleans or null when they read as such, quoted scalars always as strings.
nlohmann::json yaml_to_json(const YAML::Node& n);

}  // namespace kemu::scenario
