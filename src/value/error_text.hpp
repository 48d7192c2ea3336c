#pragma once
// How user-supplied text (names, paths, keys) appears inside error messages: control bytes
// shown as \xNN, so a message stays one readable line, and long text cut short, so a
// 10,000-character task name does not produce a 10 KB message (or flood a log).

#include <cstddef>
#include <string>
#include <string_view>

namespace functionfuse::detail {

/// The most characters of one piece of text an error message quotes.
inline constexpr std::size_t max_quoted_chars = 200;

/// `text` for an error message: bytes below 0x20 and 0x7F as `\xNN`; longer than
/// `max_quoted_chars`, its first `max_quoted_chars` bytes followed by "…(N bytes)", N being
/// the full length. The cut never splits a UTF-8 sequence.
std::string shown(std::string_view text);

/// Appends `text` to `out` with bytes below 0x20 and 0x7F as `\xNN` (no cut): one line.
void append_escaped(std::string& out, std::string_view text);

}  // namespace functionfuse::detail
