#pragma once
/// \file
/// `functionfuse::chunked_array`: an n-d array with a dtype, a shape, a chunk shape and C-order
/// (row-major) data in a shared, immutable buffer — the C++ form of the dask arrays the Python
/// original stores out of band. It converts from and to xtensor containers.
///
/// xtensor is part of this header because the conversions are templates; the umbrella header
/// `functionfuse.hpp` includes it too, so `ff::chunked_array::from(xt::xarray<double>...)` works
/// with one include (the cost is xtensor's headers in every user translation unit).
///
/// A chunked array is stored in a `value` as `extension::make(chunked_array)`; `value(arr)` and
/// `v.as<chunked_array>()` do that through `converter<chunked_array>`.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "functionfuse/error.hpp"
#include "functionfuse/value.hpp"

namespace functionfuse {

class progress;

/// Element types of a chunked array (numpy's names without the `_`).
enum class dtype : std::uint8_t {
    bool_,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
    float32,
    float64
};

/// Bytes per element.
std::size_t itemsize(dtype t) noexcept;
/// numpy's name: `"bool"`, `"int8"`, ..., `"float64"`.
std::string_view dtype_name(dtype t) noexcept;
/// numpy's array-interface type string, little-endian: `"|b1"`, `"|i1"`, `"<i8"`, `"<f8"`, ...
std::string_view dtype_typestr(dtype t) noexcept;
/// Parses a numpy name (`"float64"`) or type string (`"<f8"`, `"|u1"`, `"f8"`).
/// Throws `type_error` naming the string for anything else (complex, strings, big-endian, ...).
dtype parse_dtype(std::string_view s);

/// The C++ element types a chunked array can hold: `bool`, the signed and unsigned integers of
/// 1, 2, 4 and 8 bytes (any spelling: `long` and `long long` both map to int64), `float`,
/// `double`. Character types are excluded on purpose (is `char` a letter or a number?).
template <class T>
concept array_element = std::is_same_v<T, bool> || std::is_same_v<T, float> ||
    std::is_same_v<T, double> ||
    (std::is_integral_v<T> && !std::is_same_v<T, char> && !std::is_same_v<T, wchar_t> &&
     !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t> &&
     (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8));

/// The dtype of element type `T`.
template <array_element T>
constexpr dtype dtype_of() noexcept {
    if constexpr (std::is_same_v<T, bool>) {
        return dtype::bool_;
    } else if constexpr (std::is_same_v<T, float>) {
        return dtype::float32;
    } else if constexpr (std::is_same_v<T, double>) {
        return dtype::float64;
    } else if constexpr (std::is_signed_v<T>) {
        constexpr dtype by_size[] = {dtype::int8,  dtype::int16, dtype::int16, dtype::int32,
                                     dtype::int32, dtype::int32, dtype::int32, dtype::int64};
        return by_size[sizeof(T) - 1];
    } else {
        constexpr dtype by_size[] = {dtype::uint8,  dtype::uint16, dtype::uint16, dtype::uint32,
                                     dtype::uint32, dtype::uint32, dtype::uint32, dtype::uint64};
        return by_size[sizeof(T) - 1];
    }
}

namespace detail {
template <class D>
struct is_row_major_container : std::false_type {};
template <class S, class SH, class Tag>
struct is_row_major_container<xt::xarray_container<S, xt::layout_type::row_major, SH, Tag>>
    : std::true_type {};
template <class S, std::size_t N, class Tag>
struct is_row_major_container<xt::xtensor_container<S, N, xt::layout_type::row_major, Tag>>
    : std::true_type {};
}  // namespace detail

/// An n-d array split into chunks: dtype, shape (0-d and zero-sized allowed, any rank; the
/// HDF5 store accepts up to 32 dimensions), chunk shape (one entry per dimension, each >= 1;
/// edge chunks may be partial) and C-order data.
///
/// The data buffer is shared and immutable: copies are cheap and alias the same bytes.
/// Thread-safety: a `chunked_array` may be read from many threads at once.
class chunked_array {
  public:
    using shape_type = std::vector<std::size_t>;

