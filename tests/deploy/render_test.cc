// kemu deploy --aws, the render step: the golden tree of examples/kemu.yaml, determinism, the
// removal of files no longer produced, and the zip writer.

#include "deploy/render.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "core/config.h"
#include "deploy/zip_writer.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace kemu;

namespace {

const fs::path kSource = KEMU_SOURCE_DIR;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

Config example() {
    Config cfg;
    const auto errors = load_config((kSource / "examples" / "kemu.yaml").string(), &cfg);
    REQUIRE(errors.empty());
    return cfg;
}

// Every file under `dir`, relative path -> bytes.
std::map<std::string, std::string> tree(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file())
            out[fs::relative(e.path(), dir).generic_string()] = slurp(e.path());
    return out;
}

// The golden copy names the version KEMU_VERSION, so a version bump does not break it.
std::string without_version(std::string text) {
    const std::string key = "\"kemu_version\": \"";
    const auto at = text.find(key);
    if (at == std::string::npos) return text;
    const auto end = text.find('"', at + key.size());
    return text.replace(at + key.size(), end - at - key.size(), "KEMU_VERSION");
}

void check_golden(const fs::path& golden, const std::string& actual) {
    if (std::getenv("KEMU_UPDATE_GOLDEN")) {
        std::ofstream(golden, std::ios::binary) << actual;
        return;
    }
    INFO("golden " << golden.string() << " (KEMU_UPDATE_GOLDEN=1 rewrites it)");
    CHECK(slurp(golden) == actual);
}

}  // namespace

TEST_CASE("render of examples/kemu.yaml matches the golden tree", "[deploy]") {
    testing::TempDir tmp;
    const auto result = deploy::render(example(), "eu-west-1", tmp.path.string());
    const auto golden = kSource / "tests" / "fixtures" / "deploy" / "examples";
    check_golden(golden / "topology.yaml", slurp(tmp.path / "topology.yaml"));
    check_golden(golden / "kemu-render.json",
                 without_version(slurp(tmp.path / "kemu-render.json")));
    // The Terraform files are the repository's deploy/terraform, byte for byte.
    const auto sources = tree(kSource / "deploy" / "terraform");
    REQUIRE(sources.size() >= 12);
    for (const auto& [rel, bytes] : sources) {
        INFO(rel);
        CHECK(slurp(tmp.path / rel) == bytes);
    }
    CHECK(result.files.size() == sources.size() + 5);  // topology, 3 zips, manifest
    CHECK(result.removed.empty());
}

TEST_CASE("two renders of the same input are byte-identical", "[deploy]") {
    testing::TempDir a, b;
    deploy::render(example(), "eu-west-1", a.path.string());
    deploy::render(example(), "eu-west-1", b.path.string());
    const auto ta = tree(a.path), tb = tree(b.path);
    CHECK(ta.size() == 17);
    CHECK(ta == tb);
}

TEST_CASE("a render removes files it no longer produces and keeps terraform state", "[deploy]") {
    testing::TempDir tmp;
    const auto out = tmp.path / "out";
    auto cfg = example();
    deploy::render(cfg, "eu-west-1", out.string());
    for (const char* kept :
         {"terraform.tfstate", ".terraform.lock.hcl", ".terraform/x", "notes.txt"}) {
        fs::create_directories((out / kept).parent_path());
        std::ofstream(out / kept) << "keep";
    }
    cfg.event_flows.pop_back();  // payments
    const auto result = deploy::render(cfg, "eu-west-1", out.string());
    CHECK(result.removed == std::vector<std::string>{"lambda/payments.zip"});
    CHECK_FALSE(fs::exists(out / "lambda" / "payments.zip"));
    CHECK(fs::exists(out / "lambda" / "orders.zip"));
    for (const char* kept :
         {"terraform.tfstate", ".terraform.lock.hcl", ".terraform/x", "notes.txt"})
        CHECK(slurp(out / kept) == "keep");
}

