#include "lambda_runner/function_pool.h"

#include <algorithm>
#include <filesystem>
#include <list>
#include <mutex>
#include <sys/stat.h>

#include "core/encoding.h"
#include "core/log.h"
#include "environment.h"

namespace kemu::lambda_runner {
struct FunctionPool::Impl {
    FunctionConfig config;
    FunctionMetrics& metrics;
    const Clock& clock;
    FunctionLog log;
    mutable std::mutex mu;
    std::list<std::unique_ptr<Environment>> idle;  // most recently used first
    int busy = 0;
    bool shut = false;
    uint64_t generation = 0;  // bumped by retire_all()
    // TMPDIRs of environments that were reset (timeout, crash): AWS keeps /tmp across a reset,
    // so the next cold start gets one back. Guarded by mu.
    std::vector<std::string> spare_tmp;

    std::string take_tmp() {
        std::lock_guard lock(mu);
        if (!spare_tmp.empty()) {
            auto t = std::move(spare_tmp.back());
            spare_tmp.pop_back();
            return t;
        }
        return config.tmp_dir + "/env-" + hex_encode(random_bytes(6));
    }

    static void remove_tmp(const std::string& dir) {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    // Destroys environments that are stopped for good (idle, retired, shut down): their /tmp
    // goes with them. REQUIRES: mu not held.
    static void stop_for_good(std::list<std::unique_ptr<Environment>>& envs) {
        for (auto& e : envs) {
            std::string tmp = e->tmp_dir();
            e.reset();
            remove_tmp(tmp);
        }
        envs.clear();
    }
    std::string code_signature;

    Impl(FunctionConfig c, FunctionMetrics& m, const Clock& k)
        : config(std::move(c)),
          metrics(m),
          clock(k),
          log(config.name, config.log_file, config.echo_logs, config.log_sink, clock) {}

    // Idle times are read on the clock's monotonic reading.
    int64_t monotonic_ms() const { return clock.monotonic_us() / 1000; }

    std::string signature() const {
        // Names, sizes and mtimes of the code's files (not __pycache__ / node_modules).
        std::string sig;
        std::error_code ec;
        namespace fs = std::filesystem;
        for (fs::recursive_directory_iterator
                 it(config.code_dir, fs::directory_options::skip_permission_denied, ec),
             end;
             !ec && it != end; it.increment(ec)) {
            auto name = it->path().filename().string();
            if (it->is_directory(ec) &&
                (name == "__pycache__" || name == "node_modules" || name.starts_with("."))) {
                it.disable_recursion_pending();
                continue;
            }
            struct stat st {};
            if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
            sig += it->path().string() + ":" + std::to_string(st.st_size) + ":" +
                   std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) +
                   ";";
        }
        return sig;
    }
};

FunctionPool::FunctionPool(FunctionConfig config, FunctionMetrics& metrics, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(config), metrics, clock)) {
    impl_->code_signature = impl_->signature();
}

FunctionPool::~FunctionPool() {
    shutdown();
}

const FunctionConfig& FunctionPool::config() const {
    return impl_->config;
}

void FunctionPool::set_aws_endpoint_url(std::string url) {
    std::lock_guard lock(impl_->mu);
    impl_->config.aws_endpoint_url = std::move(url);
}

InvokeResult FunctionPool::invoke(const std::string& event) {
    return invoke(event, Disruption::kNone);
}

