#pragma once
// The time the CloudWatch tests start at: a minute boundary, in ms since the epoch.

#include <cstdint>

namespace kemu::test {

inline constexpr int64_t kT0 = 1'700'000'040'000;

}  // namespace kemu::test
