#pragma once
// CloudWatch Logs filter patterns over unstructured log events, the part kemu supports:
//   ERROR                  the term appears (case-sensitive, anywhere in the message)
//   ERROR Exception        every term appears (AWS: several terms are ANDed)
//   "Order rejected"       the quoted phrase appears as written
//   ?ERROR ?WARN           at least one of the ?-terms appears
//   ERROR -Retry           ERROR appears and Retry does not
// An empty pattern (or one of only spaces) matches every event. JSON patterns (`{ $.x = 1 }`)
// and space-delimited ones (`[ip, user, ...]`) are not supported: parse() says so and the API
// answers InvalidParameterException.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kemu::cloudwatch::wire {

class FilterPattern {
public:
    // nullopt: a pattern kemu does not support, or an unterminated quote.
    static std::optional<FilterPattern> parse(std::string_view pattern);
    bool matches(std::string_view message) const;

private:
    std::vector<std::string> all_, any_, none_;
};

}  // namespace kemu::cloudwatch::wire
