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
#include "example_project.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace kemu;
using kemu::test::example_config;
using kemu::test::kSource;
using kemu::test::slurp;

namespace {

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
    const auto result = deploy::render(example_config(), "eu-west-1", tmp.path.string());
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
    deploy::render(example_config(), "eu-west-1", a.path.string());
    deploy::render(example_config(), "eu-west-1", b.path.string());
    const auto ta = tree(a.path), tb = tree(b.path);
    CHECK(ta.size() == 17);
    CHECK(ta == tb);
}

TEST_CASE("a render removes files it no longer produces and keeps terraform state", "[deploy]") {
    testing::TempDir tmp;
    const auto out = tmp.path / "out";
    auto cfg = example_config();
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
    Config cfg = example_config();
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

namespace {
unsigned le16(const std::string& s, std::size_t at) {
    return static_cast<unsigned char>(s[at]) | (static_cast<unsigned char>(s[at + 1]) << 8);
}
unsigned le32(const std::string& s, std::size_t at) {
    return le16(s, at) | (le16(s, at + 2) << 16);
}
}  // namespace

TEST_CASE("the zip writer is deterministic: fixed times, the given order, Unix modes", "[deploy]") {
    const std::vector<deploy::ZipEntry> entries = {{"a.py", std::string(4096, 'x'), false},
                                                   {"bin/run", "#!/bin/sh\n", true}};
    const auto zip = deploy::write_zip(entries);
    CHECK(zip == deploy::write_zip(entries));
    // The first local header: a.py, deflated (8), 1980-01-01 00:00 in DOS time and date.
    REQUIRE(zip.substr(0, 4) == std::string("PK\x03\x04", 4));
    CHECK(le16(zip, 8) == 8);
    CHECK(le16(zip, 10) == 0);
    CHECK(le16(zip, 12) == ((1u << 5) | 1u));
    CHECK(zip.substr(30, le16(zip, 26)) == "a.py");
    CHECK(le16(zip, 28) == 0);  // no extra fields (they would carry the files' times)
    // End of central directory: 2 entries; the second central entry is made by Unix, 0755.
    const auto eocd = zip.size() - 22;
    REQUIRE(le32(zip, eocd) == 0x06054b50u);
    CHECK(le16(zip, eocd + 10) == 2);
    std::size_t cd = le32(zip, eocd + 16);
    cd += 46 + le16(zip, cd + 28) + le16(zip, cd + 30) + le16(zip, cd + 32);
    REQUIRE(le32(zip, cd) == 0x02014b50u);
    CHECK(le16(zip, cd + 4) >> 8 == 3);
    CHECK(le32(zip, cd + 38) >> 16 == 0100755u);
    CHECK(zip.substr(cd + 46, le16(zip, cd + 28)) == "bin/run");
    CHECK_THROWS_WITH(deploy::write_zip({}), Catch::Contains("no files"));
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

namespace {
// A stand-in for python3 or npm on PATH: records its argv, then "installs" one file.
void fake_tool(const fs::path& bin_dir, const std::string& name, const std::string& file) {
    fs::create_directories(bin_dir);
    const auto p = bin_dir / name;
    std::ofstream(p) << "#!/bin/sh\necho \"$@\" > \"" << (bin_dir / "argv").string()
                     << "\"\n/bin/mkdir -p " << fs::path(file).parent_path().string()
                     << "\necho dep > " << file << "\n";
    fs::permissions(p, fs::perms::owner_all);
}
}  // namespace

TEST_CASE("a requirements.txt's dependencies are pip-installed into the package", "[deploy]") {
    testing::TempDir tmp;
    const auto src = tmp.path / "handler";
    fs::create_directories(src);
    std::ofstream(src / "handler.py") << "import dep\n";
    std::ofstream(src / "requirements.txt") << "dep==1.0\n";
    fake_tool(tmp.path / "bin", "python3", "dep/__init__.py");
    std::vector<std::string> warnings;
    const auto zip =
        deploy::package_handler(src.string(), &warnings, {"PATH=" + (tmp.path / "bin").string()});
    CHECK(warnings.empty());
    CHECK(slurp(tmp.path / "bin" / "argv") ==
          "-m pip install --quiet --no-compile --disable-pip-version-check -r requirements.txt "
          "-t .\n");
    CHECK(zip.find("dep/__init__.py") != std::string::npos);
    CHECK_FALSE(fs::exists(src / "dep"));  // installed into a scratch copy, not the source
}

TEST_CASE("a package.json's dependencies are npm-installed into the package", "[deploy]") {
    testing::TempDir tmp;
    const auto src = tmp.path / "handler";
    fs::create_directories(src);
    std::ofstream(src / "index.js") << "exports.handler = async () => ({});\n";
    std::ofstream(src / "package.json") << "{\"dependencies\": {\"dep\": \"1.0.0\"}}\n";
    fake_tool(tmp.path / "bin", "npm", "node_modules/dep/index.js");
    std::vector<std::string> warnings;
    const auto zip =
        deploy::package_handler(src.string(), &warnings, {"PATH=" + (tmp.path / "bin").string()});
    CHECK(warnings.empty());
    CHECK(slurp(tmp.path / "bin" / "argv") == "install --omit=dev --no-audit --no-fund --quiet\n");
    CHECK(zip.find("node_modules/dep/index.js") != std::string::npos);
}
