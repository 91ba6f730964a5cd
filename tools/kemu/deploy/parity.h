#pragma once
// "What you tested is what ships": the values a plan gives AWS, compared with what kemu
// emulates from the same kemu.yaml (docs/deploy.md, Parity check).

#include <string>
#include <vector>

#include "core/config.h"

namespace kemu::deploy {

// One line per difference, e.g. `orders: maximum_retry_attempts: AWS gets null (unset: AWS
// retries until the record expires), kemu emulates 3`. Empty when they agree. Resources the
// plan deletes are skipped; values not known until apply are not compared.
std::vector<std::string> parity_check(const Config& cfg, const std::string& show_json);

}  // namespace kemu::deploy
