#include "async_protocols/file/chunk_layout.hpp"

#include <algorithm>
#include <cstring>

namespace functionfuse::file_detail {

std::size_t product(const shape_type& s) noexcept {
    std::size_t n = 1;
    for (auto d : s)
        n *= d;
    return n;
}

chunk_grid::chunk_grid(shape_type shape, shape_type chunks)
    : shape_(std::move(shape)), chunks_(std::move(chunks)), grid_(shape_.size()) {
    count_ = 1;
    for (std::size_t i = 0; i < shape_.size(); ++i) {
        grid_[i] = (shape_[i] + chunks_[i] - 1) / chunks_[i];
        count_ *= grid_[i];
    }
    chunk_elements_ = product(chunks_);
}

chunk_box chunk_grid::box(std::size_t i) const {
    chunk_box b{shape_type(shape_.size()), shape_type(shape_.size())};
    for (std::size_t d = shape_.size(); d-- > 0;) {
        std::size_t c = i % grid_[d];
        i /= grid_[d];
        b.origin[d] = c * chunks_[d];
        b.extent[d] = std::min(chunks_[d], shape_[d] - b.origin[d]);
    }
    return b;
}

bool chunk_grid::in_place(const chunk_box& b) const {
    // Dimensions before k have extent 1, dimensions after k are whole in both the chunk and
    // the array: then the box is a single run and chunk-buffer order equals array order.
    std::size_t n = shape_.size();
    std::size_t k = 0;
    while (k < n && b.extent[k] == 1)
        ++k;
    for (std::size_t i = k + 1; i < n; ++i)
        if (chunks_[i] != shape_[i])
            return false;
    return true;
}

std::size_t chunk_grid::byte_offset(const chunk_box& b, std::size_t itemsize) const {
    std::size_t off = 0;
    for (std::size_t d = 0; d < shape_.size(); ++d)
        off = off * shape_[d] + b.origin[d];
    return off * itemsize;
}

void copy_box(const std::byte* src, const shape_type& src_shape, const shape_type& src_origin,
              std::byte* dst, const shape_type& dst_shape, const shape_type& dst_origin,
              const shape_type& extent, std::size_t itemsize) {
    const std::size_t n = extent.size();
    if (n == 0) {
        std::memcpy(dst, src, itemsize);
        return;
    }
    for (auto e : extent)
        if (e == 0)
            return;
    // Merge trailing dimensions that are whole in source, destination and box into one run.
    std::size_t k = n - 1;
    std::size_t run = extent[k];
    while (k > 0 && extent[k] == src_shape[k] && extent[k] == dst_shape[k]) {
        --k;
        run *= extent[k];
    }
    // Byte strides of each dimension.
    shape_type src_stride(n), dst_stride(n);
    std::size_t ss = itemsize, ds = itemsize;
    for (std::size_t d = n; d-- > 0;) {
        src_stride[d] = ss;
        dst_stride[d] = ds;
        ss *= src_shape[d];
        ds *= dst_shape[d];
    }
    std::size_t src_base = 0, dst_base = 0;
    for (std::size_t d = 0; d < n; ++d) {
        src_base += src_origin[d] * src_stride[d];
        dst_base += dst_origin[d] * dst_stride[d];
    }
    const std::size_t run_bytes = run * itemsize;
    // Odometer over dimensions [0, k).
    shape_type idx(k, 0);
    for (;;) {
        std::size_t so = src_base, dof = dst_base;
        for (std::size_t d = 0; d < k; ++d) {
            so += idx[d] * src_stride[d];
            dof += idx[d] * dst_stride[d];
        }
        std::memcpy(dst + dof, src + so, run_bytes);
        std::size_t d = k;
        while (d > 0) {
            --d;
            if (++idx[d] < extent[d])
                break;
            idx[d] = 0;
            if (d == 0)
                return;
        }
        if (k == 0)
            return;
    }
}

}  // namespace functionfuse::file_detail
