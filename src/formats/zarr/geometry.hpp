#pragma once
/// \file
/// Chunk geometry of a zarr v2 array: the chunk grid, chunk keys, which chunks a region
/// (hyperslab) touches, and copying between a C-order array (or region) buffer and full-size
/// chunk buffers. Buffers here are in native byte order; `chunk_codec.hpp` handles the stored
/// order and compression.
///
/// Copies move contiguous runs: trailing dimensions that are whole in both buffers are merged,
/// so e.g. a chunk spanning full rows is copied with one memcpy per run.
///
/// Pure functions, no I/O, thread-safe. Buffer-size mismatches (a caller bug) throw
/// `functionfuse::error`; overflow of a hostile `.zarray`'s sizes throws `format_error`.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "formats/zarr/metadata.hpp"

namespace functionfuse::zarr {

/// The position of a chunk in the chunk grid, one coordinate per dimension.
using chunk_index = std::vector<std::uint64_t>;

/// A hyperslab of an array: `start[i] .. start[i] + count[i]` in each dimension.
struct region {
    shape_type start;
    shape_type count;
    friend bool operator==(const region&, const region&) = default;
};

/// Number of elements of `shape` (1 for a 0-d shape); throws `format_error` on overflow.
std::uint64_t element_count(std::span<const std::uint64_t> shape);

/// Chunks per dimension: ceil(shape / chunks); 0 where the array extent is 0.
shape_type chunk_grid_shape(const array_metadata& m);

/// Total number of chunks (1 for a 0-d array, 0 if any extent is 0).
std::uint64_t chunk_count(const array_metadata& m);

/// Bytes of one full chunk (every chunk, edge ones included, is stored at full size).
std::size_t chunk_byte_size(const array_metadata& m);

/// Bytes of the whole array in C order; throws `format_error` if it does not fit memory.
std::size_t array_byte_size(const array_metadata& m);

/// The chunk's key relative to the array: coordinates joined by `separator` (`"0.3.1"`);
/// `"0"` for the single chunk of a 0-d array.
std::string chunk_key(std::span<const std::uint64_t> index, char separator = '.');
/// `chunk_key(index, m.dimension_separator)`.
std::string chunk_key(const array_metadata& m, std::span<const std::uint64_t> index);

/// Parses a chunk key of an array of rank `rank` (e.g. from a listing); nullopt if `key` is
/// not one (wrong count, not decimal, leading '+'/'-').
std::optional<chunk_index> parse_chunk_key(std::string_view key, std::size_t rank,
                                           char separator = '.');

/// Every chunk of the array in C order (last dimension fastest).
std::vector<chunk_index> all_chunks(const array_metadata& m);

/// The chunks that intersect `r`, in C order. Empty if `r` is empty.
/// Throws `format_error` if `r` has the wrong rank or extends past the array.
std::vector<chunk_index> chunks_for_region(const array_metadata& m, const region& r);

/// Number of chunks that intersect `r` (same errors as `chunks_for_region`).
std::uint64_t chunk_count(const array_metadata& m, const region& r);

/// Calls `f` for every chunk that intersects `r`, in C order, without building a list (for
/// arrays with very many chunks, or to start work per chunk as indices are produced).
/// Same errors as `chunks_for_region`; exceptions from `f` propagate.
void for_each_chunk(const array_metadata& m, const region& r,
                    const std::function<void(const chunk_index&)>& f);

/// The part of chunk `index` that lies inside the array (edge chunks are clipped).
region chunk_region(const array_metadata& m, std::span<const std::uint64_t> index);

/// Fills `out` (a whole number of elements) with the array's fill value in native order.
void fill_with_fill_value(const array_metadata& m, std::span<std::byte> out);

/// The byte offset of chunk `index` in the whole C-order array when the chunk is a complete
/// (not an edge chunk) and contiguous run of it, so its decoded bytes can be sent from there
/// as they are; nullopt otherwise. Contiguous: every dimension after the first one whose
/// chunk extent is not 1 is whole (1-d arrays; blocks of whole rows).
std::optional<std::size_t> contiguous_chunk_offset(const array_metadata& m,
                                                   std::span<const std::uint64_t> index);

/// Copies chunk `index` out of the whole C-order `array` (`array_byte_size(m)` bytes) into
/// `chunk` (`chunk_byte_size(m)` bytes); the part of an edge chunk past the array's end is
/// set to the fill value, as zarr stores it.
void extract_chunk(const array_metadata& m, std::span<const std::byte> array,
                   std::span<const std::uint64_t> index, std::span<std::byte> chunk);

/// Writes a decoded full-size `chunk` back into the whole C-order `array`, dropping the part
/// of an edge chunk past the array's end.
void insert_chunk(const array_metadata& m, std::span<const std::byte> chunk,
                  std::span<const std::uint64_t> index, std::span<std::byte> array);

/// Copies the part of decoded `chunk` that lies in `r` into `out`, a C-order buffer of shape
/// `r.count`. Chunks outside `r` copy nothing.
void copy_chunk_to_region(const array_metadata& m, std::span<const std::byte> chunk,
                          std::span<const std::uint64_t> index, const region& r,
                          std::span<std::byte> out);

/// Copies an n-d box between two C-order buffers of elements of `itemsize` bytes:
/// `extent` elements starting at `src_start` in a buffer of shape `src_shape` go to
/// `dst_start` in a buffer of shape `dst_shape`. The caller guarantees the boxes lie within
/// the shapes and the buffers hold the shapes. Rank 0 copies one element.
void copy_box(std::size_t itemsize, std::span<const std::byte> src,
              std::span<const std::uint64_t> src_shape, std::span<const std::uint64_t> src_start,
              std::span<std::byte> dst, std::span<const std::uint64_t> dst_shape,
              std::span<const std::uint64_t> dst_start, std::span<const std::uint64_t> extent);

}  // namespace functionfuse::zarr
