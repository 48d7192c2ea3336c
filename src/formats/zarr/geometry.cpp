// Chunk grid arithmetic and box copies between C-order buffers. Every size derived from a
// `.zarray` is computed with overflow checks, because the metadata may come from anywhere.

#include "formats/zarr/geometry.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace functionfuse::zarr {

namespace {

std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, const char* what) {
    std::uint64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        throw format_error(std::string("zarr: ") + what + " overflows 64 bits");
    return r;
}

std::size_t to_size(std::uint64_t n, const char* what) {
    if (n > static_cast<std::uint64_t>(PTRDIFF_MAX))
        throw format_error(std::string("zarr: ") + what + " is too large for memory");
    return static_cast<std::size_t>(n);
}

void check_rank(const array_metadata& m, std::size_t rank, const char* what) {
    if (m.chunks.size() != m.shape.size())
        throw format_error("zarr: 'chunks' and 'shape' differ in rank");
    if (rank != m.shape.size())
        throw error(std::string("zarr: ") + what + " has rank " + std::to_string(rank) +
                    ", the array has rank " + std::to_string(m.shape.size()));
}

void check_index(const array_metadata& m, std::span<const std::uint64_t> index) {
    check_rank(m, index.size(), "chunk index");
    auto grid = chunk_grid_shape(m);
    for (std::size_t i = 0; i < index.size(); ++i)
        if (index[i] >= grid[i])
            throw error("zarr: chunk index " + chunk_key(index) + " is outside the chunk grid");
}

void check_buffer(std::size_t have, std::size_t want, const char* what) {
    if (have != want)
        throw error(std::string("zarr: ") + what + " buffer has " + std::to_string(have) +
                    " bytes, expected " + std::to_string(want));
}

}  // namespace

std::uint64_t element_count(std::span<const std::uint64_t> shape) {
    std::uint64_t n = 1;
    for (auto x : shape)
        n = checked_mul(n, x, "element count");
    return n;
}

shape_type chunk_grid_shape(const array_metadata& m) {
    check_rank(m, m.shape.size(), "shape");
    shape_type grid(m.shape.size());
    for (std::size_t i = 0; i < grid.size(); ++i) {
        if (m.chunks[i] == 0)
            throw format_error("zarr: 'chunks' has a 0 extent");
        grid[i] = m.shape[i] / m.chunks[i] + (m.shape[i] % m.chunks[i] != 0);
    }
    return grid;
}

std::uint64_t chunk_count(const array_metadata& m) {
    auto grid = chunk_grid_shape(m);
    return element_count(grid);
}

std::size_t chunk_byte_size(const array_metadata& m) {
    return to_size(checked_mul(element_count(m.chunks), m.dtype.itemsize(), "chunk byte size"),
                   "chunk");
}

std::size_t array_byte_size(const array_metadata& m) {
    return to_size(checked_mul(element_count(m.shape), m.dtype.itemsize(), "array byte size"),
                   "array");
}

std::string chunk_key(std::span<const std::uint64_t> index, char separator) {
    if (index.empty())
        return "0";
    std::string key;
    for (std::size_t i = 0; i < index.size(); ++i) {
        if (i)
            key += separator;
        key += std::to_string(index[i]);
    }
    return key;
}

std::string chunk_key(const array_metadata& m, std::span<const std::uint64_t> index) {
    return chunk_key(index, m.dimension_separator);
}

std::optional<chunk_index> parse_chunk_key(std::string_view key, std::size_t rank, char separator) {
    if (rank == 0)
        return key == "0" ? std::optional<chunk_index>(chunk_index{}) : std::nullopt;
    chunk_index out;
    std::size_t pos = 0;
    while (true) {
        auto end = key.find(separator, pos);
        auto part = key.substr(pos, end == std::string_view::npos ? key.size() - pos : end - pos);
        std::uint64_t v;
        auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (part.empty() || ec != std::errc{} || p != part.data() + part.size())
            return std::nullopt;
        out.push_back(v);
        if (end == std::string_view::npos)
            break;
        pos = end + 1;
    }
    if (out.size() != rank)
        return std::nullopt;
    return out;
}

namespace {
// Calls f(index) for every index in the box [lo, hi] (inclusive) in C order.
template <class F>
void for_each_index(const shape_type& lo, const shape_type& hi, F&& f) {
    chunk_index idx = lo;
    while (true) {
        f(idx);
        std::size_t d = idx.size();
        while (d > 0) {
            --d;
            if (idx[d] < hi[d]) {
                ++idx[d];
                break;
            }
            idx[d] = lo[d];
            if (d == 0)
                return;
        }
        if (idx.empty())
            return;
    }
}
}  // namespace

