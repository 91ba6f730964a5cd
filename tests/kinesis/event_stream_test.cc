// The event-stream encoder against byte vectors computed independently (Python's zlib.crc32 and
// struct, six messages A-F whose CRCs they reproduce), and the decoder's checks.

#include "wire/event_stream.h"

#include <string>

#include <catch2/catch.hpp>

namespace kemu::kinesis::wire {
namespace {

struct Vector {
    const char* name;
    size_t total;
    uint32_t prelude_crc;
    uint32_t message_crc;
    const char* hex;
};

const Vector kVectors[] = {
    {"A", 16, 0x05c248ebu, 0x7d98c8ffu, "000000100000000005c248eb7d98c8ff"},
    {"B", 104, 0x4e681724u, 0xaf594a01u,
     "00000068000000564e6817240b3a6576656e742d74797065070010696e697469616c2d726573706f6e73650d3a6d6"
     "573"
     "736167652d747970650700056576656e740d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6"
     "a73"
     "6f6e7b7daf594a01"},
    {"C", 232, 0x813fdb0bu, 0x58321ca6u,
     "000000e80000005b813fdb0b0b3a6576656e742d74797065070015537562736372696265546f53686172644576656"
     "e74"
     "0d3a6d6573736167652d747970650700056576656e740d3a636f6e74656e742d747970650700106170706c6963617"
     "469"
     "6f6e2f6a736f6e7b225265636f726473223a5b5d2c22436f6e74696e756174696f6e53657175656e63654e756d626"
     "572"
     "223a22343936343634333735373731303834373634313639313638373634303538333139373430353436383335313"
     "132"
     "3734363434343339303432222c224d696c6c6973426568696e644c6174657374223a307d58321ca6"},
    {"D", 223, 0x245892a0u, 0x8192473du,
     "000000df00000064245892a00f3a657863657074696f6e2d747970650700165265736f75726365496e55736545786"
     "365"
     "7074696f6e0d3a6d6573736167652d74797065070009657863657074696f6e0d3a636f6e74656e742d74797065070"
     "010"
     "6170706c69636174696f6e2f6a736f6e7b226d657373616765223a22416e6f7468657220616374697665207375627"
     "363"
     "72697074696f6e2065786973747320666f72207468697320636f6e73756d65723a203030303030303030303030303"
     "a73"
     "313a736861726449642d3030303030303030303030303a6331227d8192473d"},
    {"E", 392, 0xd3517fe3u, 0xd6a64cc4u,
     "000001880000005bd3517fe30b3a6576656e742d74797065070015537562736372696265546f53686172644576656"
     "e74"
     "0d3a6d6573736167652d747970650700056576656e740d3a636f6e74656e742d747970650700106170706c6963617"
     "469"
     "6f6e2f6a736f6e7b225265636f726473223a5b7b2253657175656e63654e756d626572223a2234393634363433373"
     "537"
     "373130383437363431363931363837363430353833313937343035343638333531313237343634343433393034322"
     "22c"
     "22417070726f78696d6174654172726976616c54696d657374616d70223a313730303030303132332e3435362c224"
     "461"
     "7461223a22614756736247383d222c22506172746974696f6e4b6579223a22706b227d5d2c22436f6e74696e75617"
     "469"
     "6f6e53657175656e63654e756d626572223a223439363436343337353737313038343736343136393136383736343"
     "035"
     "383331393734303534363833353131323734363434343339303432222c224d696c6c6973426568696e644c6174657"
     "374"
     "223a307dd6a64cc4"},
    {"F", 294, 0x1c465e14u, 0x06bd7a2bu,
     "000001260000005b1c465e140b3a6576656e742d74797065070015537562736372696265546f53686172644576656"
     "e74"
     "0d3a6d6573736167652d747970650700056576656e740d3a636f6e74656e742d747970650700106170706c6963617"
     "469"
     "6f6e2f6a736f6e7b225265636f726473223a5b5d2c224d696c6c6973426568696e644c6174657374223a302c22436"
     "869"
     "6c64536861726473223a5b7b2253686172644964223a22736861726449642d303030303030303030303031222c225"
     "061"
     "72656e74536861726473223a5b22736861726449642d303030303030303030303030225d2c22486173684b6579526"
     "16e"
     "6765223a7b225374617274696e67486173684b6579223a2230222c22456e64696e67486173684b6579223a2231227"
     "d7d"
     "5d7d06bd7a2b"},
};

std::string unhex(std::string_view h) {
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

const Vector& vec(std::string_view name) {
    for (const auto& v : kVectors) {
        if (v.name == name) return v;
    }
    FAIL("no vector " << name);
    return kVectors[0];
}

uint32_t u32_at(const std::string& b, size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i)
        v = (v << 8) | static_cast<uint8_t>(b[at + i]);
    return v;
}

const std::string kSeq = "49646437577108476416916876405831974054683511274644439042";

std::string built(std::string_view name) {
    if (name == "A") return encode_event({}, "");
    if (name == "B") return initial_response_event("{}", "application/json");
    if (name == "C") {
        return subscribe_to_shard_event(R"({"Records":[],"ContinuationSequenceNumber":")" + kSeq +
                                            R"(","MillisBehindLatest":0})",
                                        "application/json");
    }
    if (name == "D") {
        return exception_event("ResourceInUseException",
                               "Another active subscription exists for this consumer: "
                               "000000000000:s1:shardId-000000000000:c1");
    }
    if (name == "E") {
        return subscribe_to_shard_event(
            R"({"Records":[{"SequenceNumber":")" + kSeq +
                R"(","ApproximateArrivalTimestamp":1700000123.456,"Data":"aGVsbG8=","PartitionKey":"pk"}],"ContinuationSequenceNumber":")" +
                kSeq + R"(","MillisBehindLatest":0})",
            "application/json");
    }
    return subscribe_to_shard_event(
        R"({"Records":[],"MillisBehindLatest":0,"ChildShards":[{"ShardId":"shardId-000000000001","ParentShards":["shardId-000000000000"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"}}]})",
        "application/json");
}

}  // namespace

