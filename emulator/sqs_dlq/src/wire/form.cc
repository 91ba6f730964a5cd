#include "form.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace kemu::sqs_dlq::wire {
namespace {

using json = nlohmann::json;

// A node of the dotted-key tree: "Attribute.1.Name" -> Attribute / 1 / Name.
struct Node {
    std::string value;
    bool has_value = false;
    std::map<std::string, Node> children;
};

// Children whose keys are list indexes ("1", "2", ...), in numeric order.
std::vector<const Node*> indexed(const Node& n) {
    std::vector<std::pair<long, const Node*>> items;
    for (const auto& [k, child] : n.children) {
        char* end = nullptr;
        long i = std::strtol(k.c_str(), &end, 10);
        if (end && *end == '\0' && !k.empty()) items.emplace_back(i, &child);
    }
    std::sort(items.begin(), items.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<const Node*> out;
    for (auto& [i, p] : items)
        out.push_back(p);
    return out;
}

std::string child_value(const Node& n, const std::string& key) {
    auto it = n.children.find(key);
    return it == n.children.end() ? std::string() : it->second.value;
}

json struct_of(const Node& n);

// MessageAttributeValue: DataType, StringValue, BinaryValue (+ list values).
json attribute_value(const Node& n) {
    json v = json::object();
    for (const auto& [k, child] : n.children) {
        if (k == "StringListValue" || k == "BinaryListValue") {
            json list = json::array();
            for (const auto* item : indexed(child))
                list.push_back(item->value);
            v[k + "s"] = list;
        } else {
            v[k] = child.value;
        }
    }
    return v;
}

// Converts the members of one structure, applying the protocol's renames.
json struct_of(const Node& n) {
    json out = json::object();
    for (const auto& [k, child] : n.children) {
        if (k == "Attribute") {
            json m = json::object();
            for (const auto* e : indexed(child))
                m[child_value(*e, "Name")] = child_value(*e, "Value");
            out["Attributes"] = m;
        } else if (k == "Tag") {
            json m = json::object();
            for (const auto* e : indexed(child))
                m[child_value(*e, "Key")] = child_value(*e, "Value");
            out["tags"] = m;
        } else if (k == "MessageAttribute" || k == "MessageSystemAttribute") {
            json m = json::object();
            for (const auto* e : indexed(child)) {
                auto v = e->children.find("Value");
                m[child_value(*e, "Name")] =
                    v == e->children.end() ? json::object() : attribute_value(v->second);
            }
            out[k + "s"] = m;
        } else if (k == "AttributeName" || k == "MessageAttributeName" ||
                   k == "MessageSystemAttributeName" || k == "TagKey") {
            json list = json::array();
            for (const auto* e : indexed(child))
                list.push_back(e->value);
            out[k + "s"] = list;
        } else if (k.ends_with("RequestEntry")) {
            json list = json::array();
            for (const auto* e : indexed(child))
                list.push_back(struct_of(*e));
            out["Entries"] = list;
        } else if (child.has_value) {
            out[k] = child.value;
        } else {
            out[k] = struct_of(child);
        }
    }
    return out;
}

}  // namespace

json form_to_input(const std::vector<std::pair<std::string, std::string>>& fields) {
    // The deepest SQS parameter has 7 segments
    // (SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringListValue.1). Deeper keys
    // name nothing, and are dropped like any unknown parameter: a key of 100,000 segments
    // would otherwise recurse off the stack in struct_of and ~Node.
    constexpr size_t kMaxSegments = 10;
    Node root;
    for (const auto& [key, value] : fields) {
        if (static_cast<size_t>(std::count(key.begin(), key.end(), '.')) >= kMaxSegments) continue;
        Node* n = &root;
        size_t start = 0;
        while (true) {
            auto dot = key.find('.', start);
            n = &n->children[key.substr(start, dot - start)];
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        n->value = value;
        n->has_value = true;
    }
    return struct_of(root);
}

}  // namespace kemu::sqs_dlq::wire
