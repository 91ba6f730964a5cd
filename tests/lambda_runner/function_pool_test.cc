// FunctionPool with real runtimes: kemu's embedded Python and Node bootstraps run real handler
// files as subprocesses against the pool's Runtime API listeners. Expected payloads and
// lifecycle rules: docs/aws/lambda.md, Function errors and Execution environment lifecycle.

#include "lambda_runner/function_pool.h"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "lambda_runner/runtimes.h"
#include "support/temp_dir.h"

using namespace kemu::lambda_runner;
using json = nlohmann::json;
namespace fs = std::filesystem;

using kemu::testing::TempDir;

namespace {

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

struct PoolFixture {
    TempDir dir;
    FunctionMetrics metrics;
    kemu::SystemClock system_clock;
    const kemu::Clock* clock = &system_clock;  // set before start()
    LogSink sink;                              // set before start()
    std::unique_ptr<FunctionPool> pool;

    void start(const std::string& runtime, const std::string& handler, const std::string& file,
               const std::string& code, int timeout_s = 3, int memory_mb = 128) {
        auto code_dir = dir.path / "code";
        write(code_dir / file, code);
        REQUIRE(write_bootstraps((dir.path / "runtimes").string()).empty());
        RuntimeCommand cmd;
        std::string error;
        REQUIRE(resolve_runtime(runtime, code_dir.string(), (dir.path / "runtimes").string(), "",
                                &cmd, &error));
        FunctionConfig c;
        c.name = "dev-orders-processor";
        c.arn = "arn:aws:lambda:us-east-1:000000000000:function:dev-orders-processor";
        c.runtime = runtime;
        c.handler = handler;
        c.code_dir = code_dir.string();
        c.region = "us-east-1";
        c.timeout_s = timeout_s;
        c.memory_mb = memory_mb;
        c.command = cmd.argv;
        c.log_file = (dir.path / "function.log").string();
        c.echo_logs = false;
        c.tmp_dir = (dir.path / "tmp").string();
        c.log_sink = sink;
        pool = std::make_unique<FunctionPool>(c, metrics, *clock);
    }

    std::string log() { return read(dir.path / "function.log"); }
};

const char* kPython = R"(import json, os
calls = 0
def process_event(event, context):
    global calls
    calls += 1
    kind = event.get("kind")
    print("got", kind)
    if kind == "raise":
        raise ValueError("bad qty")
    if kind == "sleep":
        import time; time.sleep(10)
    if kind == "hang":
        import time; time.sleep(3600)
    if kind == "exit":
        os._exit(3)
    if kind == "hog":
        blob = bytearray(300 * 1024 * 1024)
        for i in range(0, len(blob), 4096): blob[i] = 1
        import time; time.sleep(5)
    return {"calls": calls, "request_id": context.aws_request_id,
            "memory": context.memory_limit_in_mb, "remaining": context.get_remaining_time_in_millis(),
            "fn": context.function_name, "env": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
            "cwd": os.getcwd()}
)";

// What a function's log sink received; waits without sleeping.
struct SinkLines {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::pair<int64_t, std::string>> lines;

    LogSink sink() {
        return [this](int64_t ts, std::string_view line) {
            {
                std::lock_guard lock(mu);
                lines.emplace_back(ts, std::string(line));
            }
            cv.notify_all();
        };
    }
    // Waits (30 s at most) until `line` has arrived.
    bool wait_for(const std::string& line) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, std::chrono::seconds(30), [&] {
            for (const auto& l : lines)
                if (l.second == line) return true;
            return false;
        });
    }
    std::string text() {
        std::lock_guard lock(mu);
        std::string all;
        for (const auto& l : lines)
            all += l.second + "\n";
        return all;
    }
};

}  // namespace

