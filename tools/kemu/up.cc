#include "up.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

#include "apigw/front_door.h"
#include "cloudwatch/api.h"
#include "cloudwatch/cloudwatch.h"
#include "core/access_guard.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/db.h"
#include "core/edge.h"
#include "core/encoding.h"
#include "core/fault_file_system.h"
#include "core/log.h"
#include "endpoints.h"
#include "kinesis/api.h"
#include "kinesis/store.h"
#include "lambda_api.h"
#include "processors.h"
#include "scenario/hooks.h"
#include "sqs_dlq/api.h"
#include "sqs_dlq/queue_store.h"
#include "timed_handler.h"
#include "validate.h"

namespace kemu::cli {
namespace {

LogLevel parse_level(const std::string& s) {
    if (s == "debug") return LogLevel::kDebug;
    if (s == "warn") return LogLevel::kWarn;
    if (s == "error") return LogLevel::kError;
    return LogLevel::kInfo;
}

bool load_topology(const std::string& path, Config* cfg) {
    auto errors = load_config(path, cfg);
    for (const auto& e : errors)
        std::cerr << "kemu: " << e.to_string() << "\n";
    return errors.empty();
}

// Creates each flow's stream, or brings an existing one to the file's shard count and
// retention. Records and checkpoints are kept.
bool apply_topology(const Config& cfg, kinesis::Store& store, const std::string& account,
                    const std::string& region) {
    for (const auto& f : cfg.event_flows) {
        kinesis::StreamKey key{account, region, cfg.stream_name(f)};
        auto d = store.describe_stream(key);
        bool on_demand = f.stream_mode == "ON_DEMAND";
        auto mode = on_demand ? kinesis::StreamMode::kOnDemand : kinesis::StreamMode::kProvisioned;
        if (!d) {
            // AWS: an on-demand stream is created without a shard count, and starts with 4.
            auto r = store.create_stream(
                key, on_demand ? std::nullopt : std::optional<int>(f.shard_count), mode, {});
            if (!r) {
                std::cerr << "kemu: cannot create stream " << key.name << ": " << r.error().message
                          << "\n";
                return false;
            }
            // The seed's streams are KMS-encrypted with a per-flow alias.
            (void)store.start_encryption(key, cfg.kms_alias(f));
        } else if (d->mode != mode) {
            log_warn("topology", "stream " + key.name +
                                     " exists in the other capacity mode; kemu " +
                                     "keeps it as it is (delete the data dir to recreate it)");
        } else if (!on_demand && d->open_shard_count != f.shard_count) {
            auto r = store.update_shard_count(key, f.shard_count);
            if (!r) {
                std::cerr << "kemu: cannot change the shard count of " << key.name << " to "
                          << f.shard_count << ": " << r.error().message << "\n";
                return false;
            }
        }
        d = store.describe_stream(key);
        if (d && d->retention_hours != f.retention_period) {
            auto r = f.retention_period > d->retention_hours
                         ? store.increase_retention(key, f.retention_period)
                         : store.decrease_retention(key, f.retention_period);
            (void)r;
        }
        log_info("topology", "stream " + key.name + " (" + std::to_string(f.shard_count) +
                                 " shards, " + (on_demand ? "on-demand, " : "") +
                                 std::to_string(f.retention_period) + " h)");
    }
    return true;
}

// Creates each flow's dead-letter queue as the Terraform module does (14-day retention,
// SSE-SQS), or leaves an existing one and its messages as they are.
bool apply_dead_letter_queues(const Config& cfg, sqs_dlq::QueueStore& queues) {
    for (const auto& f : cfg.event_flows) {
        if (!f.dlq_enabled) continue;
        auto name = cfg.dlq_name(f);
        if (queues.queue_exists(name)) continue;
        auto r = queues.create_queue(
            name, {{"MessageRetentionPeriod", "1209600"}, {"SqsManagedSseEnabled", "true"}}, {});
        if (!r) {
            std::cerr << "kemu: cannot create queue " << name << ": " << r.error().message << "\n";
            return false;
        }
        log_info("topology", "queue " + name);
    }
    return true;
}

// The one RocksDB database (nullptr after printing why not).
std::unique_ptr<Db> open_db(const UpOptions& o, std::shared_ptr<FaultFileSystem> fs) {
    // The data dir and everything kemu writes are the user's alone (0700 / 0600).
    ::umask(077);
    DbOptions dbo;
    dbo.file_system = std::move(fs);
    dbo.path = o.data_dir;
    dbo.in_memory = o.in_memory;
    dbo.sync = o.durability == "fsync";
    std::string error;
    auto db = Db::open(dbo, &error);
    if (!db) {
        std::cerr << "kemu: " << error << "\n";
        return nullptr;
    }
    if (!o.in_memory) {
        std::error_code ec;  // a data dir made before kemu did this is closed now
        std::filesystem::permissions(o.data_dir, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::replace, ec);
    }
    return db;
}

kinesis::StoreOptions store_options(const UpOptions& o) {
    kinesis::StoreOptions so;
    so.create_delay_ms = so.delete_delay_ms = so.update_delay_ms = o.status_delay_ms;
    so.shard_limit = o.account_shard_limit;
    so.shard_limits = o.shard_limits;
    return so;
}

// Loads a store's state from the data dir; false after printing why not.
template <class S>
bool load_or_say(S& store, const UpOptions& o) {
    try {
        store.load();
        return true;
    } catch (const std::exception& e) {
        std::cerr << "kemu: cannot load " << o.data_dir << ": " << e.what() << "\n";
        return false;
    }
}

// Every second: environments' housekeeping, then CloudWatch's tick; every minute: retention.
// With scenario hooks, each tick is counted (scenario/hooks.h: a scenario waits for one).
void start_timers(EdgeServer& edge, Processors& processors, cloudwatch::CloudWatch& cloudwatch,
                  kinesis::Store& store, sqs_dlq::QueueStore& queues, const Clock& clock,
                  scenario::Hooks* hooks) {
    edge.every(1'000, [&processors, &cloudwatch, &clock, hooks] {
        processors.housekeeping();
        cloudwatch.tick(clock.now_ms());
        if (hooks) hooks->ticked();
        return true;
    });
    edge.every(60'000, [&store, &queues] {
        store.trim_expired();
        queues.trim_expired();
        return true;
    });
}

