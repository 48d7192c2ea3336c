#pragma once
// Protocol 0-1 text integers (INT, LONG) beyond 64 bits, as `big_int`.

#include <optional>
#include <string_view>

#include "functionfuse/value.hpp"

namespace functionfuse::pickle {

/// Python's limit on the digits of an integer read from text (`sys.int_info`'s default
/// max_str_digits, which pickle's INT and LONG obey too); it also bounds the quadratic work.
inline constexpr std::size_t max_text_int_digits = 4300;

/// `text` (an optional sign, then decimal digits) as a `big_int` in the minimal two's
/// complement bytes LONG1 carries (what CPython writes for the same int), or nullopt if it is
/// not such a text or has more than `max_text_int_digits` digits.
std::optional<big_int> big_int_from_decimal(std::string_view text);

}  // namespace functionfuse::pickle
