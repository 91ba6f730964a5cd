#pragma once
// The templates of a send step's bodies and partition keys: `{{i}}` (the record's index from
// 0), `{{n}}` (from 1), `{{i%K}}` (the index modulo K) and `{{seed}}` (the run's --seed).

#include <cstdint>
#include <string>

namespace kemu::scenario {

// Empty when every `{{...}}` of `text` is one of the forms above; else what is wrong.
std::string check_template(const std::string& text);

// `text` with every field replaced for record `index` (check_template passed).
std::string render_template(const std::string& text, int64_t index, uint64_t seed);

}  // namespace kemu::scenario
