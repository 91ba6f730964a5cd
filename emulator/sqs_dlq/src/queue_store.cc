#include "sqs/queue_store.h"

#include <algorithm>
#include <climits>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <rocksdb/write_batch.h>

#include "codec.h"
#include "core/encoding.h"
#include "core/log.h"
#include "md5.h"

namespace kemu::sqs {
namespace {

using json = nlohmann::json;
using Tags = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kQueueKeyPrefix = "sqs/queue/";
constexpr std::string_view kNextQueueIdKey = "sqs/next_queue_id";
constexpr int kMaxVisibility = 43'200;

// Queue attributes a client may set on a standard queue, with their ranges and defaults.
struct IntAttribute {
    std::string_view name;
    int64_t min, max, def;
};
constexpr IntAttribute kIntAttributes[] = {
    {"VisibilityTimeout", 0, kMaxVisibility, 30},
    {"MaximumMessageSize", 1024, 1'048'576, 1'048'576},
    {"MessageRetentionPeriod", 60, 1'209'600, 345'600},
    {"DelaySeconds", 0, 900, 0},
    {"ReceiveMessageWaitTimeSeconds", 0, 20, 0},
    {"KmsDataKeyReusePeriodSeconds", 60, 86'400, 300},
};
constexpr std::string_view kStringAttributes[] = {"RedrivePolicy", "RedriveAllowPolicy", "Policy",
                                                  "KmsMasterKeyId", "SqsManagedSseEnabled"};
constexpr std::string_view kReadOnlyAttributes[] = {"QueueArn",
                                                    "ApproximateNumberOfMessages",
                                                    "ApproximateNumberOfMessagesNotVisible",
                                                    "ApproximateNumberOfMessagesDelayed",
                                                    "CreatedTimestamp",
                                                    "LastModifiedTimestamp"};

const IntAttribute* int_attribute(std::string_view name) {
    for (const auto& a : kIntAttributes) {
        if (a.name == name) return &a;
    }
    return nullptr;
}

bool is_settable(std::string_view name) {
    if (int_attribute(name)) return true;
    return std::find(std::begin(kStringAttributes), std::end(kStringAttributes), name) !=
           std::end(kStringAttributes);
}

bool is_known(std::string_view name) {
    return is_settable(name) ||
           std::find(std::begin(kReadOnlyAttributes), std::end(kReadOnlyAttributes), name) !=
               std::end(kReadOnlyAttributes);
}

std::optional<int64_t> parse_int(std::string_view s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    int64_t v = 0;
    size_t i = 0;
    bool neg = s[0] == '-';
    if (neg) i = 1;
    if (i == s.size()) return std::nullopt;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
        v = v * 10 + (s[i] - '0');
    }
    return neg ? -v : v;
}

AwsError invalid_param(std::string message) {
    return make_error(AwsErrorCode::kSqsInvalidParameterValue, std::move(message));
}

AwsError queue_missing() {
    return make_error(AwsErrorCode::kQueueDoesNotExist, "The specified queue does not exist.");
}

std::string name_from_arn(std::string_view arn) {
    // arn:aws:sqs:{region}:{account}:{name}
    if (!arn.starts_with("arn:")) return {};
    auto pos = arn.rfind(':');
    return std::string(arn.substr(pos + 1));
}

struct Redrive {
    std::string target_arn;
    int max_receive_count = 0;
};

// Parses a RedrivePolicy value; the message is AWS's reason text on failure.
Result<Redrive> parse_redrive(const std::string& value) {
    auto bad = [&](const std::string& reason) {
        return invalid_param("Value " + value +
                             " for parameter RedrivePolicy is invalid. Reason: " + reason);
    };
    json j = json::parse(value, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad("Redrive policy is not a valid JSON map.");
    Redrive r;
    auto t = j.find("deadLetterTargetArn");
    if (t == j.end() || !t->is_string())
        return bad("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
    r.target_arn = t->get<std::string>();
    auto c = j.find("maxReceiveCount");
    if (c == j.end())
        return bad("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
    std::optional<int64_t> n;
    if (c->is_number_integer()) n = c->get<int64_t>();
    if (c->is_string()) n = parse_int(c->get<std::string>());
    if (!n || *n < 1 || *n > 1000) {
        return bad("Invalid value for maxReceiveCount: " +
                   (c->is_string() ? c->get<std::string>() : c->dump()) +
                   ", valid values are from 1 to 1000 both inclusive.");
    }
    r.max_receive_count = static_cast<int>(*n);
    return r;
}

struct Message {
    std::string message_id;
    std::string body;
    std::string md5_body;
    std::string md5_attributes;
    MessageAttributes attributes;
    int64_t sent_ms = 0;
    int delay_seconds = 0;
    std::string sender_id;
    std::string trace_header;
    std::string dead_letter_source_arn;
    // Receive state, rewritten on every receive.
    int64_t visible_at_ms = 0;
    int receive_count = 0;
    int64_t first_receive_ms = 0;
};

std::string encode_message(const Message& m) {
    std::string out;
    out.reserve(m.body.size() + 128);
    out.push_back(1);  // format version
    codec::put_str(out, m.message_id);
    codec::put_str(out, m.body);
    codec::put_str(out, m.md5_body);
    codec::put_str(out, m.md5_attributes);
    codec::put_u64(out, static_cast<uint64_t>(m.sent_ms));
    codec::put_u32(out, static_cast<uint32_t>(m.delay_seconds));
    codec::put_str(out, m.sender_id);
    codec::put_str(out, m.trace_header);
    codec::put_str(out, m.dead_letter_source_arn);
    codec::put_u32(out, static_cast<uint32_t>(m.attributes.size()));
    for (const auto& [name, a] : m.attributes) {
        codec::put_str(out, name);
        codec::put_str(out, a.data_type);
        codec::put_str(out, a.value);
    }
    return out;
}

bool decode_message(std::string_view in, Message* m) {
    if (in.empty() || in[0] != 1) return false;
    codec::Reader r(in.substr(1));
    uint64_t sent;
    uint32_t delay, n;
    if (!r.str(&m->message_id) || !r.str(&m->body) || !r.str(&m->md5_body) ||
        !r.str(&m->md5_attributes) || !r.u64(&sent) || !r.u32(&delay) || !r.str(&m->sender_id) ||
        !r.str(&m->trace_header) || !r.str(&m->dead_letter_source_arn) || !r.u32(&n))
        return false;
    m->sent_ms = static_cast<int64_t>(sent);
    m->delay_seconds = static_cast<int>(delay);
    for (uint32_t i = 0; i < n; ++i) {
        std::string name;
        MessageAttribute a;
        if (!r.str(&name) || !r.str(&a.data_type) || !r.str(&a.value)) return false;
        m->attributes.emplace(std::move(name), std::move(a));
    }
    m->visible_at_ms = m->sent_ms + int64_t{m->delay_seconds} * 1000;
    return r.empty();
}

// A message as ReceiveMessage (or a peek) shows it, without a receipt handle.
ReceivedMessage received(const Message& m) {
    ReceivedMessage r;
    r.message_id = m.message_id;
    r.body = m.body;
    r.md5_body = m.md5_body;
    r.attributes = m.attributes;
    r.sent_ms = m.sent_ms;
    r.first_receive_ms = m.first_receive_ms;
    r.receive_count = m.receive_count;
    r.sender_id = m.sender_id;
    r.trace_header = m.trace_header;
    r.dead_letter_source_arn = m.dead_letter_source_arn;
    return r;
}

std::string encode_state(const Message& m) {
    std::string out;
    codec::put_u64(out, static_cast<uint64_t>(m.visible_at_ms));
    codec::put_u32(out, static_cast<uint32_t>(m.receive_count));
    codec::put_u64(out, static_cast<uint64_t>(m.first_receive_ms));
    return out;
}

bool decode_state(std::string_view in, Message* m) {
    codec::Reader r(in);
    uint32_t count;
    if (!r.i64(&m->visible_at_ms) || !r.u32(&count) || !r.i64(&m->first_receive_ms)) return false;
    m->receive_count = static_cast<int>(count);
    return r.empty();
}

// Receipt handle: base64 of version(1) · queue id(8) · sequence(8) · receive count(4).
// A handle names one receive of one message; the next receive makes it stale.
std::string make_handle(uint64_t queue_id, uint64_t seq, int receive_count) {
    std::string raw;
    raw.push_back(1);
    codec::put_u64(raw, queue_id);
    codec::put_u64(raw, seq);
    codec::put_u32(raw, static_cast<uint32_t>(receive_count));
    return base64_encode(raw);
}

struct Handle {
    uint64_t queue_id, seq;
    int receive_count;
};

std::optional<Handle> parse_handle(const std::string& text) {
    auto raw = base64_decode(text);
    if (!raw || raw->size() != 21 || (*raw)[0] != 1) return std::nullopt;
    codec::Reader r(std::string_view(*raw).substr(1));
    Handle h{};
    uint32_t count;
    if (!r.u64(&h.queue_id) || !r.u64(&h.seq) || !r.u32(&count)) return std::nullopt;
    h.receive_count = static_cast<int>(count);
    return h;
}

AwsError invalid_handle(const std::string& handle) {
    return make_error(AwsErrorCode::kReceiptHandleIsInvalid,
                      "The input receipt handle \"" + handle + "\" is not a valid receipt handle.");
}

// True for the characters SQS accepts in a body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
// #x10000-#x10FFFF, in well-formed UTF-8.
bool valid_body(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<uint8_t>(s[i]);
        uint32_t cp;
        int n;
        if (c < 0x80) {
            cp = c;
            n = 1;
        } else if ((c & 0xe0) == 0xc0) {
            cp = c & 0x1f;
            n = 2;
        } else if ((c & 0xf0) == 0xe0) {
            cp = c & 0x0f;
            n = 3;
        } else if ((c & 0xf8) == 0xf0) {
            cp = c & 0x07;
            n = 4;
        } else {
            return false;
        }
        if (i + n > s.size()) return false;
        for (int k = 1; k < n; ++k) {
            auto cc = static_cast<uint8_t>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
            return false;  // overlong
        bool ok = cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
                  (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
        if (!ok) return false;
        i += n;
    }
    return true;
}

std::string base_type(std::string_view data_type) {
    for (std::string_view t : {"String", "Number", "Binary"}) {
        if (data_type.starts_with(t) &&
            (data_type.size() == t.size() || data_type[t.size()] == '.'))
            return std::string(t);
    }
    return {};
}

Result<void> validate_tags(const std::vector<std::pair<std::string, std::string>>& tags) {
    for (const auto& [k, v] : tags) {
        if (k.empty() || !valid_body(k) || !valid_body(v)) {
            return make_error(
                AwsErrorCode::kSqsInvalidParameterValue,
                "Tag keys must be non-empty, and tag keys and values may contain only "
                "valid UTF-8 characters.");
        }
    }
    return {};
}

Result<void> validate_attributes(const MessageAttributes& attributes) {
    if (attributes.size() > 10) {
        return invalid_param("Number of message attributes [" + std::to_string(attributes.size()) +
                             "] exceeds the allowed maximum [10].");
    }
    for (const auto& [name, a] : attributes) {
        if (name.empty() || name.size() > 256) {
            return invalid_param(
                "Message (user) attribute name must be between 1 and 256 "
                "characters long.");
        }
        if (!valid_body(name) || !valid_body(a.data_type) ||
            (!a.binary() && !valid_body(a.value))) {
            return make_error(AwsErrorCode::kInvalidMessageContents,
                              "Message (user) attribute '" + name +
                                  "' contains characters outside the allowed set (#x9 | #xA | #xD "
                                  "| #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF).");
        }
        auto base = base_type(a.data_type);
        if (base.empty()) {
            return invalid_param("The type of message (user) attribute '" + name +
                                 "' is invalid. You must use only the following supported type "
                                 "prefixes: Binary, Number, String.");
        }
        if (a.value.empty()) {
            return invalid_param("Message (user) attribute '" + name +
                                 "' must contain a non-empty value of type '" + base + "'.");
        }
        if (base == "Number") {
            auto v = std::string_view(a.value);
            bool ok = !v.empty();
            bool digit = false;
            size_t i = (v[0] == '-' || v[0] == '+') ? 1 : 0;
            bool dot = false, exp = false;
            for (; ok && i < v.size(); ++i) {
                char ch = v[i];
                if (ch >= '0' && ch <= '9') {
                    digit = true;
                } else if (ch == '.' && !dot && !exp) {
                    dot = true;
                } else if ((ch == 'e' || ch == 'E') && digit && !exp) {
                    exp = true;
                    digit = false;
                    if (i + 1 < v.size() && (v[i + 1] == '-' || v[i + 1] == '+')) ++i;
                } else {
                    ok = false;
                }
            }
            if (!ok || !digit) {
                return invalid_param("Can't cast the value of message (user) attribute '" + name +
                                     "' to a number.");
            }
        }
    }
    return {};
}

size_t attributes_size(const MessageAttributes& attributes) {
    size_t n = 0;
    for (const auto& [name, a] : attributes)
        n += name.size() + a.data_type.size() + a.value.size();
    return n;
}

}  // namespace

struct Queue {
    uint64_t id = 0;
    std::string name;
    std::string arn;
    std::map<std::string, std::string> attributes;  // as set; defaults are not stored
    std::map<std::string, std::string> tags;
    int64_t created_s = 0;
    int64_t modified_s = 0;

    // Derived from `attributes`.
    int visibility_timeout = 30;
    int64_t max_message_size = 1'048'576;
    int64_t retention_s = 345'600;
    int delay_seconds = 0;
    int wait_seconds = 0;
    std::optional<Redrive> redrive;

    mutable std::mutex mu;  // guards everything below
    std::map<uint64_t, Message> messages;
    std::set<std::pair<int64_t, uint64_t>> by_visible;  // (visible_at_ms, seq)
    uint64_t next_seq = 1;
    // Sequences below this may have been handed out before a restart (receipt handles name
    // them), so a restart starts here; raised in blocks, persisted with the meta record.
    uint64_t seq_reserved = 0;
    int64_t last_purge_ms = INT64_MIN / 2;
    std::map<uint64_t, std::function<void()>> waiters;
    uint64_t next_waiter = 1;
    bool deleted = false;

    int64_t attribute_int(std::string_view attr) const {
        const auto* def = int_attribute(attr);
        auto it = attributes.find(std::string(attr));
        if (it != attributes.end()) {
            if (auto v = parse_int(it->second)) return *v;
        }
        return def ? def->def : 0;
    }

    void derive() {
        visibility_timeout = static_cast<int>(attribute_int("VisibilityTimeout"));
        max_message_size = attribute_int("MaximumMessageSize");
        retention_s = attribute_int("MessageRetentionPeriod");
        delay_seconds = static_cast<int>(attribute_int("DelaySeconds"));
        wait_seconds = static_cast<int>(attribute_int("ReceiveMessageWaitTimeSeconds"));
        redrive.reset();
        if (auto it = attributes.find("RedrivePolicy");
            it != attributes.end() && !it->second.empty()) {
            if (auto r = parse_redrive(it->second)) redrive = *r;
        }
    }

    std::string meta_json() const {
        json j;
        j["id"] = id;
        j["seq_reserved"] = seq_reserved;
        j["attributes"] = attributes;
        j["tags"] = tags;
        j["created"] = created_s;
        j["modified"] = modified_s;
        return j.dump();
    }

    // REQUIRES: mu held.
    void index(uint64_t seq, const Message& m) { by_visible.emplace(m.visible_at_ms, seq); }
    void unindex(uint64_t seq, const Message& m) { by_visible.erase({m.visible_at_ms, seq}); }
};

struct QueueStore::Impl {
    Db& db;
    const Clock& clock;
    QueueStoreOptions options;

    mutable std::shared_mutex mu;  // guards the maps below (not the queues' contents)
    std::map<std::string, std::shared_ptr<Queue>> queues;
    std::map<std::string, int64_t> deleted_at_ms;
    uint64_t next_queue_id = 1;
    std::map<std::string, MoveTask> tasks;  // by handle

    Impl(Db& d, const Clock& c, QueueStoreOptions o) : db(d), clock(c), options(std::move(o)) {}

    std::string arn(const std::string& name) const {
        return "arn:aws:sqs:" + options.region + ":" + options.account + ":" + name;
    }

    std::shared_ptr<Queue> find(const std::string& name) const {
        std::shared_lock lock(mu);
        auto it = queues.find(name);
        return it == queues.end() ? nullptr : it->second;
    }

    Result<std::shared_ptr<Queue>> get(const std::string& name) const {
        auto q = find(name);
        if (!q) return queue_missing();
        return q;
    }

    void write(rocksdb::WriteBatch& batch) {
        auto s = db.raw()->Write(db.write_options(), &batch);
        if (!s.ok()) throw std::runtime_error("sqs: write failed: " + s.ToString());
    }

    void put_meta(const Queue& q) {
        rocksdb::WriteBatch b;
        b.Put(db.meta(), std::string(kQueueKeyPrefix) + q.name, q.meta_json());
        write(b);
    }

    // Validates attribute names and values for CreateQueue / SetQueueAttributes.
    Result<void> check_attributes(const std::string& queue_name, const AttributeList& attrs) const {
        for (const auto& [name, value] : attrs) {
            if (name == "FifoQueue" || name == "ContentBasedDeduplication" ||
                name == "DeduplicationScope" || name == "FifoThroughputLimit") {
                if (name == "FifoQueue" && value == "false") continue;
                return make_error(AwsErrorCode::kInvalidAttributeName,
                                  "Unknown Attribute " + name + ".");
            }
            if (!is_settable(name)) {
                return make_error(AwsErrorCode::kInvalidAttributeName,
                                  "Unknown Attribute " + name + ".");
            }
            auto bad_value = [&] {
                return make_error(AwsErrorCode::kInvalidAttributeValue,
                                  "Invalid value for the parameter " + name + ".");
            };
            if (!valid_body(value)) return bad_value();
            if (const auto* def = int_attribute(name)) {
                auto v = parse_int(value);
                if (!v || *v < def->min || *v > def->max) return bad_value();
            } else if (name == "SqsManagedSseEnabled") {
                if (value != "true" && value != "false") return bad_value();
            } else if (name == "RedrivePolicy" && !value.empty()) {
                auto r = parse_redrive(value);
                if (!r) return r.error();
                auto target = name_from_arn(r->target_arn);
                if (target.empty() || !find(target)) {
                    return invalid_param("Value " + value +
                                         " for parameter RedrivePolicy is invalid. Reason: "
                                         "Dead-letter target does not exist.");
                }
                if (target == queue_name) {
                    return invalid_param("Value " + value +
                                         " for parameter RedrivePolicy is invalid. Reason: "
                                         "Dead-letter target cannot be the source queue.");
                }
            } else if ((name == "Policy" || name == "RedriveAllowPolicy") && !value.empty()) {
                json j = json::parse(value, nullptr, false);
                if (j.is_discarded() || !j.is_object()) return bad_value();
                if (name == "RedriveAllowPolicy") {
                    auto p = j.find("redrivePermission");
                    if (p == j.end() || !p->is_string() ||
                        (*p != "allowAll" && *p != "denyAll" && *p != "byQueue"))
                        return bad_value();
                }
            }
        }
        return {};
    }

    // Counts (visible, in flight, delayed). Walks only the hidden messages, which sit at the end
    // of the (visible-at, sequence) index: O(in flight + delayed), not O(queue). Messages past
    // retention count until the next trim removes them. REQUIRES: q.mu held.
    void counts(const Queue& q, int64_t now, int64_t* visible, int64_t* inflight,
                int64_t* delayed) const {
        *inflight = *delayed = 0;
        for (auto it = q.by_visible.rbegin(); it != q.by_visible.rend() && it->first > now; ++it) {
            if (q.messages.at(it->second).receive_count > 0) {
                ++*inflight;
            } else {
                ++*delayed;
            }
        }
        *visible = static_cast<int64_t>(q.by_visible.size()) - *inflight - *delayed;
    }

    // Drops the oldest messages while they are past retention (send order is sequence order,
    // redriven messages aside, which the periodic trim catches). REQUIRES: q.mu held.
    void trim_front(Queue& q, int64_t now) {
        int64_t expiry = now - q.retention_s * 1000;
        rocksdb::WriteBatch b;
        while (!q.messages.empty() && q.messages.begin()->second.sent_ms <= expiry) {
            auto it = q.messages.begin();
            q.unindex(it->first, it->second);
            delete_keys(b, q.id, it->first);
            q.messages.erase(it);
        }
        if (b.Count() > 0) write(b);
    }

    // Takes the waiters of a queue, to call once its lock is released.
    static std::vector<std::function<void()>> take_waiters(Queue& q) {
        std::vector<std::function<void()>> out;
        out.reserve(q.waiters.size());
        for (auto& [id, fn] : q.waiters)
            out.push_back(std::move(fn));
        q.waiters.clear();
        return out;
    }

    // The next sequence of `q`. A restart never reuses one (receipt handles name them): the
    // meta record reserves a block ahead. REQUIRES: q.mu held.
    uint64_t draw_seq(Queue& q) {
        uint64_t seq = q.next_seq++;
        if (q.next_seq > q.seq_reserved) {
            q.seq_reserved = q.next_seq + 100'000;
            put_meta(q);
        }
        return seq;
    }

    // Appends messages moved from another queue (redrive); keeps id, body and sent time.
    void append_moved(Queue& target, std::vector<Message> moved, rocksdb::WriteBatch& batch,
                      int64_t now) {
        for (auto& m : moved) {
            m.receive_count = 0;
            m.first_receive_ms = 0;
            m.delay_seconds = 0;
            // Stored sent time stays the original (retention counts from it), so visibility
            // comes from the move, kept in the receive state.
            m.visible_at_ms = now;
            uint64_t seq = draw_seq(target);
            batch.Put(db.messages(), codec::message_key('M', target.id, seq), encode_message(m));
            batch.Put(db.messages(), codec::message_key('V', target.id, seq), encode_state(m));
            target.index(seq, m);
            target.messages.emplace(seq, std::move(m));
        }
    }

    void delete_keys(rocksdb::WriteBatch& batch, uint64_t queue_id, uint64_t seq) {
        batch.Delete(db.messages(), codec::message_key('M', queue_id, seq));
        batch.Delete(db.messages(), codec::message_key('V', queue_id, seq));
    }
};

QueueStore::QueueStore(Db& db, const Clock& clock, QueueStoreOptions options)
    : impl_(std::make_unique<Impl>(db, clock, std::move(options))) {}

QueueStore::~QueueStore() = default;

std::string QueueStore::queue_arn(const std::string& name) const {
    return impl_->arn(name);
}

void QueueStore::load() {
    auto& db = impl_->db;
    {
        std::string v;
        if (db.raw()->Get({}, db.meta(), std::string(kNextQueueIdKey), &v).ok()) {
            impl_->next_queue_id = std::max<uint64_t>(impl_->next_queue_id, std::stoull(v));
        }
    }
    std::unique_ptr<rocksdb::Iterator> it(db.raw()->NewIterator({}, db.meta()));
    std::map<uint64_t, std::shared_ptr<Queue>> by_id;
    for (it->Seek(std::string(kQueueKeyPrefix)); it->Valid(); it->Next()) {
        auto key = it->key().ToStringView();
        if (!key.starts_with(kQueueKeyPrefix)) break;
        auto q = std::make_shared<Queue>();
        q->name = std::string(key.substr(kQueueKeyPrefix.size()));
        q->arn = impl_->arn(q->name);
        json j = json::parse(it->value().ToStringView(), nullptr, false);
        if (j.is_discarded()) throw std::runtime_error("sqs: corrupt queue record " + q->name);
        q->id = j.at("id").get<uint64_t>();
        q->attributes = j.at("attributes").get<std::map<std::string, std::string>>();
        q->tags = j.at("tags").get<std::map<std::string, std::string>>();
        q->created_s = j.at("created").get<int64_t>();
        q->modified_s = j.at("modified").get<int64_t>();
        q->seq_reserved = j.value("seq_reserved", uint64_t{0});
        q->next_seq = std::max(q->next_seq, q->seq_reserved);
        q->derive();
        impl_->next_queue_id = std::max(impl_->next_queue_id, q->id + 1);
        by_id[q->id] = q;
        impl_->queues[q->name] = q;
    }
    std::unique_ptr<rocksdb::Iterator> mit(db.raw()->NewIterator({}, db.messages()));
    size_t count = 0;
    for (mit->SeekToFirst(); mit->Valid(); mit->Next()) {
        auto key = mit->key().ToStringView();
        if (key.size() != 17 || (key[0] != 'M' && key[0] != 'V')) continue;
        codec::Reader r(key.substr(1));
        uint64_t qid, seq;
        (void)r.u64(&qid);
        (void)r.u64(&seq);
        auto qit = by_id.find(qid);
        if (qit == by_id.end()) continue;  // a queue deleted while the range delete was pending
        auto& q = *qit->second;
        if (key[0] == 'M') {
            Message m;
            if (!decode_message(mit->value().ToStringView(), &m))
                throw std::runtime_error("sqs: corrupt message in queue " + q.name);
            q.messages.emplace(seq, std::move(m));
            q.next_seq = std::max(q.next_seq, seq + 1);
            ++count;
        } else {
            // 'V' sorts after every 'M', so its message is already there (or was deleted).
            auto m = q.messages.find(seq);
            if (m == q.messages.end()) continue;
            if (!decode_state(mit->value().ToStringView(), &m->second))
                throw std::runtime_error("sqs: corrupt message state in queue " + q.name);
        }
    }
    for (auto& [id, q] : by_id) {
        for (auto& [seq, m] : q->messages)
            q->index(seq, m);
    }
    if (!impl_->queues.empty()) {
        log_info("sqs", "loaded " + std::to_string(impl_->queues.size()) + " queues, " +
                            std::to_string(count) + " messages");
    }
}

Result<void> QueueStore::create_queue(const std::string& name, const AttributeList& attributes,
                                      const Tags& tags) {
    bool valid = !name.empty() && name.size() <= 80;
    for (char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) valid = false;
    }
    if (name.ends_with(".fifo")) {
        return make_error(AwsErrorCode::kUnsupportedOperation,
                          "kemu does not emulate FIFO queues; " + name +
                              " cannot be created. Use a standard queue.");
    }
    for (const auto& [k, v] : attributes) {
        if (k == "FifoQueue" && v == "true") {
            return invalid_param(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                "underscores, must end with .fifo suffix and be 1 to 80 in length.");
        }
    }
    if (!valid) {
        return invalid_param(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in "
            "length");
    }
    if (auto r = impl_->check_attributes(name, attributes); !r) return r.error();
    if (auto r = validate_tags(tags); !r) return r.error();

    std::unique_lock lock(impl_->mu);
    auto now = impl_->clock.now_ms();
    if (auto it = impl_->queues.find(name); it != impl_->queues.end()) {
        auto& q = *it->second;
        std::lock_guard ql(q.mu);
        for (const auto& [k, v] : attributes) {
            if (k == "FifoQueue") continue;
            auto cur = q.attributes.find(k);
            std::string current;
            if (cur != q.attributes.end()) {
                current = cur->second;
            } else if (const auto* def = int_attribute(k)) {
                current = std::to_string(def->def);
            } else if (k == "SqsManagedSseEnabled") {
                current = "true";
            }
            if (current != v) {
                return make_error(AwsErrorCode::kQueueNameExists,
                                  "A queue already exists with the same name and a different "
                                  "value for attribute " +
                                      k);
            }
        }
        return {};
    }
    if (auto d = impl_->deleted_at_ms.find(name);
        d != impl_->deleted_at_ms.end() && now - d->second < impl_->options.delete_cooldown_ms) {
        return make_error(AwsErrorCode::kQueueDeletedRecently,
                          "You must wait 60 seconds after deleting a queue before you can create "
                          "another queue with the same name.");
    }
    auto q = std::make_shared<Queue>();
    q->id = impl_->next_queue_id++;
    {
        // Ids are never reused, across restarts too (receipt handles carry them).
        rocksdb::WriteBatch b;
        b.Put(impl_->db.meta(), std::string(kNextQueueIdKey), std::to_string(impl_->next_queue_id));
        impl_->write(b);
    }
    q->name = name;
    q->arn = impl_->arn(name);
    for (const auto& [k, v] : attributes) {
        if (k != "FifoQueue") q->attributes[k] = v;
    }
    for (const auto& [k, v] : tags)
        q->tags[k] = v;
    q->created_s = q->modified_s = now / 1000;
    q->derive();
    impl_->put_meta(*q);
    impl_->queues[name] = q;
    return {};
}

Result<void> QueueStore::delete_queue(const std::string& name) {
    std::shared_ptr<Queue> q;
    {
        std::unique_lock lock(impl_->mu);
        auto it = impl_->queues.find(name);
        if (it == impl_->queues.end()) return queue_missing();
        q = it->second;
        impl_->queues.erase(it);
        impl_->deleted_at_ms[name] = impl_->clock.now_ms();
    }
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard ql(q->mu);
        q->deleted = true;
        rocksdb::WriteBatch b;
        b.Delete(impl_->db.meta(), std::string(kQueueKeyPrefix) + name);
        b.DeleteRange(impl_->db.messages(), codec::message_key('M', q->id, 0),
                      codec::message_key('M', q->id + 1, 0));
        b.DeleteRange(impl_->db.messages(), codec::message_key('V', q->id, 0),
                      codec::message_key('V', q->id + 1, 0));
        impl_->write(b);
        q->messages.clear();
        q->by_visible.clear();
        wake = Impl::take_waiters(*q);
    }
    for (auto& fn : wake)
        fn();
    return {};
}

bool QueueStore::queue_exists(const std::string& name) const {
    return impl_->find(name) != nullptr;
}

std::vector<std::string> QueueStore::list_queues(const std::string& prefix) const {
    std::shared_lock lock(impl_->mu);
    std::vector<std::string> out;
    for (auto it = impl_->queues.lower_bound(prefix); it != impl_->queues.end(); ++it) {
        if (!it->first.starts_with(prefix)) break;
        out.push_back(it->first);
    }
    return out;
}

Result<AttributeList> QueueStore::get_attributes(const std::string& name,
                                                 const std::vector<std::string>& names) const {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;  // const in AWS's sense: trimming expired messages is housekeeping
    bool all = false;
    for (const auto& n : names) {
        if (n == "All") {
            all = true;
        } else if (!is_known(n)) {
            return make_error(AwsErrorCode::kInvalidAttributeName, "Unknown Attribute " + n + ".");
        }
    }
    auto wanted = [&](std::string_view n) {
        return all || std::find(names.begin(), names.end(), n) != names.end();
    };
    AttributeList out;
    std::lock_guard ql(q.mu);
    int64_t visible, inflight, delayed;
    int64_t now = impl_->clock.now_ms();
    impl_->trim_front(q, now);
    impl_->counts(q, now, &visible, &inflight, &delayed);
    auto add = [&](std::string_view n, std::string v) {
        if (wanted(n)) out.emplace_back(std::string(n), std::move(v));
    };
    add("QueueArn", q.arn);
    add("ApproximateNumberOfMessages", std::to_string(visible));
    add("ApproximateNumberOfMessagesNotVisible", std::to_string(inflight));
    add("ApproximateNumberOfMessagesDelayed", std::to_string(delayed));
    add("CreatedTimestamp", std::to_string(q.created_s));
    add("LastModifiedTimestamp", std::to_string(q.modified_s));
    add("VisibilityTimeout", std::to_string(q.visibility_timeout));
    add("MaximumMessageSize", std::to_string(q.max_message_size));
    add("MessageRetentionPeriod", std::to_string(q.retention_s));
    add("DelaySeconds", std::to_string(q.delay_seconds));
    for (std::string_view n : {"Policy", "RedrivePolicy", "RedriveAllowPolicy"}) {
        auto it = q.attributes.find(std::string(n));
        if (it != q.attributes.end() && !it->second.empty()) add(n, it->second);
    }
    add("ReceiveMessageWaitTimeSeconds", std::to_string(q.wait_seconds));
    auto kms = q.attributes.find("KmsMasterKeyId");
    bool has_kms = kms != q.attributes.end() && !kms->second.empty();
    if (has_kms) {
        add("KmsMasterKeyId", kms->second);
        add("KmsDataKeyReusePeriodSeconds",
            std::to_string(q.attribute_int("KmsDataKeyReusePeriodSeconds")));
    } else {
        auto sse = q.attributes.find("SqsManagedSseEnabled");
        add("SqsManagedSseEnabled", sse == q.attributes.end() ? "true" : sse->second);
    }
    return out;
}

Result<void> QueueStore::set_attributes(const std::string& name, const AttributeList& attributes) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    if (auto r = impl_->check_attributes(name, attributes); !r) return r.error();
    auto& q = **qr;
    std::lock_guard ql(q.mu);
    if (q.deleted) return queue_missing();  // deleted meanwhile: never write its meta back
    auto previous = q.attributes;
    for (const auto& [k, v] : attributes) {
        if (k == "FifoQueue") continue;
        if (v.empty() && !int_attribute(k)) {
            q.attributes.erase(k);  // an empty policy removes it, as on AWS
        } else {
            q.attributes[k] = v;
        }
    }
    q.modified_s = impl_->clock.now_ms() / 1000;
    try {
        impl_->put_meta(q);
    } catch (...) {
        q.attributes = std::move(previous);  // the change did not happen
        throw;
    }
    q.derive();
    return {};
}

Result<Tags> QueueStore::list_tags(const std::string& name) const {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    std::lock_guard ql((*qr)->mu);
    return Tags((*qr)->tags.begin(), (*qr)->tags.end());
}

Result<void> QueueStore::tag_queue(const std::string& name, const Tags& tags) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    if (auto r = validate_tags(tags); !r) return r.error();
    std::lock_guard ql(q.mu);
    if (q.deleted) return queue_missing();
    auto merged = q.tags;
    for (const auto& [k, v] : tags)
        merged[k] = v;
    if (merged.size() > 50) {
        return invalid_param("Too many tags added for queue " + name + ".");
    }
    q.tags = std::move(merged);
    impl_->put_meta(q);
    return {};
}

Result<void> QueueStore::untag_queue(const std::string& name,
                                     const std::vector<std::string>& keys) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    std::lock_guard ql(q.mu);
    if (q.deleted) return queue_missing();
    for (const auto& k : keys)
        q.tags.erase(k);
    impl_->put_meta(q);
    return {};
}

Result<SendResult> QueueStore::send_message(const std::string& name, SendRequest request) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    if (request.body.empty()) {
        return make_error(AwsErrorCode::kSqsMissingParameter,
                          "The request must contain the parameter MessageBody.");
    }
    if (request.delay_seconds && (*request.delay_seconds < 0 || *request.delay_seconds > 900)) {
        return invalid_param("Value " + std::to_string(*request.delay_seconds) +
                             " for parameter DelaySeconds is invalid. Reason: Must be >= 0 and <= "
                             "900, if provided.");
    }
    if (!valid_body(request.body)) {
        return make_error(AwsErrorCode::kInvalidMessageContents,
                          "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD "
                          "| #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
    }
    if (auto r = validate_attributes(request.attributes); !r) return r.error();

    Message m;
    m.body = std::move(request.body);
    m.attributes = std::move(request.attributes);
    m.trace_header = std::move(request.trace_header);
    m.message_id = uuid_v4();
    m.md5_body = md5_hex(m.body);
    m.md5_attributes = md5_of_attributes(m.attributes);
    m.sender_id = impl_->options.account;
    SendResult out;
    out.message_id = m.message_id;
    out.md5_body = m.md5_body;
    out.md5_attributes = m.md5_attributes;
    if (!m.trace_header.empty()) {
        out.md5_system_attributes =
            md5_of_attributes({{"AWSTraceHeader", MessageAttribute{"String", m.trace_header}}});
    }

    std::vector<std::function<void()>> wake;
    {
        std::lock_guard ql(q.mu);
        if (q.deleted) return queue_missing();
        size_t size = m.body.size() + attributes_size(m.attributes);
        if (static_cast<int64_t>(size) > q.max_message_size) {
            return invalid_param(
                "One or more parameters are invalid. Reason: Message must be "
                "shorter than " +
                std::to_string(q.max_message_size) + " bytes.");
        }
        m.sent_ms = impl_->clock.now_ms();
        m.delay_seconds = request.delay_seconds.value_or(q.delay_seconds);
        m.visible_at_ms = m.sent_ms + int64_t{m.delay_seconds} * 1000;
        uint64_t seq = impl_->draw_seq(q);
        rocksdb::WriteBatch b;
        b.Put(impl_->db.messages(), codec::message_key('M', q.id, seq), encode_message(m));
        impl_->write(b);
        q.index(seq, m);
        bool visible_now = m.delay_seconds == 0;
        q.messages.emplace(seq, std::move(m));
        if (visible_now) wake = Impl::take_waiters(q);
    }
    for (auto& fn : wake)
        fn();
    return out;
}

Result<std::vector<ReceivedMessage>> QueueStore::receive(const std::string& name,
                                                         const ReceiveRequest& request,
                                                         std::function<void()> wake,
                                                         uint64_t* wait_id) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    std::vector<ReceivedMessage> out;
    std::vector<Message> to_dlq;
    std::string dlq_name;
    int64_t now = impl_->clock.now_ms();
    rocksdb::WriteBatch b;
    {
        std::lock_guard ql(q.mu);
        if (q.deleted) return queue_missing();
        int visibility = request.visibility_timeout.value_or(q.visibility_timeout);
        int64_t expiry = now - q.retention_s * 1000;
        if (impl_->options.max_inflight > 0) {
            int64_t visible, inflight, delayed;
            impl_->counts(q, now, &visible, &inflight, &delayed);
            if (inflight >= impl_->options.max_inflight) {
                return make_error(AwsErrorCode::kOverLimit,
                                  "Too many messages in flight; the limit is " +
                                      std::to_string(impl_->options.max_inflight) + ".");
            }
        }
        bool dirty = false;
        // Received messages go back into the visibility index after the loop: with a
        // visibility timeout of 0 they are visible again at `now`, and the loop must not take
        // the same message twice in one call.
        std::vector<uint64_t> received_seqs;
        while (static_cast<int>(out.size()) < request.max_messages && !q.by_visible.empty()) {
            auto first = q.by_visible.begin();
            if (first->first > now) break;
            uint64_t seq = first->second;
            auto mit = q.messages.find(seq);
            Message& m = mit->second;
            q.by_visible.erase(first);
            if (m.sent_ms <= expiry) {  // retention ran out
                impl_->delete_keys(b, q.id, seq);
                q.messages.erase(mit);
                dirty = true;
                continue;
            }
            if (q.redrive && m.receive_count >= q.redrive->max_receive_count) {
                // This receive would exceed maxReceiveCount: the message moves to the DLQ.
                m.dead_letter_source_arn = q.arn;
                impl_->delete_keys(b, q.id, seq);
                to_dlq.push_back(std::move(m));
                q.messages.erase(mit);
                dirty = true;
                continue;
            }
            ++m.receive_count;
            if (m.first_receive_ms == 0) m.first_receive_ms = now;
            m.visible_at_ms = now + int64_t{visibility} * 1000;
            received_seqs.push_back(seq);
            b.Put(impl_->db.messages(), codec::message_key('V', q.id, seq), encode_state(m));
            dirty = true;
            ReceivedMessage r = received(m);
            r.receipt_handle = make_handle(q.id, seq, m.receive_count);
            out.push_back(std::move(r));
        }
        for (uint64_t seq : received_seqs)
            q.index(seq, q.messages.at(seq));
        if (!to_dlq.empty()) dlq_name = name_from_arn(q.redrive->target_arn);
        if (dirty && to_dlq.empty()) impl_->write(b);
        if (out.empty() && wake) {
            uint64_t id = q.next_waiter++;
            q.waiters.emplace(id, std::move(wake));
            if (wait_id) *wait_id = id;
        }
    }
    if (!to_dlq.empty()) {
        // Outside the source's lock (two queues may be each other's DLQ). The moved messages'
        // deletes and their puts on the DLQ go in one batch: a crash neither loses nor doubles
        // them.
        auto target = impl_->find(dlq_name);
        bool moved = false;
        if (target && target.get() != &q) {
            std::vector<std::function<void()>> wake_dlq;
            {
                std::lock_guard tl(target->mu);
                // Deleted since find(): writing into it would bring its meta record back.
                if (!target->deleted) {
                    impl_->append_moved(*target, std::move(to_dlq), b, now);
                    impl_->write(b);
                    wake_dlq = Impl::take_waiters(*target);
                    moved = true;
                }
            }
            for (auto& fn : wake_dlq)
                fn();
        }
        if (!moved) {
            log_warn("sqs", "dead-letter queue " + dlq_name + " of " + name +
                                " does not exist; messages past maxReceiveCount dropped");
            impl_->write(b);
        }
    }
    return out;
}

