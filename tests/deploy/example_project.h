#pragma once
// What the deploy tests share: the source tree (KEMU_SOURCE_DIR, set by tests/CMakeLists.txt),
// a file's bytes, and the example project's kemu.yaml loaded.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "core/config.h"

namespace kemu::test {

inline const std::filesystem::path kSource = KEMU_SOURCE_DIR;

// The bytes of the file at `p` (empty when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

// examples/kemu.yaml, which must load without errors.
inline Config example_config() {
    Config cfg;
    const auto errors = load_config((kSource / "examples" / "kemu.yaml").string(), &cfg);
    REQUIRE(errors.empty());
    return cfg;
}

}  // namespace kemu::test
