#pragma once
// Field rules per Kinesis action, copied from the AWS API reference. Types are checked in the
// order given here; constraint failures are listed by member name (validate.cc, reported_order;
// docs/aws/kinesis.md, Wire protocol).

#include <string_view>

#include "validate.h"

namespace kemu::kinesis::wire {

// The rules of an action, or null for an unknown action name.
const Rules* rules_for(std::string_view action);

}  // namespace kemu::kinesis::wire