std::vector<chunk_index> all_chunks(const array_metadata& m) {
    region whole{shape_type(m.shape.size(), 0), m.shape};
    return chunks_for_region(m, whole);
}

namespace {
// The inclusive box of chunk coordinates [lo, hi] that `r` touches; nullopt if `r` is empty.
std::optional<std::pair<shape_type, shape_type>> chunk_box(const array_metadata& m,
                                                           const region& r) {
    check_rank(m, r.start.size(), "region start");
    check_rank(m, r.count.size(), "region count");
    shape_type lo(m.rank()), hi(m.rank());
    bool empty = false;
    for (std::size_t i = 0; i < m.rank(); ++i) {
        if (r.start[i] > m.shape[i] || r.count[i] > m.shape[i] - r.start[i])
            throw format_error("zarr: region [" + std::to_string(r.start[i]) + ", +" +
                               std::to_string(r.count[i]) + ") of dimension " + std::to_string(i) +
                               " exceeds the array extent " + std::to_string(m.shape[i]));
        if (m.chunks[i] == 0)
            throw format_error("zarr: 'chunks' has a 0 extent");
        if (r.count[i] == 0) {
            empty = true;
            continue;
        }
        lo[i] = r.start[i] / m.chunks[i];
        hi[i] = (r.start[i] + r.count[i] - 1) / m.chunks[i];
    }
    if (empty)
        return std::nullopt;
    return std::pair{std::move(lo), std::move(hi)};
}
}  // namespace

std::uint64_t chunk_count(const array_metadata& m, const region& r) {
    auto box = chunk_box(m, r);
    if (!box)
        return 0;
    std::uint64_t n = 1;
    for (std::size_t i = 0; i < m.rank(); ++i)
        n = checked_mul(n, box->second[i] - box->first[i] + 1, "number of chunks");
    return n;
}

void for_each_chunk(const array_metadata& m, const region& r,
                    const std::function<void(const chunk_index&)>& f) {
    if (auto box = chunk_box(m, r))
        for_each_index(box->first, box->second, f);
}

std::vector<chunk_index> chunks_for_region(const array_metadata& m, const region& r) {
    std::vector<chunk_index> out;
    out.reserve(to_size(chunk_count(m, r), "chunk list"));
    for_each_chunk(m, r, [&](const chunk_index& idx) { out.push_back(idx); });
    return out;
}

region chunk_region(const array_metadata& m, std::span<const std::uint64_t> index) {
    check_index(m, index);
    region r{shape_type(m.rank()), shape_type(m.rank())};
    for (std::size_t i = 0; i < m.rank(); ++i) {
        r.start[i] = index[i] * m.chunks[i];  // < shape[i], so no overflow
        r.count[i] = std::min(m.chunks[i], m.shape[i] - r.start[i]);
    }
    return r;
}

void fill_with_fill_value(const array_metadata& m, std::span<std::byte> out) {
    std::size_t size = m.dtype.itemsize();
    std::byte element[8];
    fill_value_bytes(m.fill_value, m.dtype.type, element);
    if (std::all_of(element, element + size, [](std::byte b) { return b == std::byte{0}; })) {
        std::memset(out.data(), 0, out.size());
        return;
    }
    if (out.size() < size)
        return;
    // Seed one element, then double the filled prefix: log2(n) memcpys.
    std::memcpy(out.data(), element, size);
    std::size_t filled = size;
    while (filled < out.size()) {
        std::size_t n = std::min(filled, out.size() - filled);
        std::memcpy(out.data() + filled, out.data(), n);
        filled += n;
    }
}

