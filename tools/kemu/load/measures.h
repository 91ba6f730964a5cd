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

// The open model (an arrival-rate executor): request i is due at i * K / rate seconds from the
// start, whatever the answers to earlier requests took, so a slow pipeline never lowers the
// offered rate. Latency is measured from that due time (coordinated-omission correct): a
// request that could only start late is charged for the wait.
class Pacer {
public:
    // `events_per_s` > 0, `events_per_request` >= 1.
    Pacer(double events_per_s, int events_per_request)
        : rate_(events_per_s), per_request_(events_per_request) {}
    // Microseconds from the start at which request `index` is due.
    int64_t due_us(int64_t index) const;
    // How many requests are due before `duration_ms` ends.
    int64_t requests_in(int64_t duration_ms) const;

private:
    double rate_;
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
