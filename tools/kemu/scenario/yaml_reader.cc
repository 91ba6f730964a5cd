#include "yaml_reader.h"

#include "scenario.h"

namespace kemu::scenario {

void YamlReader::error(const YAML::Node& n, const std::string& key, const std::string& msg) {
    error_at(line_of(n), key, msg);
}

void YamlReader::error_at(int line, const std::string& key, const std::string& msg) {
    errors_->push_back({file_, line, key, msg});
}

bool YamlReader::read_map(const YAML::Node& n, const std::string& path,
                          const std::map<std::string, Reader>& readers) {
    if (!n.IsMap()) {
        error(n, path.empty() ? "(top level)" : path, "must be a mapping");
        return false;
    }
    for (const auto& kv : n) {
        std::string key = kv.first.as<std::string>("");
        std::string sub = path.empty() ? key : path + "." + key;
        auto it = readers.find(key);
        if (it == readers.end()) {
            std::string known;
            for (const auto& [k, r] : readers)
                known += (known.empty() ? "" : ", ") + k;
            error(kv.first, sub, "unknown key (known keys: " + known + ")");
            continue;
        }
        it->second(kv.second, sub);
    }
    return true;
}

bool YamlReader::string(const YAML::Node& n, const std::string& path, std::string* out) {
    if (!n.IsScalar()) {
        error(n, path, "must be a string");
        return false;
    }
    *out = n.Scalar();
    return true;
}

bool YamlReader::integer(const YAML::Node& n, const std::string& path, int64_t lo, int64_t hi,
                         int64_t* out) {
    int64_t v = 0;
    try {
        if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "");
        v = n.as<int64_t>();
    } catch (const YAML::Exception&) {
        error(
            n, path,
            "must be an integer" + (n.IsScalar() ? " (got '" + n.Scalar() + "')" : std::string()));
        return false;
    }
    if (v < lo || v > hi) {
        error(n, path,
              "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " (got " +
                  std::to_string(v) + ")");
        return false;
    }
    *out = v;
    return true;
}

bool YamlReader::boolean(const YAML::Node& n, const std::string& path, bool* out) {
    try {
        if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "");
        *out = n.as<bool>();
        return true;
    } catch (const YAML::Exception&) {
        error(n, path, "must be true or false");
        return false;
    }
}

bool YamlReader::duration_ms(const YAML::Node& n, const std::string& path, int64_t* out) {
    std::optional<int64_t> ms;
    if (n.IsScalar()) ms = parse_duration_ms(n.Scalar());
    if (!ms) {
        error(n, path,
              "must be a duration: seconds, or a number with ms, s, m or h (got '" +
                  (n.IsScalar() ? n.Scalar() : std::string("a non-scalar")) + "')");
        return false;
    }
    *out = *ms;
    return true;
}

bool YamlReader::choice(const YAML::Node& n, const std::string& path,
                        const std::vector<std::string>& allowed, std::string* out) {
    std::string v;
    if (!string(n, path, &v)) return false;
    for (const auto& a : allowed) {
        if (a == v) {
            *out = v;
            return true;
        }
    }
    std::string list;
    for (const auto& a : allowed)
        list += (list.empty() ? "" : ", ") + a;
    error(n, path, "must be one of " + list + " (got '" + v + "')");
    return false;
}

YamlReader::Reader YamlReader::int_reader(int* out, int64_t lo, int64_t hi) {
    return [this, out, lo, hi](const YAML::Node& n, const std::string& path) {
        int64_t v = 0;
        if (integer(n, path, lo, hi, &v)) *out = static_cast<int>(v);
    };
}

YamlReader::Reader YamlReader::string_reader(std::string* out) {
    return [this, out](const YAML::Node& n, const std::string& path) { string(n, path, out); };
}

nlohmann::json yaml_to_json(const YAML::Node& n) {
    using json = nlohmann::json;
    if (n.IsMap()) {
        json j = json::object();
        for (const auto& kv : n)
            j[kv.first.as<std::string>("")] = yaml_to_json(kv.second);
        return j;
    }
    if (n.IsSequence()) {
        json j = json::array();
        for (const auto& e : n)
            j.push_back(yaml_to_json(e));
        return j;
    }
    if (!n.IsScalar()) return nullptr;
    if (n.Tag() == "!") return n.Scalar();  // quoted: a string, whatever it reads as
    const auto& s = n.Scalar();
    if (s == "null" || s == "~") return nullptr;
    if (s == "true") return true;
    if (s == "false") return false;
    try {
        size_t used = 0;
        long long i = std::stoll(s, &used);
        if (used == s.size()) return i;
        double d = std::stod(s, &used);
        if (used == s.size()) return d;
    } catch (const std::exception&) {
    }
    return s;
}

}  // namespace kemu::scenario
