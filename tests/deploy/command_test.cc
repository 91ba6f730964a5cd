// kemu deploy --aws against a fake `terraform` first on PATH: the call sequence and working
// directory, the engine's environment, the plan summary, the data-loss guard and the exit codes.

#include "deploy/command.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "deploy/engine.h"
#include "deploy/plan_summary.h"
#include "example_project.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace kemu;
using kemu::test::kSource;
using kemu::test::slurp;

namespace {

const fs::path kFixtures = kSource / "tests" / "fixtures" / "deploy";

// A fake engine: logs "dir|args|endpoint|kinesis endpoint|TF_IN_AUTOMATION" per call, prints
// a version, the plan JSON of $FAKE_SHOW and outputs; fails the step named by $FAKE_FAIL.
const char* kFakeTerraform = R"(#!/bin/sh
echo "$(pwd)|$*|${AWS_ENDPOINT_URL-unset}|${AWS_ENDPOINT_URL_KINESIS-unset}|${TF_IN_AUTOMATION-unset}" >> "$FAKE_LOG"
[ "$1" = "$FAKE_FAIL" ] && exit 1
case "$1" in
  version) echo "{\"terraform_version\": \"${FAKE_VERSION:-1.9.5}\"}" ;;
  show) cat "$FAKE_SHOW" ;;
  output) echo '{"api_gateway_url": {"value": "https://abc.execute-api.eu-west-1.amazonaws.com/v1"}, "stream_names": {"value": {"orders": "dev-orders-stream"}}}' ;;
esac
exit 0
)";

struct Fake {
    testing::TempDir tmp{"kemu-deploy"};
    fs::path bin = tmp.path / "bin";
    fs::path out = tmp.path / "out";
    fs::path log = tmp.path / "calls.log";
    std::vector<std::string> env;

    Fake() {
        fs::create_directories(bin);
        std::ofstream(bin / "terraform") << kFakeTerraform;
        fs::permissions(bin / "terraform", fs::perms::owner_all);
        env = {"PATH=" + bin.string() + ":/usr/bin:/bin",
               "FAKE_LOG=" + log.string(),
               "FAKE_SHOW=" + (kFixtures / "plan_create.json").string(),
               "AWS_REGION=eu-west-1",
               "AWS_ENDPOINT_URL=http://127.0.0.1:4566",
               "AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4566",
               "AWS_PROFILE=prod"};
    }
    deploy::DeployOptions options() const {
        deploy::DeployOptions o;
        o.config = (kSource / "examples" / "kemu.yaml").string();
        o.out_dir = out.string();
        return o;
    }
    std::vector<std::string> calls() const {
        std::vector<std::string> lines;
        std::istringstream in(slurp(log));
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
        return lines;
    }
    std::string call(const std::string& args) const {
        return fs::canonical(out).string() + "|" + args + "|unset|unset|1";
    }
};

}  // namespace

TEST_CASE("deploy plan-only runs version, init, plan and show in the rendered dir", "[deploy]") {
    Fake fake;
    auto o = fake.options();
    o.plan_only = true;
    REQUIRE(deploy::run_deploy(o, fake.env) == deploy::kOk);
    const std::vector<std::string> expected = {
        fake.call("version -json"), fake.call("init -input=false"),
        fake.call("plan -input=false -out=kemu.tfplan"), fake.call("show -json kemu.tfplan")};
    CHECK(fake.calls() == expected);
    CHECK(fs::exists(fake.out / "main.tf"));
}

TEST_CASE("deploy with auto-approve applies the saved plan and reads the outputs", "[deploy]") {
    Fake fake;
    auto o = fake.options();
    o.auto_approve = true;
    REQUIRE(deploy::run_deploy(o, fake.env) == deploy::kOk);
    const auto calls = fake.calls();
    REQUIRE(calls.size() == 6);
    CHECK(calls[4] == fake.call("apply -input=false kemu.tfplan"));
    CHECK(calls[5] == fake.call("output -json"));
}

TEST_CASE("deploy destroy plans with -destroy", "[deploy]") {
    Fake fake;
    auto o = fake.options();
    o.destroy = true;
    o.auto_approve = true;
    REQUIRE(deploy::run_deploy(o, fake.env) == deploy::kOk);
    const auto calls = fake.calls();
    REQUIRE(calls.size() == 5);
    CHECK(calls[2] == fake.call("plan -input=false -out=kemu.tfplan -destroy"));
    CHECK(calls[4] == fake.call("apply -input=false kemu.tfplan"));
}

TEST_CASE("deploy refuses a plan that destroys a stream without allow-replace", "[deploy]") {
    Fake fake;
    fake.env.push_back("FAKE_SHOW=" + (kFixtures / "plan_rename.json").string());
    std::erase_if(fake.env, [&](const std::string& e) {
        return e.starts_with("FAKE_SHOW=") && e.find("plan_create") != std::string::npos;
    });
    auto o = fake.options();
    o.auto_approve = true;
    CHECK(deploy::run_deploy(o, fake.env) == deploy::kInvalid);
    CHECK(fake.calls().size() == 4);  // no apply
    fs::remove(fake.log);
    o.allow_replace = true;
    CHECK(deploy::run_deploy(o, fake.env) == deploy::kOk);
    CHECK(fake.calls().size() == 6);
}

