#include "command.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "client.h"
#include "core/config.h"
#include "driver.h"
#include "measures.h"
#include "overrides.h"
#include "process_usage.h"
#include "progress.h"
#include "report.h"
#include "results.h"
#include "scenario/body_template.h"
#include "scenario/child.h"
#include "synthetic.h"

namespace kemu::load {

using json = nlohmann::json;

namespace {

namespace fs = std::filesystem;

constexpr int kExitThreshold = 99;
constexpr int kExitUsage = 2;
constexpr const char* kDefaultTemplate =
    R"({"event_id":"load-{{i}}","user_id":"user-{{i%100}}","action":"load","seq":{{n}}})";

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
    g_stop.store(true);
}

// SIGINT and SIGTERM set g_stop for the life of this object (no SA_RESTART: sleeps wake).
class StopOnSignal {
public:
    StopOnSignal() {
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, &old_int_);
        ::sigaction(SIGTERM, &sa, &old_term_);
    }
    ~StopOnSignal() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
    }

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

int usage(const std::string& why) {
    std::fprintf(stderr, "kemu load: %s\n", why.c_str());
    return kExitUsage;
}

// True when `endpoint` is http://HOST:PORT on a loopback host.
bool loopback(const std::string& endpoint) {
    for (const char* p : {"http://127.", "http://localhost:", "http://[::1]:"})
        if (endpoint.starts_with(p)) return true;
    return false;
}

// Records seen by the flow's function so far (the scenario hooks' invocations).
// Appends the invocations recorded since the last call to `all` ({"invocations": [...]}), each
// read once (?from=N), and adds the records of `function`'s successful ones to `seen`; false
// when kemu did not answer.
bool fetch_invocations(const std::string& endpoint, const std::string& function, json* all,
                       int64_t* seen) {
    auto& list = (*all)["invocations"];
    auto path = "/_kemu/scenario/invocations?from=" + std::to_string(list.size());
    auto r = cli::http_call(endpoint, {"GET", path, "", {}, 30});
    if (!r || r->first != 200) return false;
    auto doc = json::parse(r->second, nullptr, false);
    if (!doc.is_object() || !doc.contains("invocations") || !doc["invocations"].is_array())
        return false;
    for (auto& inv : doc["invocations"]) {
        if (inv.value("function", "") == function && inv.value("status", "") == "ok")
            *seen += static_cast<int64_t>(inv.value("records", json::array()).size());
        list.push_back(std::move(inv));
    }
    return true;
}

