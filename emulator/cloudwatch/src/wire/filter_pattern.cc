#include "filter_pattern.h"

namespace kemu::cloudwatch::wire {

std::optional<FilterPattern> FilterPattern::parse(std::string_view p) {
    FilterPattern f;
    size_t i = 0;
    auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (i < p.size()) {
        while (i < p.size() && space(p[i]))
            ++i;
        if (i == p.size()) break;
        if (p[i] == '{' || p[i] == '[') return std::nullopt;
        auto* into = &f.all_;
        if (p[i] == '?' || p[i] == '-') {
            into = p[i] == '?' ? &f.any_ : &f.none_;
            ++i;
        }
        std::string term;
        if (i < p.size() && p[i] == '"') {
            auto end = p.find('"', i + 1);
            if (end == std::string_view::npos) return std::nullopt;
            term = std::string(p.substr(i + 1, end - i - 1));
            i = end + 1;
        } else {
            size_t start = i;
            while (i < p.size() && !space(p[i]))
                ++i;
            term = std::string(p.substr(start, i - start));
        }
        if (!term.empty()) into->push_back(std::move(term));
    }
    return f;
}

bool FilterPattern::matches(std::string_view m) const {
    auto has = [m](const std::string& t) { return m.find(t) != std::string_view::npos; };
    for (const auto& t : all_)
        if (!has(t)) return false;
    for (const auto& t : none_)
        if (has(t)) return false;
    if (any_.empty()) return true;
    for (const auto& t : any_)
        if (has(t)) return true;
    return false;
}

}  // namespace kemu::cloudwatch::wire
