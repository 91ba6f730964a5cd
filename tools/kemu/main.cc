// kemu: AWS event-ingestion pipelines (API Gateway, Kinesis, Lambda, SQS) on one machine.

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "deploy/command.h"
#include "deploy/engine.h"
#include "deploy/from_terraform.h"
#include "deploy/lint.h"
#include "dlq.h"
#include "load/command.h"
#include "load/synthetic.h"
#include "scenario/command.h"
#include "status.h"
#include "up.h"

namespace {

// `kemu up`'s options for the Lambda runner, the alarms and the log.
void add_up_runtime_options(CLI::App* cmd_up, kemu::cli::UpOptions& up) {
    cmd_up
        ->add_option("--lambda-retry-backoff-ms", up.lambda_retry_backoff_ms,
                     "First back-off between retries of a failing batch; doubles up to 60 s (AWS: "
                     "about 1000)")
        ->check(CLI::Range(1, 60000))
        ->capture_default_str();
    cmd_up
        ->add_option(
            "--lambda-idle-timeout-s", up.lambda_idle_timeout_s,
            "Stop an execution environment idle this long; 0 stops it after every invocation")
        ->check(CLI::Range(0, 86400))
        ->capture_default_str();
    cmd_up
        ->add_option("--lambda-concurrency", up.lambda_concurrency,
                     "Execution environments per function; more concurrent batches are throttled")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    cmd_up
        ->add_option("--handler-endpoint", up.handler_endpoint,
                     "AWS_ENDPOINT_URL of every handler: kemu (this kemu, so the handler's SDK "
                     "calls reach it), none (unset, as on AWS), or an http(s) URL")
        ->check(
            [](const std::string& v) -> std::string {
                if (v == "kemu" || v == "none" || v.starts_with("http://") ||
                    v.starts_with("https://"))
                    return {};
                return "must be kemu, none or an http(s):// URL";
            },
            "kemu|none|URL")
        ->capture_default_str();
    cmd_up
        ->add_option("--alarm-period-s", up.alarm_period_s,
                     "Evaluate every alarm over periods of this many seconds instead of the "
                     "module's 60 (demos, tests)")
        ->check(CLI::Range(0, 3600))
        ->capture_default_str();
    cmd_up
        ->add_option("--apigw-account-throttle", up.apigw_account_throttle,
                     "API Gateway's account-level throttle, RATE/BURST (AWS's per-region "
                     "default), or off (benchmarks)")
        ->capture_default_str();
    cmd_up->add_option("--apigw-api-id", up.apigw_api_id,
                       "The REST API id of host-style URLs (default: derived from the API name)");
    cmd_up->add_flag("--no-lambda", up.no_lambda,
                     "Serve the APIs and the front door only: no processors (handler directories "
                     "are not checked)");
    cmd_up->add_flag("!--no-function-logs", up.lambda_echo_logs,
                     "Do not print function logs (they still go to the log files)");
    cmd_up->add_option("--python", up.python,
                       "Interpreter for python3.x runtimes (default: resolved from PATH)");
    cmd_up->add_option("--node", up.node,
                       "Interpreter for nodejs runtimes (default: node on PATH)");
    cmd_up
        ->add_option("--log-format", up.log_format,
                     "text (coloured on a terminal), or json: one object per line for kemu's log, "
                     "function logs and alarms")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd_up->add_option("--log-level", up.log_level, "debug, info, warn or error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
        ->capture_default_str();
    cmd_up->add_flag("--scenario-hooks", up.scenario_hooks,
                     "For kemu test only: record invocations and let /_kemu/scenario/advance_time "
                     "move the clock");
}

// `kemu test` and its options.
CLI::App* add_test(CLI::App& app, kemu::scenario::TestOptions& t) {
    auto* cmd = app.add_subcommand("test",
                                   "Run scenario files, each against a kemu of its own; exit 0 "
                                   "all passed, 1 a failure, 2 an invalid scenario");
    cmd->add_option("paths", t.paths, "Scenario files, or folders of *.yaml")
        ->capture_default_str();
    cmd->add_option("-c,--config", t.config, "Topology of the scenarios that name none");
    cmd->add_option("--junit", t.junit, "Write JUnit XML here (one testcase per expectation)");
    cmd->add_option("-j,--jobs", t.jobs, "Scenarios run in parallel")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--filter", t.filter, "Only scenarios whose name or file contains this");
    cmd->add_option("--seed", t.seed, "Seed of every random draw (printed for replays)")
        ->capture_default_str();
    return cmd;
}

// `kemu load` and its options.
CLI::App* add_load(CLI::App& app, kemu::load::LoadOptions& l) {
    auto* cmd = app.add_subcommand(
        "load",
        "Drive one flow at a fixed arrival rate against a kemu of its own (shard limits on) and "
        "measure throttling, latency, iterator ages and cost; exit 0 done, 99 a failed "
        "threshold, 2 invalid usage");
    cmd->add_option("-c,--config", l.config, "Topology file")->capture_default_str();
    cmd->add_option("--flow", l.flow, "Event type of kemu.yaml to load")->required();
    cmd->add_option("--rate", l.rate,
                    "Events per second offered (open model: kept whatever the "
                    "latency)")
        ->check(CLI::Range(0.001, 1e6))
        ->capture_default_str();
    cmd->add_option("--duration", l.duration, "How long to send: 500ms, 5s (default), 2m");
    cmd->add_option("--ramp", l.ramp,
                    "Stages TIME:RATE instead of --rate, like 0:100,30s:2000,60s:2000: the rate "
                    "moves linearly between them; the last one's time ends the run")
        ->excludes("--rate");
    cmd->add_option("--batch-per-request", l.batch_per_request,
                    "Events per request: front-door batch calls (or PutRecords) when above 1")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    cmd->add_option("--target", l.target, "frontdoor (API Gateway) or kinesis (PutRecords)")
        ->capture_default_str();
    cmd->add_option("--endpoint", l.endpoint,
                    "A running kemu to load instead of one of our own (no handler latencies "
                    "without its --scenario-hooks)");
    cmd->add_option("--report", l.report,
                    "Write DIR/results.json and DIR/report.html (docs/load.md)");
    cmd->add_option("--threshold", l.thresholds,
                    "A gate such as 'p99_latency_ms<500' (repeatable); exit 99 when one fails");
    cmd->add_option("--set", l.sets,
                    "KEY=VALUE: the flow's shard_count, batch_size, batch_window_seconds, "
                    "parallelization_factor, lambda_memory_size or lambda_timeout for this run "
                    "(repeatable)");
    cmd->add_option("--template", l.body_template,
                    "Event body with {{i}}, {{n}}, {{i%K}}, {{seed}} (default: a JSON object)");
    cmd->add_option("--drain", l.drain, "Longest wait for the handler after the last request")
        ->capture_default_str();
    cmd->add_option("--workers", l.workers, "Requests in flight at most")
        ->check(CLI::Range(1, 512))
        ->capture_default_str();
    cmd->add_option("--cost-rate", l.cost_rate,
                    "Events/s of the cost estimate (default: the accepted rate)")
        ->check(CLI::Range(0.0, 1e9));
    cmd->add_option("--seed", l.seed, "Seed of the template's {{seed}}")->capture_default_str();
    cmd->add_option("--sweep", l.sweeps,
                    "KEY=V1,V2,...: one run per point of the cross product (keys as --set), a "
                    "table and a recommendation (repeatable)");
    cmd->add_option("--strategy", l.strategy,
                    "The sweep's recommendation: cost, latency or balanced")
        ->check(CLI::IsMember({"cost", "latency", "balanced"}))
        ->capture_default_str();
    cmd->add_option("--max-p99", l.max_p99, "A sweep point's p99 latency at most this (2s)");
    cmd->add_option("--max-iterator-age", l.max_iterator_age,
                    "A sweep point's iterator age at most this (60s)");
    cmd->add_option("--synthetic-handler", l.synthetic_handler,
                    "Serve the flow with a built-in handler that sleeps this long and succeeds, "
                    "like 5ms±2ms (or 5ms+-2ms), to measure the pipeline alone");
    cmd->add_option("--payload-file", l.payload_files,
                    "Events sampled from files instead of --template: a file (one payload), a "
                    ".jsonl file (one a line) or a folder (one a file) (repeatable)");
    cmd->add_option("--partition-key-field", l.partition_key_field,
                    "Partition keys from this top-level field of each event's JSON (default: "
                    "uniform)");
    cmd->add_flag("--max", l.max,
                  "Send as fast as --workers requests in flight allow, for --duration (a closed "
                  "model)")
        ->excludes("--rate");
    cmd->add_flag("--recommend", l.recommend,
                  "Sweep at low, medium and high volume and print the recommended settings by "
                  "volume");
    cmd->add_option("--volumes", l.volumes,
                    std::string("--recommend's volumes in events/s (default ") +
                        kemu::load::kDefaultVolumes + ")");
    return cmd;
}

// `kemu up`'s access options (core/access_guard.h; README "Security").
void add_up_access_options(CLI::App* cmd_up, kemu::cli::UpOptions& up) {
    cmd_up->add_option("--allow-host", up.allow_hosts,
                       "A Host name kemu answers besides loopback, localhost, *.localhost and the "
                       "--host address (repeatable)");
    cmd_up->add_option("--allow-origin", up.allow_origins,
                       "A browser origin (e.g. http://localhost:3000) allowed to call the AWS "
                       "APIs besides kemu's own (repeatable)");
    cmd_up->add_flag("--verify-signatures", up.verify_signatures,
                     "Verify SigV4 signatures against KEMU_ACCESS_KEYS (id:secret pairs; "
                     "default test:test)");
    cmd_up->add_flag("--insecure-open", up.insecure_open,
                     "Allow a non-loopback --host without --verify-signatures");
}

// `kemu up` and its options.
CLI::App* add_up(CLI::App& app, kemu::cli::UpOptions& up) {
    auto* cmd_up = app.add_subcommand("up",
                                      "Serve the Kinesis, SQS, Lambda, CloudWatch and Logs APIs "
                                      "and the front door (and the topology of kemu.yaml) on one "
                                      "port, with the console at /_kemu/console");
    cmd_up->add_option("-c,--config", up.config,
                       "Topology file (default: ./kemu.yaml when present)");
    cmd_up->add_option("--host", up.host, "Address to listen on")->capture_default_str();
    cmd_up->add_option("--port", up.port, "Port to listen on; 0 picks a free port")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd_up->add_option("--data-dir", up.data_dir, "Where RocksDB keeps the data")
        ->capture_default_str();
    cmd_up->add_flag("--in-memory", up.in_memory, "Keep everything in memory (nothing on disk)");
    cmd_up->add_option("--region", up.region, "Region for requests without a SigV4 scope")
        ->capture_default_str();
    cmd_up->add_option("--account", up.account, "Account id in ARNs and messages")
        ->capture_default_str();
    cmd_up->add_flag("--shard-limits", up.shard_limits,
                     "Enforce per-shard throughput limits (1 MiB/s or 1000 records/s in, 5 reads/s "
                     "and 2 MiB/s out)");
    cmd_up
        ->add_option("--durability", up.durability,
                     "wal: acknowledged writes survive kill -9; fsync: also power loss")
        ->check(CLI::IsMember({"wal", "fsync"}))
        ->capture_default_str();
    cmd_up
        ->add_option("--status-delay-ms", up.status_delay_ms,
                     "How long streams stay CREATING/UPDATING/DELETING")
        ->check(CLI::Range(0, 600000))
        ->capture_default_str();
    cmd_up
        ->add_option("--shard-limit", up.account_shard_limit,
                     "Open shards allowed per account and region")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd_up
        ->add_option("--sqs-purge-cooldown-ms", up.sqs_purge_cooldown_ms,
                     "A second PurgeQueue on a queue this soon answers 403 PurgeQueueInProgress "
                     "(AWS: 60000)")
        ->check(CLI::Range(0, 3600000))
        ->capture_default_str();
    cmd_up
        ->add_option("--sqs-delete-cooldown-ms", up.sqs_delete_cooldown_ms,
                     "Recreating a queue this soon after DeleteQueue answers QueueDeletedRecently "
                     "(AWS: 60000)")
        ->check(CLI::Range(0, 3600000))
        ->capture_default_str();
    cmd_up
        ->add_option("--efo-heartbeat-ms", up.efo_heartbeat_ms,
                     "An idle SubscribeToShard stream gets an empty event after this much silence "
                     "(AWS: 5000)")
        ->check(CLI::Range(100, 300000))
        ->capture_default_str();
    add_up_access_options(cmd_up, up);
    add_up_runtime_options(cmd_up, up);
    return cmd_up;
}

struct DlqCommands {
    CLI::App* count;
    CLI::App* list;
    CLI::App* replay;
};

// `kemu dlq count / list / replay` and their options.
DlqCommands add_dlq(CLI::App& app, kemu::cli::DlqOptions& dlq) {
    auto* cmd_dlq = app.add_subcommand("dlq", "Look at the dead-letter queues of a running kemu");
    cmd_dlq->require_subcommand(1);
    auto dlq_common = [&dlq](CLI::App* c) {
        c->add_option("--endpoint", dlq.endpoint, "Where kemu runs")
            ->envname("KEMU_ENDPOINT")
            ->capture_default_str();
        c->add_option("-c,--config", dlq.config,
                      "Topology file (default: ./kemu.yaml when present)");
        c->add_flag("--json", dlq.json, "Print JSON instead of text");
    };
    auto* cmd_dlq_count = cmd_dlq->add_subcommand(
        "count", "Messages in each flow's DLQ (all queues without kemu.yaml)");
    dlq_common(cmd_dlq_count);
    auto* cmd_dlq_list = cmd_dlq->add_subcommand(
        "list", "Print the failure records of one flow's DLQ, without receiving them");
    dlq_common(cmd_dlq_list);
    cmd_dlq_list->add_option("flow", dlq.flow, "Event type of kemu.yaml, or a queue name")
        ->required();
    cmd_dlq_list->add_option("--max", dlq.max, "At most this many messages")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();

    auto* cmd_dlq_replay = cmd_dlq->add_subcommand("replay",
                                                   "Re-run each failed batch of a flow's DLQ (read "
                                                   "back from the stream); delete what succeeds");
    dlq_common(cmd_dlq_replay);
    cmd_dlq_replay->add_option("flow", dlq.flow, "Event type of kemu.yaml")->required();
    return {cmd_dlq_count, cmd_dlq_list, cmd_dlq_replay};
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"kemu: a local emulator and test harness for AWS event-ingestion pipelines"};
    app.set_version_flag("-V,--version", std::string("kemu ") + KEMU_VERSION);
    app.require_subcommand(1);

    kemu::cli::UpOptions up;
    auto* cmd_up = add_up(app, up);

    std::string validate_config = "kemu.yaml";
    auto* cmd_validate = app.add_subcommand("validate", "Check a topology file and exit");
    cmd_validate->add_option("-c,--config", validate_config, "Topology file")
        ->capture_default_str();
    bool validate_aws = false;
    cmd_validate->add_flag("--aws", validate_aws,
                           "Also print warnings for a deployment to AWS (docs/deploy.md)");

    kemu::scenario::TestOptions test;
    auto* cmd_test = add_test(app, test);

    kemu::load::LoadOptions load;
    auto* cmd_load = add_load(app, load);
    // The runtime behind `kemu load --synthetic-handler` (its bootstrap execs this): hidden.
    int64_t syn_mean_us = 0, syn_jitter_us = 0;
    uint64_t syn_seed = 1;
    auto* cmd_synthetic = app.add_subcommand("synthetic-handler", "")->group("");
    cmd_synthetic->add_option("--mean-us", syn_mean_us);
    cmd_synthetic->add_option("--jitter-us", syn_jitter_us);
    cmd_synthetic->add_option("--seed", syn_seed);

    kemu::cli::DlqOptions dlq;
    auto dlq_cmds = add_dlq(app, dlq);

    std::string status_endpoint = "http://127.0.0.1:4566";
    bool status_json = false;
    auto* cmd_status = app.add_subcommand("status",
                                          "One line per flow of a running kemu: records, iterator "
                                          "age, invocations, errors, DLQ, alarms");
    cmd_status->add_option("--endpoint", status_endpoint, "Where kemu runs")
        ->envname("KEMU_ENDPOINT")
        ->capture_default_str();
    cmd_status->add_flag("--json", status_json, "Print JSON instead of a table");

    kemu::deploy::DeployOptions deploy;
    bool deploy_aws = false;
    auto* cmd_deploy = app.add_subcommand(
        "deploy", "Render kemu.yaml as Terraform and plan/apply it on AWS (docs/deploy.md)");
    cmd_deploy->add_flag("--aws", deploy_aws, "Deploy to AWS (the only target)")->required();
    cmd_deploy->add_option("-c,--config", deploy.config, "Topology file")->capture_default_str();
    cmd_deploy->add_option("--out", deploy.out_dir,
                           "Directory of the rendered root (default .kemu/deploy/aws/ENV)");
    cmd_deploy->add_flag("--render-only", deploy.render_only, "Write the tree; run nothing");
    cmd_deploy->add_flag("--plan-only", deploy.plan_only, "Stop after the plan and its summary");
    cmd_deploy->add_flag("--auto-approve", deploy.auto_approve, "Apply without asking");
    cmd_deploy->add_flag("--allow-replace", deploy.allow_replace,
                         "Accept a plan that destroys a stream or DLQ (data loss)");
    cmd_deploy->add_flag("--destroy", deploy.destroy, "Plan and apply the destruction");
    cmd_deploy->add_option("--engine", deploy.engine, "terraform, tofu, or a path to either");

    std::string init_from_terraform, init_out;
    auto* cmd_init = app.add_subcommand("init", "Write a kemu.yaml");
    cmd_init
        ->add_option("--from-terraform", init_from_terraform,
                     "From a Terraform root's kinesis_event_flow and api_gateway module blocks")
        ->required();
    cmd_init->add_option("-o,--output", init_out, "Where to write it (default DIR/kemu.yaml)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    // A last line of defence: whatever escapes is reported in one line, not as std::terminate.
    try {
        if (*cmd_up) return kemu::cli::run_up(up);
        if (*cmd_test) return kemu::scenario::run_test(test);
        if (*cmd_load) return kemu::load::run_load(load);
        if (*cmd_synthetic)
            return kemu::load::run_synthetic_handler(syn_mean_us, syn_jitter_us, syn_seed);
        if (*cmd_validate) {
            const int rc = kemu::cli::run_validate(validate_config);
            if (rc == 0 && validate_aws) kemu::deploy::print_aws_lint(validate_config);
            return rc;
        }
        if (*dlq_cmds.count) return kemu::cli::run_dlq_count(dlq);
        if (*dlq_cmds.list) return kemu::cli::run_dlq_list(dlq);
        if (*dlq_cmds.replay) return kemu::cli::run_dlq_replay(dlq);
        if (*cmd_init) return kemu::deploy::run_init_from_terraform(init_from_terraform, init_out);
        if (*cmd_deploy)
            return kemu::deploy::run_deploy(deploy, kemu::deploy::current_environment());
        if (*cmd_status) return kemu::cli::run_status(status_endpoint, status_json);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kemu: %s\n", e.what());
        return 1;
    }
    return 0;
}
