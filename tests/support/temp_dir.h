#pragma once
// A fresh directory under the system temp dir, removed with everything in it afterwards.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

namespace kemu::testing {

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& prefix = "kemu-test") {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace kemu::testing