void copy_box(std::size_t itemsize, std::span<const std::byte> src,
              std::span<const std::uint64_t> src_shape, std::span<const std::uint64_t> src_start,
              std::span<std::byte> dst, std::span<const std::uint64_t> dst_shape,
              std::span<const std::uint64_t> dst_start, std::span<const std::uint64_t> extent) {
    const std::size_t rank = extent.size();
    if (rank == 0) {
        std::memcpy(dst.data(), src.data(), itemsize);
        return;
    }
    for (auto e : extent)
        if (e == 0)
            return;
    // Element strides of both buffers.
    std::vector<std::uint64_t> src_stride(rank), dst_stride(rank);
    src_stride[rank - 1] = dst_stride[rank - 1] = 1;
    for (std::size_t i = rank - 1; i > 0; --i) {
        src_stride[i - 1] = src_stride[i] * src_shape[i];
        dst_stride[i - 1] = dst_stride[i] * dst_shape[i];
    }
    // Dimensions after `inner` that are whole in both buffers are contiguous with it: one run.
    std::size_t inner = rank - 1;
    std::uint64_t run = extent[inner];
    while (inner > 0 && extent[inner] == src_shape[inner] && extent[inner] == dst_shape[inner]) {
        --inner;
        run *= extent[inner];
    }
    const std::size_t run_bytes = static_cast<std::size_t>(run) * itemsize;
    // Odometer over the outer dimensions [0, inner).
    std::vector<std::uint64_t> pos(inner, 0);
    while (true) {
        std::uint64_t so = src_start[inner] * src_stride[inner];
        std::uint64_t d_o = dst_start[inner] * dst_stride[inner];
        for (std::size_t i = 0; i < inner; ++i) {
            so += (src_start[i] + pos[i]) * src_stride[i];
            d_o += (dst_start[i] + pos[i]) * dst_stride[i];
        }
        std::memcpy(dst.data() + d_o * itemsize, src.data() + so * itemsize, run_bytes);
        std::size_t d = inner;
        while (d > 0) {
            --d;
            if (++pos[d] < extent[d])
                break;
            pos[d] = 0;
            if (d == 0)
                return;
        }
        if (inner == 0)
            return;
    }
}

std::optional<std::size_t> contiguous_chunk_offset(const array_metadata& m,
                                                   std::span<const std::uint64_t> index) {
    if (index.size() != m.rank())
        return std::nullopt;
    std::size_t d = 0;
    while (d + 1 < m.rank() && m.chunks[d] == 1)
        ++d;
    for (std::size_t e = d + 1; e < m.rank(); ++e)
        if (m.chunks[e] != m.shape[e])
            return std::nullopt;
    std::uint64_t offset = 0;  // in elements, row-major
    for (std::size_t e = 0; e < m.rank(); ++e) {
        if ((index[e] + 1) * m.chunks[e] > m.shape[e])
            return std::nullopt;  // edge chunk: stored padded
        offset = offset * m.shape[e] + index[e] * m.chunks[e];
    }
    return static_cast<std::size_t>(offset * m.dtype.itemsize());
}

void extract_chunk(const array_metadata& m, std::span<const std::byte> array,
                   std::span<const std::uint64_t> index, std::span<std::byte> chunk) {
    check_buffer(array.size(), array_byte_size(m), "array");
    check_buffer(chunk.size(), chunk_byte_size(m), "chunk");
    region r = chunk_region(m, index);
    if (r.count != m.chunks)
        fill_with_fill_value(m, chunk);  // edge chunk: pad
    shape_type zero(m.rank(), 0);
    copy_box(m.dtype.itemsize(), array, m.shape, r.start, chunk, m.chunks, zero, r.count);
}

void insert_chunk(const array_metadata& m, std::span<const std::byte> chunk,
                  std::span<const std::uint64_t> index, std::span<std::byte> array) {
    check_buffer(array.size(), array_byte_size(m), "array");
    check_buffer(chunk.size(), chunk_byte_size(m), "chunk");
    region r = chunk_region(m, index);
    shape_type zero(m.rank(), 0);
    copy_box(m.dtype.itemsize(), chunk, m.chunks, zero, array, m.shape, r.start, r.count);
}

void copy_chunk_to_region(const array_metadata& m, std::span<const std::byte> chunk,
                          std::span<const std::uint64_t> index, const region& r,
                          std::span<std::byte> out) {
    check_rank(m, r.start.size(), "region start");
    check_rank(m, r.count.size(), "region count");
    for (std::size_t i = 0; i < m.rank(); ++i)
        if (r.start[i] > m.shape[i] || r.count[i] > m.shape[i] - r.start[i])
            throw format_error("zarr: region exceeds the array extent in dimension " +
                               std::to_string(i));
    check_buffer(chunk.size(), chunk_byte_size(m), "chunk");
    check_buffer(
        out.size(),
        to_size(checked_mul(element_count(r.count), m.dtype.itemsize(), "region size"), "region"),
        "region");
    region c = chunk_region(m, index);
    shape_type src_start(m.rank()), dst_start(m.rank()), extent(m.rank());
    for (std::size_t i = 0; i < m.rank(); ++i) {
        std::uint64_t lo = std::max(c.start[i], r.start[i]);
        std::uint64_t hi = std::min(c.start[i] + c.count[i], r.start[i] + r.count[i]);
        if (hi <= lo)
            return;  // no overlap
        src_start[i] = lo - c.start[i];
        dst_start[i] = lo - r.start[i];
        extent[i] = hi - lo;
    }
    copy_box(m.dtype.itemsize(), chunk, m.chunks, src_start, out, r.count, dst_start, extent);
}

}  // namespace functionfuse::zarr