TEST_CASE("deploy exit codes", "[deploy]") {
    Fake fake;
    auto o = fake.options();
    o.plan_only = true;
    SECTION("no engine on PATH is 3, with the tree rendered") {
        fake.env[0] = "PATH=" + (fake.tmp.path / "empty").string();
        CHECK(deploy::run_deploy(o, fake.env) == deploy::kNoEngine);
        CHECK(fs::exists(fake.out / "topology.yaml"));
    }
    SECTION("an engine too old is 3") {
        fake.env.push_back("FAKE_VERSION=1.4.7");
        CHECK(deploy::run_deploy(o, fake.env) == deploy::kNoEngine);
    }
    SECTION("a failing plan is 4") {
        fake.env.push_back("FAKE_FAIL=plan");
        CHECK(deploy::run_deploy(o, fake.env) == deploy::kStepFailed);
    }
    SECTION("kemu's local credentials are 2, before anything runs") {
        fake.env.push_back("AWS_ACCESS_KEY_ID=test");
        CHECK(deploy::run_deploy(o, fake.env) == deploy::kInvalid);
        CHECK_FALSE(fs::exists(fake.log));
    }
    SECTION("no region is 2, with nothing rendered") {
        std::erase(fake.env, std::string("AWS_REGION=eu-west-1"));
        CHECK(deploy::run_deploy(o, fake.env) == deploy::kInvalid);
        CHECK_FALSE(fs::exists(fake.out));
    }
    SECTION("an invalid topology is 2") {
        std::ofstream(fake.tmp.path / "bad.yaml") << "version: 1\nevent_flows: []\nbogus: 1\n";
        o.config = (fake.tmp.path / "bad.yaml").string();
        CHECK(deploy::run_deploy(o, fake.env) == deploy::kInvalid);
        CHECK_FALSE(fs::exists(fake.out));
    }
    SECTION("no auto-approve without a terminal is 2, after the plan") {
        o.plan_only = false;
        // ctest's stdin is not a terminal.
        if (!::isatty(0)) CHECK(deploy::run_deploy(o, fake.env) == deploy::kInvalid);
    }
}

TEST_CASE("engine versions are read from JSON or text", "[deploy]") {
    CHECK(deploy::parse_engine_version(R"({"terraform_version":"1.11.4","platform":"x"})") ==
          "1.11.4");
    CHECK(deploy::parse_engine_version("Terraform v1.5.7\non linux_amd64\n") == "1.5.7");
    CHECK(deploy::parse_engine_version("OpenTofu v1.6.2\n") == "1.6.2");
    CHECK(deploy::parse_engine_version("garbage").empty());
    CHECK(deploy::engine_version_ok("1.5.0", false));
    CHECK_FALSE(deploy::engine_version_ok("1.4.9", false));
    CHECK_FALSE(deploy::engine_version_ok("1.5.0", true));
    CHECK(deploy::engine_version_ok("1.6.0", true));
}

TEST_CASE("the engine environment drops every AWS_ENDPOINT_URL", "[deploy]") {
    const auto env = deploy::engine_environment(
        {"AWS_ENDPOINT_URL=x", "AWS_ENDPOINT_URL_SQS=y", "AWS_PROFILE=p", "TF_LOG=INFO"});
    CHECK(env == std::vector<std::string>{"AWS_PROFILE=p", "TF_LOG=INFO", "TF_IN_AUTOMATION=1",
                                          "TF_INPUT=0"});
}

TEST_CASE("the plan summary has one line per flow", "[deploy]") {
    const auto created = deploy::summarise_plan(slurp(kFixtures / "plan_create.json"));
    REQUIRE(created.flows.size() == 4);
    CHECK(created.flows[0].flow == "api");
    CHECK(created.flows[1].flow == "orders");
    CHECK(created.flows[1].create == 13);
    CHECK(created.data_loss.empty());
    const auto lines = created.lines();
    CHECK(lines[1] == "orders: 13 to create");

    const auto renamed = deploy::summarise_plan(slurp(kFixtures / "plan_rename.json"));
    CHECK(renamed.data_loss ==
          std::vector<std::string>{R"(module.event_flow["orders"].aws_kinesis_stream.this)",
                                   R"(module.event_flow["orders"].aws_sqs_queue.dlq[0])"});
    const auto text = renamed.lines();
    CHECK(std::find(text.begin(), text.end(), "payments: 1 to change") != text.end());
    CHECK(std::find(text.begin(), text.end(),
                    "    aws_lambda_event_source_mapping.batch_size: 100 -> 200") != text.end());
    for (const auto& line : text)
        CHECK(line.find("secret") == std::string::npos);
}