void QueueStore::cancel_wait(const std::string& name, uint64_t wait_id) {
    auto q = impl_->find(name);
    if (!q) return;
    std::lock_guard ql(q->mu);
    q->waiters.erase(wait_id);
}

Result<int> QueueStore::default_wait_seconds(const std::string& name) const {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    std::lock_guard ql((*qr)->mu);
    return (*qr)->wait_seconds;
}

Result<void> QueueStore::delete_message(const std::string& name,
                                        const std::string& receipt_handle) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    auto h = parse_handle(receipt_handle);
    if (!h || h->queue_id != q.id) return invalid_handle(receipt_handle);
    std::lock_guard ql(q.mu);
    auto it = q.messages.find(h->seq);
    if (it == q.messages.end() || it->second.receive_count != h->receive_count) return {};
    rocksdb::WriteBatch b;
    impl_->delete_keys(b, q.id, h->seq);
    impl_->write(b);
    q.unindex(h->seq, it->second);
    q.messages.erase(it);
    return {};
}

Result<void> QueueStore::change_visibility(const std::string& name,
                                           const std::string& receipt_handle,
                                           int visibility_timeout) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    if (visibility_timeout < 0 || visibility_timeout > kMaxVisibility) {
        return invalid_param("Value " + std::to_string(visibility_timeout) +
                             " for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 "
                             "and <= 43200, if provided.");
    }
    auto h = parse_handle(receipt_handle);
    if (!h || h->queue_id != q.id) return invalid_handle(receipt_handle);
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard ql(q.mu);
        auto it = q.messages.find(h->seq);
        if (it == q.messages.end() || it->second.receive_count != h->receive_count) {
            return invalid_param("Value " + receipt_handle +
                                 " for parameter ReceiptHandle is invalid. Reason: Message does "
                                 "not exist or is not available for visibility timeout change.");
        }
        Message& m = it->second;
        int64_t now = impl_->clock.now_ms();
        if (m.visible_at_ms <= now) {
            return make_error(AwsErrorCode::kMessageNotInflight,
                              "Message does not exist or is not available for visibility "
                              "timeout change.");
        }
        int64_t until = now + int64_t{visibility_timeout} * 1000;
        if (until - m.first_receive_ms > int64_t{kMaxVisibility} * 1000) {
            return invalid_param("Value " + std::to_string(visibility_timeout) +
                                 " for parameter VisibilityTimeout is invalid. Reason: Total "
                                 "VisibilityTimeout for the message is beyond the limit [43200 "
                                 "seconds]");
        }
        q.unindex(h->seq, m);
        m.visible_at_ms = until;
        q.index(h->seq, m);
        rocksdb::WriteBatch b;
        b.Put(impl_->db.messages(), codec::message_key('V', q.id, h->seq), encode_state(m));
        impl_->write(b);
        if (visibility_timeout == 0) wake = Impl::take_waiters(q);
    }
    for (auto& fn : wake)
        fn();
    return {};
}

