#include "invocations.h"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace kemu::load {

using json = nlohmann::json;

namespace {

int64_t num(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<int64_t>() : 0;
}

// One record's processing: the first invocation that held it started, and the first that
// succeeded with it (or, failing that, the last that held it) ended.
struct Processed {
    std::string data;
    int64_t start_ms = 0, end_ms = 0;
    bool ok = false;
    size_t order = 0;  // first seen
};

}  // namespace

InvocationStats analyse_invocations(const json& invocations, const std::string& function,
                                    int64_t start_wall_ms, size_t seconds,
                                    std::unordered_map<std::string, std::deque<double>> due_of) {
    InvocationStats st;
    st.seconds.resize(seconds);
    auto row = [&](int64_t wall_ms) -> InvocationSecond& {
        auto s = static_cast<size_t>(std::max<int64_t>(0, wall_ms - start_wall_ms) / 1000);
        if (s >= st.seconds.size()) st.seconds.resize(s + 1);
        return st.seconds[s];
    };
    std::vector<const json*> list;
    if (invocations.is_object() && invocations.contains("invocations"))
        for (const auto& inv : invocations["invocations"])
            if (inv.value("function", "") == function) list.push_back(&inv);
    std::stable_sort(list.begin(), list.end(), [](const json* a, const json* b) {
        return num(*a, "start_ms") < num(*b, "start_ms");
    });
    std::unordered_map<std::string, Processed> processed;  // by sequence number
    std::map<int64_t, int64_t> edges;                      // time -> +starts -ends
    for (const json* inv : list) {
        int64_t start = num(*inv, "start_ms"), end = std::max(start, num(*inv, "end_ms"));
        bool ok = inv->value("status", "") == "ok";
        const auto& recs = inv->contains("records") && (*inv)["records"].is_array()
                               ? (*inv)["records"]
                               : json::array();
        auto& sec = row(start);
        st.invocations += 1;
        sec.invocations += 1;
        if (!ok) {
            st.errors += 1;
            sec.errors += 1;
        }
        auto n = static_cast<int64_t>(recs.size());
        st.records += n;
        sec.records += n;
        st.max_records = std::max(st.max_records, n);
        double ms = static_cast<double>(end - start);
        st.handler_ms.push_back(ms);
        sec.handler_ms.push_back(ms);
        edges[start] += 1;
        edges[end] -= 1;  // an invocation ending when another starts does not overlap it
        bool retry = false;
        for (const auto& rec : recs) {
            auto data = rec.value("data", "");
            auto seq = rec.value("sequenceNumber", data);
            auto [it, fresh] = processed.try_emplace(seq);
            if (fresh) {
                it->second = {data, start, end, ok, processed.size()};
                continue;
            }
            retry = true;
            if (!it->second.ok) {
                it->second.end_ms = end;
                it->second.ok = ok;
            }
        }
        if (retry) {
            st.retries += 1;
            sec.retries += 1;
        }
    }
    // Concurrency: the running count after each instant's starts and ends. A second holds the
    // level it was entered with (the level before its first edge) and every level within it.
    int64_t level = 0;
    size_t s = 0;
    for (const auto& [t, delta] : edges) {
        row(t);  // the rows up to t exist
        auto at = static_cast<size_t>(std::max<int64_t>(0, t - start_wall_ms) / 1000);
        for (; s <= at; ++s)
            st.seconds[s].max_concurrency = std::max(st.seconds[s].max_concurrency, level);
        level += delta;
        st.seconds[at].max_concurrency = std::max(st.seconds[at].max_concurrency, level);
        st.max_concurrency = std::max(st.max_concurrency, level);
    }
    // Each record takes the earliest due time left of its data, in the order first seen.
    std::vector<const Processed*> order;
    for (const auto& [seq, p] : processed)
        order.push_back(&p);
    std::sort(order.begin(), order.end(),
              [](const Processed* a, const Processed* b) { return a->order < b->order; });
    for (const Processed* p : order) {
        auto it = due_of.find(p->data);
        if (it == due_of.end() || it->second.empty()) continue;
        double due = it->second.front();
        it->second.pop_front();
        st.events_processed += 1;
        st.to_start_ms.push_back(std::max(0.0, static_cast<double>(p->start_ms) - due));
        st.to_end_ms.push_back(std::max(0.0, static_cast<double>(p->end_ms) - due));
        row(static_cast<int64_t>(due)).latency_ms.push_back(st.to_end_ms.back());
    }
    return st;
}

}  // namespace kemu::load
