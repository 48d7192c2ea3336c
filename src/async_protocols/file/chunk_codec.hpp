#pragma once
// HDF5's shuffle and deflate filters, applied by us so chunks can be compressed in parallel
// outside HDF5's global lock and written raw with H5Dwrite_chunk. The output is byte-for-byte
// what HDF5's pipeline (shuffle, then deflate) stores, so any HDF5 reader decodes it.
#include <cstddef>
#include <optional>
#include <vector>

namespace functionfuse::file_detail {

/// HDF5 shuffle: byte j of element i goes to position j * count + i; trailing bytes that do
/// not form a whole element are copied unchanged.
void shuffle(const std::byte* in, std::byte* out, std::size_t nbytes, std::size_t itemsize);

/// HDF5 deflate: a zlib stream (RFC 1950) of `in` at `level` (0-9), appended to `out`.
/// Throws `io_error` if zlib fails.
void deflate(const std::byte* in, std::size_t nbytes, int level, std::vector<std::byte>& out);

/// Shuffle (if asked) then deflate (if a level is given) one full chunk; `scratch` is reused.
/// Returns the bytes to store.
std::vector<std::byte> encode_chunk(const std::byte* chunk, std::size_t nbytes,
                                    std::size_t itemsize, bool do_shuffle,
                                    std::optional<int> gzip_level, std::vector<std::byte>& scratch);

}  // namespace functionfuse::file_detail
