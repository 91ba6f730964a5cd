#include "runner.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "child.h"
#include "client.h"
#include "coverage.h"
#include "expect.h"
#include "sender.h"

namespace kemu::scenario {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

double since(Steady::time_point t) {
    return std::chrono::duration<double>(Steady::now() - t).count();
}

class Run {
public:
    Run(const Scenario& sc, const Topology& topo, const RunOptions& o, ScenarioResult* res)
        : sc_(sc), topo_(topo), o_(o), res_(*res) {}

    void run() {
        std::string tmpl = (fs::temp_directory_path() / "kemu-scenario-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) return fail_setup("cannot make a temporary directory");
        dir_ = tmpl;
        { std::ofstream(dir_ + "/kemu.yaml") << topo_.yaml; }
        std::string why;
        if (!child_.start(up_args(), dir_ + "/kemu.log", &why)) return fail_setup(why);
        for (const auto& step : sc_.steps) {
            if (!run_step(step)) break;
        }
        Observer obs(child_.endpoint(), topo_.config);
        res_.exercised = exercised(obs, sends_, restarts_ > 0);
        child_.stop();
        if (res_.passed) {
            std::error_code ec;
            fs::remove_all(dir_, ec);
        } else {
            say("kemu's data and log kept in " + dir_);
        }
    }

private:
    std::vector<std::string> up_args() const {
        std::vector<std::string> a{"-c",
                                   dir_ + "/kemu.yaml",
                                   "--port",
                                   "0",
                                   "--data-dir",
                                   dir_ + "/data",
                                   "--scenario-hooks",
                                   "--lambda-retry-backoff-ms",
                                   std::to_string(sc_.run.retry_backoff_ms),
                                   "--alarm-period-s",
                                   std::to_string(sc_.run.alarm_period_s)};
        if (sc_.run.shard_limits) a.push_back("--shard-limits");
        return a;
    }

    void say(const std::string& line) {
        output_ += line + "\n";
        if (o_.progress) o_.progress("[" + sc_.name + "] " + line);
    }

    void fail_setup(const std::string& why) {
        say("cannot start kemu: " + why);
        add_case({"kemu up", 0, false, "kemu up listening", why, output_, 0});
    }

    void add_case(CaseResult c) {
        if (!c.passed) res_.passed = false;
        res_.cases.push_back(std::move(c));
    }

    // "send three orders", "wait_for line 12".
    static std::string label(const Step& s) {
        static const char* kKinds[] = {"send", "wait_for", "advance_time", "expect", "fault"};
        return std::string(kKinds[static_cast<int>(s.kind)]) + " " + s.name;
    }

    std::string where(int line) const { return sc_.file + ":" + std::to_string(line); }

    // A failed step or expectation: its case, with expected against actual.
    void fail_case(const std::string& name, int line, const Outcome& out, double secs) {
        say("FAIL " + where(line) + ": " + name);
        say("  expected: " + out.expected);
        say("  actual:   " + out.actual);
        add_case({name, line, false, out.expected, out.actual, output_, secs});
    }

    bool run_step(const Step& s) {
        output_.clear();
        auto first_case = res_.cases.size();
        auto t0 = Steady::now();
        bool ok = false;
        if (s.kind == Step::Kind::kSend) ok = send(s, t0);
        if (s.kind == Step::Kind::kWaitFor) ok = wait(s, t0);
        if (s.kind == Step::Kind::kAdvanceTime) ok = advance(s, t0);
        if (s.kind == Step::Kind::kExpect) ok = expect(s, t0);
        if (s.kind == Step::Kind::kFault) ok = fault(s, t0);
        // Each case carries its whole step's output.
        for (auto i = first_case; i < res_.cases.size(); ++i)
            res_.cases[i].output = output_;
        return ok;
    }

    bool send(const Step& s, Steady::time_point t0) {
        auto r = run_send(child_.endpoint(), topo_.config, s.send, o_.seed);
        sends_[s.name] = r.log;
        last_send_ = s.name;
        say(label(s) + ": " + std::to_string(r.records_in) + " of " + std::to_string(s.send.count) +
            " records in, " + std::to_string(r.log.responses.size()) + " calls, " +
            std::to_string(r.log.retries) + " retries (" + fixed(since(t0)) + " s)");
        if (r.error.empty()) return true;
        fail_case(label(s), s.line, {false, std::to_string(s.send.count) + " records in", r.error},
                  since(t0));
        return false;
    }

    bool wait(const Step& s, Steady::time_point t0) {
        auto deadline = t0 + std::chrono::milliseconds(s.wait.timeout_ms);
        Outcome out;
        while (true) {
            Observer obs(child_.endpoint(), topo_.config);
            out = check_condition(obs, s.wait.condition);
            if (out.passed || Steady::now() >= deadline) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (out.passed) {
            say(label(s) + ": " + out.actual + " after " + fixed(since(t0)) + " s");
            return true;
        }
        out.expected += " within " + fixed(s.wait.timeout_ms / 1000.0) + " s";
        fail_case(label(s), s.line, out, since(t0));
        return false;
    }

    // POSTs to one of the kemu's /_kemu/scenario/ hooks; the step fails unless it answers 200.
    bool hook(const Step& s, Steady::time_point t0, const std::string& path,
              const std::string& body, const std::string& done, const std::string& expected) {
        auto r = cli::http_call(child_.endpoint(),
                                {"POST", path, body, {{"Content-Type", "application/json"}}, 10});
        if (r && r->first == 200) {
            say(label(s) + ": " + done + ", " + r->second);
            return true;
        }
        fail_case(label(s), s.line,
                  {false, expected, r ? r->second : std::string("kemu did not answer")}, since(t0));
        return false;
    }

    // The clock moved in one jump, or in slices of `every`. Slice k puts the clock a quarter
    // of `every` past the k-th boundary (a multiple of `every` since the epoch) after the
    // start, so that each slice lands in an alarm period of its own whatever the real time
    // spent between them; each is followed by two CloudWatch evaluations (the first may run
    // before anything reacted to the new time; the second, a second later, sees what the
    // pipeline did meanwhile).
    bool advance(const Step& s, Steady::time_point t0) {
        if (s.advance_every_ms <= 0) {
            auto r = cli::http_call(child_.endpoint(), {"POST",
                                                        "/_kemu/scenario/advance_time?ms=" +
                                                            std::to_string(s.advance_ms),
                                                        "",
                                                        {},
                                                        10});
            if (r && r->first == 200 && clock_of(r->second)) {
                say(label(s) + ": " + fixed(s.advance_ms / 1000.0) + " s later");
                return true;
            }
            fail_case(
                label(s), s.line,
                {false, "the clock moved", r ? r->second : std::string("kemu did not answer")},
                since(t0));
            return false;
        }
        const int64_t every = s.advance_every_ms;
        const int64_t slices = (s.advance_ms + every - 1) / every;
        auto clock = clock_reading();
        // The reading's time kept apart from the optional: gcc -O1 (the tsan preset) takes
        // clock->first for maybe-uninitialized inside the loop.
        int64_t now_ms = clock ? clock->first : 0;
        const int64_t first_boundary = now_ms / every * every;
        for (int64_t k = 1; clock && k <= slices; ++k) {
            int64_t target = first_boundary + k * every + every / 4;
            auto ms = std::max<int64_t>(0, target - now_ms);
            auto r = cli::http_call(
                child_.endpoint(),
                {"POST", "/_kemu/scenario/advance_time?ms=" + std::to_string(ms), "", {}, 10});
            clock = r && r->first == 200 ? clock_of(r->second) : std::nullopt;
            if (clock && !await_ticks(clock->second + 2)) clock.reset();
            if (clock) clock = clock_reading();
            if (clock) now_ms = clock->first;
        }
        if (!clock) {
            fail_case(label(s), s.line,
                      {false, "the clock moved and evaluated", "kemu did not answer in time"},
                      since(t0));
            return false;
        }
        say(label(s) + ": " + fixed(s.advance_ms / 1000.0) + " s later, in " +
            std::to_string(slices) + " slices of " + fixed(every / 1000.0) + " s (" +
            fixed(since(t0)) + " s)");
        return true;
    }

    // (now_ms, ticks) of a clock answer.
    static std::optional<std::pair<int64_t, int64_t>> clock_of(const std::string& body) {
        auto j = nlohmann::json::parse(body, nullptr, false);
        if (!j.is_object() || !j.contains("now_ms") || !j.contains("ticks")) return std::nullopt;
        return std::make_pair(j["now_ms"].get<int64_t>(), j["ticks"].get<int64_t>());
    }

    std::optional<std::pair<int64_t, int64_t>> clock_reading() {
        auto r = cli::http_call(child_.endpoint(), {"GET", "/_kemu/scenario/clock", "", {}, 5});
        return r && r->first == 200 ? clock_of(r->second) : std::nullopt;
    }

    // Waits (at most 10 s) until kemu has run `ticks` CloudWatch evaluations.
    bool await_ticks(int64_t ticks) {
        auto deadline = Steady::now() + std::chrono::seconds(10);
        while (Steady::now() < deadline) {
            auto c = clock_reading();
            if (c && c->second >= ticks) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    // kemu killed with SIGKILL mid-work, then started again on the same data dir.
    bool fault(const Step& s, Steady::time_point t0) {
        if (s.fault.kind == FaultStep::Kind::kHandler) return handler_fault(s, t0);
        if (s.fault.kind == FaultStep::Kind::kFrontDoorThrottle) {
            const auto& t = s.fault.throttle;
            nlohmann::json spec{{"kind", "front_door_throttle"},
                                {"rate_limit", t.throttling_rate_limit.value_or(0)},
                                {"burst_limit", t.throttling_burst_limit.value_or(0)}};
            return hook(s, t0, "/_kemu/scenario/faults", spec.dump(),
                        "the front door's stage throttle now " +
                            fixed(t.throttling_rate_limit.value_or(0), 1) + "/s, burst " +
                            std::to_string(t.throttling_burst_limit.value_or(0)),
                        "the throttle set");
        }
        if (s.fault.kind == FaultStep::Kind::kShardLimits) {
            bool on = s.fault.shard_limits_on;
            nlohmann::json spec{{"kind", "shard_limits"}, {"on", on}};
            return hook(s, t0, "/_kemu/scenario/faults", spec.dump(),
                        std::string("Kinesis's per-shard limits ") + (on ? "on" : "off"),
                        "the limits switched");
        }
        child_.kill9();
        std::string why;
        auto log = dir_ + "/kemu." + std::to_string(++restarts_) + ".log";
        if (!child_.start(up_args(), log, &why)) {
            fail_case(label(s), s.line, {false, "kemu up listening again", why}, since(t0));
            return false;
        }
        say(label(s) + ": kemu killed (SIGKILL) and restarted on its data at " + child_.endpoint() +
            " (" + fixed(since(t0)) + " s)");
        return true;
    }

    // A handler fault, set in the kemu's hooks; the run's seed drives its draws.
    bool handler_fault(const Step& s, Steady::time_point t0) {
        const auto& f = s.fault;
        std::string function;
        for (const auto& flow : topo_.config.event_flows) {
            if (flow.event_type == f.flow) function = topo_.config.function_name(flow);
        }
        nlohmann::json spec{{"function", function},
                            {"kind", f.handler},
                            {"first", f.first},
                            {"nth", f.nth},
                            {"partition_key", f.partition_key},
                            {"body_field", f.body_field},
                            {"equals", f.equals},
                            {"probability", f.probability},
                            {"seed", o_.seed}};
        return hook(s, t0, "/_kemu/scenario/faults", spec.dump(),
                    f.flow + "'s handler " + f.handler + " (" + spec.dump() + ")", "the fault set");
    }

    // kemu's output files so far: the first run's, then one per restart.
    std::vector<std::string> log_files() const {
        std::vector<std::string> out{dir_ + "/kemu.log"};
        for (int i = 1; i <= restarts_; ++i)
            out.push_back(dir_ + "/kemu." + std::to_string(i) + ".log");
        return out;
    }

    bool expect(const Step& s, Steady::time_point t0) {
        Observer obs(child_.endpoint(), topo_.config);
        obs.set_log_files(log_files());
        bool all = true;
        for (const auto& e : s.expect) {
            auto out = check_expectation(obs, e, sends_, last_send_);
            auto name = describe(e);
            if (out.passed) {
                say("ok   " + where(e.line) + ": " + name + " (" + out.actual + ")");
                add_case({name, e.line, true, out.expected, out.actual, output_, since(t0)});
            } else {
                all = false;
                fail_case(name, e.line, out, since(t0));
            }
        }
        return all;
    }

    const Scenario& sc_;
    const Topology& topo_;
    const RunOptions& o_;
    ScenarioResult& res_;
    KemuChild child_;
    std::string dir_;
    std::string output_;  // the current step's lines
    std::map<std::string, SendLog> sends_;
    std::string last_send_;
    int restarts_ = 0;
};

}  // namespace

std::string fixed(double v, int digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

ScenarioResult run_scenario(const Scenario& sc, const Topology& topo, const RunOptions& o) {
    ScenarioResult res;
    res.name = sc.name;
    res.file = sc.file;
    auto t0 = Steady::now();
    Run(sc, topo, o, &res).run();
    res.seconds = since(t0);
    return res;
}

}  // namespace kemu::scenario
