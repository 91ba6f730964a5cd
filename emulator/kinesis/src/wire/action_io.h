#pragma once
// What the action files share: reading a validated request body (members absent or null read
// as nullopt) and writing the JSON parts several answers carry.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "actions.h"

namespace kemu::kinesis::wire {

using Out = Result<ActionOutput>;

const boost::json::value* field(const boost::json::object& in, std::string_view name);
std::optional<std::string> opt_string(const boost::json::object& in, std::string_view name);
std::optional<int64_t> opt_int(const boost::json::object& in, std::string_view name);
// Timestamps arrive as epoch seconds (integer or fraction).
std::optional<int64_t> opt_timestamp_ms(const boost::json::object& in, std::string_view name);

// The stream a request names, by StreamARN (its account and region) or StreamName.
Result<StreamKey> stream_key(Context& ctx, const boost::json::object& in);

ActionOutput empty();  // 200 with no body
ActionOutput body(const boost::json::object& o);

boost::json::object hash_range(const HashRange& r);
boost::json::object shard_json(const ShardDesc& s);
boost::json::array metrics_json(const std::vector<std::string>& m);
boost::json::array enhanced_monitoring(const std::vector<std::string>& m);

// `s` cut at every `sep` (paging tokens' fields).
std::vector<std::string_view> split(std::string_view s, char sep);

}  // namespace kemu::kinesis::wire
