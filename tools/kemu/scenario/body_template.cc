#include "body_template.h"

#include <charconv>
#include <optional>

namespace kemu::scenario {
namespace {

// The value of one field's inside ("i", "n", "i%3", "seed"), or nullopt when unknown.
std::optional<std::string> field(std::string_view inside, int64_t index, uint64_t seed) {
    while (inside.starts_with(' '))
        inside.remove_prefix(1);
    while (inside.ends_with(' '))
        inside.remove_suffix(1);
    if (inside == "i") return std::to_string(index);
    if (inside == "n") return std::to_string(index + 1);
    if (inside == "seed") return std::to_string(seed);
    if (inside.starts_with("i%")) {
        auto rest = inside.substr(2);
        while (rest.starts_with(' '))
            rest.remove_prefix(1);
        int64_t k = 0;
        auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), k);
        if (ec != std::errc() || p != rest.data() + rest.size() || k <= 0) return std::nullopt;
        return std::to_string(index % k);
    }
    return std::nullopt;
}

// Walks `text`, calling `out(literal)` and `on_field(inside)` in order; false on `{{` unclosed.
template <class Literal, class Field>
bool walk(const std::string& text, Literal out, Field on_field) {
    size_t pos = 0;
    while (pos < text.size()) {
        auto open = text.find("{{", pos);
        if (open == std::string::npos) break;
        auto close = text.find("}}", open + 2);
        if (close == std::string::npos) return false;
        out(std::string_view(text).substr(pos, open - pos));
        if (!on_field(std::string_view(text).substr(open + 2, close - open - 2))) return false;
        pos = close + 2;
    }
    out(std::string_view(text).substr(std::min(pos, text.size())));
    return true;
}

}  // namespace

std::string check_template(const std::string& text) {
    std::string bad;
    bool ok = walk(
        text, [](std::string_view) {},
        [&bad](std::string_view inside) {
            if (field(inside, 0, 0)) return true;
            bad = "{{" + std::string(inside) + "}}";
            return false;
        });
    if (ok) return "";
    if (bad.empty()) return "'{{' without a closing '}}'";
    return "unknown template field " + bad + " (known: {{i}}, {{n}}, {{i%K}}, {{seed}})";
}

std::string render_template(const std::string& text, int64_t index, uint64_t seed) {
    std::string out;
    out.reserve(text.size());
    walk(
        text, [&out](std::string_view lit) { out += lit; },
        [&](std::string_view inside) {
            out += field(inside, index, seed).value_or("");
            return true;
        });
    return out;
}

}  // namespace kemu::scenario
