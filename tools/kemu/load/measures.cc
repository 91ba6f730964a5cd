#include "measures.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

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
    auto ms = parse_duration_ms_exact(text);
    if (!ms) return std::nullopt;
    return static_cast<int64_t>(std::llround(*ms));
}

std::optional<double> parse_duration_ms_exact(std::string_view text) {
    text = trim(text);
    struct Unit {
        std::string_view suffix;
        double ms;
    };
    // "ms" before "s" and "m": the longest suffix that matches wins.
    static constexpr Unit kUnits[] = {
        {"ms", 1}, {"us", 0.001}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
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
    return *v * scale;
}

std::optional<std::vector<Stage>> parse_ramp(const std::string& text, std::string* why) {
    std::vector<Stage> stages;
    size_t pos = 0;
    while (pos <= text.size()) {
        auto comma = text.find(',', pos);
        auto part = std::string_view(text).substr(
            pos, comma == std::string::npos ? std::string::npos : comma - pos);
        auto colon = part.find(':');
        auto at = colon == std::string_view::npos ? std::nullopt
                                                  : parse_duration_ms(part.substr(0, colon));
        auto rate = colon == std::string_view::npos ? std::nullopt : number(part.substr(colon + 1));
        if (!at || !rate || *rate < 0) {
            *why = "--ramp '" + text + "': each stage is TIME:RATE (like 30s:2000), got '" +
                   std::string(part) + "'";
            return std::nullopt;
        }
        if (stages.empty() && *at != 0) {
            *why = "--ramp '" + text + "': the first stage is at 0";
            return std::nullopt;
        }
        if (!stages.empty() && *at < stages.back().at_ms) {
            *why = "--ramp '" + text + "': stage times never go back";
            return std::nullopt;
        }
        stages.push_back({*at, *rate});
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    if (stages.back().at_ms <= 0) {
        *why = "--ramp '" + text + "': the last stage's time is the run's length, above 0";
        return std::nullopt;
    }
    return stages;
}

namespace {

// One piece of the schedule: from t0 for `len` seconds (infinite for the last), the rate
// going from r0 to r1.
struct Piece {
    long double t0, len, r0, r1;
    long double events() const { return std::isinf(len) ? len : (r0 + r1) / 2 * len; }
    long double slope() const { return std::isinf(len) || len == 0 ? 0 : (r1 - r0) / len; }
};

template <class F>
void for_pieces(const std::vector<Stage>& stages, F f) {
    for (size_t k = 0; k < stages.size(); ++k) {
        long double t0 = stages[k].at_ms / 1000.0L;
        bool last = k + 1 == stages.size();
        long double len = last ? std::numeric_limits<long double>::infinity()
                               : stages[k + 1].at_ms / 1000.0L - t0;
        long double r1 = last ? stages[k].rate : stages[k + 1].rate;
        if (!f(Piece{t0, len, stages[k].rate, r1})) return;
    }
}

}  // namespace

int64_t Pacer::due_us(int64_t index) const {
    // The time at which the schedule's events reach n = index * K. Within a piece the events
    // after x seconds are r0 x + a x^2 / 2 (a the slope), so x = 2 need / (r0 + sqrt(r0^2 +
    // 2 a need)): the root without cancellation, and need / r0 when a is 0.
    long double n = static_cast<long double>(index) * per_request_;
    long double cum = 0, due = 0;
    for_pieces(stages_, [&](const Piece& p) {
        long double events = p.events();
        if (n >= cum + events) {
            cum += events;
            return true;
        }
        long double need = n - cum, a = p.slope();
        long double root = std::sqrt(std::max(0.0L, p.r0 * p.r0 + 2 * a * need));
        long double x = p.r0 + root > 0 ? 2 * need / (p.r0 + root) : 0;
        due = p.t0 + x;
        return false;
    });
    return static_cast<int64_t>(std::floor(due * 1e6L + 1e-6L));
}

long double Pacer::events_by(long double seconds) const {
    long double cum = 0;
    for_pieces(stages_, [&](const Piece& p) {
        if (seconds <= p.t0) return false;
        long double x = std::min(p.len, seconds - p.t0);
        cum += p.r0 * x + p.slope() * x * x / 2;
        return x == p.len;
    });
    return cum;
}

int64_t Pacer::requests_in(int64_t duration_ms) const {
    // Requests i whose n = i * K events are reached before the end: i < events / K.
    long double n = events_by(duration_ms / 1000.0L) / per_request_;
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

std::optional<SyntheticSpec> parse_synthetic(const std::string& text, std::string* why) {
    std::string mean = text;
    std::optional<std::string> jitter;
    for (const char* sep : {"±", "+-"}) {
        if (auto at = text.find(sep); at != std::string::npos) {
            mean = text.substr(0, at);
            jitter = text.substr(at + std::string(sep).size());
            break;
        }
    }
    auto m = parse_duration_ms_exact(mean);
    auto j = jitter ? parse_duration_ms_exact(*jitter) : std::optional<double>(0);
    if (!m || !j || *m > 15 * 60 * 1000.0) {
        *why = "--synthetic-handler '" + text +
               "': a duration and an optional jitter, like 5ms±2ms (or 5ms+-2ms), at most 15m";
        return std::nullopt;
    }
    return SyntheticSpec{static_cast<int64_t>(*m * 1000), static_cast<int64_t>(*j * 1000)};
}

}  // namespace kemu::load