Result<void> QueueStore::purge(const std::string& name) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    std::lock_guard ql(q.mu);
    int64_t now = impl_->clock.now_ms();
    if (now - q.last_purge_ms < impl_->options.purge_cooldown_ms) {
        return make_error(
            AwsErrorCode::kPurgeQueueInProgress,
            "Only one PurgeQueue operation on " + name + " is allowed every 60 seconds.");
    }
    q.last_purge_ms = now;
    rocksdb::WriteBatch b;
    b.DeleteRange(impl_->db.messages(), codec::message_key('M', q.id, 0),
                  codec::message_key('M', q.id + 1, 0));
    b.DeleteRange(impl_->db.messages(), codec::message_key('V', q.id, 0),
                  codec::message_key('V', q.id + 1, 0));
    impl_->write(b);
    q.messages.clear();
    q.by_visible.clear();
    return {};
}

Result<std::string> QueueStore::start_move_task(const std::string& source_arn,
                                                const std::string& destination_arn,
                                                int max_per_second) {
    auto source = impl_->find(name_from_arn(source_arn));
    if (!source || source->arn != source_arn) {
        return make_error(AwsErrorCode::kSqsResourceNotFound,
                          "The resource that you specified for the SourceArn parameter doesn't "
                          "exist.");
    }
    bool is_dlq = false;
    {
        std::shared_lock lock(impl_->mu);
        for (const auto& [n, q] : impl_->queues) {
            std::lock_guard ql(q->mu);
            if (q->redrive && q->redrive->target_arn == source_arn) is_dlq = true;
        }
    }
    if (!is_dlq) return invalid_param("Source queue must be configured as a Dead Letter Queue.");
    if (max_per_second < 0 || max_per_second > 500) {
        return invalid_param("Value " + std::to_string(max_per_second) +
                             " for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: "
                             "Must be between 1 and 500, if provided.");
    }
    std::shared_ptr<Queue> destination;
    if (!destination_arn.empty()) {
        destination = impl_->find(name_from_arn(destination_arn));
        if (!destination || destination->arn != destination_arn) {
            return make_error(AwsErrorCode::kSqsResourceNotFound,
                              "The resource that you specified for the DestinationArn parameter "
                              "doesn't exist.");
        }
    }
    // Moves run to completion at once: kemu's queues are local and small.
    MoveTask task;
    task.task_handle =
        base64_encode(R"({"taskId":")" + uuid_v4() + R"(","sourceArn":")" + source_arn + "\"}");
    task.source_arn = source_arn;
    task.destination_arn = destination_arn;
    task.max_per_second = max_per_second;
    task.started_ms = impl_->clock.now_ms();
    // By sequence: one pass over the source, no copies of the bodies, no quadratic search.
    std::map<std::string, std::vector<uint64_t>> by_target;
    {
        std::lock_guard sl(source->mu);
        for (auto& [seq, m] : source->messages) {
            std::string target =
                destination ? destination->name : name_from_arn(m.dead_letter_source_arn);
            by_target[target].push_back(seq);
        }
        task.to_move = static_cast<int64_t>(source->messages.size());
    }
    int64_t now = impl_->clock.now_ms();
    for (auto& [target_name, seqs] : by_target) {
        auto target = impl_->find(target_name);
        if (!target || target == source) {
            task.status = "FAILED";
            task.failure_reason = "AWS.SimpleQueueService.NonExistentQueue";
            continue;
        }
        rocksdb::WriteBatch b;
        std::vector<Message> moving;
        std::vector<uint64_t> moving_seqs;
        {
            std::lock_guard sl(source->mu);
            for (auto seq : seqs) {
                auto it = source->messages.find(seq);
                if (it == source->messages.end()) continue;
                source->unindex(seq, it->second);
                impl_->delete_keys(b, source->id, seq);
                moving_seqs.push_back(seq);
                moving.push_back(std::move(it->second));
                source->messages.erase(it);
            }
        }
        std::vector<std::function<void()>> wake;
        bool moved = false;
        {
            std::lock_guard tl(target->mu);
            if (!target->deleted) {  // deleted since find(): leave the messages where they were
                for (auto& m : moving)
                    m.dead_letter_source_arn.clear();
                task.moved += static_cast<int64_t>(moving.size());
                impl_->append_moved(*target, std::move(moving), b, now);
                impl_->write(b);
                wake = Impl::take_waiters(*target);
                moved = true;
            }
        }
        for (auto& fn : wake)
            fn();
        if (!moved) {
            // The batch of deletes was never written: put the messages back as they were.
            std::lock_guard sl(source->mu);
            for (size_t i = 0; i < moving.size(); ++i) {
                source->index(moving_seqs[i], moving[i]);
                source->messages.emplace(moving_seqs[i], std::move(moving[i]));
            }
            task.status = "FAILED";
            task.failure_reason = "AWS.SimpleQueueService.NonExistentQueue";
        }
    }
    if (task.status.empty()) task.status = "COMPLETED";
    std::unique_lock lock(impl_->mu);
    impl_->tasks[task.task_handle] = task;
    return task.task_handle;
}

