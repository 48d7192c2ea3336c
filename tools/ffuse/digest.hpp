#pragma once
// A SHA-256 of a value's content (kinds, numbers' bits, strings, arrays' dtype, shape, chunks
// and elements), independent of how it is stored: `cp` compares the source's and the copy's.
#include <string>

#include "functionfuse/functionfuse.hpp"

namespace ffuse {

/// Hex SHA-256 of `v`. Arrays must have been read (chunked_array); a lazy one is hashed by its
/// metadata only.
std::string digest(const functionfuse::value& v);

}  // namespace ffuse