TEST_CASE("a warm Python environment is reused and keeps its globals", "[lambda][pool]") {
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", kPython);
    auto a = f.pool->invoke(R"({"kind":"ok"})");
    REQUIRE(a.status == InvokeResult::Status::kOk);
    auto ja = json::parse(a.payload);
    CHECK(ja["calls"] == 1);
    CHECK(ja["request_id"] == a.request_id);
    CHECK(ja["memory"] == "128");
    CHECK(ja["remaining"].get<int>() > 2000);
    CHECK(ja["fn"] == "dev-orders-processor");
    CHECK(ja["env"] == "dev-orders-processor");
    CHECK(fs::path(ja["cwd"].get<std::string>()) == f.dir.path / "code");
    auto b = f.pool->invoke(R"({"kind":"ok"})");
    REQUIRE(b.status == InvokeResult::Status::kOk);
    CHECK(json::parse(b.payload)["calls"] == 2);
    CHECK(f.metrics.cold_starts == 1);
    auto log = f.log();
    CHECK(log.find("START RequestId: " + a.request_id +
                   " Version: $LATEST\ngot ok\nEND RequestId: " + a.request_id +
                   "\nREPORT RequestId: " + a.request_id + "\tDuration: ") != std::string::npos);
    CHECK(log.find("Init Duration: ") != std::string::npos);
    CHECK(log.find("Memory Size: 128 MB\tMax Memory Used: ") != std::string::npos);
}

TEST_CASE("a Python exception is a function error with the runtime's body, the env stays warm",
          "[lambda][pool]") {
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", kPython);
    auto r = f.pool->invoke(R"({"kind":"raise"})");
    REQUIRE(r.status == InvokeResult::Status::kFunctionError);
    CHECK(r.error_type == "ValueError");
    auto body = json::parse(r.payload);
    CHECK(body["errorType"] == "ValueError");
    CHECK(body["errorMessage"] == "bad qty");
    CHECK(body["requestId"] == r.request_id);
    CHECK(body["stackTrace"].is_array());
    auto again = f.pool->invoke(R"({"kind":"ok"})");
    REQUIRE(again.status == InvokeResult::Status::kOk);
    CHECK(json::parse(again.payload)["calls"] == 2);
    CHECK(f.metrics.cold_starts == 1);
}

TEST_CASE("a timeout kills the environment with AWS's Sandbox.Timedout", "[lambda][pool]") {
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", kPython, /*timeout_s=*/1);
    auto r = f.pool->invoke(R"({"kind":"sleep"})");
    REQUIRE(r.status == InvokeResult::Status::kFunctionError);
    CHECK(r.error_type == "Sandbox.Timedout");
    CHECK(json::parse(r.payload)["errorMessage"] ==
          "RequestId: " + r.request_id + " Error: Task timed out after 1.00 seconds");
    CHECK(f.log().find(r.request_id + " Task timed out after 1.00 seconds") != std::string::npos);
    auto next = f.pool->invoke(R"({"kind":"ok"})");
    REQUIRE(next.status == InvokeResult::Status::kOk);
    CHECK(json::parse(next.payload)["calls"] == 1);  // a fresh environment
    CHECK(f.metrics.cold_starts == 2);
}

TEST_CASE("a runtime that exits is Runtime.ExitError with its status", "[lambda][pool]") {
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", kPython);
    auto r = f.pool->invoke(R"({"kind":"exit"})");
    REQUIRE(r.status == InvokeResult::Status::kFunctionError);
    CHECK(r.error_type == "Runtime.ExitError");
    CHECK(json::parse(r.payload)["errorMessage"] ==
          "RequestId: " + r.request_id + " Error: Runtime exited with error: exit status 3");
    CHECK(f.pool->invoke(R"({"kind":"ok"})").status == InvokeResult::Status::kOk);
}

TEST_CASE("memory past the limit kills the environment as Runtime.OutOfMemory", "[lambda][pool]") {
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", kPython, 10, /*memory_mb=*/128);
    auto r = f.pool->invoke(R"({"kind":"hog"})");
    REQUIRE(r.status == InvokeResult::Status::kFunctionError);
    CHECK(r.error_type == "Runtime.OutOfMemory");
    CHECK(f.log().find("Max Memory Used: 128 MB") != std::string::npos);
}

