#pragma once
/// \file
/// xtensor views of `functionfuse::ndarray`: `ff::to_xarray<T>(a)` reads an ndarray (any byte
/// order, C or Fortran) into a row-major `xt::xarray<T>`, and `ff::make_ndarray(expr)` turns an
/// xtensor expression into an ndarray that pickles as a C-order numpy array. Kept apart from
/// `ndarray.hpp` so that `value.hpp` does not pull xtensor into every translation unit; the
/// umbrella header `functionfuse.hpp` includes it.

#include <algorithm>
#include <bit>
#include <complex>
#include <cstring>
#include <string>
#include <type_traits>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xmanipulation.hpp>

#include "functionfuse/error.hpp"
#include "functionfuse/ndarray.hpp"

namespace functionfuse {

namespace detail {
template <class T>
struct is_complex : std::false_type {};
template <class F>
struct is_complex<std::complex<F>> : std::true_type {};

/// numpy's type string of C++ element type `T` in this machine's byte order.
template <class T>
std::string typestr_of() {
    const char order =
        sizeof(T) == 1 ? '|' : (std::endian::native == std::endian::little ? '<' : '>');
    char kind;
    if constexpr (std::is_same_v<T, bool>)
        kind = 'b';
    else if constexpr (is_complex<T>::value)
        kind = 'c';
    else if constexpr (std::is_floating_point_v<T>)
        kind = 'f';
    else if constexpr (std::is_signed_v<T>)
        kind = 'i';
    else
        kind = 'u';
    return std::string(1, order) + kind + std::to_string(sizeof(T));
}
}  // namespace detail

/// The elements of `a` as a row-major `xt::xarray<T>` (a copy; byte order and Fortran order
/// are resolved). `T` must match the dtype's kind and size (`double` for float64, `bool` for
/// bool, `std::complex<float>` for complex64, ...), except that a floating-point `T` also
/// accepts bool, integer and float dtypes of another size, converted as C++ converts (float16
/// has no C++ type: read it as `float` or `double`). Throws `type_error` otherwise.
template <class T>
xt::xarray<T> to_xarray(const ndarray& a) {
    static_assert(std::is_arithmetic_v<T> || detail::is_complex<T>::value,
                  "to_xarray: T must be an arithmetic or std::complex type");
    const std::string want = detail::typestr_of<T>();
    const bool exact = a.kind() == want[1] && a.itemsize() == sizeof(T);
    std::vector<std::size_t> shape(a.shape().begin(), a.shape().end());
    const std::size_t n = a.size();
    std::vector<T> elements(n);
    if (exact) {
        const bool swap =
            sizeof(T) > 1 && a.big_endian() != (std::endian::native == std::endian::big);
        const char* src = a.data().data();
        const std::size_t part = detail::is_complex<T>::value ? sizeof(T) / 2 : sizeof(T);
        for (std::size_t i = 0; i < n; ++i) {
            unsigned char b[sizeof(T)];
            std::memcpy(b, src + i * sizeof(T), sizeof(T));
            if (swap)
                for (std::size_t p = 0; p < sizeof(T); p += part)
                    std::reverse(b + p, b + p + part);
            std::memcpy(&elements[i], b, sizeof(T));
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        if (a.kind() == 'c')
            throw type_error("to_xarray: a complex ndarray cannot be read as a real type");
        for (std::size_t i = 0; i < n; ++i)
            elements[i] = static_cast<T>(a.element_as_double(i));
    } else {
        throw type_error("to_xarray: ndarray of dtype " + std::string(a.dtype_name()) +
                         " cannot be read as elements of " + std::to_string(sizeof(T)) +
                         " bytes of another kind");
    }
    if (a.memory_order() == ndarray::order::fortran) {
        // Fortran order of shape (a, b, c) is C order of shape (c, b, a), transposed.
        std::vector<std::size_t> reversed(shape.rbegin(), shape.rend());
        auto view = xt::adapt(elements.data(), n, xt::no_ownership(), reversed);
        xt::xarray<T> out = xt::transpose(view);
        return out;
    }
    auto view = xt::adapt(elements.data(), n, xt::no_ownership(), shape);
    xt::xarray<T> out = view;
    return out;
}

/// An ndarray (C order, this machine's byte order) holding the values of xtensor expression
/// `expr`, whose element type is bool, a 1/2/4/8-byte integer, float, double or
/// `std::complex<float/double>`.
template <class E>
ndarray make_ndarray(const xt::xexpression<E>& expr) {
    using T = typename E::value_type;
    static_assert(std::is_arithmetic_v<T> || detail::is_complex<T>::value,
                  "make_ndarray: elements must be arithmetic or std::complex");
    const xt::xarray<T> evaluated = expr.derived_cast();  // row-major
    std::string data(evaluated.size() * sizeof(T), '\0');
    if (!data.empty())
        std::memcpy(data.data(), evaluated.data(), data.size());
    ndarray::shape_type shape(evaluated.shape().begin(), evaluated.shape().end());
    return ndarray(detail::typestr_of<T>(), std::move(shape), std::move(data));
}

}  // namespace functionfuse
