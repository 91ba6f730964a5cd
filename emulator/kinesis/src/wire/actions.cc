// The action table: X-Amz-Target's operation name -> its function.

#include "actions.h"

#include <map>

namespace kemu::kinesis::wire {

Action action_for(std::string_view name) {
    static const std::map<std::string, Action, std::less<>> kActions = {
        {"CreateStream", create_stream},
        {"DeleteStream", delete_stream},
        {"DescribeStream", describe_stream},
        {"DescribeStreamSummary", describe_stream_summary},
        {"ListStreams", list_streams},
        {"ListShards", list_shards},
        {"PutRecord", put_record},
        {"PutRecords", put_records},
        {"GetShardIterator", get_shard_iterator},
        {"GetRecords", get_records},
        {"SplitShard", split_shard},
        {"MergeShards", merge_shards},
        {"UpdateShardCount", update_shard_count},
        {"IncreaseStreamRetentionPeriod", increase_retention},
        {"DecreaseStreamRetentionPeriod", decrease_retention},
        {"AddTagsToStream", add_tags},
        {"RemoveTagsFromStream", remove_tags},
        {"ListTagsForStream", list_tags},
        {"StartStreamEncryption", start_encryption},
        {"StopStreamEncryption", stop_encryption},
        {"EnableEnhancedMonitoring", enable_monitoring},
        {"DisableEnhancedMonitoring", disable_monitoring},
        {"DescribeLimits", describe_limits},
        {"RegisterStreamConsumer", register_stream_consumer},
        {"DescribeStreamConsumer", describe_stream_consumer},
        {"ListStreamConsumers", list_stream_consumers},
        {"DeregisterStreamConsumer", deregister_stream_consumer},
    };
    auto it = kActions.find(name);
    return it == kActions.end() ? nullptr : it->second;
}

}  // namespace kemu::kinesis::wire