TEST_CASE("an import error is an init error, and the next invocation initialises again",
          "[lambda][pool]") {
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", "import requests_not_here\n");
    auto r = f.pool->invoke("{}");
    REQUIRE(r.status == InvokeResult::Status::kFunctionError);
    CHECK(r.error_type == "Runtime.ImportModuleError");
    auto body = json::parse(r.payload);
    CHECK(body["errorMessage"].get<std::string>().find("Unable to import module 'handler'") == 0);
    CHECK(f.pool->invoke("{}").status == InvokeResult::Status::kFunctionError);
    CHECK(f.metrics.cold_starts == 2);
}

TEST_CASE("a Node handler runs and its errors carry `trace`", "[lambda][pool]") {
    PoolFixture f;
    f.start("nodejs20.x", "index.handler", "index.js", R"(
let calls = 0;
exports.handler = async (event, context) => {
  calls++;
  console.log("node got", event.kind);
  if (event.kind === "raise") throw new TypeError("nope");
  return { calls, memory: context.memoryLimitInMB, id: context.awsRequestId };
};
)");
    auto ok = f.pool->invoke(R"({"kind":"ok"})");
    REQUIRE(ok.status == InvokeResult::Status::kOk);
    auto j = json::parse(ok.payload);
    CHECK(j["calls"] == 1);
    CHECK(j["memory"] == "128");
    CHECK(j["id"] == ok.request_id);
    auto err = f.pool->invoke(R"({"kind":"raise"})");
    REQUIRE(err.status == InvokeResult::Status::kFunctionError);
    auto body = json::parse(err.payload);
    CHECK(body["errorType"] == "TypeError");
    CHECK(body["errorMessage"] == "nope");
    CHECK(body["trace"].is_array());
}

