#include "steps.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "body_template.h"

namespace kemu::scenario {
namespace {

namespace fs = std::filesystem;
using Reader = YamlReader::Reader;

constexpr int64_t kMaxCount = 1'000'000;
const std::vector<std::string> kAlarmStates = {"OK", "ALARM", "INSUFFICIENT_DATA"};

// A YAML value as JSON text. JSON cannot carry strings that are not UTF-8 (dump throws on
// them): an error in the file, not a crash of kemu test. False after reporting it.
bool json_text(YamlReader& r, const YAML::Node& n, const std::string& path, std::string* out) {
    try {
        *out = yaml_to_json(n).dump();
        return true;
    } catch (const nlohmann::json::type_error&) {
        r.error(n, path, "must be valid UTF-8");
        return false;
    }
}

// A template field (body or partition key): checked now, rendered per record later.
void template_field(YamlReader& r, const YAML::Node& n, const std::string& path, std::string* out) {
    if (n.IsScalar()) {
        *out = n.Scalar();
    } else if (!json_text(r, n, path, out)) {
        return;
    }
    if (auto why = check_template(*out); !why.empty()) r.error(n, path, why);
}

void read_body_file(YamlReader& r, const YAML::Node& n, const std::string& path,
                    const std::string& dir, std::string* out) {
    std::string rel;
    if (!r.string(n, path, &rel)) return;
    fs::path p(rel);
    if (p.is_relative()) p = fs::path(dir) / p;
    std::ifstream in(p);
    if (!in) {
        r.error(n, path, "cannot read " + p.lexically_normal().string());
        return;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    *out = ss.str();
    if (auto why = check_template(*out); !why.empty()) r.error(n, path, why);
}

bool parse_send(YamlReader& r, const YAML::Node& n, const std::string& path, const std::string& dir,
                SendStep* s) {
    std::string to = "front_door";
    bool has_body = false, has_type = false;
    bool ok = r.read_map(
        n, path,
        {{"to",
          [&](const YAML::Node& v, const std::string& p) {
              r.choice(v, p, {"front_door", "stream"}, &to);
          }},
         {"event_type", [&](const YAML::Node& v,
                            const std::string& p) { has_type = r.string(v, p, &s->event_type); }},
         {"body",
          [&](const YAML::Node& v, const std::string& p) {
              has_body = true;
              template_field(r, v, p, &s->body);
          }},
         {"body_file",
          [&](const YAML::Node& v, const std::string& p) {
              has_body = true;
              read_body_file(r, v, p, dir, &s->body);
          }},
         {"partition_key",
          [&](const YAML::Node& v, const std::string& p) {
              template_field(r, v, p, &s->partition_key);
          }},
         {"count", r.int_reader(&s->count, 1, kMaxCount)},
         {"batch", r.int_reader(&s->batch, 1, 500)},
         {"deadline", [&](const YAML::Node& v, const std::string& p) {
              r.duration_ms(v, p, &s->deadline_ms);
          }}});
    if (!ok) return false;
    s->to = to == "stream" ? SendStep::Target::kStream : SendStep::Target::kFrontDoor;
    if (!has_type) r.error(n, path + ".event_type", "required");
    if (!has_body) r.error(n, path + ".body", "required (body or body_file)");
    if (!s->partition_key.empty() && s->batch == 0 && s->to == SendStep::Target::kFrontDoor)
        r.error(n, path + ".partition_key",
                "a single front-door request's key is its request id; use batch or to: stream");
    return has_type && has_body;
}

// `flow: X, count: N` (the counts of received, processed, dlq).
// `flow: X, count: N` (received, processed, dlq); processed also takes `distinct: N`.
Reader flow_count(YamlReader& r, Condition* c, bool* has_flow) {
    return [&r, c, has_flow](const YAML::Node& v, const std::string& p) {
        std::map<std::string, Reader> keys{
            {"flow", [&](const YAML::Node& f,
                         const std::string& fp) { *has_flow = r.string(f, fp, &c->flow); }},
            {"count", [&](const YAML::Node& n, const std::string& np) {
                 r.integer(n, np, 0, kMaxCount, &c->count);
             }}};
        if (c->kind == Condition::Kind::kProcessed) {
            keys["distinct"] = [&](const YAML::Node& n, const std::string& np) {
                c->distinct = r.integer(n, np, 0, kMaxCount, &c->count);
            };
        }
        r.read_map(v, p, keys);
        if (!*has_flow) r.error(v, p + ".flow", "required");
    };
}

// `name` and `state`; with `history` (expectations only), `state` may be left out.
Reader alarm_state(YamlReader& r, std::string* alarm, std::string* state,
                   std::vector<std::string>* history = nullptr) {
    return [&r, alarm, state, history](const YAML::Node& v, const std::string& p) {
        bool has_name = false, has_state = false;
        std::map<std::string, Reader> keys{
            {"name",
             [&](const YAML::Node& n, const std::string& np) {
                 has_name = true;
                 r.string(n, np, alarm);
             }},
            {"state", [&](const YAML::Node& s, const std::string& sp) {
                 has_state = true;
                 r.choice(s, sp, kAlarmStates, state);
             }}};
        if (history) {
            keys["history"] = [&](const YAML::Node& h, const std::string& hp) {
                if (!h.IsSequence() || h.size() == 0)
                    return r.error(h, hp, "must be a non-empty list of states");
                has_state = true;
                for (size_t i = 0; i < h.size(); ++i) {
                    std::string one;
                    if (r.choice(h[i], hp + "[" + std::to_string(i) + "]", kAlarmStates, &one))
                        history->push_back(one);
                }
            };
        }
        r.read_map(v, p, keys);
        if (v.IsMap() && !has_name) r.error(v, p + ".name", "required");
        if (v.IsMap() && !has_state) r.error(v, p + ".state", "required");
    };
}

// `iterator_age: {flow: orders, below: 1s}` (or `above:`).
Reader iterator_age(YamlReader& r, Condition* c, bool* has_flow) {
    return [&r, c, has_flow](const YAML::Node& v, const std::string& p) {
        auto bound = [&](std::optional<int64_t>* out) {
            return [&r, out](const YAML::Node& b, const std::string& bp) {
                int64_t ms = 0;
                if (r.duration_ms(b, bp, &ms)) *out = ms;
            };
        };
        r.read_map(v, p,
                   {{"flow", [&](const YAML::Node& f,
                                 const std::string& fp) { *has_flow = r.string(f, fp, &c->flow); }},
                    {"below", bound(&c->below_ms)},
                    {"above", bound(&c->above_ms)}});
        if (!v.IsMap()) return;
        if (!*has_flow) r.error(v, p + ".flow", "required");
        if (c->below_ms.has_value() == c->above_ms.has_value())
            r.error(v, p, "needs exactly one of below, above");
    };
}

bool parse_wait(YamlReader& r, const YAML::Node& n, const std::string& path, WaitStep* w) {
    auto& c = w->condition;
    int kinds = 0;
    bool has_flow = false;
    auto counted = [&](Condition::Kind k) {
        return [&, k](const YAML::Node& v, const std::string& p) {
            ++kinds;
            c.kind = k;
            flow_count(r, &c, &has_flow)(v, p);
        };
    };
    auto errors_before = r.error_count();
    bool ok = r.read_map(n, path,
                         {{"received", counted(Condition::Kind::kReceived)},
                          {"processed", counted(Condition::Kind::kProcessed)},
                          {"dlq", counted(Condition::Kind::kDlqDepth)},
                          {"alarm",
                           [&](const YAML::Node& v, const std::string& p) {
                               ++kinds;
                               c.kind = Condition::Kind::kAlarmState;
                               alarm_state(r, &c.alarm, &c.state)(v, p);
                           }},
                          {"iterator_age",
                           [&](const YAML::Node& v, const std::string& p) {
                               ++kinds;
                               c.kind = Condition::Kind::kIteratorAge;
                               iterator_age(r, &c, &has_flow)(v, p);
                           }},
                          {"timeout", [&](const YAML::Node& v, const std::string& p) {
                               r.duration_ms(v, p, &w->timeout_ms);
                           }}});
    if (ok && kinds != 1 && r.error_count() == errors_before) {
        r.error(n, path,
                "needs exactly one condition: received, processed, dlq, alarm or iterator_age");
        return false;
    }
    return ok;
}

Reader count_reader(YamlReader& r, std::optional<int64_t>* out) {
    return [&r, out](const YAML::Node& v, const std::string& p) {
        int64_t c = 0;
        if (r.integer(v, p, 0, kMaxCount, &c)) *out = c;
    };
}

Reader status_reader(YamlReader& r, std::optional<int>* out) {
    return [&r, out](const YAML::Node& v, const std::string& p) {
        int64_t s = 0;
        if (r.integer(v, p, 100, 599, &s)) *out = static_cast<int>(s);
    };
}

Reader bodies_reader(YamlReader& r, std::vector<std::string>* out) {
    return [&r, out](const YAML::Node& v, const std::string& p) {
        if (!v.IsSequence()) return r.error(v, p, "must be a list of bodies");
        for (const auto& b : v) {
            std::string text;
            if (b.IsScalar()) {
                out->push_back(b.Scalar());
            } else if (json_text(r, b, p, &text)) {
                out->push_back(std::move(text));
            }
        }
    };
}

Reader sizes_reader(YamlReader& r, std::vector<int64_t>* out) {
    return [&r, out](const YAML::Node& v, const std::string& p) {
        if (!v.IsSequence()) return r.error(v, p, "must be a list of batch sizes");
        for (size_t i = 0; i < v.size(); ++i) {
            int64_t x = 0;
            if (r.integer(v[i], p + "[" + std::to_string(i) + "]", 1, 10000, &x)) out->push_back(x);
        }
    };
}

Reader fields_reader(YamlReader& r, std::map<std::string, std::string>* out) {
    return [&r, out](const YAML::Node& v, const std::string& p) {
        if (!v.IsMap() || v.size() == 0) return r.error(v, p, "must map field paths to values");
        for (const auto& kv : v) {
            if (!kv.second.IsScalar())
                r.error(kv.second, p + "." + kv.first.Scalar(), "must be a scalar");
            std::string text;
            if (json_text(r, kv.second, p + "." + kv.first.Scalar(), &text))
                (*out)[kv.first.as<std::string>("")] = std::move(text);
        }
    };
}

Reader strings_reader(YamlReader& r, std::vector<std::string>* out) {
    return [&r, out](const YAML::Node& v, const std::string& p) {
        if (!v.IsSequence()) return r.error(v, p, "must be a list of strings");
        for (size_t i = 0; i < v.size(); ++i) {
            std::string x;
            if (r.string(v[i], p + "[" + std::to_string(i) + "]", &x)) out->push_back(x);
        }
    };
}

// A map of names to scalar texts (headers, labels).
Reader texts_reader(YamlReader& r, std::map<std::string, std::string>* out) {
    return [&r, out](const YAML::Node& v, const std::string& p) {
        if (!v.IsMap() || v.size() == 0) return r.error(v, p, "must map names to values");
        for (const auto& kv : v) {
            auto key = kv.first.as<std::string>("");
            if (!kv.second.IsScalar()) r.error(kv.second, p + "." + key, "must be a scalar");
            (*out)[key] = kv.second.Scalar();
        }
    };
}

Reader number_reader(YamlReader& r, std::optional<double>* out) {
    return [&r, out](const YAML::Node& v, const std::string& p) {
        double x = 0;
        if (v.IsScalar() && YAML::convert<double>::decode(v, x)) {
            *out = x;
        } else {
            r.error(v, p, "must be a number");
        }
    };
}

// What each kind of expectation cannot do without.
void check_needs(YamlReader& r, const YAML::Node& n, const std::string& path,
                 const Expectation& e) {
    using K = Expectation::Kind;
    if (e.kind == K::kDlqCount && !e.count) r.error(n, path + ".count", "required");
    if (e.kind == K::kProcessed && !e.count && !e.distinct)
        r.error(n, path + ".processed", "needs count or distinct");
    if (e.kind == K::kReceived && !e.count && e.bodies.empty())
        r.error(n, path + ".received", "needs count or bodies");
    if (e.kind == K::kDlqRecord && e.fields.empty())
        r.error(n, path + ".dlq_record.fields", "required");
    if (e.kind == K::kInvocations && !e.count && e.batch_sizes.empty() && !e.max_batch_size &&
        !e.errors && e.error_types.empty())
        r.error(n, path + ".invocations",
                "needs count, batch_sizes, max_batch_size, errors or error_types");
    if (e.kind == K::kResponse && !e.status && e.body_contains.empty() && !e.any_status &&
        e.any_body_contains.empty() && !e.min_retries && e.headers.empty())
        r.error(n, path + ".response",
                "needs status, body_contains, any_status, any_body_contains, min_retries or "
                "headers");
    if (e.kind == K::kOutput && e.contains.empty())
        r.error(n, path + ".output.contains", "required");
    if (e.kind == K::kMetric && e.metric.empty()) r.error(n, path + ".metric.name", "required");
    if (e.kind == K::kMetric && !e.equals && !e.at_least && !e.at_most)
        r.error(n, path + ".metric", "needs equals, at_least or at_most");
}

// `front_door_throttle: {rate_limit: 2, burst_limit: 1}`, both required, as kemu.yaml's.
void parse_throttle(YamlReader& r, const YAML::Node& n, const std::string& path, ApiOverride* t) {
    r.read_map(n, path,
               {{"rate_limit",
                 [&](const YAML::Node& v, const std::string& p) {
                     double x = 0;
                     if (v.IsScalar() && YAML::convert<double>::decode(v, x) && x > 0) {
                         t->throttling_rate_limit = x;
                     } else {
                         r.error(v, p, "must be a number above 0");
                     }
                 }},
                {"burst_limit", [&](const YAML::Node& v, const std::string& p) {
                     int64_t b = 0;
                     if (r.integer(v, p, 1, 2147483647, &b))
                         t->throttling_burst_limit = static_cast<int>(b);
                 }}});
    if (!n.IsMap()) return;
    if (!n["rate_limit"]) r.error(n, path + ".rate_limit", "required");
    if (!n["burst_limit"]) r.error(n, path + ".burst_limit", "required");
}

bool parse_fault(YamlReader& r, const YAML::Node& n, const std::string& path, FaultStep* f) {
    std::string kemu, handler;
    bool has_limits = false, has_throttle = false;
    auto errors_before = r.error_count();
    auto count = [&](int64_t* out) {
        return [&r, out](const YAML::Node& v, const std::string& p) {
            r.integer(v, p, 1, kMaxCount, out);
        };
    };
    bool ok = r.read_map(
        n, path,
        {{"kemu",
          [&](const YAML::Node& v, const std::string& p) { r.choice(v, p, {"killed"}, &kemu); }},
         {"shard_limits",
          [&](const YAML::Node& v, const std::string& p) {
              has_limits = r.boolean(v, p, &f->shard_limits_on);
          }},
         {"front_door_throttle",
          [&](const YAML::Node& v, const std::string& p) {
              has_throttle = true;
              parse_throttle(r, v, p, &f->throttle);
          }},
         {"handler",
          [&](const YAML::Node& v, const std::string& p) {
              r.choice(v, p,
                       {"raises", "partial_batch_failure", "times_out", "killed", "out_of_memory",
                        "recovers"},
                       &f->handler);
          }},
         {"flow", r.string_reader(&f->flow)},
         {"first", count(&f->first)},
         {"nth", count(&f->nth)},
         {"partition_key", r.string_reader(&f->partition_key)},
         {"body_field", r.string_reader(&f->body_field)},
         {"equals", r.string_reader(&f->equals)},
         {"probability", [&](const YAML::Node& v, const std::string& p) {
              f->probability = v.IsScalar() ? v.as<double>(-1) : -1;
              if (f->probability <= 0 || f->probability > 1)
                  r.error(v, p, "must be a number in (0, 1]");
          }}});
    if (!ok || r.error_count() != errors_before) return false;
    f->kind = !kemu.empty()  ? FaultStep::Kind::kKemuKilled
              : has_limits   ? FaultStep::Kind::kShardLimits
              : has_throttle ? FaultStep::Kind::kFrontDoorThrottle
                             : FaultStep::Kind::kHandler;
    if (!kemu.empty() + !f->handler.empty() + has_limits + has_throttle != 1) {
        r.error(n, path,
                "needs exactly one of kemu: killed, shard_limits: true|false, "
                "front_door_throttle: {rate_limit, burst_limit}, handler: "
                "raises|partial_batch_failure|times_out|killed|out_of_memory|recovers");
        return false;
    }
    if (!f->handler.empty() && f->flow.empty()) r.error(n, path + ".flow", "required");
    int aims = (f->first > 0) + (f->nth > 0) + !f->partition_key.empty() + !f->body_field.empty();
    if (aims > 1) r.error(n, path, "aim at one of first, nth, partition_key, body_field");
    if (aims > 0 && f->handler == "recovers")
        r.error(n, path, "handler: recovers ends every fault of the flow: it takes no aim");
    if (f->body_field.empty() != f->equals.empty())
        r.error(n, path + ".equals", "body_field and equals go together");
    return r.error_count() == errors_before;
}

// `advance_time: 5m`, or `advance_time: {by: 6m, every: 1m}`.
void parse_advance(YamlReader& r, const YAML::Node& n, const std::string& path, Step* s) {
    if (!n.IsMap()) {
        r.duration_ms(n, path, &s->advance_ms);
        return;
    }
    bool has_by = false;
    if (!r.read_map(
            n, path,
            {{"by", [&](const YAML::Node& v,
                        const std::string& p) { has_by = r.duration_ms(v, p, &s->advance_ms); }},
             {"every", [&](const YAML::Node& v, const std::string& p) {
                  r.duration_ms(v, p, &s->advance_every_ms);
              }}}))
        return;
    if (!has_by) return r.error(n, path + ".by", "required");
    if (s->advance_every_ms <= 0) return r.error(n, path + ".every", "required, above 0");
    if (s->advance_ms / s->advance_every_ms > 1000)
        r.error(n, path + ".every", "at most 1000 slices of `by`");
}

}  // namespace

bool parse_expectation(YamlReader& r, const YAML::Node& n, const std::string& path,
                       Expectation* e) {
    using K = Expectation::Kind;
    e->line = YamlReader::line_of(n);
    int kinds = 0;
    bool has_flow = false;
    auto with_flow = [&](K k, std::map<std::string, Reader> more) {
        return [&, k, more](const YAML::Node& v, const std::string& p) mutable {
            ++kinds;
            e->kind = k;
            more["flow"] = [&](const YAML::Node& f, const std::string& fp) {
                has_flow = r.string(f, fp, &e->flow);
            };
            if (r.read_map(v, p, more) && !has_flow) r.error(v, p + ".flow", "required");
        };
    };
    auto count = count_reader(r, &e->count);
    auto errors_before = r.error_count();
    bool ok = r.read_map(
        n, path,
        {{"name", r.string_reader(&e->name)},
         {"received",
          with_flow(K::kReceived, {{"count", count}, {"bodies", bodies_reader(r, &e->bodies)}})},
         {"processed", with_flow(K::kProcessed, {{"count", count},
                                                 {"distinct", count_reader(r, &e->distinct)}})},
         {"order_per_key", with_flow(K::kOrderByKey, {})},
         {"dlq", with_flow(K::kDlqCount, {{"count", count}})},
         {"dlq_record", with_flow(K::kDlqRecord, {{"index", r.int_reader(&e->index, 0, 100000)},
                                                  {"fields", fields_reader(r, &e->fields)}})},
         {"invocations",
          with_flow(K::kInvocations,
                    {{"count", count},
                     {"batch_sizes", sizes_reader(r, &e->batch_sizes)},
                     {"max_batch_size", count_reader(r, &e->max_batch_size)},
                     {"errors", count_reader(r, &e->errors)},
                     {"error_types", strings_reader(r, &e->error_types)}})},
         {"output", with_flow(K::kOutput, {{"contains", r.string_reader(&e->contains)}})},
         {"metric",
          [&](const YAML::Node& v, const std::string& p) {
              ++kinds;
              e->kind = K::kMetric;
              r.read_map(v, p,
                         {{"name", r.string_reader(&e->metric)},
                          {"labels", texts_reader(r, &e->labels)},
                          {"equals", number_reader(r, &e->equals)},
                          {"at_least", number_reader(r, &e->at_least)},
                          {"at_most", number_reader(r, &e->at_most)}});
          }},
         {"alarm",
          [&](const YAML::Node& v, const std::string& p) {
              ++kinds;
              e->kind = K::kAlarmState;
              alarm_state(r, &e->alarm, &e->state, &e->history)(v, p);
          }},
         {"response", [&](const YAML::Node& v, const std::string& p) {
              ++kinds;
              e->kind = K::kResponse;
              r.read_map(v, p,
                         {{"send", r.string_reader(&e->send)},
                          {"status", status_reader(r, &e->status)},
                          {"body_contains", r.string_reader(&e->body_contains)},
                          {"any_status", status_reader(r, &e->any_status)},
                          {"any_body_contains", r.string_reader(&e->any_body_contains)},
                          {"min_retries", count_reader(r, &e->min_retries)},
                          {"headers", texts_reader(r, &e->headers)}});
          }}});
    if (!ok) return false;
    if (kinds != 1) {
        if (r.error_count() == errors_before)
            r.error(n, path,
                    "needs exactly one of received, processed, order_per_key, dlq, dlq_record, "
                    "invocations, output, metric, alarm, response");
        return false;
    }
    if (r.error_count() != errors_before) return false;
    check_needs(r, n, path, *e);
    return r.error_count() == errors_before;
}

bool parse_step(YamlReader& r, const YAML::Node& n, const std::string& path, const std::string& dir,
                Step* s) {
    s->line = YamlReader::line_of(n);
    int kinds = 0;
    auto kind = [&](Step::Kind k) {
        ++kinds;
        s->kind = k;
    };
    auto errors_before = r.error_count();
    bool ok =
        r.read_map(n, path,
                   {{"name", r.string_reader(&s->name)},
                    {"send",
                     [&](const YAML::Node& v, const std::string& p) {
                         kind(Step::Kind::kSend);
                         parse_send(r, v, p, dir, &s->send);
                     }},
                    {"wait_for",
                     [&](const YAML::Node& v, const std::string& p) {
                         kind(Step::Kind::kWaitFor);
                         parse_wait(r, v, p, &s->wait);
                     }},
                    {"advance_time",
                     [&](const YAML::Node& v, const std::string& p) {
                         kind(Step::Kind::kAdvanceTime);
                         parse_advance(r, v, p, s);
                     }},
                    {"fault",
                     [&](const YAML::Node& v, const std::string& p) {
                         kind(Step::Kind::kFault);
                         parse_fault(r, v, p, &s->fault);
                     }},
                    {"expect", [&](const YAML::Node& v, const std::string& p) {
                         kind(Step::Kind::kExpect);
                         if (!v.IsSequence() || v.size() == 0)
                             return r.error(v, p, "must be a non-empty list of expectations");
                         for (size_t i = 0; i < v.size(); ++i) {
                             Expectation e;
                             if (parse_expectation(r, v[i], p + "[" + std::to_string(i) + "]", &e))
                                 s->expect.push_back(std::move(e));
                         }
                     }}});
    if (ok && kinds != 1 && r.error_count() == errors_before) {
        r.error(n, path, "needs exactly one of send, wait_for, advance_time, expect, fault");
        return false;
    }
    return ok;
}

}  // namespace kemu::scenario
