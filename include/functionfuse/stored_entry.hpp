#pragma once
/// \file
/// `stored_entry`: one thing a store holds (a task result, an out-of-band object, a temporary
/// file, an unfinished upload), as maintenance tools (`ls`, `du`, `gc`) see it.

#include <chrono>
#include <cstdint>
#include <string>

namespace functionfuse {

/// A stored thing with its size and modification time.
struct stored_entry {
    /// Its name where it lives (a task name, an object's uuid4, a temporary file's name).
    std::string name;
    /// Where it lives, for people: a file path or an `s3://bucket/key` URL. Never a secret.
    std::string location;
    /// Bytes it occupies (for a zarr array: the sum of its objects).
    std::uint64_t size = 0;
    /// When it was last written (for a zarr array: its newest object; for an upload: when it
    /// was started).
    std::chrono::system_clock::time_point modified{};
};

}  // namespace functionfuse