// The topology file (./kemu.yaml when none is named and it exists) and, unless --no-lambda,
// the handlers it names. False after printing the problems.
bool load_up_config(const UpOptions& o, Config* out, std::string* path) {
    auto& cfg = *out;
    auto& config_path = *path;
    config_path = o.config;
    if (config_path.empty() && std::filesystem::exists("kemu.yaml")) config_path = "kemu.yaml";
    if (!config_path.empty() && !load_topology(config_path, &cfg)) return false;
    if (!o.no_lambda) {
        auto errors = check_handlers(cfg, o.python, o.node);
        for (const auto& e : errors)
            std::cerr << "kemu: " << e.to_string() << "\n";
        if (!errors.empty()) return false;
    }
    return true;
}

// The API Gateway front door's options: the api block of kemu.yaml, key values from the
// environment, the account throttle and api id from flags.
bool front_door_options(const UpOptions& o, const Config& cfg, apigw::FrontDoorOptions* out) {
    auto& fo = *out;
    fo.account = o.account;
    fo.region = o.region;
    fo.api_id = o.apigw_api_id;
    for (const auto& err :
         {apigw::parse_account_throttle(o.apigw_account_throttle, &fo.account_throttle),
          o.apigw_api_id.empty() ? "" : apigw::check_api_id(o.apigw_api_id),
          apigw::resolve_api_keys(
              cfg, [](const std::string& name) { return std::getenv(name.c_str()); },
              &fo.api_keys)}) {
        if (err.empty()) continue;
        std::cerr << "kemu: " << err << "\n";
        return false;
    }
    if (cfg.api.enable_access_logging && !o.in_memory) fo.access_log_root = o.data_dir;
    return true;
}

// What the handlers' AWS_ENDPOINT_URL says (--handler-endpoint); empty: unset.
std::string handler_endpoint(const UpOptions& o, unsigned port) {
    if (o.handler_endpoint == "none") return {};
    if (o.handler_endpoint != "kemu") return o.handler_endpoint;
    // Handlers run on this machine: a wildcard address is reached on the loopback.
    std::string host = o.host;
    if (host.empty() || host == "0.0.0.0" || host == "::") host = "127.0.0.1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(port);
}