TEST_CASE("event stream: crc32 is zlib's", "[kinesis][eventstream]") {
    CHECK(crc32("") == 0u);
    CHECK(crc32("123456789") == 0xcbf43926u);
}

TEST_CASE("event stream: messages A-F match the known-good bytes", "[kinesis][eventstream]") {
    for (const char* name : {"A", "B", "C", "D", "E", "F"}) {
        INFO("vector " << name);
        const auto& v = vec(name);
        std::string want = unhex(v.hex);
        std::string got = built(name);
        REQUIRE(want.size() == v.total);
        CHECK(got.size() == v.total);
        CHECK(u32_at(got, 0) == v.total);
        CHECK(u32_at(got, 8) == v.prelude_crc);
        CHECK(u32_at(got, got.size() - 4) == v.message_crc);
        CHECK(got == want);
    }
}

TEST_CASE("event stream: the decoder reads back headers and payload", "[kinesis][eventstream]") {
    std::string bytes = unhex(vec("D").hex) + unhex(vec("B").hex);
    size_t used = 0;
    auto m = decode_event(bytes, &used);
    REQUIRE(m);
    CHECK(used == vec("D").total);
    REQUIRE(m->header(":exception-type"));
    CHECK(m->header(":exception-type")->value == "ResourceInUseException");
    CHECK(m->header(":message-type")->value == "exception");
    CHECK(m->payload.starts_with(R"({"message":"Another active)"));
    auto next = decode_event(std::string_view(bytes).substr(used), &used);
    REQUIRE(next);
    CHECK(next->header(":event-type")->value == "initial-response");
    CHECK(next->payload == "{}");
}

TEST_CASE("event stream: the decoder refuses any flipped bit and a wrong length",
          "[kinesis][eventstream]") {
    std::string good = unhex(vec("E").hex);
    REQUIRE(decode_event(good));
    for (size_t i = 0; i < good.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            std::string bad = good;
            bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
            if (decode_event(bad)) FAIL("accepted a flip at byte " << i << " bit " << bit);
        }
    }
    CHECK_FALSE(decode_event(good.substr(0, good.size() - 1)));  // truncated
    std::string longer = good;
    longer[3] = static_cast<char>(longer[3] + 1);  // total says one byte more than there is
    CHECK_FALSE(decode_event(longer));
}

TEST_CASE("event stream: the decoder accepts all ten header value types",
          "[kinesis][eventstream]") {
    std::string h;
    auto name = [&](std::string_view n, uint8_t type) {
        h.push_back(static_cast<char>(n.size()));
        h.append(n);
        h.push_back(static_cast<char>(type));
    };
    name("t", 0);
    name("f", 1);
    name("b", 2);
    h.push_back('\x7f');
    name("s", 3);
    h.append("\x01\x02", 2);
    name("i", 4);
    h.append("\x00\x00\x01\x00", 4);
    name("l", 5);
    h.append(std::string(7, '\0') + "\x05");
    name("y", 6);
    h.append("\x00\x02\xff\xfe", 4);
    name("z", 7);
    h.append("\x00\x02ok", 4);
    name("ts", 8);
    h.append(std::string(8, '\x01'));
    name("u", 9);
    h.append(std::string(16, '\x0a'));
    std::string msg;
    auto put = [&](uint32_t v) {
        for (int i = 3; i >= 0; --i)
            msg.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    };
    put(static_cast<uint32_t>(16 + h.size() + 3));
    put(static_cast<uint32_t>(h.size()));
    put(crc32(msg));
    msg += h + "abc";
    put(crc32(msg));
    auto m = decode_event(msg);
    REQUIRE(m);
    REQUIRE(m->headers.size() == 10);
    CHECK(m->headers[0].type == 0);
    CHECK(m->headers[2].value == "\x7f");
    CHECK(m->headers[6].value == "\xff\xfe");
    CHECK(m->header("z")->value == "ok");
    CHECK(m->header("u")->value.size() == 16);
    CHECK(m->payload == "abc");
}

}  // namespace kemu::kinesis::wire
