#include "measures.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace kemu::load {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

std::optional<double> number(std::string_view s) {
    s = trim(s);
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

}  // namespace

std::optional<int64_t> parse_duration_ms(std::string_view text) {
    text = trim(text);
    struct Unit {
        std::string_view suffix;
        double ms;
    };
    // "ms" before "s" and "m": the longest suffix that matches wins.
    static constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    double scale = 1000;
    for (const auto& u : kUnits) {
        if (text.ends_with(u.suffix)) {
            text.remove_suffix(u.suffix.size());
            scale = u.ms;
            break;
        }
    }
    auto v = number(text);
    if (!v || *v < 0) return std::nullopt;
    return static_cast<int64_t>(std::llround(*v * scale));
}

int64_t Pacer::due_us(int64_t index) const {
    // In long double so that index * K * 1e6 stays exact well past a day at high rates.
    long double us = static_cast<long double>(index) * per_request_ * 1e6L / rate_;
    return static_cast<int64_t>(std::floor(us));
}

int64_t Pacer::requests_in(int64_t duration_ms) const {
    // Requests i with i * K / rate < duration: ceil(duration * rate / K).
    long double n = static_cast<long double>(duration_ms) * rate_ / (1000.0L * per_request_);
    auto whole = static_cast<int64_t>(std::ceil(n - 1e-9L));
    return std::max<int64_t>(whole, 0);
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    rank = std::clamp<size_t>(rank, 1, values.size());
    return values[rank - 1];
}

const std::vector<std::string>& threshold_metrics() {
    static const std::vector<std::string> kNames{"p50_latency_ms",  "p90_latency_ms",
                                                 "p99_latency_ms",  "max_latency_ms",
                                                 "iterator_age_ms", "stream_iterator_age_ms",
                                                 "throttled_ratio", "error_ratio",
                                                 "accepted_rate",   "dlq_messages"};
    return kNames;
}

bool Threshold::passes(double measured) const {
    switch (op) {
        case Op::kLt:
            return measured < value;
        case Op::kLe:
            return measured <= value;
        case Op::kGt:
            return measured > value;
        case Op::kGe:
            return measured >= value;
    }
    return false;
}

std::optional<Threshold> parse_threshold(const std::string& text, std::string* why) {
    auto at = text.find_first_of("<>");
    if (at == std::string::npos) {
        *why = "threshold '" + text + "' has no comparison (<, <=, >, >=)";
        return std::nullopt;
    }
    Threshold t;
    t.text = text;
    t.metric = std::string(trim(std::string_view(text).substr(0, at)));
    bool or_equal = at + 1 < text.size() && text[at + 1] == '=';
    t.op = text[at] == '<' ? (or_equal ? Threshold::Op::kLe : Threshold::Op::kLt)
                           : (or_equal ? Threshold::Op::kGe : Threshold::Op::kGt);
    auto rest = std::string_view(text).substr(at + (or_equal ? 2 : 1));
    const auto& names = threshold_metrics();
    if (std::find(names.begin(), names.end(), t.metric) == names.end()) {
        std::string known;
        for (const auto& n : names)
            known += (known.empty() ? "" : ", ") + n;
        *why = "threshold '" + text + "' names an unknown metric '" + t.metric +
               "' (known: " + known + ")";
        return std::nullopt;
    }
    auto v = number(rest);
    if (!v) {
        *why = "threshold '" + text + "' needs a number after the comparison";
        return std::nullopt;
    }
    t.value = *v;
    return t;
}

}  // namespace kemu::load
