// `kemu load --sweep`: each point of the cross product is a whole `kemu load` run (run_load
// with the point's --set values, a fresh kemu each), read back from its results.json; then a
// table and a recommendation by strategy, as AWS Lambda Power Tuning recommends by cost, speed
// or a balance of both.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "command.h"
#include "measures.h"
#include "overrides.h"
#include "report.h"

namespace kemu::load {

bool stop_requested();  // command.cc: Ctrl-C seen

using json = nlohmann::json;

namespace {

namespace fs = std::filesystem;

std::string label(const std::vector<Override>& point) {
    std::string out;
    for (const auto& o : point)
        out += (out.empty() ? "" : " ") + o.key + "=" + std::to_string(o.value);
    return out;
}

constexpr double kMaxThrottledRatio = 0.01;

double p99_of(const json& s) {
    const auto& l = s.value("latency_ms", json());
    return l.is_object() ? l.value("p99", 0.0) : std::numeric_limits<double>::infinity();
}

}  // namespace

int run_sweep(const LoadOptions& o) {
    auto usage = [](const std::string& why) {
        std::fprintf(stderr, "kemu load: %s\n", why.c_str());
        return 2;
    };
    std::string why;
    auto points = plan_sweep(o.sweeps, &why);
    if (!points) return usage(why);
    if (!o.endpoint.empty()) return usage("--sweep runs kemu's of its own: not with --endpoint");
    if (!o.thresholds.empty()) return usage("--threshold judges one run: not with --sweep");
    if (o.strategy != "cost" && o.strategy != "latency" && o.strategy != "balanced")
        return usage("--strategy must be cost, latency or balanced");
    auto max_p99 = o.max_p99.empty() ? std::optional<int64_t>(std::numeric_limits<int64_t>::max())
                                     : parse_duration_ms(o.max_p99);
    auto max_age = o.max_iterator_age.empty()
                       ? std::optional<int64_t>(std::numeric_limits<int64_t>::max())
                       : parse_duration_ms(o.max_iterator_age);
    if (!max_p99 || !max_age) return usage("--max-p99 and --max-iterator-age take durations");
    // Every point's topology is checked before any load is sent.
    for (const auto& point : *points) {
        std::vector<Override> all;
        for (const auto& text : o.sets) {
            auto parsed = parse_override(text, &why);
            if (!parsed) return usage(why);
            all.push_back(*parsed);
        }
        all.insert(all.end(), point.begin(), point.end());
        std::string yaml;
        Config cfg;
        auto errors = apply_overrides(o.config, o.flow, all, &yaml, &cfg);
        if (!errors.empty()) return usage(errors.front().to_string() + " [" + label(point) + "]");
    }
    std::string dir = o.report;
    std::string tmp;
    if (dir.empty()) {
        tmp = (fs::temp_directory_path() / "kemu-sweep-XXXXXX").string();
        if (!::mkdtemp(tmp.data())) return usage("cannot create a temp dir");
        dir = tmp;
    }
    json rows = json::array();
    for (size_t i = 0; i < points->size() && !stop_requested(); ++i) {
        const auto& point = (*points)[i];
        std::printf("== point %zu of %zu: %s\n", i + 1, points->size(), label(point).c_str());
        std::fflush(stdout);
        LoadOptions one = o;
        one.sweeps.clear();
        for (const auto& v : point)
            one.sets.push_back(v.key + "=" + std::to_string(v.value));
        one.report = (fs::path(dir) / ("point-" + std::to_string(i + 1))).string();
        int code = run_load(one);
        if (code == 2) return 2;  // invalid usage: the first point said why, before any load
        std::ifstream in(fs::path(one.report) / "results.json");
        auto res = json::parse(in, nullptr, false);
        if (code != 0 || !res.is_object()) {
            std::fprintf(stderr, "kemu load: point %s did not complete\n", label(point).c_str());
            continue;
        }
        json set = json::object();
        for (const auto& v : point)
            set[v.key] = v.value;
        const auto& s = res["summary"];
        // A point that throttled more than 1% of its events is never a recommendation.
        bool within = p99_of(s) <= static_cast<double>(*max_p99) &&
                      s.value("iterator_age_ms", int64_t{0}) <= *max_age &&
                      s.value("throttled_ratio", 0.0) <= kMaxThrottledRatio;
        rows.push_back({{"point", i + 1},
                        {"set", set},
                        {"label", label(point)},
                        {"accepted_rate", s["accepted_rate"]},
                        {"throttled_ratio", s["throttled_ratio"]},
                        {"p99_latency_ms",
                         s["latency_ms"].is_object() ? s["latency_ms"]["p99"] : json(nullptr)},
                        {"iterator_age_ms", s["iterator_age_ms"]},
                        {"records_per_invocation", s["records_per_invocation"]},
                        {"usd_month", res["cost"]["total_usd_month"]},
                        {"within_constraints", within},
                        // For report.html: the point's settings, cost and own report.
                        {"settings", res["settings"]},
                        {"cost", res["cost"]},
                        {"report", "point-" + std::to_string(i + 1) + "/report.html"}});
    }
    // The recommendation: among the points within the constraints (and with latencies), the
    // cheapest, the fastest, or the lowest sum of cost and p99, each relative to its best.
    double best_cost = std::numeric_limits<double>::infinity();
    double best_p99 = std::numeric_limits<double>::infinity();
    for (const auto& r : rows) {
        if (!r["within_constraints"].get<bool>() || r["p99_latency_ms"].is_null()) continue;
        best_cost = std::min(best_cost, r["usd_month"].get<double>());
        best_p99 = std::min(best_p99, r["p99_latency_ms"].get<double>());
    }
    json pick = nullptr;
    double pick_score = std::numeric_limits<double>::infinity();
    for (const auto& r : rows) {
        if (!r["within_constraints"].get<bool>() || r["p99_latency_ms"].is_null()) continue;
        double cost = r["usd_month"].get<double>() / std::max(best_cost, 1e-9);
        double p99 = r["p99_latency_ms"].get<double>() / std::max(best_p99, 1e-9);
        double score = o.strategy == "cost"      ? cost + p99 * 1e-6
                       : o.strategy == "latency" ? p99 + cost * 1e-6
                                                 : (cost + p99) / 2;
        if (score < pick_score) {
            pick_score = score;
            pick = r;
        }
    }
    std::printf("\nsweep (%s):\n%-40s %10s %9s %10s %10s %12s\n", o.strategy.c_str(), "point",
                "accepted/s", "throttled", "p99 ms", "iter age", "USD/month");
    for (const auto& r : rows) {
        char p99[32] = "-";
        if (!r["p99_latency_ms"].is_null())
            std::snprintf(p99, sizeof p99, "%.1f", r["p99_latency_ms"].get<double>());
        std::printf("%-40s %10.1f %9.3f %10s %10lld %12.2f%s\n",
                    r["label"].get<std::string>().c_str(), r["accepted_rate"].get<double>(),
                    r["throttled_ratio"].get<double>(), p99,
                    static_cast<long long>(r["iterator_age_ms"].get<int64_t>()),
                    r["usd_month"].get<double>(),
                    r["within_constraints"].get<bool>() ? "" : "  (outside the constraints)");
    }
    if (pick.is_null())
        std::printf("no point within the constraints: no recommendation\n");
    else
        std::printf("recommended (%s): %s\n", o.strategy.c_str(),
                    pick["label"].get<std::string>().c_str());
    json out{{"schema", "kemu-load-sweep/1"},
             {"interrupted", stop_requested()},
             {"strategy", o.strategy},
             {"max_p99_ms", o.max_p99.empty() ? json(nullptr) : json(*max_p99)},
             {"max_iterator_age_ms", o.max_iterator_age.empty() ? json(nullptr) : json(*max_age)},
             {"points", rows},
             {"recommendation", pick},
             {"kemu_version", KEMU_VERSION},
             {"machine", machine_info()}};
    out["settings"] = {{"rate", o.rate},
                       {"duration", o.duration.empty() ? "5s" : o.duration},
                       {"sweeps", o.sweeps},
                       {"sets", o.sets}};
    if (!o.report.empty()) {
        std::ofstream f(fs::path(o.report) / "results.json");
        f << out.dump(2) << "\n";
        std::printf("results: %s/results.json (each point's in point-N/)\n", o.report.c_str());
        if (write_report(o.report, out, &why))
            std::printf("report: %s/report.html\n", o.report.c_str());
        else
            std::fprintf(stderr, "kemu load: %s\n", why.c_str());
    }
    if (!tmp.empty()) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
    }
    return 0;
}

