#pragma once
// What the fuzz targets share: the input split into a head line and a body, a scheduler whose
// tasks run after each input, and a call that drives a RequestHandler as the edge does
// (answered now or later, streaming bodies pulled once and cancelled).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/db.h"
#include "core/http.h"

namespace kemu::fuzz {

// "head\nbody": the head selects what the input exercises (an action, a protocol), the rest is
// the bytes under test. No newline: all head, empty body.
struct Split {
    std::string_view head;
    std::string_view body;
};
inline Split split_head(const uint8_t* data, size_t size) {
    std::string_view all(reinterpret_cast<const char*>(data), size);
    auto nl = all.find('\n');
    if (nl == std::string_view::npos) return {all, {}};
    return {all.substr(0, nl), all.substr(nl + 1)};
}

inline std::string_view as_view(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Keeps the tasks an adapter schedules (long polls); run_all() ends them as a shutdown would.
class PendingScheduler final : public Scheduler {
public:
    void after(int64_t, std::function<void(bool)> fn) override { tasks_.push_back(std::move(fn)); }
    void run_all() {
        while (!tasks_.empty()) {
            auto now = std::move(tasks_);
            tasks_.clear();
            for (auto& t : now)
                t(true);
        }
    }

private:
    std::vector<std::function<void(bool)>> tasks_;
};

// Calls `handler` with `req` when it claims it. A streaming answer is started, pulled a few
// times and cancelled, as a client that goes away would.
inline void call(RequestHandler& handler, const HttpRequest& req) {
    if (!handler.matches(req)) return;
    auto out = std::make_shared<std::optional<HttpResponse>>();
    handler.handle(req, [out](HttpResponse r) { *out = std::move(r); });
    if (*out && (*out)->stream) {
        auto source = (*out)->stream;
        source->start([] {});
        bool ended = false;
        for (int i = 0; i < 3 && !ended; ++i)
            ended = source->pull().kind == BodySource::Piece::kEnd;
        if (!ended) source->cancel(false);
    }
}

inline std::unique_ptr<Db> memory_db() {
    DbOptions o;
    o.in_memory = true;
    o.path = "fuzz";
    std::string error;
    auto db = Db::open(o, &error);
    if (!db) std::abort();
    return db;
}

}  // namespace kemu::fuzz