// The lines kemu prints once it listens; `kemu listening on` first (tools parse them).
void print_banner(const UpOptions& o, const Config& cfg, unsigned port,
                  const apigw::FrontDoor& front_door, const apigw::FrontDoorOptions& fo,
                  const Processors& processors) {
    std::printf("kemu listening on http://%s:%u\n", o.host.c_str(), port);
    std::printf("kemu api gateway: http://%s:%u/%s (or http://%s.execute-api.localhost:%u/%s)\n",
                o.host.c_str(), port, cfg.api.stage_name.c_str(), front_door.api_id().c_str(), port,
                cfg.api.stage_name.c_str());
    // The one line that shows a key: a value kemu generated (AWS shows it once, too).
    for (const auto& k : fo.api_keys) {
        if (!k.generated || !k.enabled) continue;
        std::printf("kemu api key: %s (%s; %s sets it)\n", k.value.c_str(), k.name.c_str(),
                    api_key_variable(k.name).c_str());
    }
    std::string base = "http://" + o.host + ":" + std::to_string(port);
    std::printf("kemu kinesis and sqs: %s (aws --endpoint-url %s ...)\n", base.c_str(),
                base.c_str());
    for (const auto& f : cfg.event_flows) {
        std::printf("kemu event type %s: POST %s/%s/events/%s (batches: %s/%s/events/batch/%s)\n",
                    f.event_type.c_str(), base.c_str(), cfg.api.stage_name.c_str(),
                    f.event_type.c_str(), base.c_str(), cfg.api.stage_name.c_str(),
                    f.event_type.c_str());
    }
    std::printf(
        "kemu lambda, cloudwatch and logs: %s (aws --endpoint-url %s lambda|cloudwatch|logs ...)\n",
        base.c_str(), base.c_str());
    processors.print_banner();
    std::printf("kemu console: %s/_kemu/console\n", base.c_str());
    std::printf(
        "kemu metrics: %s/_kemu/metrics (alarms: %s/_kemu/alarms; `kemu status --endpoint %s`)\n",
        base.c_str(), base.c_str(), base.c_str());
}

// What the console (console.h) reads and sends through.
ConsoleDeps console_deps(const Config& cfg, const UpOptions& o, kinesis::Store& store,
                         std::shared_ptr<cloudwatch::LogStore> logs,
                         std::shared_ptr<RequestHandler> front_door,
                         const apigw::FrontDoorOptions& fo) {
    ConsoleDeps d{&cfg, &store, o.account, o.region, std::move(logs), std::move(front_door), ""};
    if (cfg.api.api_key_required) {
        for (const auto& k : fo.api_keys) {
            if (k.enabled) {
                d.api_key = k.value;
                break;
            }
        }
    }
    return d;
}

// CloudWatch over every flow's stream and function, every queue and the front door, its
// history kept in the data dir (restored here).
std::unique_ptr<cloudwatch::CloudWatch> make_cloudwatch(
    const Config& cfg, const UpOptions& o, kinesis::Store& store, sqs_dlq::QueueStore& queues,
    const Processors& processors, std::shared_ptr<apigw::FrontDoor> front_door, Db& db,
    std::shared_ptr<cloudwatch::LogStore> logs) {
    cloudwatch::SamplerSources s;
    s.store = &store;
    s.account = o.account;
    s.region = o.region;
    for (const auto& f : cfg.event_flows)
        s.streams.push_back(cfg.stream_name(f));
    for (const auto& p : processors.all())
        s.functions.push_back({p.pool->config().name, p.metrics.get()});
    s.queues = &queues;
    s.front_door = std::move(front_door);
    s.api_name = cfg.api_name();
    cloudwatch::CloudWatchOptions co;
    co.alarm_period_s = o.alarm_period_s;
    co.logs = std::move(logs);
    auto cw = std::make_unique<cloudwatch::CloudWatch>(cfg, std::move(s), &db, co);
    cw->load();
    return cw;
}

// kemu listening beyond loopback serves anyone who can reach the port: only with signatures
// checked, or when told so. False after printing why.
bool check_exposure(const UpOptions& o) {
    if (loopback_host(o.host) || o.verify_signatures || o.insecure_open) return true;
    std::cerr << "kemu: --host " << o.host
              << " listens beyond this machine's loopback, where anyone who reaches the port "
                 "could call every API; add --verify-signatures (clients then sign with a key "
                 "of KEMU_ACCESS_KEYS, default test/test), or --insecure-open to accept that\n";
    return false;
}

