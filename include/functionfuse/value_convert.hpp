#pragma once
/// \file
/// `converter<T>` specializations for standard types: arithmetic types, `std::string`,
/// `std::vector` (to `list`), `std::map`/`std::unordered_map` (to `dict`), `std::optional`
/// (empty is `None`), `std::pair`/`std::tuple` (to `tuple`), and `value` itself.
/// Included by value.hpp; users specialize `converter` for their own types the same way.

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace functionfuse {

namespace detail {
[[noreturn]] void throw_conversion_error(const value& v, const char* wanted);
/// A numpy scalar's value (`ndarray::is_scalar()`), for the arithmetic converters: bool
/// scalars as bool; bool and integer scalars as int64 (false for a uint64 above INT64_MAX);
/// bool, integer and float scalars as double. False if `v` is not such a scalar.
bool numpy_scalar_bool(const value& v, bool& out) noexcept;
bool numpy_scalar_int(const value& v, std::int64_t& out) noexcept;
bool numpy_scalar_double(const value& v, double& out) noexcept;
}  // namespace detail

template <>
struct converter<value> {
    static value to_value(const value& v) { return v; }
    static value from_value(const value& v) { return v; }
};

template <>
struct converter<bool> {
    static value to_value(bool b) { return value(b); }
    static bool from_value(const value& v) {
        if (auto* b = v.get_if<bool>())
            return *b;
        if (bool b; detail::numpy_scalar_bool(v, b))
            return b;
        detail::throw_conversion_error(v, "bool");
    }
};

/// Integers: from int (or bool, as Python) or a numpy bool/integer scalar; range-checked.
template <class T>
struct converter<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
    static value to_value(T x) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
            return value(static_cast<unsigned long long>(x));
        } else {
            return value(static_cast<long long>(x));
        }
    }
    static T from_value(const value& v) {
        std::int64_t i;
        if (auto* p = v.get_if<std::int64_t>()) {
            i = *p;
        } else if (auto* b = v.get_if<bool>()) {
            i = *b;
        } else if (detail::numpy_scalar_int(v, i)) {
        } else {
            detail::throw_conversion_error(v, "integer");
        }
        if constexpr (std::is_signed_v<T>) {
            if (i < std::numeric_limits<T>::min() || i > std::numeric_limits<T>::max())
                detail::throw_conversion_error(v, "integer in range");
        } else {
            if (i < 0 || static_cast<std::uint64_t>(i) > std::numeric_limits<T>::max())
                detail::throw_conversion_error(v, "unsigned integer in range");
        }
        return static_cast<T>(i);
    }
};

/// Floating point: from float, int or a numpy bool/integer/float scalar.
template <class T>
struct converter<T, std::enable_if_t<std::is_floating_point_v<T>>> {
    static value to_value(T x) { return value(static_cast<double>(x)); }
    static T from_value(const value& v) {
        if (auto* d = v.get_if<double>())
            return static_cast<T>(*d);
        if (auto* i = v.get_if<std::int64_t>())
            return static_cast<T>(*i);
        if (double d; detail::numpy_scalar_double(v, d))
            return static_cast<T>(d);
        detail::throw_conversion_error(v, "float");
    }
};

template <>
struct converter<std::string> {
    static value to_value(const std::string& s) { return value(s); }
    static std::string from_value(const value& v) {
        if (auto* s = v.get_if<std::string>())
            return *s;
        detail::throw_conversion_error(v, "str");
    }
};

/// Alternatives of the variant convert to themselves.
#define FUNCTIONFUSE_IDENTITY_CONVERTER(T, NAME)               \
    template <>                                                \
    struct converter<T> {                                      \
        static value to_value(const T& x) { return value(x); } \
        static T from_value(const value& v) {                  \
            if (auto* p = v.get_if<T>())                       \
                return *p;                                     \
            detail::throw_conversion_error(v, NAME);           \
        }                                                      \
    };
FUNCTIONFUSE_IDENTITY_CONVERTER(bytes, "bytes")
FUNCTIONFUSE_IDENTITY_CONVERTER(list, "list")
FUNCTIONFUSE_IDENTITY_CONVERTER(tuple, "tuple")
FUNCTIONFUSE_IDENTITY_CONVERTER(dict, "dict")
FUNCTIONFUSE_IDENTITY_CONVERTER(set, "set")
FUNCTIONFUSE_IDENTITY_CONVERTER(frozenset, "frozenset")
FUNCTIONFUSE_IDENTITY_CONVERTER(extension, "extension object")
FUNCTIONFUSE_IDENTITY_CONVERTER(big_int, "int beyond 64 bits")
FUNCTIONFUSE_IDENTITY_CONVERTER(ndarray, "numpy.ndarray")
FUNCTIONFUSE_IDENTITY_CONVERTER(python_object, "datetime, complex or Decimal")
#undef FUNCTIONFUSE_IDENTITY_CONVERTER

