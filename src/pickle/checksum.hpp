#pragma once
// Result framing: a stored result is the pickle bytes followed by the 20-byte SHA-1 of those
// bytes (OpenSSL). Python checks it as `hashlib.sha1(b[:-20]).digest() == b[-20:]`.

#include <cstddef>
#include <string>
#include <string_view>

namespace functionfuse::checksum {

/// Length of the SHA-1 trailer.
inline constexpr std::size_t trailer_size = 20;

/// Appends the SHA-1 of `pickle_bytes` to it (in place; reserve 20 bytes to avoid a copy).
void append_sha1(std::string& pickle_bytes);

/// Verifies the trailer of `stored` and returns the pickle bytes before it. Throws
/// `invalid_pickle` naming `what` (e.g. the task path) if too short or the checksum differs.
std::string_view verify_sha1(std::string_view stored, std::string_view what);

}  // namespace functionfuse::checksum
