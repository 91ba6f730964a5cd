#pragma once
// `kemu up` and `kemu validate`: the command line's wiring of the modules.

#include <string>

namespace kemu::cli {

struct UpOptions {
    std::string config;  // empty: ./kemu.yaml when present, else no topology
    std::string host = "127.0.0.1";
    int port = 4566;
    std::string data_dir = ".kemu/data";
    bool in_memory = false;
    std::string region = "us-east-1";
    std::string account = "000000000000";
    bool shard_limits = false;
    std::string durability = "wal";
    int status_delay_ms = 0;
    int account_shard_limit = 500;
    int sqs_purge_cooldown_ms = 60'000;  // AWS: one PurgeQueue per queue per 60 s
    int sqs_delete_cooldown_ms = 0;      // AWS: 60 s before a deleted name can be reused
    std::string log_level = "info";
};

int run_up(const UpOptions& o);
int run_validate(const std::string& config);

}  // namespace kemu::cli
