#include "sqs/api.h"

#include <algorithm>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include "../md5.h"
#include "core/encoding.h"
#include "core/log.h"
#include "form.h"
#include "xml.h"

namespace kemu::sqs {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

enum class Protocol { kJson, kQuery };

// An action's output in the JSON protocol's shape. (A bare json converts to anything, which
// makes Result<json> ambiguous.)
struct Out {
    ojson j;
};

constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";

// One parsed request, in the JSON protocol's input shape whatever the wire protocol.
struct Call {
    Protocol protocol = Protocol::kJson;
    std::string action;
    json in;
    std::string host;        // for queue URLs
    std::string path_queue;  // the queue named by a /{account}/{name} path, if any
    std::string request_id;
};

AwsError missing(std::string_view name) {
    return make_error(AwsErrorCode::kSqsMissingParameter,
                      "The request must contain the parameter " + std::string(name) + ".");
}

AwsError invalid_value(std::string message) {
    return make_error(AwsErrorCode::kSqsInvalidParameterValue, std::move(message));
}

// A member that should be a scalar, as text for validation messages. Never the dump of a
// structure: a client's 500,000-deep array would recurse off the stack, and bad UTF-8 would
// throw.
std::string scalar_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) return "[...]";
    if (v.is_object()) return "{...}";
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::string> get_string(const json& in, const char* key) {
    auto it = in.find(key);
    if (it == in.end() || it->is_null()) return std::nullopt;
    return scalar_text(*it);
}

// Integers arrive as JSON numbers (JSON protocol) or decimal strings (query protocol).
Result<std::optional<int64_t>> get_int(const json& in, const char* key) {
    auto it = in.find(key);
    if (it == in.end() || it->is_null()) return std::optional<int64_t>();
    if (it->is_number_integer()) return std::optional<int64_t>(it->get<int64_t>());
    std::string text = scalar_text(*it);
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0) {
        return invalid_value("Value " + text + " for parameter " + key +
                             " is invalid. Reason: " + "must be an integer.");
    }
    return std::optional<int64_t>(v);
}

