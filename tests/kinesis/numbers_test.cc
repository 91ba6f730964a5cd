#include "kinesis/numbers.h"

#include <catch2/catch.hpp>

using namespace kemu::kinesis;

TEST_CASE("uniform ranges split the key space as CreateStream does", "[kinesis]") {
    auto r3 = uniform_ranges(3);
    REQUIRE(u128_to_string(r3[0].end) == "113427455640312821154458202477256070484");
    REQUIRE(u128_to_string(r3[1].start) == "113427455640312821154458202477256070485");
    REQUIRE(u128_to_string(r3[2].start) == "226854911280625642308916404954512140970");
    REQUIRE(u128_to_string(r3[2].end) == "340282366920938463463374607431768211455");
    auto r4 = uniform_ranges(4);
    REQUIRE(u128_to_string(r4[1].start) == "85070591730234615865843651857942052864");
    REQUIRE(u128_to_string(r4[3].start) == "255211775190703847597530955573826158592");
    auto r1 = uniform_ranges(1);
    REQUIRE(r1[0].start == 0);
    REQUIRE(r1[0].end == kMaxHashKey);
}

TEST_CASE("partition keys route by MD5 to the shards AWS picks", "[kinesis]") {
    auto r3 = uniform_ranges(3);
    auto shard_of = [&](const char* key) {
        u128 h = hash_partition_key(key);
        for (int i = 0; i < 3; ++i) {
            if (r3[i].contains(h)) return i;
        }
        return -1;
    };
    CHECK(shard_of("a") == 0);
    CHECK(shard_of("b") == 1);
    CHECK(shard_of("e") == 2);
    CHECK(shard_of("f") == 1);
    CHECK(shard_of("1") == 2);
    CHECK(shard_of("hello") == 1);
}

TEST_CASE("sequence numbers encode the version-2 layout", "[kinesis]") {
    std::string s = encode_sequence({2, 1700000000, 0, 5, 1700000123});
    REQUIRE(s == "49646437577108476416916876405831974054683511274644439042");
    auto p = decode_sequence(s);
    REQUIRE(p);
    CHECK(p->version == 2);
    CHECK(p->shard_create_secs == 1700000000);
    CHECK(p->seq_ix == 5);
    CHECK(p->record_secs == 1700000123);
    CHECK(p->shard_index == 0);
}

TEST_CASE("start numbers of adjacent shards differ by a constant", "[kinesis]") {
    // Shards 0 and 1 of one stream differ in the index digit and the index field.
    auto a = encode_sequence({2, 1700000000, 0, 0, 1700000000});
    auto b = encode_sequence({2, 1700000000, 1, 0, 1700000000});
    REQUIRE(a.size() == 56);
    REQUIRE(b.size() == 56);
    // b - a == 22300745198530623141535718272648361505980432 (checked digit-wise by subtraction)
    std::string diff;
    int borrow = 0;
    for (int i = 55; i >= 0; --i) {
        int d = (b[i] - '0') - (a[i] - '0') - borrow;
        borrow = d < 0;
        diff.insert(diff.begin(), static_cast<char>('0' + (d + 10) % 10));
    }
    diff.erase(0, diff.find_first_not_of('0'));
    REQUIRE(diff == "22300745198530623141535718272648361505980432");
}

TEST_CASE("invalid sequence numbers are refused as AWS refuses them", "[kinesis]") {
    CHECK_FALSE(decode_sequence("abc"));
    CHECK_FALSE(decode_sequence(""));
    // Exactly 2^185 ("2" then 46 hex zeros) is invalid; version digit 3 is invalid; 2 is valid.
    CHECK_FALSE(decode_sequence("49039857307708443467467104868809893875799651909875269632"));
    CHECK_FALSE(decode_sequence("49039857307708443467467104868809893875799651909875269635"));
    CHECK(decode_sequence("49039857307708443467467104868809893875799651909875269634"));
    // Version-0 numbers decode (GetShardIterator answers 500 for them), with their shard index.
    auto v0 = decode_sequence("0");
    REQUIRE(v0);
    CHECK(v0->version == 0);
    auto v5 = decode_sequence("5");
    REQUIRE(v5);
    CHECK(v5->shard_index == 5);
    // A version-0 number dated too far ahead (hex digits 1-9, once 2^124 is added below it:
    // 0x3bb2cc3d8 s, in 2477) is invalid, as in every version; one second earlier decodes.
    CHECK_FALSE(decode_sequence("26227199374822427428162556223570313216"));   // 0x13bb2cc3d8 0…
    CHECK_FALSE(decode_sequence("4959551442263773461701643259084800000"));    // 0x3bb2cc3d8 0…
    auto before = decode_sequence("26227199374512942418341211154845532165");  // 0x13bb2cc3d7 …5
    REQUIRE(before);
    CHECK(before->version == 0);
    CHECK(before->shard_create_secs == 16025174999);
    CHECK(before->shard_index == 5);
}

TEST_CASE("shard ids parse leniently and print canonically", "[kinesis]") {
    CHECK(shard_id(5) == "shardId-000000000005");
    CHECK(parse_shard_id("shardId-5") == 5);
    CHECK(parse_shard_id("shard-0") == 0);
    CHECK(parse_shard_id("xyz-0") == 0);
    CHECK(parse_shard_id("5") == 5);
    CHECK(parse_shard_id("-00002147483647") == 2147483647);
    CHECK_FALSE(parse_shard_id("ABKLFD8"));
    CHECK_FALSE(parse_shard_id("2.14E4"));
    CHECK_FALSE(parse_shard_id("2147483648"));
    CHECK_FALSE(parse_shard_id("shardId-002147483648"));
    CHECK(shard_id(-2147483647 - 1) == "shardId--02147483648");
}

TEST_CASE("hash keys parse up to 2^128-1", "[kinesis]") {
    CHECK(parse_u128("340282366920938463463374607431768211455") == kMaxHashKey);
    CHECK_FALSE(parse_u128("340282366920938463463374607431768211456"));
    CHECK_FALSE(parse_u128("12a"));
    CHECK(parse_u128("0") == static_cast<u128>(0));
}
