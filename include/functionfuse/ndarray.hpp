#pragma once
/// \file
/// `functionfuse::ndarray`: a small n-d array kept inline in a value, the C++ form of a numpy
/// `ndarray` (or numpy scalar such as `np.float64`) that a Python result holds directly, as
/// opposed to `chunked_array`, which a persistent serializer stores out of band.
///
/// This header is light (no xtensor): `value.hpp` includes it. The xtensor conversions live in
/// `functionfuse/ndarray_xtensor.hpp`.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace functionfuse {

/// An immutable n-d array of numbers: a numpy dtype (as its array-interface type string), a
/// shape, a memory order and the raw element bytes exactly as numpy lays them out (in the
/// dtype's byte order and the array's order). Keeping numpy's own layout makes a value read
/// from a pickle write back byte for byte.
///
/// Supported dtypes (type strings): `|b1` (bool), `|i1`, `<i2`/`>i2`, `<i4`, `<i8`, `|u1`,
/// `<u2`, `<u4`, `<u8`, `<f2` (float16), `<f4`, `<f8`, `<c8`, `<c16`, each multi-byte type in
/// either byte order (`<` little, `>` big). Object, string, datetime and structured dtypes are
/// not supported.
///
/// A numpy scalar (`np.float64(1.5)`, `np.int32(7)`) is an `ndarray` with `is_scalar()` true
/// and shape `{}`; it is written back as a numpy scalar, not a 0-d array.
///
/// Copies share the immutable state, so they are cheap. Thread-safety: an `ndarray` may be read
/// from many threads at once.
class ndarray {
  public:
    using shape_type = std::vector<std::size_t>;
    enum class order : std::uint8_t { c, fortran };

    /// An empty little-endian float64 array of shape `{0}`.
    ndarray();
    /// An array of `typestr` (see the class comment; a `=` prefix means this machine's byte
    /// order), `shape` and `data` (exactly `product(shape) * itemsize` bytes in `o`'s order).
    /// Throws `type_error` for an unsupported dtype, a size mismatch, or a shape whose byte
    /// count overflows.
    ndarray(std::string_view typestr, shape_type shape, std::string data, order o = order::c);
    /// A numpy scalar of `typestr` holding one element's bytes.
    static ndarray scalar(std::string_view typestr, std::string data);

    /// The dtype's array-interface type string: `"<f8"`, `">i4"`, `"|b1"`, ...
    std::string_view typestr() const noexcept;
    /// numpy's dtype kind: `'b'` bool, `'i'` signed, `'u'` unsigned, `'f'` float, `'c'` complex.
    char kind() const noexcept;
    /// Bytes per element.
    std::size_t itemsize() const noexcept;
    /// Whether multi-byte elements are stored big-endian.
    bool big_endian() const noexcept;
    /// numpy's dtype name: `"float64"`, `"int32"`, `"bool"`, `"complex128"`, ...
    std::string_view dtype_name() const noexcept;
    /// Python's type name: `"numpy.ndarray"`, or for a scalar `"numpy.float64"`, ...
    std::string_view python_type_name() const noexcept;
    const shape_type& shape() const noexcept;
    /// Number of dimensions (0 for a scalar or a 0-d array).
    std::size_t ndim() const noexcept { return shape().size(); }
    /// Number of elements.
    std::size_t size() const noexcept;
    order memory_order() const noexcept;
    bool is_scalar() const noexcept;
    /// The raw element bytes (numpy's layout; see the class comment).
    std::string_view data() const noexcept;
    /// Element `i` of `data()` (storage order, `i < size()`) as a double: bool as 0/1, integers
    /// (uint64/int64 rounded), float16/32/64 exactly; NaN for complex.
    double element_as_double(std::size_t i) const noexcept;

    /// Same dtype (type string), shape, order, scalar-ness and bytes.
    friend bool operator==(const ndarray& a, const ndarray& b) noexcept;

  private:
    struct state;
    std::shared_ptr<const state> s_;
};

/// Checks a numpy array-interface type string; returns the canonical one (`=` resolved, `|`
/// for one-byte types) or an empty string if it is not one `ndarray` supports.
std::string ndarray_typestr(std::string_view typestr);

/// An integer beyond the 64-bit range, kept exactly as pickle's LONG1/LONG4 carry it: two's
/// complement, little-endian, in as few bytes as Python writes (so it writes back byte for
/// byte). The pickle reader makes one for every LONG1/LONG4 that does not fit an `int64_t`.
struct big_int {
    std::string bytes_le;
    big_int() = default;
    explicit big_int(std::string le) : bytes_le(std::move(le)) {}
    /// Whether the value fits `int64_t`.
    bool fits_int64() const noexcept;
    /// The value as `int64_t`; throws `type_error` if it does not fit.
    std::int64_t to_int64() const;
    /// Decimal text (`"-18446744073709551616"`).
    std::string to_string() const;
    /// Numeric equality (a redundant sign byte does not matter).
    friend bool operator==(const big_int& a, const big_int& b) noexcept;
};

}  // namespace functionfuse
