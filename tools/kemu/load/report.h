#pragma once
// report.html: one self-contained page (uPlot, its style, the page's script and the run's
// results.json inlined; no network) that draws a `kemu load` run or sweep. Everything on the
// page comes from the results JSON, so report.html never says what results.json does not.
// docs/load.md.

#include <string>

#include <nlohmann/json.hpp>

namespace kemu::load {

// This machine, for the report: {"cpu_model", "cores", "os"} (from /proc/cpuinfo and uname).
nlohmann::json machine_info();

// The page for `results` (a run's, schema kemu-load/1, or a sweep's, kemu-load-sweep/1).
std::string render_report(const nlohmann::json& results);

// Writes DIR/report.html; false with `why` when it cannot.
bool write_report(const std::string& dir, const nlohmann::json& results, std::string* why);

}  // namespace kemu::load
