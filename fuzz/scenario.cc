// Scenario files (kemu test): the YAML reader and parser, and the record body templates their
// steps carry. Any text in, a Scenario or errors out, never a crash.

#include "scenario/scenario.h"

#include <string>

#include "scenario/body_template.h"
#include "support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(kemu::fuzz::as_view(data, size));
    kemu::scenario::Scenario sc;
    auto errors = kemu::scenario::parse_scenario(text, "fuzz/scenario.yaml", &sc);
    for (const auto& e : errors)
        (void)e.to_string();
    if (kemu::scenario::check_template(text).empty()) {
        (void)kemu::scenario::render_template(text, 7, 42);
    }
    (void)kemu::scenario::parse_duration_ms(text);
    return 0;
}