std::vector<std::string> get_list(const json& in, const char* key) {
    std::vector<std::string> out;
    auto it = in.find(key);
    if (it == in.end() || !it->is_array()) return out;
    for (const auto& v : *it) {
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> get_map(const json& in, const char* key) {
    std::vector<std::pair<std::string, std::string>> out;
    auto it = in.find(key);
    if (it == in.end() || !it->is_object()) return out;
    for (const auto& [k, v] : it->items()) {
        out.emplace_back(k, scalar_text(v));
    }
    return out;
}

std::string queue_url(const Call& c, const std::string& account, const std::string& name) {
    return "http://" + (c.host.empty() ? std::string("localhost:4566") : c.host) + "/" + account +
           "/" + name;
}

// The queue a request names: QueueUrl (its last path segment), else the request path.
Result<std::string> queue_of(const Call& c) {
    if (auto url = get_string(c.in, "QueueUrl"); url && !url->empty()) {
        std::string_view u = *url;
        while (u.ends_with('/'))
            u.remove_suffix(1);
        auto slash = u.rfind('/');
        return std::string(slash == std::string_view::npos ? u : u.substr(slash + 1));
    }
    if (!c.path_queue.empty()) return c.path_queue;
    return missing("QueueUrl");
}

// Message attributes in either protocol's converted form: {name: {DataType, StringValue |
// BinaryValue}}.
Result<MessageAttributes> parse_message_attributes(const json& in, const char* key) {
    MessageAttributes out;
    auto it = in.find(key);
    if (it == in.end() || !it->is_object()) return out;
    for (const auto& [name, v] : it->items()) {
        MessageAttribute a;
        if (!v.is_object())
            return invalid_value("The message attribute '" + name + "' is invalid.");
        a.data_type = get_string(v, "DataType").value_or("");
        if (a.data_type.empty()) {
            return invalid_value("The message attribute '" + name + "' must contain non-empty " +
                                 "message attribute type.");
        }
        if (a.binary()) {
            auto b64 = get_string(v, "BinaryValue").value_or("");
            auto raw = base64_decode(b64);
            if (!raw) {
                return invalid_value("The message attribute '" + name +
                                     "' has an invalid binary value.");
            }
            a.value = std::move(*raw);
        } else {
            a.value = get_string(v, "StringValue").value_or("");
        }
        out.emplace(name, std::move(a));
    }
    return out;
}

ojson attribute_value_json(const MessageAttribute& a) {
    ojson v;
    if (a.binary()) {
        v["BinaryValue"] = base64_encode(a.value);
    } else {
        v["StringValue"] = a.value;
    }
    v["DataType"] = a.data_type;
    return v;
}

// Batch entry checks shared by the three batch actions, in AWS's order.
Result<void> check_entries(const json& in, std::string_view action, size_t* payload_bytes) {
    auto it = in.find("Entries");
    if (it == in.end() || !it->is_array() || it->empty()) {
        return make_error(
            AwsErrorCode::kEmptyBatchRequest,
            "There should be at least one " + std::string(action) + "RequestEntry in the request.");
    }
    if (it->size() > 10) {
        return make_error(AwsErrorCode::kTooManyEntriesInBatchRequest,
                          "Maximum number of entries per request are 10. You have sent " +
                              std::to_string(it->size()) + ".");
    }
    std::set<std::string> ids;
    size_t bytes = 0;
    for (const auto& e : *it) {
        auto id = e.is_object() ? get_string(e, "Id") : std::nullopt;
        bool ok = id && !id->empty() && id->size() <= 80;
        if (ok) {
            for (char ch : *id) {
                if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_'))
                    ok = false;
            }
        }
        if (!ok) {
            return make_error(AwsErrorCode::kInvalidBatchEntryId,
                              "A batch entry id can only contain alphanumeric characters, "
                              "hyphens and underscores. It can be at most 80 letters long.");
        }
        if (!ids.insert(*id).second) {
            return make_error(AwsErrorCode::kBatchEntryIdsNotDistinct, "Id " + *id + " repeated.");
        }
        if (payload_bytes) {
            bytes += get_string(e, "MessageBody").value_or("").size();
            if (auto attrs = parse_message_attributes(e, "MessageAttributes")) {
                for (const auto& [n, a] : *attrs)
                    bytes += n.size() + a.data_type.size() + a.value.size();
            }
        }
    }
    if (payload_bytes) *payload_bytes = bytes;
    return {};
}

ojson batch_error(const std::string& id, const AwsError& e) {
    ojson f;
    f["Id"] = id;
    f["SenderFault"] = aws_error_fault(e.code) == Fault::kSender;
    auto q = aws_error_query_code(e.code);
    f["Code"] = std::string(q.empty() ? e.shape() : q);
    f["Message"] = e.message;
    return f;
}

// Which attributes a ReceiveMessage asked for.
struct Selection {
    std::set<std::string> system;   // "All" or names
    std::vector<std::string> user;  // "All", ".*", names, "prefix.*"

    bool wants_system(std::string_view n) const {
        return system.count("All") || system.count(std::string(n));
    }
    bool wants_user(const std::string& n) const {
        for (const auto& u : user) {
            if (u == "All" || u == ".*" || u == n) return true;
            if (u.size() > 2 && u.ends_with(".*") && n.starts_with(u.substr(0, u.size() - 1)))
                return true;
        }
        return false;
    }
};

ojson message_json(const ReceivedMessage& m, const Selection& sel) {
    ojson j;
    j["MessageId"] = m.message_id;
    j["ReceiptHandle"] = m.receipt_handle;
    j["MD5OfBody"] = m.md5_body;
    j["Body"] = m.body;
    ojson attrs = ojson::object();
    auto add = [&](std::string_view n, std::string v) {
        if (sel.wants_system(n)) attrs[std::string(n)] = std::move(v);
    };
    add("SenderId", m.sender_id);
    add("ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms));
    add("ApproximateReceiveCount", std::to_string(m.receive_count));
    add("SentTimestamp", std::to_string(m.sent_ms));
    if (!m.trace_header.empty()) add("AWSTraceHeader", m.trace_header);
    if (!m.dead_letter_source_arn.empty())
        add("DeadLetterQueueSourceArn", m.dead_letter_source_arn);
    if (!attrs.empty()) j["Attributes"] = std::move(attrs);
    MessageAttributes chosen;
    for (const auto& [n, a] : m.attributes) {
        if (sel.wants_user(n)) chosen.emplace(n, a);
    }
    if (!chosen.empty()) {
        j["MD5OfMessageAttributes"] = md5_of_attributes(chosen);
        ojson ma = ojson::object();
        for (const auto& [n, a] : chosen)
            ma[n] = attribute_value_json(a);
        j["MessageAttributes"] = std::move(ma);
    }
    return j;
}

class Api final : public RequestHandler, public std::enable_shared_from_this<Api> {
public:
    Api(QueueStore& store, Scheduler& scheduler, ApiOptions options)
        : store_(store), scheduler_(scheduler), options_(std::move(options)) {}

    bool matches(const HttpRequest& req) const override { return is_sqs_request(req); }

    // Everything but a long poll answers before returning.
    void handle(const HttpRequest& req, Respond respond) override {
        Call c;
        c.request_id = uuid_v4();
        if (auto err = parse(req, &c)) {
            respond(render_error(c, *err));
            return;
        }
        if (c.action == "ReceiveMessage") {
            receive(std::move(c), std::move(respond));
            return;
        }
        auto r = run(c);
        respond(r ? render(c, r->j) : render_error(c, r.error()));
    }

    // SQS's own 500, in the protocol the request spoke (JSON 1.0 or query XML). AWS's
    // common-errors page gives InternalFailure this sentence.
    HttpResponse internal_error(const HttpRequest& req) const override {
        Call c;
        c.request_id = uuid_v4();
        c.protocol = req.header("X-Amz-Target").starts_with("AmazonSQS.") ? Protocol::kJson
                                                                          : Protocol::kQuery;
        return render_error(c, make_error(AwsErrorCode::kInternalFailure,
                                          "The request processing has failed because of an "
                                          "unknown error, exception or failure."));
    }

private:
    struct Poll;

    // Fills `c`; returns an error to render when the request is not a valid SQS call.
    std::optional<AwsError> parse(const HttpRequest& req, Call* c) {
        c->host = std::string(req.header("Host"));
        // /{account}/{queue}: older SDKs post to the queue URL.
        auto path = req.path();
        if (path.size() > 1) {
            auto rest = path.substr(1);
            auto slash = rest.find('/');
            if (slash != std::string_view::npos) {
                auto name = rest.substr(slash + 1);
                while (name.ends_with('/'))
                    name.remove_suffix(1);
                if (!name.empty() && name.find('/') == std::string_view::npos)
                    c->path_queue = std::string(name);
            }
        }
        auto target = req.header("X-Amz-Target");
        if (target.starts_with("AmazonSQS.")) {
            c->protocol = Protocol::kJson;
            c->action = std::string(target.substr(10));
            if (req.body.empty()) {
                c->in = json::object();
            } else {
                c->in = json::parse(req.body, nullptr, false);
                if (c->in.is_discarded() || !c->in.is_object()) {
                    return make_error(AwsErrorCode::kSerialization,
                                      "Start of structure or map found where not expected.");
                }
            }
            return std::nullopt;
        }
        c->protocol = Protocol::kQuery;
        std::vector<std::pair<std::string, std::string>> fields;
        for (std::string_view part : {req.query(), std::string_view(req.body)}) {
            if (part.data() == req.body.data() &&
                req.header("Content-Type").find("x-www-form-urlencoded") == std::string_view::npos)
                continue;
            auto f = wire::parse_form(part);
            if (!f) {
                return make_error(AwsErrorCode::kSqsInvalidParameterValue,
                                  "The request contains a malformed percent-encoded parameter.");
            }
            fields.insert(fields.end(), f->begin(), f->end());
        }
        c->in = wire::form_to_input(fields);
        c->action = get_string(c->in, "Action").value_or("");
        c->in.erase("Action");
        c->in.erase("Version");
        return std::nullopt;
    }

    Result<Out> run(const Call& c) {
        const auto& a = c.action;
        if (a == "CreateQueue") return create_queue(c);
        if (a == "GetQueueUrl") return get_queue_url(c);
        if (a == "ListQueues") return list_queues(c);
        if (a == "DeleteQueue")
            return with_queue(c, [&](const std::string& q) -> Result<Out> {
                return void_result(store_.delete_queue(q));
            });
        if (a == "GetQueueAttributes") return get_queue_attributes(c);
        if (a == "SetQueueAttributes")
            return with_queue(c, [&](const std::string& q) {
                return void_result(store_.set_attributes(q, get_map(c.in, "Attributes")));
            });
        if (a == "SendMessage") return send_message(c);
        if (a == "SendMessageBatch") return send_message_batch(c);
        if (a == "DeleteMessage") return delete_message(c);
        if (a == "DeleteMessageBatch") return delete_message_batch(c);
        if (a == "ChangeMessageVisibility") return change_visibility(c);
        if (a == "ChangeMessageVisibilityBatch") return change_visibility_batch(c);
        if (a == "PurgeQueue")
            return with_queue(c,
                              [&](const std::string& q) { return void_result(store_.purge(q)); });
        if (a == "TagQueue")
            return with_queue(c, [&](const std::string& q) {
                auto tags = get_map(c.in, "Tags");
                if (tags.empty()) tags = get_map(c.in, "tags");
                return void_result(store_.tag_queue(q, tags));
            });
        if (a == "UntagQueue")
            return with_queue(c, [&](const std::string& q) {
                return void_result(store_.untag_queue(q, get_list(c.in, "TagKeys")));
            });
        if (a == "ListQueueTags") return list_queue_tags(c);
        if (a == "StartMessageMoveTask") return start_move_task(c);
        if (a == "ListMessageMoveTasks") return list_move_tasks(c);
        if (a == "CancelMessageMoveTask") return cancel_move_task(c);
        if (c.protocol == Protocol::kJson) {
            return make_error(AwsErrorCode::kUnknownOperation, "");
        }
        if (a.empty()) {
            return make_error(AwsErrorCode::kInvalidAction,
                              "The request must contain the parameter Action.");
        }
        return make_error(AwsErrorCode::kInvalidAction,
                          "The action " + a + " is not valid for this endpoint.");
    }

    // The queue a request names, which must exist.
    Result<std::string> existing_queue(const Call& c) {
        auto q = queue_of(c);
        if (!q) return q.error();
        if (!store_.queue_exists(*q)) return no_such_queue();
        return q;
    }

    static AwsError no_such_queue() {
        return make_error(AwsErrorCode::kQueueDoesNotExist, "The specified queue does not exist.");
    }

    // {"name": "value", ...}, or nothing for no pairs (empty containers are omitted).
    static void put_string_map(ojson& out, const char* key,
                               const std::vector<std::pair<std::string, std::string>>& pairs) {
        if (pairs.empty()) return;
        ojson m = ojson::object();
        for (const auto& [k, v] : pairs)
            m[k] = v;
        out[key] = std::move(m);
    }

    // DeleteMessageBatch and ChangeMessageVisibilityBatch: `one` per entry; Successful holds
    // the ids that worked, Failed the others.
    template <class Fn>
    Result<Out> id_batch(const Call& c, std::string_view action, Fn one) {
        auto q = existing_queue(c);
        if (!q) return q.error();
        if (auto r = check_entries(c.in, action, nullptr); !r) return r.error();
        ojson ok = ojson::array(), failed = ojson::array();
        for (const auto& e : c.in["Entries"]) {
            auto id = get_string(e, "Id").value_or("");
            Result<void> r = one(*q, e);
            if (!r) {
                failed.push_back(batch_error(id, r.error()));
            } else {
                ojson entry;
                entry["Id"] = id;
                ok.push_back(std::move(entry));
            }
        }
        return Out{batch_result(std::move(ok), std::move(failed))};
    }

    static Result<Out> void_result(Result<void> r) {
        if (!r) return r.error();
        return Out{};
    }

    template <class Fn>
    Result<Out> with_queue(const Call& c, Fn fn) {
        auto q = queue_of(c);
        if (!q) return q.error();
        return fn(*q);
    }

    Result<Out> create_queue(const Call& c) {
        auto name = get_string(c.in, "QueueName");
        if (!name) return missing("QueueName");
        auto r = store_.create_queue(*name, get_map(c.in, "Attributes"), get_map(c.in, "tags"));
        if (!r) return r.error();
        ojson out;
        out["QueueUrl"] = queue_url(c, options_.account, *name);
        return Out{std::move(out)};
    }

    Result<Out> get_queue_url(const Call& c) {
        auto name = get_string(c.in, "QueueName");
        if (!name) return missing("QueueName");
        if (!store_.queue_exists(*name)) return no_such_queue();
        ojson out;
        out["QueueUrl"] = queue_url(c, options_.account, *name);
        return Out{std::move(out)};
    }

    Result<Out> list_queues(const Call& c) {
        auto max = get_int(c.in, "MaxResults");
        if (!max) return max.error();
        if (*max && (**max < 1 || **max > 1000)) {
            return invalid_value("Value " + std::to_string(**max) +
                                 " for parameter MaxResults is invalid. Reason: MaxResults must "
                                 "be an integer between 1 and 1000.");
        }
        auto names = store_.list_queues(get_string(c.in, "QueueNamePrefix").value_or(""));
        size_t start = 0;
        if (auto token = get_string(c.in, "NextToken"); token && !token->empty()) {
            auto after = base64_decode(*token);
            if (!after) return invalid_value("Invalid NextToken value.");
            start = static_cast<size_t>(std::upper_bound(names.begin(), names.end(), *after) -
                                        names.begin());
        }
        size_t limit = *max ? static_cast<size_t>(**max) : 1000;
        ojson out = ojson::object();
        ojson urls = ojson::array();
        size_t i = start;
        for (; i < names.size() && urls.size() < limit; ++i) {
            urls.push_back(queue_url(c, options_.account, names[i]));
        }
        if (!urls.empty()) out["QueueUrls"] = std::move(urls);
        if (*max && i < names.size()) out["NextToken"] = base64_encode(names[i - 1]);
        return Out{std::move(out)};
    }

    Result<Out> get_queue_attributes(const Call& c) {
        auto q = queue_of(c);
        if (!q) return q.error();
        auto attrs = store_.get_attributes(*q, get_list(c.in, "AttributeNames"));
        if (!attrs) return attrs.error();
        ojson out = ojson::object();
        put_string_map(out, "Attributes", *attrs);
        return Out{std::move(out)};
    }

    Result<SendRequest> send_request(const json& e) {
        SendRequest r;
        auto body = get_string(e, "MessageBody");
        if (!body) return missing("MessageBody");
        r.body = std::move(*body);
        auto delay = get_int(e, "DelaySeconds");
        if (!delay) return delay.error();
        if (*delay) r.delay_seconds = static_cast<int>(std::clamp<int64_t>(**delay, -1, 100000));
        auto attrs = parse_message_attributes(e, "MessageAttributes");
        if (!attrs) return attrs.error();
        r.attributes = std::move(*attrs);
        auto sys = parse_message_attributes(e, "MessageSystemAttributes");
        if (!sys) return sys.error();
        for (auto& [n, a] : *sys) {
            if (n != "AWSTraceHeader") {
                return invalid_value("Message system attribute name '" + n + "' is invalid.");
            }
            r.trace_header = a.value;
        }
        return r;
    }

    static ojson send_json(const SendResult& s) {
        ojson out;
        out["MD5OfMessageBody"] = s.md5_body;
        if (!s.md5_attributes.empty()) out["MD5OfMessageAttributes"] = s.md5_attributes;
        if (!s.md5_system_attributes.empty())
            out["MD5OfMessageSystemAttributes"] = s.md5_system_attributes;
        out["MessageId"] = s.message_id;
        return out;
    }

    Result<Out> send_message(const Call& c) {
        auto q = existing_queue(c);
        if (!q) return q.error();
        auto r = send_request(c.in);
        if (!r) return r.error();
        auto s = store_.send_message(*q, std::move(*r));
        if (!s) return s.error();
        return Out{send_json(*s)};
    }

    Result<Out> send_message_batch(const Call& c) {
        auto q = existing_queue(c);
        if (!q) return q.error();
        size_t bytes = 0;
        if (auto r = check_entries(c.in, "SendMessageBatch", &bytes); !r) return r.error();
        if (bytes > 1'048'576) {
            return make_error(AwsErrorCode::kBatchRequestTooLong,
                              "Batch requests cannot be longer than 1048576 bytes. You have sent " +
                                  std::to_string(bytes) + " bytes.");
        }
        ojson ok = ojson::array(), failed = ojson::array();
        for (const auto& e : c.in["Entries"]) {
            auto id = get_string(e, "Id").value_or("");
            auto r = send_request(e);
            Result<SendResult> s =
                r ? store_.send_message(*q, std::move(*r)) : Result<SendResult>(r.error());
            if (!s) {
                if (s.error().code == AwsErrorCode::kQueueDoesNotExist) return s.error();
                failed.push_back(batch_error(id, s.error()));
                continue;
            }
            ojson entry;
            entry["Id"] = id;
            auto fields = send_json(*s);  // items() does not keep a temporary alive
            for (auto& [k, v] : fields.items())
                entry[k] = v;
            ok.push_back(std::move(entry));
        }
        return Out{batch_result(std::move(ok), std::move(failed))};
    }

    static ojson batch_result(ojson ok, ojson failed) {
        ojson out = ojson::object();
        if (!ok.empty()) out["Successful"] = std::move(ok);
        if (!failed.empty()) out["Failed"] = std::move(failed);
        return out;
    }

    Result<Out> delete_message(const Call& c) {
        auto q = queue_of(c);
        if (!q) return q.error();
        auto h = get_string(c.in, "ReceiptHandle");
        if (!h) return missing("ReceiptHandle");
        return void_result(store_.delete_message(*q, *h));
    }

    Result<Out> delete_message_batch(const Call& c) {
        return id_batch(c, "DeleteMessageBatch", [&](const std::string& q, const json& e) {
            auto h = get_string(e, "ReceiptHandle");
            return h ? store_.delete_message(q, *h) : Result<void>(missing("ReceiptHandle"));
        });
    }

    Result<void> change_one(const std::string& q, const json& in) {
        auto h = get_string(in, "ReceiptHandle");
        if (!h) return missing("ReceiptHandle");
        auto v = get_int(in, "VisibilityTimeout");
        if (!v) return v.error();
        if (!*v) return missing("VisibilityTimeout");
        return store_.change_visibility(q, *h,
                                        static_cast<int>(std::clamp<int64_t>(**v, -1, 100000)));
    }

    Result<Out> change_visibility(const Call& c) {
        auto q = queue_of(c);
        if (!q) return q.error();
        return void_result(change_one(*q, c.in));
    }

    Result<Out> change_visibility_batch(const Call& c) {
        return id_batch(c, "ChangeMessageVisibilityBatch",
                        [&](const std::string& q, const json& e) { return change_one(q, e); });
    }

    Result<Out> list_queue_tags(const Call& c) {
        auto q = queue_of(c);
        if (!q) return q.error();
        auto tags = store_.list_tags(*q);
        if (!tags) return tags.error();
        ojson out = ojson::object();
        put_string_map(out, "Tags", *tags);
        return Out{std::move(out)};
    }

    Result<Out> start_move_task(const Call& c) {
        auto source = get_string(c.in, "SourceArn");
        if (!source) return missing("SourceArn");
        auto rate = get_int(c.in, "MaxNumberOfMessagesPerSecond");
        if (!rate) return rate.error();
        // Out of int range: past any limit, never wrapped into it.
        int64_t per_second = std::clamp<int64_t>(rate->value_or(0), -1, 1'000'000'000);
        auto h = store_.start_move_task(*source, get_string(c.in, "DestinationArn").value_or(""),
                                        static_cast<int>(per_second));
        if (!h) return h.error();
        ojson out;
        out["TaskHandle"] = *h;
        return Out{std::move(out)};
    }

    Result<Out> list_move_tasks(const Call& c) {
        auto source = get_string(c.in, "SourceArn");
        if (!source) return missing("SourceArn");
        auto max = get_int(c.in, "MaxResults");
        if (!max) return max.error();
        auto tasks = store_.list_move_tasks(
            *source, static_cast<int>(std::clamp<int64_t>(max->value_or(1), -1, 1'000'000'000)));
        if (!tasks) return tasks.error();
        ojson results = ojson::array();
        for (const auto& t : *tasks) {
            ojson r;
            if (t.status == "RUNNING") r["TaskHandle"] = t.task_handle;
            r["Status"] = t.status;
            r["SourceArn"] = t.source_arn;
            if (!t.destination_arn.empty()) r["DestinationArn"] = t.destination_arn;
            if (t.max_per_second > 0) r["MaxNumberOfMessagesPerSecond"] = t.max_per_second;
            r["ApproximateNumberOfMessagesMoved"] = t.moved;
            r["ApproximateNumberOfMessagesToMove"] = t.to_move;
            if (!t.failure_reason.empty()) r["FailureReason"] = t.failure_reason;
            r["StartedTimestamp"] = t.started_ms;
            results.push_back(std::move(r));
        }
        ojson out = ojson::object();
        if (!results.empty()) out["Results"] = std::move(results);
        return Out{std::move(out)};
    }

    Result<Out> cancel_move_task(const Call& c) {
        auto h = get_string(c.in, "TaskHandle");
        if (!h) return missing("TaskHandle");
        auto moved = store_.cancel_move_task(*h);
        if (!moved) return moved.error();
        ojson out;
        out["ApproximateNumberOfMessagesMoved"] = *moved;
        return Out{std::move(out)};
    }

    // ReceiveMessage: answers at once when messages are there or no wait is asked for;
    // otherwise a Poll waits for a send (store wake-up) or re-checks on a timer.
    struct ReceiveArgs {
        std::string queue;
        ReceiveRequest request;
        Selection selection;
        int wait_seconds = 0;
    };

    Result<ReceiveArgs> receive_args(const Call& c) {
        ReceiveArgs a;
        auto q = queue_of(c);
        if (!q) return q.error();
        a.queue = *q;
        auto max = get_int(c.in, "MaxNumberOfMessages");
        if (!max) return max.error();
        if (*max && (**max < 1 || **max > 10)) {
            return invalid_value("Value " + std::to_string(**max) +
                                 " for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                                 "between 1 and 10, if provided.");
        }
        a.request.max_messages = static_cast<int>(max->value_or(1));
        auto wait = get_int(c.in, "WaitTimeSeconds");
        if (!wait) return wait.error();
        if (*wait && (**wait < 0 || **wait > 20)) {
            return invalid_value("Value " + std::to_string(**wait) +
                                 " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 "
                                 "and <= 20, if provided.");
        }
        auto vis = get_int(c.in, "VisibilityTimeout");
        if (!vis) return vis.error();
        if (*vis) {
            if (**vis < 0 || **vis > 43200) {
                return invalid_value("Value " + std::to_string(**vis) +
                                     " for parameter VisibilityTimeout is invalid. Reason: Must be "
                                     ">= 0 and <= 43200, if provided.");
            }
            a.request.visibility_timeout = static_cast<int>(**vis);
        }
        if (*wait) {
            a.wait_seconds = static_cast<int>(**wait);
        } else {
            auto d = store_.default_wait_seconds(a.queue);
            if (!d) return d.error();
            a.wait_seconds = *d;
        }
        for (auto key : {"AttributeNames", "MessageSystemAttributeNames"}) {
            for (auto& n : get_list(c.in, key))
                a.selection.system.insert(n);
        }
        a.selection.user = get_list(c.in, "MessageAttributeNames");
        return a;
    }

    HttpResponse render_messages(const Call& c, const Selection& sel,
                                 const std::vector<ReceivedMessage>& msgs) {
        ojson out = ojson::object();
        if (!msgs.empty()) {
            ojson list = ojson::array();
            for (const auto& m : msgs)
                list.push_back(message_json(m, sel));
            out["Messages"] = std::move(list);
        }
        return render(c, out);
    }

    struct Poll : std::enable_shared_from_this<Poll> {
        std::shared_ptr<Api> api;
        Call call;
        ReceiveArgs args;
        Respond respond;
        int64_t remaining_ms = 0;
        std::mutex mu;
        bool done = false;
        bool waiting = false;
        bool timer_pending = false;
        uint64_t wait_id = 0;

        void attempt(bool final) {
            std::lock_guard lock(mu);
            if (done) return;
            auto& store = api->store_;
            if (waiting) {
                store.cancel_wait(args.queue, wait_id);
                waiting = false;
            }
            std::function<void()> wake;
            if (!final) {
                // Runs on an edge thread, not the sender's: the sender stays quick, and no
                // poll ever waits on another poll's lock.
                wake = [self = shared_from_this()] {
                    self->api->scheduler_.after(
                        0, [self](bool shutting_down) { self->attempt(shutting_down); });
                };
            }
            uint64_t id = 0;
            auto r = store.receive(args.queue, args.request, std::move(wake), &id);
            if (!r) {
                done = true;
                respond(api->render_error(call, r.error()));
                return;
            }
            if (!r->empty() || final) {
                done = true;
                respond(api->render_messages(call, args.selection, *r));
                return;
            }
            waiting = true;
            wait_id = id;
            if (!timer_pending) {
                timer_pending = true;
                int64_t delay = std::min<int64_t>(api->options_.long_poll_recheck_ms, remaining_ms);
                api->scheduler_.after(delay,
                                      [self = shared_from_this(), delay](bool shutting_down) {
                                          {
                                              std::lock_guard l(self->mu);
                                              self->timer_pending = false;
                                              self->remaining_ms -= delay;
                                          }
                                          self->attempt(shutting_down || self->remaining_ms <= 0);
                                      });
            }
        }
    };

    void receive(Call c, Respond respond) {
        auto args = receive_args(c);
        if (!args) {
            respond(render_error(c, args.error()));
            return;
        }
        if (args->wait_seconds == 0) {
            auto r = store_.receive(args->queue, args->request);
            respond(r ? render_messages(c, args->selection, *r) : render_error(c, r.error()));
            return;
        }
        auto poll = std::make_shared<Poll>();
        poll->api = shared_from_this();
        poll->remaining_ms = int64_t{args->wait_seconds} * 1000;
        poll->args = std::move(*args);
        poll->call = std::move(c);
        poll->respond = std::move(respond);
        poll->attempt(false);
    }

    HttpResponse render(const Call& c, const ojson& result) {
        HttpResponse r;
        r.set_header("x-amzn-RequestId", c.request_id);
        if (c.protocol == Protocol::kJson) {
            r.set_header("Content-Type", std::string(kJsonContentType));
            // Invalid UTF-8 from a client (echoed in a message) becomes U+FFFD, never a throw.
            r.body = result.is_null()
                         ? "{}"
                         : result.dump(-1, ' ', false, ojson::error_handler_t::replace);
        } else {
            r.set_header("Content-Type", "text/xml");
            r.body = wire::xml_response(c.action, result, c.request_id);
        }
        return r;
    }

    static HttpResponse render_error(const Call& c, const AwsError& e) {
        HttpResponse r;
        r.status = e.http_status();
        r.set_header("x-amzn-RequestId", c.request_id);
        auto query_code = aws_error_query_code(e.code);
        bool sender = aws_error_fault(e.code) == Fault::kSender;
        if (c.protocol == Protocol::kJson) {
            r.set_header("Content-Type", std::string(kJsonContentType));
            bool coral =
                e.code == AwsErrorCode::kUnknownOperation || e.code == AwsErrorCode::kSerialization;
            if (!query_code.empty()) {
                r.set_header("x-amzn-query-error",
                             std::string(query_code) + (sender ? ";Sender" : ";Receiver"));
            }
            json body;
            body["__type"] =
                std::string(coral ? "com.amazon.coral.service#" : "com.amazonaws.sqs#") +
                std::string(e.shape());
            if (!e.message.empty()) body["message"] = e.message;
            r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
        } else {
            r.set_header("Content-Type", "text/xml");
            std::string message = e.message;
            if (e.code == AwsErrorCode::kQueueDoesNotExist)
                message = "The specified queue does not exist for this wsdl version.";
            std::string code =
                query_code.empty() ? std::string(e.shape()) : std::string(query_code);
            if (e.code == AwsErrorCode::kSerialization) code = "MalformedQueryString";
            r.body = wire::xml_error(code, message, sender, c.request_id);
        }
        return r;
    }

    QueueStore& store_;
    Scheduler& scheduler_;
    ApiOptions options_;
};

}  // namespace

bool is_sqs_request(const HttpRequest& req) {
    auto target = req.header("X-Amz-Target");
    if (!target.empty()) return target.starts_with("AmazonSQS.");
    auto has_action = [](std::string_view s) {
        return s.starts_with("Action=") || s.find("&Action=") != std::string_view::npos;
    };
    if (has_action(req.query())) return true;
    // A form body is the query protocol, which of kemu's AWS APIs only SQS speaks: without an
    // Action it still gets SQS's query error rather than Kinesis's.
    return req.header("Content-Type").find("x-www-form-urlencoded") != std::string_view::npos;
}

std::shared_ptr<RequestHandler> make_api_handler(QueueStore& store, Scheduler& scheduler,
                                                 ApiOptions options) {
    return std::make_shared<Api>(store, scheduler, std::move(options));
}

}  // namespace kemu::sqs
