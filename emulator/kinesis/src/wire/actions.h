#pragma once
// The Kinesis actions: validated JSON-form input -> Store call -> JSON response text.

#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "core/aws_error.h"
#include "core/clock.h"
#include "core/http.h"
#include "kinesis/store.h"

namespace kemu::kinesis::wire {

class SubscriptionHub;

struct Context {
    Store& store;
    const Clock& clock;
    std::string account;
    std::string region;
    SubscriptionHub* hub = nullptr;  // enhanced fan-out subscriptions (consumers.cc)
};

struct ActionOutput {
    bool empty_body = false;  // AWS: actions without output answer 200 with no body at all
    std::string json;
};

using Action = Result<ActionOutput> (*)(Context& ctx, const boost::json::object& in);

// null for an action kemu does not implement.
Action action_for(std::string_view name);

// The actions, by file; action_for's table (actions.cc) names them all.
using In = boost::json::object;
// actions_streams.cc
Result<ActionOutput> create_stream(Context& ctx, const In& in);
Result<ActionOutput> delete_stream(Context& ctx, const In& in);
Result<ActionOutput> describe_stream(Context& ctx, const In& in);
Result<ActionOutput> describe_stream_summary(Context& ctx, const In& in);
Result<ActionOutput> split_shard(Context& ctx, const In& in);
Result<ActionOutput> merge_shards(Context& ctx, const In& in);
Result<ActionOutput> update_shard_count(Context& ctx, const In& in);
Result<ActionOutput> describe_limits(Context& ctx, const In& in);
// actions_lists.cc
Result<ActionOutput> list_streams(Context& ctx, const In& in);
Result<ActionOutput> list_shards(Context& ctx, const In& in);
// actions_records.cc
Result<ActionOutput> put_record(Context& ctx, const In& in);
Result<ActionOutput> put_records(Context& ctx, const In& in);
Result<ActionOutput> get_shard_iterator(Context& ctx, const In& in);
Result<ActionOutput> get_records(Context& ctx, const In& in);
// actions_settings.cc
Result<ActionOutput> increase_retention(Context& ctx, const In& in);
Result<ActionOutput> decrease_retention(Context& ctx, const In& in);
Result<ActionOutput> add_tags(Context& ctx, const In& in);
Result<ActionOutput> remove_tags(Context& ctx, const In& in);
Result<ActionOutput> list_tags(Context& ctx, const In& in);
Result<ActionOutput> start_encryption(Context& ctx, const In& in);
Result<ActionOutput> stop_encryption(Context& ctx, const In& in);
Result<ActionOutput> enable_monitoring(Context& ctx, const In& in);
Result<ActionOutput> disable_monitoring(Context& ctx, const In& in);
// Enhanced fan-out (consumers.cc): the four consumer actions have the Action signature;
// SubscribeToShard answers with an event stream instead of a JSON body.
Result<ActionOutput> register_stream_consumer(Context& ctx, const boost::json::object& in);
Result<ActionOutput> describe_stream_consumer(Context& ctx, const boost::json::object& in);
Result<ActionOutput> list_stream_consumers(Context& ctx, const boost::json::object& in);
Result<ActionOutput> deregister_stream_consumer(Context& ctx, const boost::json::object& in);
Result<std::shared_ptr<BodySource>> subscribe_to_shard(Context& ctx, const boost::json::object& in,
                                                       bool cbor);

// Shared by GetRecords and SubscribeToShard events.
void append_seconds(std::string& out, int64_t ms);  // epoch seconds, 3 decimals
void append_records_json(std::string& out, const std::vector<Record>& records);  // a JSON array
// A ShardIteratorType / StartingPosition.Type the validator has already checked.
IteratorType iterator_type(std::string_view name);

}  // namespace kemu::kinesis::wire
