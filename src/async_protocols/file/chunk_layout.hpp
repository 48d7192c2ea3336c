#pragma once
// Geometry of a chunked C-order array: where each chunk sits, whether its elements are one run
// of the array's bytes, and copying boxes between row-major buffers (gather into a chunk
// buffer, scatter out of one). Pure functions, no I/O.
#include <cstddef>
#include <vector>

namespace functionfuse::file_detail {

using shape_type = std::vector<std::size_t>;

/// One chunk: its grid coordinates' element origin and its (possibly partial) extent.
struct chunk_box {
    shape_type origin;
    shape_type extent;
};

/// The chunks of an array, in row-major grid order.
class chunk_grid {
  public:
    chunk_grid(shape_type shape, shape_type chunks);
    std::size_t count() const noexcept { return count_; }
    /// Chunk number `i` (row-major over the grid).
    chunk_box box(std::size_t i) const;
    /// Bytes of a full chunk.
    std::size_t chunk_elements() const noexcept { return chunk_elements_; }
    /// True when chunk `b` is one run of the array's bytes that also forms the start of its
    /// (full-size, row-major) chunk buffer, so it can be written or read in place.
    bool in_place(const chunk_box& b) const;
    /// Byte offset of `b.origin` in the array.
    std::size_t byte_offset(const chunk_box& b, std::size_t itemsize) const;
    const shape_type& shape() const noexcept { return shape_; }
    const shape_type& chunks() const noexcept { return chunks_; }

  private:
    shape_type shape_, chunks_, grid_;
    std::size_t count_ = 0;
    std::size_t chunk_elements_ = 1;
};

/// Copies the box `extent` starting at `src_origin` of a row-major `src_shape` buffer to
/// `dst_origin` of a row-major `dst_shape` buffer; `itemsize` bytes per element.
void copy_box(const std::byte* src, const shape_type& src_shape, const shape_type& src_origin,
              std::byte* dst, const shape_type& dst_shape, const shape_type& dst_origin,
              const shape_type& extent, std::size_t itemsize);

/// Number of elements of a shape (1 for 0-d).
std::size_t product(const shape_type& s) noexcept;

}  // namespace functionfuse::file_detail
