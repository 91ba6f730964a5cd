#pragma once
// `kemu load`: drive one flow at a fixed arrival rate against a kemu of its own (or a running
// one) and measure the pipeline: offered against accepted, throttling, latency to the handler,
// iterator ages, records per invocation, the cost on AWS. docs/load.md.

#include <cstdint>
#include <string>
#include <vector>

namespace kemu::load {

struct LoadOptions {
    std::string config = "kemu.yaml";
    std::string flow;
    double rate = 10;      // events/s
    std::string duration;  // default 5s, or the ramp's length
    std::string ramp;      // TIME:RATE stages instead of --rate
    int batch_per_request = 1;
    std::string target = "frontdoor";  // or kinesis
    std::string endpoint;              // empty: a kemu of our own
    std::string report;                // a folder for results.json and report.html
    std::vector<std::string> thresholds;
    std::vector<std::string> sets;  // --set KEY=VALUE: the flow's settings for this run
    std::string body_template;      // default: a JSON object with the event's index
    std::string drain = "15s";      // the longest wait for the handler after the last request
    int workers = 32;
    double cost_rate = 0;  // events/s of the cost estimate; 0: the accepted rate
    uint64_t seed = 1;
    // --sweep KEY=V1,V2,...: one short run from a fresh kemu per point of the cross product,
    // a table, and the point recommended by `strategy` (cost, latency or balanced) among those
    // within --max-p99 and --max-iterator-age.
    std::vector<std::string> sweeps;
    std::string strategy = "balanced";
    std::string max_p99, max_iterator_age;  // durations; empty: no limit
    // --synthetic-handler 5ms±2ms: a built-in runtime (synthetic.h) serves the flow instead.
    std::string synthetic_handler;
    std::vector<std::string> payload_files;  // sampled instead of the template
    std::string partition_key_field;         // keys from this field of each event's JSON
    bool max = false;                        // --max: as fast as --workers allow
    // --recommend: a sweep at each of `volumes` (events/s; empty: kDefaultVolumes) and the
    // recommended settings by volume.
    bool recommend = false;
    std::string volumes;
};

// --recommend's volumes when --volumes is not given (docs/load.md says why these).
inline constexpr const char* kDefaultVolumes = "10,100,1000";

// Exit status: 0 a completed run, 99 a failed threshold, 2 invalid usage, 1 kemu did not start.
// With sweeps, run_sweep.
int run_load(const LoadOptions& o);

// sweep.cc: every point a run_load of its own; 0 when the sweep completed, 2 invalid usage.
int run_sweep(const LoadOptions& o);

// sweep.cc: run_sweep at each volume, and the table of recommended settings by volume.
int run_recommend(const LoadOptions& o);

}  // namespace kemu::load
