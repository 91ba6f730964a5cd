// kemu.yaml: any text in, a Config or a list of errors out, never a crash.

#include "core/config.h"

#include <string>

#include "support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    kemu::Config config;
    auto errors =
        kemu::parse_config(std::string(kemu::fuzz::as_view(data, size)), "fuzz/kemu.yaml", &config);
    for (const auto& e : errors)
        (void)e.to_string();
    return 0;
}