/// The types a `python_object` holds convert to and from a value directly:
/// `value(py::datetime{...})`, `v.as<py::date>()`, `v.as<std::complex<double>>()`.
#define FUNCTIONFUSE_PYTHON_OBJECT_CONVERTER(T, NAME)                         \
    template <>                                                               \
    struct converter<T> {                                                     \
        static value to_value(const T& x) { return value(python_object(x)); } \
        static T from_value(const value& v) {                                 \
            if (auto* o = v.get_if<python_object>())                          \
                if (auto* p = o->get_if<T>())                                 \
                    return *p;                                                \
            detail::throw_conversion_error(v, NAME);                          \
        }                                                                     \
    };
FUNCTIONFUSE_PYTHON_OBJECT_CONVERTER(py::date, "datetime.date")
FUNCTIONFUSE_PYTHON_OBJECT_CONVERTER(py::time, "datetime.time")
FUNCTIONFUSE_PYTHON_OBJECT_CONVERTER(py::datetime, "datetime.datetime")
FUNCTIONFUSE_PYTHON_OBJECT_CONVERTER(py::timedelta, "datetime.timedelta")
FUNCTIONFUSE_PYTHON_OBJECT_CONVERTER(py::decimal, "decimal.Decimal")
FUNCTIONFUSE_PYTHON_OBJECT_CONVERTER(std::complex<double>, "complex")
#undef FUNCTIONFUSE_PYTHON_OBJECT_CONVERTER

template <>
struct converter<none_t> {
    static value to_value(none_t) { return value(); }
    static none_t from_value(const value& v) {
        if (v.is_none())
            return none;
        detail::throw_conversion_error(v, "None");
    }
};

/// `std::vector<T>` ⇄ list (reads list, tuple, set or frozenset).
template <class T, class A>
struct converter<std::vector<T, A>> {
    static value to_value(const std::vector<T, A>& xs) {
        list out;
        out.reserve(xs.size());
        for (const auto& x : xs)
            out.emplace_back(converter<T>::to_value(x));
        return value(std::move(out));
    }
    static std::vector<T, A> from_value(const value& v) {
        const std::vector<value>* items = nullptr;
        if (auto* l = v.get_if<list>())
            items = l;
        else if (auto* t = v.get_if<tuple>())
            items = t;
        else if (auto* s = v.get_if<set>())
            items = s;
        else if (auto* f = v.get_if<frozenset>())
            items = f;
        else
            detail::throw_conversion_error(v, "list");
        std::vector<T, A> out;
        out.reserve(items->size());
        for (const auto& x : *items)
            out.push_back(converter<T>::from_value(x));
        return out;
    }
};

namespace detail {
template <class Map>
struct map_converter {
    using K = typename Map::key_type;
    using V = typename Map::mapped_type;
    static value to_value(const Map& m) {
        dict d;
        d.reserve(m.size());
        for (const auto& [k, v] : m)
            d.insert_or_assign(converter<K>::to_value(k), converter<V>::to_value(v));
        return value(std::move(d));
    }
    static Map from_value(const value& v) {
        auto* d = v.get_if<dict>();
        if (!d)
            throw_conversion_error(v, "dict");
        Map out;
        for (const auto& [k, x] : *d)
            out.emplace(converter<K>::from_value(k), converter<V>::from_value(x));
        return out;
    }
};
}  // namespace detail

/// `std::map<K, V>` ⇄ dict.
template <class K, class V, class C, class A>
struct converter<std::map<K, V, C, A>> : detail::map_converter<std::map<K, V, C, A>> {};
/// `std::unordered_map<K, V>` ⇄ dict.
template <class K, class V, class H, class E, class A>
struct converter<std::unordered_map<K, V, H, E, A>>
    : detail::map_converter<std::unordered_map<K, V, H, E, A>> {};

/// `std::optional<T>` ⇄ T or None.
template <class T>
struct converter<std::optional<T>> {
    static value to_value(const std::optional<T>& o) {
        return o ? converter<T>::to_value(*o) : value();
    }
    static std::optional<T> from_value(const value& v) {
        if (v.is_none())
            return std::nullopt;
        return converter<T>::from_value(v);
    }
};

/// `std::tuple<Ts...>` ⇄ tuple (reads a list too); the length must match.
template <class... Ts>
struct converter<std::tuple<Ts...>> {
    static value to_value(const std::tuple<Ts...>& t) {
        return std::apply(
            [](const Ts&... xs) { return value(tuple{converter<Ts>::to_value(xs)...}); }, t);
    }
    static std::tuple<Ts...> from_value(const value& v) {
        const std::vector<value>* items = nullptr;
        if (auto* t = v.get_if<tuple>())
            items = t;
        else if (auto* l = v.get_if<list>())
            items = l;
        if (!items || items->size() != sizeof...(Ts))
            detail::throw_conversion_error(v, "tuple of matching length");
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return std::tuple<Ts...>(converter<Ts>::from_value((*items)[I])...);
        }
        (std::index_sequence_for<Ts...>{});
    }
};

/// `std::pair<A, B>` ⇄ 2-tuple.
template <class A, class B>
struct converter<std::pair<A, B>> {
    static value to_value(const std::pair<A, B>& p) {
        return converter<std::tuple<A, B>>::to_value(std::tuple<A, B>(p.first, p.second));
    }
    static std::pair<A, B> from_value(const value& v) {
        auto [a, b] = converter<std::tuple<A, B>>::from_value(v);
        return {std::move(a), std::move(b)};
    }
};

}  // namespace functionfuse