// The checks every request passes (core/access_guard.h); nullptr after printing why not.
std::shared_ptr<AccessGuard> make_guard(const UpOptions& o, const Config& cfg, const Clock& clock) {
    AccessPolicy p;
    p.listen_host = o.host;
    p.allowed_hosts = o.allow_hosts;
    p.allowed_origins = o.allow_origins;
    p.allowed_origins.insert(p.allowed_origins.end(), cfg.allow_origins.begin(),
                             cfg.allow_origins.end());
    p.verify_signatures = o.verify_signatures;
    if (auto err = parse_access_keys(std::getenv("KEMU_ACCESS_KEYS"), &p.keys); !err.empty()) {
        std::cerr << "kemu: " << err << "\n";
        return nullptr;
    }
    // The credentials kemu gives its handlers (lambda_runner's runtime variables), so their SDK
    // calls back into kemu pass verification too.
    p.keys.emplace("ASIAKEMULOCALEXAMPLE", "kemu-local-secret-access-key");
    return std::make_shared<AccessGuard>(std::move(p), clock);
}

GuardedApi aws_api(std::string service, std::string xmlns = "") {
    GuardedApi a;
    a.service = std::move(service);
    a.query_namespace = std::move(xmlns);
    return a;
}

}  // namespace

int run_up(const UpOptions& o) {
    auto started = std::chrono::steady_clock::now();
    set_log_level(parse_level(o.log_level));
    set_log_format(o.log_format == "json" ? LogFormat::kJson : LogFormat::kText);
    if (auto err = apigw::retired_setting_error(environ); !err.empty()) {
        std::cerr << "kemu: " << err << "\n";
        return 2;
    }
    if (!check_exposure(o)) return 2;
    Config cfg;
    std::string config_path;
    if (!load_up_config(o, &cfg, &config_path)) return 2;

    // With scenario hooks, the data dir's file system can be made to refuse writes (the "disk"
    // service fault), as a full disk does.
    auto disk = o.scenario_hooks ? std::make_shared<FaultFileSystem>() : nullptr;
    auto db = open_db(o, disk);
    if (!db) return 1;
    // `kemu test` starts kemu with its hooks: a clock that advance_time moves, and recorders.
    std::unique_ptr<scenario::Hooks> hooks;
    // KEMU_SCENARIO_INVOCATIONS=off (bench/soak.py): the hooks keep no invocations, which
    // would otherwise grow with the run.
    const char* keep = std::getenv("KEMU_SCENARIO_INVOCATIONS");
    bool keep_invocations = !(keep && std::string_view(keep) == "off");
    if (o.scenario_hooks) {
        hooks = std::make_unique<scenario::Hooks>(
            o.in_memory || !keep_invocations ? "" : o.data_dir + "/scenario-invocations.jsonl");
        hooks->keep_invocations(keep_invocations);
    }
    SystemClock system_clock;
    const Clock& clock = hooks ? hooks->clock() : system_clock;
    kinesis::Store store(*db, clock, store_options(o));
    if (!load_or_say(store, o)) return 1;
    if (hooks) {
        hooks->on_fault("disk", [disk](const nlohmann::json& spec) -> std::string {
            if (!spec.contains("fail_writes") || !spec["fail_writes"].is_boolean())
                return "disk needs \"fail_writes\": true or false";
            disk->fail_writes(spec["fail_writes"].get<bool>());
            return "";
        });
        hooks->on_fault("shard_limits", [&store](const nlohmann::json& spec) -> std::string {
            if (!spec.contains("on") || !spec["on"].is_boolean())
                return "shard_limits needs \"on\": true or false";
            store.set_shard_limits(spec["on"].get<bool>());
            return "";
        });
    }
    if (!config_path.empty() && !apply_topology(cfg, store, o.account, o.region)) return 1;
    sqs_dlq::QueueStoreOptions qo;
    qo.account = o.account;
    qo.region = o.region;
    qo.purge_cooldown_ms = o.sqs_purge_cooldown_ms;
    qo.delete_cooldown_ms = o.sqs_delete_cooldown_ms;
    sqs_dlq::QueueStore queues(*db, clock, qo);
    if (!load_or_say(queues, o)) return 1;
    if (!config_path.empty() && !apply_dead_letter_queues(cfg, queues)) return 1;
    // Function log events (CloudWatch Logs), made before the functions that write to them.
    auto logs = std::make_shared<cloudwatch::LogStore>();
    Processors processors;
    if (!o.no_lambda && !processors.build(cfg, o, store, queues, *db, clock, logs, hooks.get()))
        return 2;
    EdgeOptions eo;
    eo.host = o.host;
    eo.port = static_cast<uint16_t>(o.port);
    apigw::FrontDoorOptions fo;
    if (!front_door_options(o, cfg, &fo)) return 2;
    if (cfg.api.enable_access_logging) {
        // The stage's access-log group in the log store (with --in-memory too): one stream,
        // named by kemu with 32 hex digits as API Gateway's are.
        auto api_id = fo.api_id.empty() ? apigw::derive_api_id(cfg) : fo.api_id;
        fo.access_log_sink = [logs, group = apigw::access_log_group(cfg),
                              stream = md5_hex(api_id + "/" + cfg.api.stage_name)](
                                 int64_t ts, std::string_view line) {
            logs->append(group, stream, ts, line);
        };
    }
    auto front_door = apigw::make_front_door(store, clock, cfg, fo);
    if (hooks) {
        hooks->on_fault("front_door_throttle",
                        [front_door](const nlohmann::json& spec) -> std::string {
                            auto rate = spec.value("rate_limit", -1.0);
                            auto burst = spec.value("burst_limit", int64_t{-1});
                            if (rate <= 0 || burst < 1)
                                return "front_door_throttle needs rate_limit > 0 and "
                                       "burst_limit >= 1";
                            front_door->set_stage_throttle({rate, burst});
                            return "";
                        });
    }
    auto cloudwatch = make_cloudwatch(cfg, o, store, queues, processors, front_door, *db, logs);
    auto& latency = cloudwatch->request_latency();
    auto lambda_api =
        make_lambda_api(processors, clock, {o.account, o.region, int64_t{o.status_delay_ms}});
    // Every handler behind the access guard: host, origin, credentials.
    auto guard = make_guard(o, cfg, clock);
    if (!guard) return 2;
    GuardedApi front_door_api{GuardedApi::kFrontDoor, "", "", cfg.api.cors_allowed_origins};
    GuardedApi internal_api{GuardedApi::kInternal, "", "", {}};
    EdgeServer edge(
        eo,
        {guarded(timed(make_kemu_endpoints(cfg, processors, store, queues, *cloudwatch, clock,
                                           hooks.get(),
                                           console_deps(cfg, o, store, logs, front_door, fo)),
                       "kemu", latency),
                 guard, internal_api),
         // The Lambda API's paths (/2015-03-31/functions..., /2015-03-31/event-source-mappings...)
         // before the front door, whose stage paths could otherwise take them.
         guarded(timed(lambda_api, "lambda", latency), guard, aws_api("lambda")),
         guarded(timed(front_door, "apigateway", latency), guard, front_door_api)});
    // CloudWatch and CloudWatch Logs before SQS: a form post signed for `monitoring` is
    // CloudWatch's, every other form post SQS's.
    edge.add_handler(
        guarded(timed(cloudwatch::make_api_handler(*cloudwatch, clock, {o.account, o.region}),
                      "cloudwatch", latency),
                guard, aws_api("monitoring", "http://monitoring.amazonaws.com/doc/2010-08-01/")));
    // SQS long polls wait on the edge's timers; Kinesis answers whatever is left, so it is last.
    edge.add_handler(guarded(
        timed(sqs_dlq::make_api_handler(queues, edge.scheduler(), {o.account}), "sqs", latency),
        guard, aws_api("sqs", "http://queue.amazonaws.com/doc/2012-11-05/")));
    edge.add_handler(guarded(
        timed(kinesis::make_api_handler(store, clock, {o.account, o.region, o.efo_heartbeat_ms}),
              "kinesis", latency),
        guard, aws_api("kinesis")));
    if (auto err = edge.listen(); !err.empty()) {
        std::cerr << "kemu: " << err << "\n";
        return 1;
    }
    guard->set_port(edge.port());
    processors.set_handler_endpoint(handler_endpoint(o, edge.port()));
    processors.start();
    start_timers(edge, processors, *cloudwatch, store, queues, clock, hooks.get());
    auto ready_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    print_banner(o, cfg, edge.port(), *front_door, fo, processors);
    std::fflush(stdout);
    // First evaluation (INSUFFICIENT_DATA -> OK before any traffic), after the banner: the
    // listening line stays the first line kemu prints.
    cloudwatch->tick(clock.now_ms());
    log_debug("up", "ready in " + std::to_string(ready_us) + " us");
    edge.run();
    wait_for_invocations(*lambda_api);
    processors.stop();
    db->flush();
    log_info("up", "stopped");
    return 0;
}

int run_validate(const std::string& path) {
    Config cfg;
    if (!load_topology(path, &cfg)) return 2;
    auto errors = check_handlers(cfg, "", "");
    for (const auto& e : errors)
        std::cerr << "kemu: " << e.to_string() << "\n";
    if (!errors.empty()) return 2;
    std::cout << path << ": ok (" << cfg.event_flows.size() << " event flows)\n";
    return 0;
}

}  // namespace kemu::cli
