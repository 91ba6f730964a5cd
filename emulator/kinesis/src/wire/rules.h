#pragma once
// Field rules per Kinesis action, copied from the AWS API reference (docs/aws/kinesis.md, Wire
// protocol gives the member order AWS reports them in).

#include <string_view>

#include "validate.h"

namespace kemu::kinesis::wire {

// The rules of an action, or null for an unknown action name.
const Rules* rules_for(std::string_view action);

}  // namespace kemu::kinesis::wire