Result<std::vector<MoveTask>> QueueStore::list_move_tasks(const std::string& source_arn,
                                                          int max_results) const {
    auto source = impl_->find(name_from_arn(source_arn));
    if (!source || source->arn != source_arn) {
        return make_error(AwsErrorCode::kSqsResourceNotFound,
                          "The resource that you specified for the SourceArn parameter doesn't "
                          "exist.");
    }
    if (max_results < 1 || max_results > 10) {
        return invalid_param("Value " + std::to_string(max_results) +
                             " for parameter MaxResults is invalid. Reason: Must be between 1 and "
                             "10, if provided.");
    }
    std::shared_lock lock(impl_->mu);
    std::vector<MoveTask> out;
    for (const auto& [h, t] : impl_->tasks) {
        if (t.source_arn == source_arn) out.push_back(t);
    }
    std::sort(out.begin(), out.end(),
              [](const MoveTask& a, const MoveTask& b) { return a.started_ms > b.started_ms; });
    if (static_cast<int>(out.size()) > max_results) out.resize(max_results);
    return out;
}

Result<int64_t> QueueStore::cancel_move_task(const std::string& task_handle) {
    std::unique_lock lock(impl_->mu);
    auto it = impl_->tasks.find(task_handle);
    if (it == impl_->tasks.end()) {
        return make_error(AwsErrorCode::kSqsResourceNotFound,
                          "The resource that you specified for the TaskHandle parameter doesn't "
                          "exist.");
    }
    if (it->second.status != "RUNNING") {
        return invalid_param("Only active tasks can be cancelled.");
    }
    it->second.status = "CANCELLED";
    return it->second.moved;
}

