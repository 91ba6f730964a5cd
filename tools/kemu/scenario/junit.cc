#include "junit.h"

#include "core/encoding.h"

namespace kemu::scenario {
namespace {

std::string escape(const std::string& s) {
    std::string out;
    xml_escape(s, out);
    return out;
}

}  // namespace

std::string junit_xml(const std::vector<ScenarioResult>& results) {
    int tests = 0, failures = 0;
    double total = 0;
    for (const auto& r : results) {
        tests += static_cast<int>(r.cases.size());
        for (const auto& c : r.cases)
            failures += c.passed ? 0 : 1;
        total += r.seconds;
    }
    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x += "<testsuites name=\"kemu test\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
         std::to_string(failures) + "\" time=\"" + fixed(total, 3) + "\">\n";
    for (const auto& r : results) {
        int f = 0;
        for (const auto& c : r.cases)
            f += c.passed ? 0 : 1;
        x += "  <testsuite name=\"" + escape(r.name) + "\" file=\"" + escape(r.file) +
             "\" tests=\"" + std::to_string(r.cases.size()) + "\" failures=\"" + std::to_string(f) +
             "\" time=\"" + fixed(r.seconds, 3) + "\">\n";
        if (!r.exercised.empty()) {
            // The failure paths this scenario's kemu went through (coverage.h).
            x += "    <properties>\n";
            for (const auto& path : r.exercised)
                x += "      <property name=\"failure_path\" value=\"" + escape(path) + "\"/>\n";
            x += "    </properties>\n";
        }
        for (const auto& c : r.cases) {
            x += "    <testcase name=\"" + escape(c.name) + "\" classname=\"" + escape(r.name) +
                 "\" file=\"" + escape(r.file) + "\" line=\"" + std::to_string(c.line) +
                 "\" time=\"" + fixed(c.seconds, 3) + "\">\n";
            if (!c.passed) {
                auto msg = "expected " + c.expected + ", actual " + c.actual;
                x += "      <failure message=\"" + escape(msg) + "\">" +
                     escape(r.file + ":" + std::to_string(c.line) + "\nexpected: " + c.expected +
                            "\nactual:   " + c.actual) +
                     "</failure>\n";
            }
            x += "      <system-out>" + escape(c.output) + "</system-out>\n";
            x += "    </testcase>\n";
        }
        x += "  </testsuite>\n";
    }
    x += "</testsuites>\n";
    return x;
}

}  // namespace kemu::scenario