int run_recommend(const LoadOptions& o) {
    auto usage = [](const std::string& why) {
        std::fprintf(stderr, "kemu load: %s\n", why.c_str());
        return 2;
    };
    std::string why;
    auto volumes = parse_volumes(o.volumes.empty() ? kDefaultVolumes : o.volumes, &why);
    if (volumes.empty()) return usage(why);
    if (o.max) return usage("--recommend sets the rate of each volume: not with --max");
    if (!o.ramp.empty()) return usage("--recommend sets the rate of each volume: not with --ramp");
    std::string dir = o.report;
    std::string tmp;
    if (dir.empty()) {
        tmp = (fs::temp_directory_path() / "kemu-recommend-XXXXXX").string();
        if (!::mkdtemp(tmp.data())) return usage("cannot create a temp dir");
        dir = tmp;
    }
    json rows = json::array();
    for (size_t k = 0; k < volumes.size() && !stop_requested(); ++k) {
        double v = volumes[k];
        std::printf("=== volume %zu of %zu: %g events/s\n", k + 1, volumes.size(), v);
        std::fflush(stdout);
        LoadOptions one = o;
        one.recommend = false;
        one.rate = v;
        if (one.sweeps.empty()) one.sweeps = default_recommend_grid(v);
        one.report = (fs::path(dir) / ("volume-" + std::to_string(k + 1))).string();
        fs::create_directories(one.report);
        int code = run_sweep(one);
        if (code != 0) return code;
        std::ifstream in(fs::path(one.report) / "results.json");
        auto sweep = json::parse(in, nullptr, false);
        json row{{"events_per_s", v}, {"events_per_day", v * 86400}, {"recommended", nullptr}};
        const auto pick = sweep.is_object() ? sweep.value("recommendation", json()) : json();
        if (pick.is_object()) {
            auto point = fs::path(one.report) /
                         ("point-" + std::to_string(pick["point"].get<int>())) / "results.json";
            std::ifstream pin(point);
            auto res = json::parse(pin, nullptr, false);
            const auto& set = res.is_object() ? res["settings"] : json();
            row["recommended"] = {
                {"shard_count", set.value("shard_count", 0)},
                {"batch_size", set.value("batch_size", 0)},
                {"batch_window_seconds", set.value("batch_window_seconds", 0)},
                {"parallelization_factor", set.value("parallelization_factor", 1)},
                {"lambda_memory_size", set.value("lambda_memory_size", 0)}};
            row["evidence"] = {
                {"point", pick["label"]},
                {"p99_latency_ms", pick["p99_latency_ms"]},
                {"iterator_age_ms", pick["iterator_age_ms"]},
                {"accepted_rate", pick["accepted_rate"]},
                {"throttled_ratio", pick["throttled_ratio"]},
                {"records_per_invocation", pick["records_per_invocation"]},
                {"usd_month", pick["usd_month"]},
                {"results", (fs::path("volume-" + std::to_string(k + 1)) /
                             ("point-" + std::to_string(pick["point"].get<int>())) / "results.json")
                                .string()}};
        }
        row["points"] = sweep.is_object() ? sweep.value("points", json::array()) : json::array();
        rows.push_back(std::move(row));
    }
    std::printf("\nrecommended settings by volume (%s; measured, %s a point):\n",
                o.strategy.c_str(), o.duration.empty() ? "5s" : o.duration.c_str());
    std::printf("%12s %14s %6s %10s %7s %7s %10s %10s %12s\n", "events/s", "events/day", "shards",
                "batch size", "window", "memory", "p99 ms", "iter age", "USD/month");
    for (const auto& r : rows) {
        const auto& rec = r["recommended"];
        if (rec.is_null()) {
            std::printf("%12g %14.0f  no point within the constraints\n",
                        r["events_per_s"].get<double>(), r["events_per_day"].get<double>());
            continue;
        }
        const auto& e = r["evidence"];
        char p99[32] = "-";
        if (e["p99_latency_ms"].is_number())
            std::snprintf(p99, sizeof p99, "%.1f", e["p99_latency_ms"].get<double>());
        std::printf("%12g %14.0f %6d %10d %6ds %7d %10s %10lld %12.2f\n",
                    r["events_per_s"].get<double>(), r["events_per_day"].get<double>(),
                    rec["shard_count"].get<int>(), rec["batch_size"].get<int>(),
                    rec["batch_window_seconds"].get<int>(), rec["lambda_memory_size"].get<int>(),
                    p99, static_cast<long long>(e["iterator_age_ms"].get<int64_t>()),
                    e["usd_month"].get<double>());
    }
    std::printf(
        "memory: the flow's own (locally memory does not change a handler's speed as it "
        "changes CPU on AWS; sweep lambda_memory_size for its cost)\n");
    json out{{"schema", "kemu-load-recommend/1"},
             {"interrupted", stop_requested()},
             {"strategy", o.strategy},
             {"point_duration", o.duration.empty() ? "5s" : o.duration},
             {"volumes", rows}};
    if (!o.report.empty()) {
        std::ofstream f(fs::path(o.report) / "results.json");
        f << out.dump(2) << "\n";
        std::printf("results: %s/results.json (each volume's sweep in volume-N/)\n",
                    o.report.c_str());
    }
    if (!tmp.empty()) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
    }
    return 0;
}

}  // namespace kemu::load
