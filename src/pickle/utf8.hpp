#pragma once
// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. Every str
// the pickle reader creates is checked, so a `value` str is always valid UTF-8.

#include <cstdint>
#include <string>
#include <string_view>

namespace functionfuse::pickle::utf8 {

/// Whether `s` is valid UTF-8.
bool valid(std::string_view s) noexcept;

/// Appends the UTF-8 encoding of code point `cp` (which must be a scalar value).
void append(std::string& out, char32_t cp);

/// Decodes the code point at `s[pos]` of valid UTF-8 and advances `pos`.
char32_t next(std::string_view s, std::size_t& pos) noexcept;

}  // namespace functionfuse::pickle::utf8