Result<std::vector<ReceivedMessage>> QueueStore::peek(const std::string& name, size_t max) const {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    std::lock_guard ql(q.mu);
    int64_t expiry = impl_->clock.now_ms() - q.retention_s * 1000;
    std::vector<ReceivedMessage> out;
    for (const auto& [seq, m] : q.messages) {
        if (out.size() >= max) break;
        if (m.sent_ms <= expiry) continue;
        out.push_back(received(m));
    }
    return out;
}

Result<bool> QueueStore::delete_by_id(const std::string& name, const std::string& message_id) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    std::lock_guard ql(q.mu);
    for (auto it = q.messages.begin(); it != q.messages.end(); ++it) {
        if (it->second.message_id != message_id) continue;
        rocksdb::WriteBatch b;
        impl_->delete_keys(b, q.id, it->first);
        impl_->write(b);
        q.unindex(it->first, it->second);
        q.messages.erase(it);
        return true;
    }
    return false;
}

size_t QueueStore::trim_expired() {
    std::vector<std::shared_ptr<Queue>> all;
    {
        std::shared_lock lock(impl_->mu);
        for (auto& [n, q] : impl_->queues)
            all.push_back(q);
    }
    size_t dropped = 0;
    int64_t now = impl_->clock.now_ms();
    for (auto& q : all) {
        std::lock_guard ql(q->mu);
        int64_t expiry = now - q->retention_s * 1000;
        rocksdb::WriteBatch b;
        for (auto it = q->messages.begin(); it != q->messages.end();) {
            if (it->second.sent_ms <= expiry) {
                q->unindex(it->first, it->second);
                impl_->delete_keys(b, q->id, it->first);
                it = q->messages.erase(it);
                ++dropped;
            } else {
                ++it;
            }
        }
        if (b.Count() > 0) impl_->write(b);
    }
    return dropped;
}

Result<void> QueueStore::send(const FailureRecord& record) {
    SendRequest r;
    r.body = failure_record_json(record);
    auto sent = send_message(record.queue_name, std::move(r));
    if (!sent) return sent.error();
    return {};
}

}  // namespace kemu::sqs
