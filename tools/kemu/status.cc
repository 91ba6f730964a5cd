#include "status.h"

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "client.h"

namespace kemu::cli {

int run_status(const std::string& endpoint, bool as_json) {
    auto res = http_get(endpoint, "/_kemu/status");
    if (!res) return 1;
    auto j = nlohmann::json::parse(res->second, nullptr, false);
    if (res->first != 200 || j.is_discarded()) {
        std::cerr << "kemu: unexpected answer from " << endpoint << ": " << res->second << "\n";
        return 1;
    }
    if (as_json) {
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    auto n = [](const nlohmann::json& f, const char* k) -> std::string {
        auto it = f.find(k);
        return it == f.end() ? std::string("-") : it->dump();
    };
    std::printf("%-18s %10s %10s %11s %7s %9s %9s %5s %-11s  %s\n", "FLOW", "RECORDS IN",
                "ITER AGE", "INVOCATIONS", "ERRORS", "THROTTLES", "DLQ", "LANES", "MODE", "ALARMS");
    for (const auto& f : j["flows"]) {
        std::string alarms;
        bool any = false;
        auto states = f.value("alarms", nlohmann::json::object());  // items() needs an lvalue
        for (const auto& [name, state] : states.items()) {
            if (state == "ALARM") {
                alarms += (any ? ", " : "") + name + " ALARM";
                any = true;
            }
        }
        if (!any) alarms = "all OK";
        std::string age = f.contains("iterator_age_ms") ? n(f, "iterator_age_ms") + " ms" : "-";
        // '*': the flow's mapping runs with settings changed through the Lambda API.
        auto flow = f.value("event_type", "") + (f.contains("mapping_changed") ? "*" : "");
        std::printf("%-18s %10s %10s %11s %7s %9s %9s %5s %-11s  %s\n", flow.c_str(),
                    n(f, "incoming_records").c_str(), age.c_str(), n(f, "invocations").c_str(),
                    n(f, "errors").c_str(), n(f, "throttles").c_str(), n(f, "dlq_depth").c_str(),
                    n(f, "lanes").c_str(), f.value("stream_mode", "-").c_str(), alarms.c_str());
    }
    for (const auto& f : j["flows"]) {
        if (!f.contains("mapping_changed")) continue;
        std::string what;
        for (const auto& [name, v] : f["mapping_changed"].items())
            what += (what.empty() ? "" : ", ") + name + " " + v["kemu_yaml"].dump() + " -> " +
                    v["live"].dump();
        std::printf(
            "* %s: mapping changed through the Lambda API (%s); kemu.yaml's settings "
            "apply again at the next start\n",
            f.value("event_type", "").c_str(), what.c_str());
    }
    return 0;
}

}  // namespace kemu::cli
