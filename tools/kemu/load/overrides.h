#pragma once
// `kemu load --set KEY=VALUE`: the loaded flow's settings changed for this run only (the
// dimensions a sweep will vary), applied to a copy of kemu.yaml that its own kemu is given.

#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace kemu::load {

struct Override {
    std::string key;
    int value = 0;
};

// The keys --set takes: event_flows[] keys of docs/kemu-yaml.md.
const std::vector<std::string>& override_keys();

// "shard_count=2"; nullopt with `why` set for an unknown key or a value that is not an integer.
std::optional<Override> parse_override(const std::string& text, std::string* why);

// The points of `--sweep KEY=V1,V2,...` options: their cross product, the first option varying
// slowest (at most 64 points); nullopt with `why` set when one is malformed, a key repeats or
// there are too many points.
std::optional<std::vector<std::vector<Override>>> plan_sweep(const std::vector<std::string>& sweeps,
                                                             std::string* why);

// Another handler for the loaded flow (--synthetic-handler's built-in runtime).
struct HandlerSwap {
    std::string runtime, source_dir, handler;
};

// The kemu.yaml at `path` with `flow`'s overrides applied and every handler path made absolute
// (the copy lives elsewhere), as YAML text in `yaml` and parsed into `cfg`. Errors: those of the
// file, or of the values (ranges, as kemu.yaml's own), the latter marked as the overrides'.
std::vector<ConfigError> apply_overrides(const std::string& path, const std::string& flow,
                                         const std::vector<Override>& overrides, std::string* yaml,
                                         Config* cfg, const HandlerSwap* swap = nullptr);

// --volumes "10,100,1000": events/s, each above 0 (at most 1e6); empty with `why` set when
// malformed.
std::vector<double> parse_volumes(const std::string& text, std::string* why);

// --recommend's sweep at `events_per_s` when no --sweep is given: shard_count the fewest shards
// that could carry it (1,000 records/s each) and twice that, batch_size 100 and 500,
// batch_window_seconds 0 and 1.
std::vector<std::string> default_recommend_grid(double events_per_s);

}  // namespace kemu::load
