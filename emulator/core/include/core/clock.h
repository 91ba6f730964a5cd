#pragma once
// Wall-clock time as kemu sees it, and a monotonic reading for timers. Engines take a
// `const Clock&` so tests can drive time by hand.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace kemu {

class Clock {
public:
    virtual ~Clock() = default;
    // Milliseconds since the Unix epoch. Thread-safe.
    virtual int64_t now_ms() const = 0;
    // Microseconds on a clock that never jumps back, from an arbitrary origin: for durations
    // and timers. Thread-safe. By default it follows now_ms(), so advancing a ManualClock moves
    // both.
    virtual int64_t monotonic_us() const { return now_ms() * 1000; }
};

class SystemClock final : public Clock {
public:
    int64_t now_ms() const override {
        using namespace std::chrono;
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    }
    int64_t monotonic_us() const override {
        using namespace std::chrono;
        return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
    }
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
public:
    explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
    int64_t now_ms() const override { return now_.load(std::memory_order_relaxed); }
    void set_ms(int64_t ms) { now_.store(ms, std::memory_order_relaxed); }
    void advance_ms(int64_t ms) { now_.fetch_add(ms, std::memory_order_relaxed); }

private:
    std::atomic<int64_t> now_;
};

}  // namespace kemu
