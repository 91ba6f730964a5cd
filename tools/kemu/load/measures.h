#pragma once
// The arithmetic of `kemu load` that needs no process: durations with units, the open-model
// pacer, percentiles and the --threshold gates.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kemu::load {

// "500ms", "5s", "2m", "1h", or a bare number of seconds; nullopt when malformed or negative.
std::optional<int64_t> parse_duration_ms(std::string_view text);
// The same (and "us"), unrounded.
std::optional<double> parse_duration_ms_exact(std::string_view text);

// --synthetic-handler's sleep per invocation.
struct SyntheticSpec {
    int64_t mean_us = 0;
    int64_t jitter_us = 0;  // drawn uniformly in [mean - jitter, mean + jitter], never below 0
};

// "5ms±2ms", "5ms+-2ms", "5ms" or "0"; nullopt with `why` set when malformed.
std::optional<SyntheticSpec> parse_synthetic(const std::string& text, std::string* why);

// One point of a ramp: from `at_ms` on, the rate moves linearly to the next stage's.
struct Stage {
    int64_t at_ms = 0;
    double rate = 0;  // events/s
};

// "0:100,30s:2000,60s:2000": TIME:RATE stages (TIME a duration, the first 0, never going back,
// RATE >= 0, the last time above 0); nullopt with `why` set when malformed.
std::optional<std::vector<Stage>> parse_ramp(const std::string& text, std::string* why);

// The open model (an arrival-rate executor): request i is due when the schedule's events so
// far reach i * K, whatever the answers to earlier requests took, so a slow pipeline never
// lowers the offered rate. Latency is measured from that due time (coordinated-omission
// correct): a request that could only start late is charged for the wait.
class Pacer {
public:
    // A constant rate: `events_per_s` > 0, `events_per_request` >= 1.
    Pacer(double events_per_s, int events_per_request)
        : Pacer(std::vector<Stage>{{0, events_per_s}}, events_per_request) {}
    // A ramp (parse_ramp's stages); the last stage's rate holds after it.
    Pacer(std::vector<Stage> stages, int events_per_request)
        : stages_(std::move(stages)), per_request_(events_per_request) {}
    // Microseconds from the start at which request `index` is due.
    int64_t due_us(int64_t index) const;
    // How many requests are due before `duration_ms` ends.
    int64_t requests_in(int64_t duration_ms) const;
    // Events the schedule offers in the first `seconds`.
    long double events_by(long double seconds) const;

private:
    std::vector<Stage> stages_;
    int per_request_;
};

// The p-th percentile (0 < p <= 100) by nearest rank of `values` (sorted here); 0 when empty.
double percentile(std::vector<double> values, double p);

// The metrics a --threshold may name, each over the whole run.
const std::vector<std::string>& threshold_metrics();

struct Threshold {
    enum class Op { kLt, kLe, kGt, kGe };
    std::string text;  // as given
    std::string metric;
    Op op = Op::kLt;
    double value = 0;
    bool passes(double measured) const;
};

// "p99_latency_ms<500" (operators <, <=, >, >=; spaces allowed); nullopt with `why` set when the
// expression is malformed or names an unknown metric.
std::optional<Threshold> parse_threshold(const std::string& text, std::string* why);

}  // namespace kemu::load
