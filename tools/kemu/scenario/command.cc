#include "command.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "coverage.h"
#include "junit.h"
#include "runner.h"
#include "scenario.h"
#include "topology.h"

namespace kemu::scenario {
namespace {

namespace fs = std::filesystem;

struct Item {
    Scenario scenario;
    Topology topology;
};

// The scenario files of `paths`, sorted within each folder; false after printing a bad path.
bool find_files(const std::vector<std::string>& paths, std::vector<std::string>* out) {
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) {
            out->push_back(p);
        } else if (fs::is_directory(p, ec)) {
            std::vector<std::string> found;
            for (const auto& e : fs::recursive_directory_iterator(p, ec)) {
                auto ext = e.path().extension();
                if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
                    found.push_back(e.path().string());
            }
            std::sort(found.begin(), found.end());
            out->insert(out->end(), found.begin(), found.end());
        } else {
            std::cerr << "kemu: " << p << ": no such file or folder\n";
            return false;
        }
    }
    return true;
}

// Parses and prepares every scenario; prints every error. False when any is invalid.
bool load_all(const std::vector<std::string>& files, const TestOptions& o,
              std::vector<Item>* items) {
    bool ok = true;
    for (const auto& f : files) {
        Item item;
        auto errors = load_scenario(f, &item.scenario);
        if (errors.empty()) {
            const auto& sc = item.scenario;
            if (!o.filter.empty() && sc.name.find(o.filter) == std::string::npos &&
                f.find(o.filter) == std::string::npos)
                continue;
            errors = prepare_topology(sc, o.config, &item.topology);
        }
        for (const auto& e : errors)
            std::cerr << "kemu: " << e.to_string() << "\n";
        if (!errors.empty()) ok = false;
        items->push_back(std::move(item));
    }
    return ok;
}

// The command that runs one scenario again, exactly.
std::string replay_command(const Item& item, const TestOptions& o) {
    std::string cmd = "kemu test " + item.scenario.file;
    if (item.scenario.topology.empty() && !o.config.empty()) cmd += " -c " + o.config;
    return cmd + " --seed " + std::to_string(o.seed);
}

}  // namespace

int run_test(const TestOptions& o) {
    std::vector<std::string> files;
    if (!find_files(o.paths, &files)) return 2;
    std::vector<Item> items;
    if (!load_all(files, o, &items)) return 2;
    if (items.empty()) {
        std::cerr << "kemu: no scenario to run\n";
        return 2;
    }
    std::mutex print_mu;
    RunOptions ro;
    ro.seed = o.seed;
    ro.progress = [&print_mu](const std::string& line) {
        std::lock_guard lock(print_mu);
        std::cout << line << std::endl;
    };
    std::vector<ScenarioResult> results(items.size());
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i = next++; i < items.size(); i = next++) {
            ro.progress("[" + items[i].scenario.name + "] run " + items[i].scenario.file);
            results[i] = run_scenario(items[i].scenario, items[i].topology, ro);
        }
    };
    std::vector<std::thread> threads;
    for (int j = 0; j < std::max(1, o.jobs); ++j)
        threads.emplace_back(worker);
    for (auto& t : threads)
        t.join();

    int passed = 0, failed = 0, cases = 0, failed_cases = 0;
    for (size_t i = 0; i < results.size(); ++i) {
        (results[i].passed ? passed : failed) += 1;
        for (const auto& c : results[i].cases) {
            ++cases;
            failed_cases += c.passed ? 0 : 1;
        }
        if (!results[i].passed)
            std::cout << "failed: " << results[i].name
                      << " (replay: " << replay_command(items[i], o) << ")\n";
    }
    if (!o.junit.empty()) {
        std::ofstream out(o.junit);
        out << junit_xml(results);
        if (!out) std::cerr << "kemu: cannot write " << o.junit << "\n";
    }
    std::vector<std::pair<std::string, std::set<std::string>>> coverage;
    for (const auto& r : results)
        coverage.emplace_back(r.name, r.exercised);
    std::cout << coverage_report(coverage);
    std::cout << passed << " passed, " << failed << " failed (" << cases << " expectations, "
              << failed_cases << " failed)\n";
    return failed == 0 ? 0 : 1;
}

}  // namespace kemu::scenario