    /// An empty float64 array of shape `{0}`.
    chunked_array();
    /// Wraps `data`, which must hold `product(shape) * itemsize(type)` bytes in C order.
    /// `chunks` is normalized: an entry larger than its dimension is clamped to it (to 1 for a
    /// zero-sized dimension), as dask does. Throws `config_error` (field `chunks`) when the
    /// chunk shape's rank differs from the shape's or an entry is 0; `config_error` (field
    /// `data`) when the buffer is missing for a non-empty array.
    chunked_array(dtype type, shape_type shape, shape_type chunks,
                  std::shared_ptr<const std::byte> data);

    /// A zero-filled array with a fresh buffer the caller may fill through `mutable_data()`
    /// before sharing it (readers use this).
    static chunked_array zeros(dtype type, shape_type shape, shape_type chunks);

    /// An array holding the values of xtensor expression `expr`, split into `chunks`.
    /// A moved-in row-major `xt::xarray<T>` / `xt::xtensor<T, N>` is adopted without copying
    /// its storage; anything else (an lvalue container, a view, an arithmetic expression) is
    /// evaluated once into a new buffer.
    template <class E>
    static chunked_array from(E&& expr, shape_type chunks) {
        using D = std::decay_t<E>;
        using T = typename D::value_type;
        static_assert(array_element<T>,
                      "chunked_array: element type must be bool, a 1/2/4/8-byte integer, float "
                      "or double");
        if constexpr (!std::is_lvalue_reference_v<E> && detail::is_row_major_container<D>::value) {
            auto owner = std::make_shared<D>(std::move(expr));
            return adopt<T>(owner, owner->data(), owner->shape(), std::move(chunks));
        } else {
            auto owner = std::make_shared<xt::xarray<T>>(std::forward<E>(expr));
            return adopt<T>(owner, owner->data(), owner->shape(), std::move(chunks));
        }
    }
    /// As `from(expr, chunks)` with `auto_chunks` of the expression's shape.
    template <class E>
    static chunked_array from(E&& expr) {
        using T = typename std::decay_t<E>::value_type;
        const auto& s = expr.shape();
        shape_type shape(s.begin(), s.end());
        auto chunks = auto_chunks(shape, sizeof(T));
        return from(std::forward<E>(expr), std::move(chunks));
    }

    /// A default chunk shape: the whole array, with its largest chunk dimension halved until a
    /// chunk holds at most `target_bytes` (8 MiB by default).
    static shape_type auto_chunks(const shape_type& shape, std::size_t itemsize,
                                  std::size_t target_bytes = 8u << 20);

    /// The element type.
    dtype type() const noexcept { return type_; }
    /// Size of each dimension; empty for a 0-d array.
    const shape_type& shape() const noexcept { return shape_; }
    /// Size of a (full) chunk in each dimension (normalized, see the constructor).
    const shape_type& chunks() const noexcept { return chunks_; }
    /// Number of dimensions.
    std::size_t ndim() const noexcept { return shape_.size(); }
    /// Number of elements (1 for a 0-d array).
    std::size_t size() const noexcept { return size_; }
    /// Bytes per element.
    std::size_t itemsize() const noexcept { return functionfuse::itemsize(type_); }
    /// Bytes of data.
    std::size_t nbytes() const noexcept { return size_ * itemsize(); }
    /// Number of chunks along each dimension (ceil(shape / chunks)).
    shape_type chunk_grid() const;
    /// Total number of chunks (0 for a zero-sized array, 1 for a 0-d array).
    std::size_t chunk_count() const;

    /// The C-order bytes (nullptr when empty).
    const std::byte* data() const noexcept { return data_.get(); }
    /// The shared buffer (keeps the bytes alive beyond this array).
    const std::shared_ptr<const std::byte>& buffer() const noexcept { return data_; }
    /// Writable bytes of an array made by `zeros()` that has not been shared yet.
    /// Writing after copies exist changes every copy.
    std::byte* mutable_data() noexcept { return const_cast<std::byte*>(data_.get()); }

