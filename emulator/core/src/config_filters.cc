#include "config_filters.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>

#include "core/filter_pattern.h"

namespace kemu {
namespace {

using json = nlohmann::json;

// A YAML scalar as JSON: quoted scalars are strings; plain ones resolve as YAML 1.2's core
// schema does (null, booleans, numbers), so `[5]` is a number and `["5"]` a string.
json scalar_json(const YAML::Node& n) {
    const std::string& s = n.Scalar();
    if (n.Tag() == "!") return s;
    static const std::regex kNull("null|Null|NULL|~|");
    static const std::regex kTrue("true|True|TRUE");
    static const std::regex kFalse("false|False|FALSE");
    static const std::regex kInt("[-+]?[0-9]+");
    static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
    if (std::regex_match(s, kNull)) return nullptr;
    if (std::regex_match(s, kTrue)) return true;
    if (std::regex_match(s, kFalse)) return false;
    try {
        if (std::regex_match(s, kInt)) return std::stoll(s);
        if (std::regex_match(s, kFloat)) return std::stod(s);
    } catch (const std::out_of_range&) {
        return std::stod(s);
    }
    return s;
}

json to_json(const YAML::Node& n) {
    if (n.IsMap()) {
        json out = json::object();
        for (const auto& kv : n)
            out[kv.first.Scalar()] = to_json(kv.second);
        return out;
    }
    if (n.IsSequence()) {
        json out = json::array();
        for (const auto& e : n)
            out.push_back(to_json(e));
        return out;
    }
    if (n.IsScalar()) return scalar_json(n);
    return nullptr;
}

// The YAML node at a pattern path (keys, and list indexes as numbers), for its line.
YAML::Node node_at(YAML::Node n, const std::vector<std::string>& path) {
    for (const auto& key : path) {
        YAML::Node next;
        if (n.IsMap()) {
            next = n[key];
        } else if (n.IsSequence() && !key.empty() &&
                   std::all_of(key.begin(), key.end(),
                               [](unsigned char c) { return std::isdigit(c); })) {
            next = n[static_cast<size_t>(std::stoul(key))];
        }
        if (!next.IsDefined()) break;
        n = next;
    }
    return n;
}

}  // namespace

void parse_filter_criteria(const YAML::Node& list, const std::string& path,
                           const ConfigErrorSink& error, std::vector<std::string>* out) {
    if (!list.IsSequence()) {
        error(list, path, "must be a list of filter patterns (mappings)");
        return;
    }
    if (list.size() > kMaxFilters) {
        error(list[kMaxFilters], path,
              "at most " + std::to_string(kMaxFilters) +
                  " filters per event source mapping (AWS's default quota; got " +
                  std::to_string(list.size()) + ")");
    }
    out->clear();
    for (size_t i = 0; i < list.size(); ++i) {
        std::string entry = path + "[" + std::to_string(i) + "]";
        json pattern = to_json(list[i]);
        FilterPatternError why;
        if (!FilterPattern::parse(pattern, &why)) {
            std::string key = entry;
            for (const auto& k : why.path)
                key += (std::isdigit(static_cast<unsigned char>(k[0])) ? "[" + k + "]" : "." + k);
            error(node_at(list[i], why.path), key,
                  std::string(kInvalidFilterPattern) + " (" + why.reason + ")");
            continue;
        }
        std::string text = pattern.dump();
        if (text.size() > kMaxFilterPatternChars) {
            error(list[i], entry,
                  "Value at 'filterCriteria.filters." + std::to_string(i + 1) +
                      ".member.pattern' failed to satisfy constraint: Member must have length "
                      "less than or equal to " +
                      std::to_string(kMaxFilterPatternChars) + " (got " +
                      std::to_string(text.size()) + ")");
            continue;
        }
        out->push_back(std::move(text));
    }
}

}  // namespace kemu
