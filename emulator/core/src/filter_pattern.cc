#include "core/filter_pattern.h"

#include <algorithm>
#include <cctype>

namespace kemu {
namespace {

using json = nlohmann::json;

// Validation: each check returns an empty string when fine, else the reason.
std::string check_object(const json& p, std::vector<std::string>& path);

bool is_scalar(const json& v) {
    return v.is_string() || v.is_number() || v.is_boolean() || v.is_null();
}

// The value of prefix / suffix: a string, or {"equals-ignore-case": string}.
std::string check_affix(const json& v, const std::string& op) {
    if (v.is_string()) return {};
    if (v.is_object() && v.size() == 1 && v.contains("equals-ignore-case") &&
        v["equals-ignore-case"].is_string())
        return {};
    return op + " takes a string or {\"equals-ignore-case\": string}";
}

std::string check_anything_but(const json& v) {
    if (is_scalar(v)) return {};
    if (v.is_array()) {
        if (v.empty()) return "anything-but takes a non-empty list";
        for (const auto& e : v) {
            if (!is_scalar(e)) return "anything-but's list holds strings, numbers, booleans, null";
        }
        return {};
    }
    if (v.is_object() && v.size() == 1) {
        const std::string& op = v.begin().key();
        const json& arg = v.begin().value();
        if (op == "prefix" || op == "suffix") {
            if (arg.is_string()) return {};
            return "anything-but " + op + " takes a string";
        }
        if (op == "equals-ignore-case") {
            if (arg.is_string()) return {};
            if (arg.is_array() && !arg.empty() &&
                std::all_of(arg.begin(), arg.end(), [](const json& e) { return e.is_string(); }))
                return {};
            return "anything-but equals-ignore-case takes a string or a list of strings";
        }
    }
    return "anything-but takes a value, a list, or one of prefix, suffix, equals-ignore-case";
}

std::string check_numeric(const json& v) {
    const char* shape =
        "numeric takes [\"=\", n] or up to two comparisons, e.g. [\">\", 0, \"<=\", 5]";
    if (!v.is_array() || v.empty() || v.size() % 2 != 0 || v.size() > 4) return shape;
    bool lower = false, upper = false;
    for (size_t i = 0; i < v.size(); i += 2) {
        if (!v[i].is_string() || !v[i + 1].is_number()) return shape;
        const auto& op = v[i].get_ref<const std::string&>();
        if (op == "=") {
            if (v.size() != 2) return shape;
        } else if (op == ">" || op == ">=") {
            if (lower) return "numeric has two lower bounds";
            lower = true;
        } else if (op == "<" || op == "<=") {
            if (upper) return "numeric has two upper bounds";
            upper = true;
        } else {
            return "unknown numeric operator '" + op + "' (=, <, <=, >, >=)";
        }
    }
    return {};
}

std::string check_rule(const json& r) {
    if (is_scalar(r)) return {};
    if (!r.is_object() || r.size() != 1)
        return "each entry is a string, number, boolean, null or an object with one operator";
    const std::string& op = r.begin().key();
    const json& arg = r.begin().value();
    if (op == "prefix" || op == "suffix") return check_affix(arg, op);
    if (op == "anything-but") return check_anything_but(arg);
    if (op == "numeric") return check_numeric(arg);
    if (op == "exists") return arg.is_boolean() ? "" : "exists takes true or false";
    if (op == "equals-ignore-case")
        return arg.is_string() ? "" : "equals-ignore-case takes a string";
    return "unknown operator '" + op +
           "' (prefix, suffix, anything-but, numeric, exists, equals-ignore-case)";
}

std::string check_object(const json& p, std::vector<std::string>& path) {
    if (!p.is_object()) return "a pattern is an object of field names";
    if (p.empty()) return "a pattern needs at least one field";
    for (const auto& [key, v] : p.items()) {
        path.push_back(key);
        if (key == "$or") {
            if (!v.is_array() || v.size() < 2) return "$or takes a list of at least two patterns";
            for (size_t i = 0; i < v.size(); ++i) {
                path.push_back(std::to_string(i));
                if (auto why = check_object(v[i], path); !why.empty()) return why;
                path.pop_back();
            }
        } else if (v.is_object()) {
            if (auto why = check_object(v, path); !why.empty()) return why;
        } else if (v.is_array()) {
            if (v.empty()) return "a list of values must not be empty";
            for (size_t i = 0; i < v.size(); ++i) {
                if (auto why = check_rule(v[i]); !why.empty()) {
                    path.push_back(std::to_string(i));
                    return why;
                }
            }
        } else {
            return "a field's value is a list of values or a nested pattern (write [" + v.dump() +
                   "])";
        }
        path.pop_back();
    }
    return {};
}

// Matching.

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool equal(const json& rule, const json& v) {
    if (rule.is_number() && v.is_number()) return rule.get<double>() == v.get<double>();
    if (rule.type() != v.type()) return false;
    return rule == v;
}

bool affix(const json& arg, const json& v, bool is_prefix) {
    if (!v.is_string()) return false;
    std::string s = v.get<std::string>();
    std::string a;
    if (arg.is_string()) {
        a = arg.get<std::string>();
    } else {
        a = lower(arg["equals-ignore-case"].get<std::string>());
        s = lower(s);
    }
    if (a.size() > s.size()) return false;
    return is_prefix ? s.compare(0, a.size(), a) == 0
                     : s.compare(s.size() - a.size(), a.size(), a) == 0;
}

bool anything_but(const json& arg, const json& v) {
    if (is_scalar(arg)) return !equal(arg, v);
    if (arg.is_array()) {
        return std::none_of(arg.begin(), arg.end(), [&](const json& e) { return equal(e, v); });
    }
    const std::string& op = arg.begin().key();
    const json& a = arg.begin().value();
    if (!v.is_string()) return false;
    if (op == "prefix") return !affix(a, v, true);
    if (op == "suffix") return !affix(a, v, false);
    auto s = lower(v.get<std::string>());
    if (a.is_string()) return s != lower(a.get<std::string>());
    return std::none_of(a.begin(), a.end(),
                        [&](const json& e) { return s == lower(e.get<std::string>()); });
}

bool numeric(const json& arg, const json& v) {
    if (!v.is_number()) return false;
    double x = v.get<double>();
    for (size_t i = 0; i < arg.size(); i += 2) {
        const auto& op = arg[i].get_ref<const std::string&>();
        double n = arg[i + 1].get<double>();
        bool ok = op == "="    ? x == n
                  : op == ">"  ? x > n
                  : op == ">=" ? x >= n
                  : op == "<"  ? x < n
                               : x <= n;
        if (!ok) return false;
    }
    return true;
}

// One entry of a value list against a present, non-array value.
bool rule_matches(const json& r, const json& v) {
    if (!r.is_object()) return equal(r, v);
    const std::string& op = r.begin().key();
    const json& arg = r.begin().value();
    // EventBridge: exists looks at leaves only; a field holding an object is not one.
    if (op == "exists") return arg.get<bool>() && !v.is_object();
    if (op == "prefix") return affix(arg, v, true);
    if (op == "suffix") return affix(arg, v, false);
    if (op == "anything-but") return anything_but(arg, v);
    if (op == "numeric") return numeric(arg, v);
    if (op == "equals-ignore-case")
        return v.is_string() && lower(v.get<std::string>()) == lower(arg.get<std::string>());
    return false;
}

bool list_matches(const json& rules, const json* field) {
    for (const auto& r : rules) {
        if (!field) {
            // An absent field matches only "exists": false.
            if (r.is_object() && r.contains("exists") && !r["exists"].get<bool>()) return true;
            continue;
        }
        if (field->is_array()) {
            if (r.is_object() && r.contains("exists")) {
                if (r["exists"].get<bool>()) return true;
                continue;
            }
            for (const auto& e : *field) {
                if (rule_matches(r, e)) return true;
            }
            continue;
        }
        if (rule_matches(r, *field)) return true;
    }
    return false;
}

bool object_matches(const json& p, const json& record) {
    if (!record.is_object()) return false;
    for (const auto& [key, v] : p.items()) {
        if (key == "$or") {
            bool any = std::any_of(v.begin(), v.end(),
                                   [&](const json& alt) { return object_matches(alt, record); });
            if (!any) return false;
            continue;
        }
        auto it = record.find(key);
        const json* field = it == record.end() ? nullptr : &*it;
        if (v.is_object()) {
            if (!field) return false;
            if (field->is_array()) {
                // Named, not captured: clang 14 cannot capture a structured binding.
                const json& inner = v;
                if (std::none_of(field->begin(), field->end(),
                                 [&](const json& e) { return object_matches(inner, e); }))
                    return false;
            } else if (!object_matches(v, *field)) {
                return false;
            }
            continue;
        }
        if (!list_matches(v, field)) return false;
    }
    return true;
}

}  // namespace

std::optional<FilterPattern> FilterPattern::parse(const nlohmann::json& pattern,
                                                  FilterPatternError* error) {
    std::vector<std::string> path;
    auto why = check_object(pattern, path);
    if (why.empty()) return FilterPattern(pattern);
    if (error) *error = {std::move(path), std::move(why)};
    return std::nullopt;
}

std::optional<FilterPattern> FilterPattern::parse_text(std::string_view text,
                                                       FilterPatternError* error) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) {
        if (error) *error = {{}, "not valid JSON"};
        return std::nullopt;
    }
    return parse(j, error);
}

bool FilterPattern::matches(const nlohmann::json& record) const {
    return object_matches(pattern_, record);
}

bool matches_any(const std::vector<FilterPattern>& patterns, const nlohmann::json& record) {
    if (patterns.empty()) return true;
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const FilterPattern& p) { return p.matches(record); });
}

}  // namespace kemu