    /// The elements as `const T*`; throws `type_error` unless `dtype_of<T>() == type()`.
    template <array_element T>
    const T* data_as() const {
        check_type(dtype_of<T>());
        return reinterpret_cast<const T*>(data_.get());
    }
    /// A read-only xtensor view of the data, without copying; it keeps the buffer alive only
    /// as long as this array (or a copy) lives. Throws `type_error` on a dtype mismatch.
    template <array_element T>
    auto view() const {
        const T* p = data_as<T>();
        return xt::adapt(p, size_, xt::no_ownership(), shape_);
    }
    /// A copy of the data as an `xt::xarray<T>`. Throws `type_error` on a dtype mismatch.
    template <array_element T>
    xt::xarray<T> to_xarray() const {
        const T* p = data_as<T>();
        xt::xarray<T> out = xt::xarray<T>::from_shape(shape_);
        if (size_ != 0)
            std::memcpy(out.data(), p, size_ * sizeof(T));
        return out;
    }
    /// A copy of the data as an `xt::xtensor<T, N>`. Throws `type_error` on a dtype or rank
    /// mismatch.
    template <array_element T, std::size_t N>
    xt::xtensor<T, N> to_xtensor() const {
        const T* p = data_as<T>();
        check_rank(N);
        std::array<std::size_t, N> s;
        std::copy(shape_.begin(), shape_.end(), s.begin());
        xt::xtensor<T, N> out = xt::xtensor<T, N>::from_shape(s);
        if (size_ != 0)
            std::memcpy(out.data(), p, size_ * sizeof(T));
        return out;
    }

    /// A copy (sharing the same bytes) whose save reports to `p`: when an array store starts
    /// writing it, it adds the array's chunk count and byte size to `p`'s totals, then one
    /// chunk and its bytes as each chunk is stored (both kinds, async and sync paths). See
    /// `functionfuse/progress.hpp`. A null `p` detaches the observer.
    chunked_array with_progress(std::shared_ptr<progress> p) const {
        chunked_array out = *this;
        out.progress_ = std::move(p);
        return out;
    }
    /// The observer attached by `with_progress` (null if none).
    progress* progress_observer() const noexcept { return progress_.get(); }

    /// Same dtype, shape, chunks and bytes (the progress observer is not compared).
    friend bool operator==(const chunked_array& a, const chunked_array& b);

  private:
    template <class T, class Owner, class Shape>
    static chunked_array adopt(const std::shared_ptr<Owner>& owner, const T* p, const Shape& s,
                               shape_type chunks) {
        std::shared_ptr<const std::byte> data(owner, reinterpret_cast<const std::byte*>(p));
        return chunked_array(dtype_of<T>(), shape_type(s.begin(), s.end()), std::move(chunks),
                             std::move(data));
    }
    void check_type(dtype wanted) const;
    void check_rank(std::size_t wanted) const;

    dtype type_ = dtype::float64;
    shape_type shape_;
    shape_type chunks_;
    std::size_t size_ = 0;
    std::shared_ptr<const std::byte> data_;
    std::shared_ptr<progress> progress_;
};

/// Human-readable shape, e.g. `(3, 4)`; `()` for 0-d (for messages).
std::string to_string(const chunked_array::shape_type& shape);

/// `chunked_array` ⇄ an `extension` value.
template <>
struct converter<chunked_array> {
    static value to_value(const chunked_array& a) { return value(extension::make(a)); }
    /// Throws `type_error` unless `v` holds a chunked array.
    static chunked_array from_value(const value& v) {
        if (auto* e = v.get_if<extension>()) {
            if (auto* a = e->get_if<chunked_array>())
                return *a;
        }
        detail::throw_conversion_error(v, "chunked_array");
    }
};

/// `xt::xarray<T>` ⇄ a chunked array value (saved with `chunked_array::auto_chunks`).
template <array_element T>
struct converter<xt::xarray<T>> {
    static value to_value(const xt::xarray<T>& x) { return value(chunked_array::from(x)); }
    static xt::xarray<T> from_value(const value& v) {
        return converter<chunked_array>::from_value(v).template to_xarray<T>();
    }
};

/// `xt::xtensor<T, N>` ⇄ a chunked array value (saved with `chunked_array::auto_chunks`).
template <array_element T, std::size_t N>
struct converter<xt::xtensor<T, N>> {
    static value to_value(const xt::xtensor<T, N>& x) { return value(chunked_array::from(x)); }
    static xt::xtensor<T, N> from_value(const value& v) {
        return converter<chunked_array>::from_value(v).template to_xtensor<T, N>();
    }
};

}  // namespace functionfuse