TEST_CASE("the region comes from kemu.yaml, then AWS_REGION, then AWS_DEFAULT_REGION", "[deploy]") {
    Config cfg;
    CHECK(deploy::resolve_region(cfg, {"AWS_DEFAULT_REGION=us-east-2", "AWS_REGION=eu-west-3"}) ==
          "eu-west-3");
    CHECK(deploy::resolve_region(cfg, {"AWS_DEFAULT_REGION=us-east-2"}) == "us-east-2");
    CHECK(deploy::resolve_region(cfg, {"PATH=/bin"}).empty());
    cfg.region = "ap-south-1";
    CHECK(deploy::resolve_region(cfg, {"AWS_REGION=eu-west-3"}) == "ap-south-1");
}

TEST_CASE("the topology renders every flow setting kemu.yaml has", "[deploy]") {
    Config cfg = example();
    auto& f = cfg.event_flows[0];
    f.parallelization_factor = 4;
    f.starting_position = "AT_TIMESTAMP";
    f.starting_position_timestamp_ms = 1705314600500;
    f.maximum_record_age_seconds = 3600;
    f.stream_mode = "ON_DEMAND";
    f.environment_variables = {{"LOG_LEVEL", "debug"}};
    f.tumbling_window_seconds = 60;
    f.filter_patterns = {R"({"data":{"kind":["a"]}})"};
    const auto text = deploy::normalised_topology(cfg, "eu-west-1");
    CHECK_THAT(text, Catch::Contains(R"("parallelization_factor": 4)"));
    CHECK_THAT(text,
               Catch::Contains(R"("starting_position_timestamp": "2024-01-15T10:30:00.500Z")"));
    CHECK_THAT(text, Catch::Contains(R"("maximum_record_age_seconds": 3600)"));
    CHECK_THAT(text, Catch::Contains(R"("stream_mode": "ON_DEMAND")"));
    CHECK_THAT(text, Catch::Contains(R"("LOG_LEVEL": "debug")"));
    CHECK_THAT(text, Catch::Contains(R"("tumbling_window_seconds": 60)"));
    CHECK_THAT(text, Catch::Contains(R"({\"data\":{\"kind\":[\"a\"]}})"));
    CHECK_THAT(text, Catch::Contains(R"("region": "eu-west-1")"));
}

TEST_CASE("the zip writer is deterministic and well formed", "[deploy]") {
    CHECK(deploy::crc32("123456789") == 0xCBF43926u);
    const std::vector<deploy::ZipEntry> entries = {{"a.py", "print(1)\n", false},
                                                   {"bin/run", "#!/bin/sh\n", true}};
    const auto zip = deploy::write_zip(entries);
    CHECK(zip == deploy::write_zip(entries));
    CHECK(zip.substr(0, 4) == std::string("PK\x03\x04", 4));
    // End of central directory: 2 entries, and the central directory right after the data.
    const auto eocd = zip.substr(zip.size() - 22);
    CHECK(eocd.substr(0, 4) == std::string("PK\x05\x06", 4));
    CHECK(static_cast<unsigned char>(eocd[10]) == 2);
}

TEST_CASE("collect_dir sorts files and skips interpreter caches", "[deploy]") {
    testing::TempDir tmp;
    fs::create_directories(tmp.path / "pkg" / "__pycache__");
    std::ofstream(tmp.path / "z.py") << "z";
    std::ofstream(tmp.path / "pkg" / "a.py") << "a";
    std::ofstream(tmp.path / "pkg" / "__pycache__" / "a.cpython-311.pyc") << "c";
    std::ofstream(tmp.path / "old.pyc") << "c";
    const auto entries = deploy::collect_dir(tmp.path.string());
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].name == "pkg/a.py");
    CHECK(entries[1].name == "z.py");
}

TEST_CASE("a handler with a requirements.txt and no pip is zipped as it is, with a warning",
          "[deploy]") {
    testing::TempDir tmp;
    std::ofstream(tmp.path / "handler.py") << "def process_event(e, c):\n    return {}\n";
    std::ofstream(tmp.path / "requirements.txt") << "requests==2.31.0\n";
    std::vector<std::string> warnings;
    const auto zip = deploy::package_handler(tmp.path.string(), &warnings,
                                             {"PATH=" + (tmp.path / "none").string()});
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0], Catch::Contains("python3 is not on PATH"));
    CHECK(zip == deploy::write_zip(deploy::collect_dir(tmp.path.string())));
}
