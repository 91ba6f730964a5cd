#include "core/encoding.h"

#include <cmath>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace kemu;

TEST_CASE("http_date writes RFC 7231 IMF-fixdate whatever the locale", "[encoding]") {
    CHECK(http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(http_date(1'700'000'000'999) == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK(http_date(951'782'400'000) == "Tue, 29 Feb 2000 00:00:00 GMT");
    static const std::regex kFixdate(
        R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)");
    CHECK(std::regex_match(http_date_now(), kFixdate));
}

TEST_CASE("iso8601_ms keeps the milliseconds", "[encoding]") {
    CHECK(iso8601_ms(1'700'000'000'042) == "2023-11-14T22:13:20.042Z");
}

TEST_CASE("valid_utf8 accepts well-formed UTF-8 and nothing else", "[encoding]") {
    CHECK(valid_utf8(""));
    CHECK(valid_utf8("plain ascii"));
    CHECK(valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // été € 😀
    CHECK(valid_utf8("\xf4\x8f\xbf\xbf"));                                 // U+10FFFF
    CHECK_FALSE(valid_utf8("\xff"));
    CHECK_FALSE(valid_utf8("\xc3"));              // truncated
    CHECK_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
    CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate
    CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
    CHECK_FALSE(valid_utf8("a\x80z"));            // a lone continuation byte
}

TEST_CASE("parse_int64 takes a whole decimal integer and nothing else", "[encoding]") {
    CHECK(parse_int64("0") == 0);
    CHECK(parse_int64("-42") == -42);
    CHECK(parse_int64("007") == 7);
    CHECK(parse_int64("9223372036854775807") == INT64_MAX);
    CHECK_FALSE(parse_int64(""));
    CHECK_FALSE(parse_int64("-"));
    CHECK_FALSE(parse_int64("+1"));
    CHECK_FALSE(parse_int64(" 1"));
    CHECK_FALSE(parse_int64("1.5"));
    CHECK_FALSE(parse_int64("12x"));
    CHECK_FALSE(parse_int64("9223372036854775808"));  // overflow
}

TEST_CASE("whole_int64 truncates a number in int64's range and refuses the rest", "[encoding]") {
    CHECK(whole_int64(0.0) == 0);
    CHECK(whole_int64(1.9) == 1);
    CHECK(whole_int64(-1.9) == -1);
    CHECK(whole_int64(-9223372036854775808.0) == INT64_MIN);
    CHECK(whole_int64(9223372036854774784.0) == 9223372036854774784);  // the largest below 2^63
    CHECK_FALSE(whole_int64(9223372036854775808.0));                   // 2^63
    CHECK_FALSE(whole_int64(-2.95879e+287));  // the fuzz input that found the unchecked cast
    CHECK_FALSE(whole_int64(std::numeric_limits<double>::infinity()));
    CHECK_FALSE(whole_int64(-std::numeric_limits<double>::infinity()));
    CHECK_FALSE(whole_int64(std::nan("")));
}

TEST_CASE("append_json_string escapes quotes, backslashes and control characters", "[encoding]") {
    std::string out = "x=";
    append_json_string(out, std::string("a\"b\\c\n\t\x01\xc3\xa9", 10));
    CHECK(out == "x=\"a\\\"b\\\\c\\n\\t\\u0001\xc3\xa9\"");
}

TEST_CASE("xml_escape keeps text and attributes parseable, carriage returns byte for byte",
          "[encoding]") {
    std::string out;
    kemu::xml_escape("a<b>&\"c'\r\n\t\x01", out);
    CHECK(out == "a&lt;b&gt;&amp;&quot;c&apos;&#xD;\n\t?");
}

TEST_CASE("forms decode '+' and %XX, keep order and refuse bad escapes", "[core]") {
    auto f = kemu::parse_form("Action=Describe&Name=a+b%2Fc&&Empty=&Flag");
    REQUIRE(f);
    REQUIRE(f->size() == 4);
    CHECK((*f)[0] == std::pair<std::string, std::string>{"Action", "Describe"});
    CHECK((*f)[1].second == "a b/c");
    CHECK((*f)[2] == std::pair<std::string, std::string>{"Empty", ""});
    CHECK((*f)[3] == std::pair<std::string, std::string>{"Flag", ""});
    CHECK_FALSE(kemu::parse_form("a=%zz"));
    CHECK_FALSE(kemu::parse_form("a=%4"));
    CHECK(kemu::form_decode("%e2%82%AC") == "\xe2\x82\xac");
}

TEST_CASE("base64 round-trips bytes and refuses what is not strict base64", "[encoding]") {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    for (size_t n = 0; n <= all.size(); n += 37) {
        auto text = base64_encode(all.substr(0, n));
        auto back = base64_decode(text);
        REQUIRE(back);
        CHECK(*back == all.substr(0, n));
        CHECK(base64_canonical(text));
    }
    CHECK(base64_decode("aGk=") == std::optional<std::string>("hi"));
    CHECK(base64_decode("") == std::optional<std::string>(""));
    for (const char* bad : {"aGk", "aG=k", "a===", "====", "aGk!", "aG\x80=", "=aGk", "aGk=aGk="})
        CHECK_FALSE(base64_decode(bad));
}

TEST_CASE("base64_canonical says what decoding and encoding again would", "[encoding]") {
    // Every 4-character string over an alphabet with letters, digits, '+', '/', '=' and bytes
    // outside base64, and 8-character strings made of two such groups: the check must agree
    // with the round trip exactly (the Kinesis validator relies on it for Blob messages).
    const std::string alphabet = "AQRZaz09+/=-\xff";
    std::vector<std::string> groups;
    for (char a : alphabet)
        for (char b : alphabet)
            for (char c : alphabet)
                for (char d : alphabet)
                    groups.push_back({a, b, c, d});
    auto round_trip = [](const std::string& s) {
        auto d = base64_decode(s);
        return d && base64_encode(*d) == s;
    };
    size_t canonical = 0;
    for (const auto& g : groups) {
        INFO(g);
        REQUIRE(base64_canonical(g) == round_trip(g));
        canonical += base64_canonical(g);
    }
    CHECK(canonical > 0);
    CHECK(canonical < groups.size());
    for (size_t i = 0; i < groups.size(); i += 97) {
        for (size_t j = 0; j < groups.size(); j += 389) {
            auto s = groups[i] + groups[j];
            INFO(s);
            REQUIRE(base64_canonical(s) == round_trip(s));
        }
    }
    CHECK(base64_canonical(""));
    CHECK_FALSE(base64_canonical("QQ="));
}
