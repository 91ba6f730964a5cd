#include "cloudwatch/exposition.h"

#include <cctype>
#include <cstdio>

namespace kemu::cloudwatch {
namespace {

void append_value(std::string& out, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    out += buf;
}

// A label value: backslash, double quote and line feed escaped.
void append_label_value(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
}

void append_labels(std::string& out, const Labels& labels) {
    if (labels.empty()) return;
    out += '{';
    bool first = true;
    for (const auto& [name, value] : labels) {
        if (!first) out += ',';
        first = false;
        out += name;
        out += "=\"";
        append_label_value(out, value);
        out += '"';
    }
    out += '}';
}

// The namespace lower-cased as a whole (not split at capitals): "AWS/ApiGateway" ->
// "aws/apigateway".
std::string lower(std::string_view ns) {
    std::string out(ns);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "AWS/ApiGateway" -> "apigateway".
std::string service_of(std::string_view ns) {
    if (ns.starts_with("AWS/")) ns.remove_prefix(4);
    return snake_case(lower(ns));
}

}  // namespace

std::string snake_case(std::string_view name) {
    std::string split;
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (i > 0 && std::isupper(static_cast<unsigned char>(c))) {
            char p = name[i - 1];
            if (std::islower(static_cast<unsigned char>(p)) ||
                std::isdigit(static_cast<unsigned char>(p)))
                split += '_';
        }
        split += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string out;
    for (char c : split) {
        bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '_';
        char d = ok ? c : '_';
        if (d == '_' && !out.empty() && out.back() == '_') continue;
        out += d;
    }
    return out;
}

std::string aws_family(std::string_view ns, std::string_view metric, Statistic s) {
    return snake_case(lower(ns) + "_" + snake_case(metric) + "_" + snake_case(statistic_name(s)));
}

std::string kemu_family(std::string_view ns, const MetricName& m) {
    std::string base = "kemu_" + service_of(ns) + "_" + snake_case(m.name);
    if (m.unit == "Milliseconds") {
        if (base.ends_with("_milliseconds")) base.resize(base.size() - 13);
        base += "_seconds";
    } else if (m.unit == "Bytes" && !base.ends_with("_bytes")) {
        base += "_bytes";
    }
    if (m.kind == Kind::kCount) base += "_total";
    return base;
}

void Exposition::add(std::string_view family, std::string_view type, std::string_view help,
                     const Labels& labels, double value, std::string_view suffix) {
    auto it = index_.find(family);
    if (it == index_.end()) {
        it = index_.emplace(std::string(family), families_.size()).first;
        families_.push_back({std::string(family), std::string(type), std::string(help), {}});
    }
    auto& out = families_[it->second].samples;
    out += family;
    out += suffix;
    append_labels(out, labels);
    out += ' ';
    append_value(out, value);
    out += '\n';
}

void Exposition::histogram(std::string_view family, std::string_view help, const Labels& labels,
                           const HistogramSnapshot& h) {
    for (const auto& [le, n] : h.buckets) {
        Labels with = labels;
        std::string bound;
        append_value(bound, le);
        with.emplace_back("le", bound);
        add(family, "histogram", help, with, static_cast<double>(n), "_bucket");
    }
    Labels inf = labels;
    inf.emplace_back("le", "+Inf");
    add(family, "histogram", help, inf, static_cast<double>(h.count), "_bucket");
    add(family, "histogram", help, labels, h.sum_s, "_sum");
    add(family, "histogram", help, labels, static_cast<double>(h.count), "_count");
}

void Exposition::aws_metrics(const MetricHistory& history, int64_t now_ms, int64_t window_ms) {
    int64_t to = (now_ms / 1000 + 1) * 1000;
    int64_t from = to - window_ms;
    std::map<std::pair<std::string, std::string>, std::vector<SeriesKey>> by_metric;
    for (auto& k : history.series())
        by_metric[{k.ns, k.metric}].push_back(std::move(k));
    for (const auto* svc : all_services()) {
        for (const auto& m : svc->metrics) {
            auto it = by_metric.find({std::string(svc->ns), std::string(m.name)});
            if (it == by_metric.end()) continue;
            for (auto stat : kAllStatistics) {
                if (!(m.statistics & stat)) continue;
                auto family = aws_family(svc->ns, m.name, stat);
                std::string help = std::string(svc->ns) + " " + std::string(m.name) + " (" +
                                   std::string(m.unit) + "), " + std::string(statistic_name(stat)) +
                                   " over the last " + std::to_string(window_ms / 1000) + " s. " +
                                   std::string(m.help);
                for (const auto& key : it->second) {
                    auto st = history.aggregate(key, from, to);
                    if (!st) continue;
                    Labels labels;
                    for (const auto& [name, value] : key.dimensions)
                        labels.emplace_back(snake_case(name), value);
                    add(family, "gauge", help, labels, st->get(stat));
                }
            }
        }
    }
}

std::string Exposition::text() const {
    std::string out;
    for (const auto& f : families_) {
        out += "# HELP " + f.name + " " + f.help + "\n";
        out += "# TYPE " + f.name + " " + f.type + "\n";
        out += f.samples;
    }
    return out;
}

}  // namespace kemu::cloudwatch