InvokeResult FunctionPool::invoke(const std::string& event, Disruption disruption) {
    auto& m = impl_->metrics;
    std::unique_ptr<Environment> env;
    bool cold = false;
    // Idle environments found dead (their runtime exited between invocations) are destroyed
    // after the lock is released: destruction joins threads and waits for the process.
    std::list<std::unique_ptr<Environment>> dead;
    struct StopDead {
        std::list<std::unique_ptr<Environment>>& envs;
        ~StopDead() { Impl::stop_for_good(envs); }
    } stop_dead{dead};
    {
        std::lock_guard lock(impl_->mu);
        if (impl_->shut) return {InvokeResult::Status::kThrottled, "", "", "", 0};
        while (!impl_->idle.empty()) {
            auto candidate = std::move(impl_->idle.front());
            impl_->idle.pop_front();
            if (candidate->alive()) {
                env = std::move(candidate);
                break;
            }
            dead.push_back(std::move(candidate));
        }
        int total = impl_->busy + static_cast<int>(impl_->idle.size());
        if (!env && total >= impl_->config.concurrency) {
            return {InvokeResult::Status::kThrottled, "", "", "", 0};
        }
        ++impl_->busy;
        int64_t now = ++m.concurrent;
        FunctionMetrics::raise_max(m.concurrent_max, now);
        cold = !env;
    }
    Impl::stop_for_good(dead);
    InvokeResult result;
    bool reset = false;
    if (cold) {
        env = std::make_unique<Environment>(impl_->config, impl_->log, impl_->clock);
        {
            std::lock_guard lock(impl_->mu);
            env->generation = impl_->generation;
        }
        ++m.cold_starts;
        if (auto err = env->start(impl_->take_tmp()); !err.empty()) {
            log_error("lambda", impl_->config.name + ": cannot start an environment: " + err);
            result.status = InvokeResult::Status::kFunctionError;
            result.error_type = "Runtime.ExitError";
            result.payload = R"({"errorType":"Runtime.ExitError","errorMessage":")" + err + "\"}";
            reset = true;
        }
    }
    if (!reset) result = env->invoke(event, disruption, &reset);
    {
        std::lock_guard lock(impl_->mu);
        --impl_->busy;
        --m.concurrent;
        if (!reset && !impl_->shut && env->generation == impl_->generation) {
            env->set_idle_since(impl_->monotonic_ms());
            impl_->idle.push_front(std::move(env));
        }
    }
    if (env) {
        // A reset or retired environment dies here, outside the lock. After a reset its /tmp
        // waits for the next cold start, as AWS keeps /tmp across a reset.
        std::string tmp = env->tmp_dir();
        bool keep_tmp = reset && env->generation == generation_now();
        env.reset();
        if (keep_tmp && !tmp.empty()) {
            std::lock_guard lock(impl_->mu);
            impl_->spare_tmp.push_back(tmp);
        } else if (!tmp.empty()) {
            Impl::remove_tmp(tmp);
        }
    }
    return result;
}

uint64_t FunctionPool::generation_now() const {
    std::lock_guard lock(impl_->mu);
    return impl_->generation;
}

int FunctionPool::reap_idle(int64_t idle_ms) {
    std::list<std::unique_ptr<Environment>> dead;
    {
        std::lock_guard lock(impl_->mu);
        int64_t now = impl_->monotonic_ms();
        for (auto it = impl_->idle.begin(); it != impl_->idle.end();) {
            if (now - (*it)->idle_since_ms() >= idle_ms || !(*it)->alive()) {
                dead.push_back(std::move(*it));
                it = impl_->idle.erase(it);
            } else {
                ++it;
            }
        }
    }
    int n = static_cast<int>(dead.size());
    Impl::stop_for_good(dead);
    return n;
}

void FunctionPool::retire_all() {
    std::list<std::unique_ptr<Environment>> dead;
    std::vector<std::string> spare;
    {
        std::lock_guard lock(impl_->mu);
        dead.swap(impl_->idle);
        spare.swap(impl_->spare_tmp);
        ++impl_->generation;  // busy ones are dropped when their invocation ends
    }
    Impl::stop_for_good(dead);
    for (const auto& t : spare)
        Impl::remove_tmp(t);
}

bool FunctionPool::code_changed() {
    auto sig = impl_->signature();
    std::lock_guard lock(impl_->mu);
    if (sig == impl_->code_signature) return false;
    impl_->code_signature = sig;
    return true;
}

PoolStats FunctionPool::stats() const {
    std::lock_guard lock(impl_->mu);
    return {impl_->busy + static_cast<int>(impl_->idle.size()), impl_->busy};
}

void FunctionPool::shutdown() {
    std::list<std::unique_ptr<Environment>> dead;
    std::vector<std::string> spare;
    {
        std::lock_guard lock(impl_->mu);
        impl_->shut = true;
        dead.swap(impl_->idle);
        spare.swap(impl_->spare_tmp);
    }
    Impl::stop_for_good(dead);
    for (const auto& t : spare)
        Impl::remove_tmp(t);
}

}  // namespace kemu::lambda_runner