TEST_CASE("concurrency beyond the limit is a throttle, idle environments are reaped",
          "[lambda][pool]") {
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", kPython);
    REQUIRE(f.pool->invoke(R"({"kind":"ok"})").status == InvokeResult::Status::kOk);
    CHECK(f.pool->stats().environments == 1);
    CHECK(f.pool->reap_idle(60'000) == 0);
    CHECK(f.pool->reap_idle(0) == 1);
    CHECK(f.pool->stats().environments == 0);
    auto again = f.pool->invoke(R"({"kind":"ok"})");
    REQUIRE(again.status == InvokeResult::Status::kOk);
    CHECK(json::parse(again.payload)["calls"] == 1);
    f.pool->retire_all();
    CHECK(f.pool->stats().environments == 0);
}

TEST_CASE("idle time is read on the injected clock", "[lambda][pool][clock]") {
    kemu::ManualClock clock;
    PoolFixture f;
    f.clock = &clock;
    f.start("python3.11", "handler.process_event", "handler.py", kPython);
    REQUIRE(f.pool->invoke(R"({"kind":"ok"})").status == InvokeResult::Status::kOk);
    CHECK(f.pool->reap_idle(600'000) == 0);
    clock.advance_ms(599'999);
    CHECK(f.pool->reap_idle(600'000) == 0);
    CHECK(f.pool->stats().environments == 1);
    clock.advance_ms(1);
    CHECK(f.pool->reap_idle(600'000) == 1);
    CHECK(f.pool->stats().environments == 0);
}

TEST_CASE("an invocation timeout runs on the injected clock: Duration is the timeout",
          "[lambda][pool][clock]") {
    kemu::ManualClock clock;
    SinkLines seen;
    PoolFixture f;
    f.clock = &clock;
    f.sink = seen.sink();
    f.start("python3.11", "handler.process_event", "handler.py", kPython, /*timeout_s=*/3);
    InvokeResult r;
    std::thread invoker([&] { r = f.pool->invoke(R"({"kind":"hang"})"); });
    bool started = seen.wait_for("got hang");  // the handler has the event and never answers
    clock.advance_ms(3'000);                   // the runner notices within one 20-ms poll
    invoker.join();
    REQUIRE(started);
    REQUIRE(r.status == InvokeResult::Status::kFunctionError);
    CHECK(r.error_type == "Sandbox.Timedout");
    CHECK(r.duration_us == 3'000'000);  // the clock moved by exactly the timeout
    auto log = f.log();
    CHECK(log.find(kemu::iso8601_ms(clock.now_ms()) + " " + r.request_id +
                   " Task timed out after 3.00 seconds\nEND RequestId: " + r.request_id +
                   "\nREPORT RequestId: " + r.request_id +
                   "\tDuration: 3000.00 ms\tBilled Duration: 3000 ms") != std::string::npos);
}

TEST_CASE("the log sink gets every line of the function log, in order, with its time",
          "[lambda][pool][sink]") {
    kemu::ManualClock clock(1'700'000'123'456);
    SinkLines seen;
    PoolFixture f;
    f.clock = &clock;
    f.sink = seen.sink();
    f.start("python3.11", "handler.process_event", "handler.py", kPython);
    auto a = f.pool->invoke(R"({"kind":"ok"})");
    REQUIRE(a.status == InvokeResult::Status::kOk);
    clock.advance_ms(5);
    auto b = f.pool->invoke(R"({"kind":"raise"})");
    REQUIRE(b.status == InvokeResult::Status::kFunctionError);
    // Delivered before invoke() returned, exactly as the log file has them.
    auto text = seen.text();
    CHECK(text == f.log());
    CHECK(text.find("START RequestId: " + a.request_id +
                    " Version: $LATEST\ngot ok\nEND RequestId: " + a.request_id +
                    "\nREPORT RequestId: " + a.request_id + "\t") != std::string::npos);
    CHECK(text.find("[ERROR] ValueError: bad qty") != std::string::npos);
    std::lock_guard lock(seen.mu);
    for (const auto& [ts, line] : seen.lines) {
        bool second = line.find(b.request_id) != std::string::npos;
        if (line.starts_with("START") || line.starts_with("END") || line.starts_with("REPORT"))
            CHECK(ts == (second ? 1'700'000'123'461 : 1'700'000'123'456));
    }
}

TEST_CASE("a warm environment outlives the thread that cold-started it", "[lambda][pool]") {
    // PR_SET_PDEATHSIG fires when the thread that forked exits: a replay thread or a closed
    // shard's lane thread used to take the shared warm environment down with it.
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", kPython);
    InvokeResult first;
    std::thread starter([&] { first = f.pool->invoke(R"({"kind":"ok"})"); });
    starter.join();
    REQUIRE(first.status == InvokeResult::Status::kOk);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a death signal would land
    auto second = f.pool->invoke(R"({"kind":"ok"})");
    REQUIRE(second.status == InvokeResult::Status::kOk);
    CHECK(json::parse(second.payload)["calls"] == 2);  // the same process, still warm
    CHECK(f.metrics.cold_starts == 1);
}

TEST_CASE("bytes on the Runtime API that are not UTF-8 are refused, and kemu lives on",
          "[lambda][pool]") {
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", R"(import os, socket
def process_event(event, context):
    host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
    answers = []
    for target in (b"/\xff\xfe", b"/2018-06-01/runtime/invocation/\xff/response"):
        s = socket.create_connection((host, int(port)))
        s.sendall(b"POST " + target + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        answers.append(s.recv(4096).split(b"\r\n", 1)[0].decode())
        s.close()
    return answers
)");
    auto r = f.pool->invoke("{}");
    REQUIRE(r.status == InvokeResult::Status::kOk);
    CHECK(json::parse(r.payload) ==
          json::array({"HTTP/1.1 404 Not Found", "HTTP/1.1 400 Bad Request"}));
}

TEST_CASE("a client that sends half a header to the Runtime API holds only its own connection",
          "[lambda][pool]") {
    // The handler leaves a connection open with half a request line and header in it; the
    // runtime's next /next and the next invocation must not wait for it.
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", R"(import os, socket
stuck = []
def process_event(event, context):
    host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
    s = socket.create_connection((host, int(port)))
    s.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: loc")
    stuck.append(s)
    return len(stuck)
)",
            /*timeout_s=*/3);
    for (int i = 1; i <= 3; ++i) {
        auto r = f.pool->invoke("{}");
        REQUIRE(r.status == InvokeResult::Status::kOk);
        CHECK(r.payload == std::to_string(i));  // the same warm environment each time
    }
}

TEST_CASE("memory counts the whole environment: a handler's subprocess, and init",
          "[lambda][pool]") {
    SECTION("a subprocess past the limit is Runtime.OutOfMemory") {
        PoolFixture f;
        f.start("python3.11", "handler.process_event", "handler.py", R"PY(import subprocess, sys
def process_event(event, context):
    subprocess.run([sys.executable, "-c",
                    "b = bytearray(300 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\n"
                    "import time; time.sleep(5)"])
    return "survived"
)PY",
                5);
        auto r = f.pool->invoke("{}");
        REQUIRE(r.status == InvokeResult::Status::kFunctionError);
        CHECK(r.error_type == "Runtime.OutOfMemory");
    }
    SECTION("a setsid'd subprocess past the limit is Runtime.OutOfMemory") {
        // It leaves the runtime's session and process group, and its parent is gone: it is
        // still in the environment's tree, adopted by the supervisor.
        PoolFixture f;
        f.start("python3.11", "handler.process_event", "handler.py", R"PY(import os, subprocess, sys
def process_event(event, context):
    hog = ("import os, time\nif os.fork(): os._exit(0)\n"
           "b = bytearray(300 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\n"
           "time.sleep(30)")
    subprocess.run([sys.executable, "-c", hog], start_new_session=True)
    import time; time.sleep(4)
    return "survived"
)PY",
                5);
        auto r = f.pool->invoke("{}");
        REQUIRE(r.status == InvokeResult::Status::kFunctionError);
        CHECK(r.error_type == "Runtime.OutOfMemory");
    }
    SECTION("module-level code past the limit is Runtime.OutOfMemory before any invocation") {
        PoolFixture f;
        f.start("python3.11", "handler.process_event", "handler.py",
                R"(blob = bytearray(300 * 1024 * 1024)
for i in range(0, len(blob), 4096): blob[i] = 1
import time; time.sleep(5)
def process_event(event, context):
    return "survived"
)",
                5);
        auto r = f.pool->invoke("{}");
        REQUIRE(r.status == InvokeResult::Status::kFunctionError);
        CHECK(r.error_type == "Runtime.OutOfMemory");
    }
}

TEST_CASE("an aimed disruption fails the invocation through the environment's own paths",
          "[lambda][pool]") {
    PoolFixture f;
    f.start("python3.11", "handler.process_event", "handler.py", kPython, /*timeout_s=*/1);
    // Warm first, so each disruption meets a runtime waiting in /next.
    REQUIRE(f.pool->invoke(R"({"kind":"ok"})").status == InvokeResult::Status::kOk);
    auto hang = f.pool->invoke(R"({"kind":"ok"})", Disruption::kHang);
    REQUIRE(hang.status == InvokeResult::Status::kFunctionError);
    CHECK(hang.error_type == "Sandbox.Timedout");
    CHECK(json::parse(hang.payload)["errorMessage"] ==
          "RequestId: " + hang.request_id + " Error: Task timed out after 1.00 seconds");
    auto killed = f.pool->invoke(R"({"kind":"ok"})", Disruption::kKill);
    REQUIRE(killed.status == InvokeResult::Status::kFunctionError);
    CHECK(killed.error_type == "Runtime.ExitError");
    CHECK(json::parse(killed.payload)["errorMessage"] ==
          "RequestId: " + killed.request_id + " Error: Runtime exited with error: signal: killed");
    auto oom = f.pool->invoke(R"({"kind":"ok"})", Disruption::kOutOfMemory);
    REQUIRE(oom.status == InvokeResult::Status::kFunctionError);
    CHECK(oom.error_type == "Runtime.OutOfMemory");
    // The handler ran for none of them: each environment was reset, and the next one starts
    // afresh with its first call.
    auto next = f.pool->invoke(R"({"kind":"ok"})");
    REQUIRE(next.status == InvokeResult::Status::kOk);
    CHECK(json::parse(next.payload)["calls"] == 1);
    CHECK(f.metrics.cold_starts == 4);
    auto log = f.log();
    CHECK(log.find("START RequestId: " + hang.request_id) != std::string::npos);
    CHECK(log.find(hang.request_id + " Task timed out after 1.00 seconds") != std::string::npos);
    CHECK(log.find("REPORT RequestId: " + oom.request_id) != std::string::npos);
}