// A folder under $TMPDIR, removed with everything in it when this object goes.
struct TempDir {
    std::string path;
    bool create() {
        auto base = (fs::temp_directory_path() / "kemu-load-XXXXXX").string();
        if (!::mkdtemp(base.data())) return false;
        path = base;
        return true;
    }
    ~TempDir() {
        if (path.empty()) return;
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

bool stop_requested() {
    return g_stop.load();
}

int run_load(const LoadOptions& o) {
    if (o.recommend) {
        StopOnSignal signals;
        return run_recommend(o);
    }
    if (!o.sweeps.empty()) {
        StopOnSignal signals;  // between the points too
        return run_sweep(o);
    }
    // Everything invalid is refused here, before any load is sent.
    std::vector<Threshold> thresholds;
    for (const auto& t : o.thresholds) {
        std::string why;
        auto parsed = parse_threshold(t, &why);
        if (!parsed) return usage(why);
        thresholds.push_back(*parsed);
    }
    std::vector<Stage> ramp;
    if (!o.ramp.empty()) {
        std::string why;
        auto parsed = parse_ramp(o.ramp, &why);
        if (!parsed) return usage(why);
        if (!o.duration.empty())
            return usage("--ramp's last stage sets the run's length: no --duration with it");
        ramp = *parsed;
    }
    std::string duration = o.duration.empty() ? "5s" : o.duration;
    auto duration_ms = ramp.empty() ? parse_duration_ms(duration) : ramp.back().at_ms;
    if (!duration_ms || *duration_ms <= 0)
        return usage("--duration '" + duration + "' is not a duration (5s, 2m, 500ms)");
    if (*duration_ms > 24LL * 3600 * 1000) return usage("--duration is at most 24h");
    auto drain_ms = parse_duration_ms(o.drain);
    if (!drain_ms) return usage("--drain '" + o.drain + "' is not a duration");
    if (!(o.rate > 0)) return usage("--rate must be above 0");
    if (o.max && !ramp.empty()) return usage("--max sends as fast as it can: not with --ramp");
    std::optional<SyntheticSpec> synthetic;
    if (!o.synthetic_handler.empty()) {
        std::string why;
        synthetic = parse_synthetic(o.synthetic_handler, &why);
        if (!synthetic) return usage(why);
        if (!o.endpoint.empty())
            return usage("--synthetic-handler changes kemu load's own kemu: not with --endpoint");
    }
    std::shared_ptr<const std::vector<std::string>> payloads;
    if (!o.payload_files.empty()) {
        if (!o.body_template.empty()) return usage("--payload-file or --template, not both");
        std::string why;
        auto read = read_payloads(o.payload_files, &why);
        if (read.empty()) return usage(why);
        payloads = std::make_shared<const std::vector<std::string>>(std::move(read));
    }
    if (o.target != "frontdoor" && o.target != "kinesis")
        return usage("--target must be frontdoor or kinesis");
    if (o.target == "kinesis" && o.batch_per_request > 500)
        return usage("--batch-per-request is at most 500 with --target kinesis (PutRecords)");
    std::string body = o.body_template.empty() ? kDefaultTemplate : o.body_template;
    if (auto why = scenario::check_template(body); !why.empty()) return usage("--template: " + why);
    if (!payloads && body.find("{{i") == std::string::npos &&
        body.find("{{n}}") == std::string::npos)
        return usage(
            "--template must contain {{i}} or {{n}}: each event is told apart by its data");
    std::vector<Override> overrides;
    for (const auto& text : o.sets) {
        std::string why;
        auto parsed = parse_override(text, &why);
        if (!parsed) return usage(why);
        overrides.push_back(*parsed);
    }
    if (!overrides.empty() && !o.endpoint.empty())
        return usage("--set changes the topology of kemu load's own kemu: not with --endpoint");
    // Our own kemu's folder (its kemu.yaml, data, log, the synthetic runtime), removed at the end.
    TempDir tmp;
    if (o.endpoint.empty() && !tmp.create()) return usage("cannot create a temp dir");
    HandlerSwap swap;
    if (synthetic) {
        std::error_code ec;
        auto exe = fs::read_symlink("/proc/self/exe", ec);
        if (ec) return usage("--synthetic-handler: cannot find kemu's own executable");
        swap = {"provided.al2023", tmp.path + "/synthetic", "synthetic.handler"};
        auto why = write_synthetic_bootstrap(swap.source_dir, exe.string(), *synthetic, o.seed);
        if (!why.empty()) return usage("--synthetic-handler: " + why);
    }
    Config cfg;
    std::string yaml;
    auto errors =
        apply_overrides(o.config, o.flow, overrides, &yaml, &cfg, synthetic ? &swap : nullptr);
    if (!errors.empty()) return usage(errors.front().to_string());
    const FlowConfig* flow = nullptr;
    for (const auto& f : cfg.event_flows)
        if (f.event_type == o.flow) flow = &f;
    if (!flow) return usage("no flow '" + o.flow + "' in " + o.config);
    if (!o.endpoint.empty() && !o.endpoint.starts_with("http://"))
        return usage("--endpoint must be an http:// URL");

    StopOnSignal signals;
    scenario::KemuChild child;
    std::string endpoint = o.endpoint;
    if (endpoint.empty()) {
        std::ofstream(tmp.path + "/kemu.yaml") << yaml;
        std::vector<std::string> args{"-c",
                                      tmp.path + "/kemu.yaml",
                                      "--host",
                                      "127.0.0.1",
                                      "--port",
                                      "0",
                                      "--data-dir",
                                      tmp.path + "/data",
                                      "--scenario-hooks",
                                      "--shard-limits",
                                      "--no-function-logs"};
        std::string why;
        if (!child.start(args, tmp.path + "/kemu.log", &why, /*own_group=*/true)) {
            std::fprintf(stderr, "kemu load: cannot start kemu: %s\n", why.c_str());
            return 1;
        }
        endpoint = child.endpoint();
        if (!loopback(endpoint)) return usage("the child kemu is not on loopback: " + endpoint);
    }
    char shape[160];
    if (o.max)
        std::snprintf(shape, sizeof shape, "max (%d in flight) for %s", o.workers,
                      duration.c_str());
    else if (ramp.empty())
        std::snprintf(shape, sizeof shape, "%g events/s for %s", o.rate, duration.c_str());
    else
        std::snprintf(shape, sizeof shape, "the ramp %s (events/s) over %g s", o.ramp.c_str(),
                      static_cast<double>(*duration_ms) / 1000.0);
    std::printf("kemu load: %s at %s, %d per request, via %s, on %s\n", o.flow.c_str(), shape,
                o.batch_per_request, o.target.c_str(), endpoint.c_str());
    std::fflush(stdout);

    SendPlan plan;
    plan.endpoint = endpoint;
    plan.kinesis = o.target == "kinesis";
    plan.stream = cfg.stream_name(*flow);
    plan.per_request = o.batch_per_request;
    // The single-event resource's partition key is API Gateway's request id: keys of our own
    // (a field) need the batch resource, even one event per request.
    plan.batch_path = !plan.kinesis && (plan.per_request > 1 || !o.partition_key_field.empty());
    plan.path = plan.kinesis      ? "/"
                : plan.batch_path ? "/" + cfg.api.stage_name + "/events/batch/" + o.flow
                                  : "/" + cfg.api.stage_name + "/events/" + o.flow;
    plan.payloads = payloads;
    plan.key_field = o.partition_key_field;
    plan.max = o.max;
    plan.rate = o.rate;
    plan.ramp = ramp;
    plan.duration_ms = *duration_ms;
    plan.workers = o.workers;
    plan.body_template = body;
    plan.key_template = "load-{{i}}";
    plan.seed = o.seed;
    LiveCounters live;
    plan.live = &live;

    std::vector<json> samples;
    std::atomic<bool> stop_polling{false};
    int64_t start_wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    std::thread poller(poll_status, endpoint, o.flow, start_wall, std::cref(stop_polling), &samples,
                       &live, static_cast<int>(child.pid()));
    auto usage_before = process_usage(child.pid());
    auto wall_before = std::chrono::steady_clock::now();
    auto run = send_load(plan, g_stop);
    int64_t accepted = 0;
    for (const auto& r : run.requests)
        accepted += r.accepted;

    // Drain: wait (bounded) for the handler to see every accepted event.
    std::string function = cfg.function_name(*flow);
    bool hooks = o.endpoint.empty();
    json invs = nullptr;
    if (hooks) invs = {{"invocations", json::array()}};
    int64_t seen = 0;
    auto drain_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(*drain_ms);
    while (hooks) {
        if (!fetch_invocations(endpoint, function, &invs, &seen) || seen >= accepted ||
            g_stop.load() || std::chrono::steady_clock::now() >= drain_until)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    if (!hooks)
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(*drain_ms, 2000)));
    stop_polling.store(true);
    poller.join();
    auto usage_after = process_usage(child.pid());
    double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
    if (auto r = cli::http_call(endpoint, {"GET", "/_kemu/status", "", {}, 5});
        r && r->first == 200)
        samples.push_back({{"t_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                            .count() -
                                        start_wall},
                           {"status", json::parse(r->second, nullptr, false)}});

    Observed obs{&plan, &run, &samples, invs, o.flow, function, flow, o.cost_rate};
    auto results = analyse(obs);
    results["schema"] = "kemu-load/1";
    results["interrupted"] = g_stop.load();
    results["kemu_version"] = KEMU_VERSION;
    results["machine"] = machine_info();
    results["settings"] = {
        {"config", o.config},
        {"flow", o.flow},
        {"target", o.target},
        {"endpoint", o.endpoint.empty() ? "own kemu (--shard-limits)" : o.endpoint},
        {"rate", ramp.empty() && !o.max ? json(o.rate) : json(nullptr)},
        {"max", o.max},
        {"workers", o.workers},
        {"synthetic_handler",
         o.synthetic_handler.empty() ? json(nullptr) : json(o.synthetic_handler)},
        {"payload_files", o.payload_files},
        {"payloads", payloads ? json(payloads->size()) : json(nullptr)},
        {"partition_key_field",
         o.partition_key_field.empty() ? json(nullptr) : json(o.partition_key_field)},
        {"ramp", o.ramp},
        {"duration_ms", *duration_ms},
        {"batch_per_request", o.batch_per_request},
        {"template", payloads ? json(nullptr) : json(body)},
        {"sets", o.sets},
        {"shard_count", flow->shard_count},
        {"batch_size", flow->batch_size},
        {"batch_window_seconds", flow->batch_window_seconds},
        {"parallelization_factor", flow->parallelization_factor},
        {"lambda_memory_size", flow->lambda_memory_size}};
    auto values = threshold_values(results["summary"]);
    json judged = json::array();
    bool failed = false;
    for (const auto& t : thresholds) {
        auto it = values.find(t.metric);
        bool pass = it != values.end() && t.passes(it->second);
        failed = failed || !pass;
        judged.push_back({{"expression", t.text},
                          {"metric", t.metric},
                          {"value", it != values.end() ? json(it->second) : json(nullptr)},
                          {"passed", pass}});
    }
    results["thresholds"] = judged;
    // kemu's own share of a core while sending and draining (its handlers' processes not
    // counted), and its peak memory: a kemu limit is then told from a pipeline limit.
    if (usage_before && usage_after && wall_s > 0) {
        results["summary"]["kemu_cpu_share"] = (usage_after->cpu_s - usage_before->cpu_s) / wall_s;
        results["summary"]["kemu_peak_rss_mb"] = usage_after->peak_rss_mb;
    }

    child.stop();
    if (g_stop.load()) std::printf("interrupted: the results cover what was sent\n");
    std::printf("%s", summary_text(results).c_str());
    for (const auto& j : judged) {
        auto measured = j["value"].is_null() ? std::string("not measured: a failure")
                                             : "measured " + j["value"].dump();
        std::printf("threshold %s: %s (%s)\n", j["expression"].get<std::string>().c_str(),
                    j["passed"].get<bool>() ? "passed" : "FAILED", measured.c_str());
    }
    if (!o.report.empty()) {
        std::error_code ec;
        fs::create_directories(o.report, ec);
        std::ofstream out(fs::path(o.report) / "results.json");
        out << results.dump(2) << "\n";
        if (!out) {
            std::fprintf(stderr, "kemu load: cannot write %s/results.json\n", o.report.c_str());
            return 1;
        }
        std::printf("results: %s/results.json\n", o.report.c_str());
        std::string why;
        if (!write_report(o.report, results, &why)) {
            std::fprintf(stderr, "kemu load: %s\n", why.c_str());
            return 1;
        }
        std::printf("report: %s/report.html\n", o.report.c_str());
    }
    return failed ? kExitThreshold : 0;
}

}  // namespace kemu::load
