#pragma once
/// \file
/// `functionfuse::value`: the dynamic value model that mirrors what a pickle carries.
///
/// A value is one of: none, bool, int (64-bit signed), float (double), str (UTF-8 text), bytes,
/// list, tuple, dict (insertion-ordered, any hashable key), set, frozenset, an `extension`
/// object that a persistent serializer stores out of band (such as `chunked_array`), a
/// `big_int` (an integer beyond 64 bits, kept exactly), an `ndarray` (a numpy array or
/// numpy scalar kept inline, see `functionfuse/ndarray.hpp`), or a `python_object` (a
/// datetime, date, time, timedelta, complex or Decimal, see `functionfuse/python_object.hpp`).
/// A `collections.OrderedDict` is a dict marked `is_ordered_dict()`.
///
/// A str must be valid UTF-8 (RFC 3629: no overlong forms, no surrogates). The pickle reader
/// checks every str it creates (invalid text, including the lone surrogates Python can pickle,
/// is `invalid_pickle`), and the writer refuses to pickle an invalid str (`type_error`), so
/// what one side writes the other can read. Values built in C++ are not checked on
/// construction.
///
/// Values have value semantics: copies are deep, there is no sharing and no cycles (a pickle's
/// shared references load as equal copies, within a budget of copied bytes; a pickle of a
/// self-referencing object is `invalid_pickle`).
///
/// Conversions to and from ordinary C++ types go through one customization point,
/// `functionfuse::converter<T>`, which users specialize for their own types.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <typeindex>
#include <utility>
#include <variant>
#include <vector>

#include "functionfuse/error.hpp"
#include "functionfuse/ndarray.hpp"
#include "functionfuse/python_object.hpp"

namespace functionfuse {

class value;

/// Python's `None`.
struct none_t {
    friend bool operator==(none_t, none_t) noexcept { return true; }
};
/// The `None` value.
inline constexpr none_t none{};

/// Python `bytes`: an immutable-by-convention byte string. Distinct from `str`.
struct bytes {
    std::string data;
    bytes() = default;
    explicit bytes(std::string d) : data(std::move(d)) {}
    bytes(const void* p, std::size_t n) : data(static_cast<const char*>(p), n) {}
    friend bool operator==(const bytes&, const bytes&) = default;
};

/// Python `list`.
struct list : std::vector<value> {
    using std::vector<value>::vector;
};
/// Python `tuple`.
struct tuple : std::vector<value> {
    using std::vector<value>::vector;
};
/// Python `set` (element order is the order read or inserted; equality ignores order).
struct set : std::vector<value> {
    using std::vector<value>::vector;
};
/// Python `frozenset` (as `set`).
struct frozenset : std::vector<value> {
    using std::vector<value>::vector;
};

/// Python `dict`: insertion-ordered mapping from hashable values to values.
/// Lookup is O(1) on average (a hash index is kept beside the entries).
/// Keys must be hashable: none, bool, int, float, str, bytes, tuple/frozenset of hashables.
class dict {
  public:
    using entry = std::pair<value, value>;

    dict();
    dict(std::initializer_list<entry> entries);
    dict(const dict&);
    dict(dict&&) noexcept;
    dict& operator=(const dict&);
    dict& operator=(dict&&) noexcept;
    ~dict();

    /// Number of entries.
    std::size_t size() const noexcept;
    bool empty() const noexcept { return size() == 0; }
    /// Entries in insertion order.
    const std::vector<entry>& items() const noexcept;
    std::vector<entry>::const_iterator begin() const noexcept;
    std::vector<entry>::const_iterator end() const noexcept;

    /// The value for `key`, or nullptr.
    const value* find(const value& key) const;
    value* find(const value& key);
    bool contains(const value& key) const { return find(key) != nullptr; }
    /// The value for `key`; throws `not_found` if absent.
    const value& at(const value& key) const;
    /// Inserts `key` (keeping its first position if present) and returns its value slot.
    value& operator[](const value& key);
    /// Sets `key` to `v`; an existing key keeps its position, as in Python.
    void insert_or_assign(value key, value v);
    /// Removes `key`; returns whether it was present.
    bool erase(const value& key);
    void reserve(std::size_t n);

    /// Whether this is a Python `collections.OrderedDict` (pickled as one, `type_name()`
    /// `"collections.OrderedDict"`). Every dict keeps insertion order; the mark only changes
    /// the Python type and, as in Python, makes equality between two OrderedDicts
    /// order-sensitive.
    bool is_ordered_dict() const noexcept { return ordered_dict_; }
    void set_ordered_dict(bool ordered = true) noexcept { ordered_dict_ = ordered; }

    /// As Python: by mapping, and in order too when both are OrderedDicts.
    friend bool operator==(const dict& a, const dict& b);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
    bool ordered_dict_ = false;
};

/// A type-erased object that a persistent serializer stores out of band.
/// Holds a shared pointer to an immutable `T`; copies share it.
class extension {
  public:
    extension() = default;
    /// Wraps `x` (moved into shared storage).
    template <class T>
    static extension make(T x) {
        extension e;
        e.type_ = std::type_index(typeid(T));
        e.ptr_ = std::make_shared<const T>(std::move(x));
        return e;
    }
    /// Wraps an already shared object.
    template <class T>
    static extension share(std::shared_ptr<const T> p) {
        extension e;
        e.type_ = std::type_index(typeid(T));
        e.ptr_ = std::move(p);
        return e;
    }
    /// The wrapped object's dynamic type (the key serializers are registered under).
    std::type_index type() const noexcept { return type_; }
    /// The object if it is a `T`, else nullptr.
    template <class T>
    const T* get_if() const noexcept {
        return type_ == std::type_index(typeid(T)) ? static_cast<const T*>(ptr_.get()) : nullptr;
    }
    /// The shared pointer to the object if it is a `T`, else empty.
    template <class T>
    std::shared_ptr<const T> shared() const noexcept {
        return type_ == std::type_index(typeid(T)) ? std::static_pointer_cast<const T>(ptr_)
                                                   : nullptr;
    }
    const void* get() const noexcept { return ptr_.get(); }
    /// Identity comparison (same shared object).
    friend bool operator==(const extension& a, const extension& b) noexcept {
        return a.ptr_ == b.ptr_;
    }

  private:
    std::type_index type_ = std::type_index(typeid(void));
    std::shared_ptr<const void> ptr_;
};

/// Customization point: specialize `converter<T>` with
/// `static value to_value(const T&)` and `static T from_value(const value&)`
/// to make `value(T)` and `value::as<T>()` work for your own types.
template <class T, class Enable = void>
struct converter;

template <class T>
concept convertible_to_value = requires(const T& x) {
    { converter<std::remove_cvref_t<T>>::to_value(x) } -> std::same_as<value>;
};

/// The dynamic value.
class value {
  public:
    /// Alternatives, in this order; `kind()` returns the index.
    using variant_type =
        std::variant<none_t, bool, std::int64_t, double, std::string, bytes, list, tuple, dict, set,
                     frozenset, extension, big_int, ndarray, python_object>;
    enum class kind_t : std::uint8_t {
        none,
        boolean,
        integer,
        floating,
        str,
        bytes,
        list,
        tuple,
        dict,
        set,
        frozenset,
        extension,
        big_integer,
        ndarray,
        python_object
    };

    value() noexcept = default;
    value(none_t) noexcept {}
    value(bool b) noexcept : v_(b) {}
    value(int i) noexcept : v_(std::int64_t{i}) {}
    value(long i) noexcept : v_(std::int64_t{i}) {}
    value(long long i) noexcept : v_(std::int64_t{i}) {}
    value(unsigned i) noexcept : v_(std::int64_t{i}) {}
    /// Throws `type_error` above INT64_MAX.
    value(unsigned long i);
    value(unsigned long long i);
    value(double d) noexcept : v_(d) {}
    value(float f) noexcept : v_(double{f}) {}
    value(const char* s) : v_(std::string(s)) {}
    value(std::string s) noexcept : v_(std::move(s)) {}
    value(std::string_view s) : v_(std::string(s)) {}
    value(bytes b) noexcept : v_(std::move(b)) {}
    value(list l) noexcept : v_(std::move(l)) {}
    value(tuple t) noexcept : v_(std::move(t)) {}
    value(dict d) noexcept : v_(std::move(d)) {}
    value(set s) noexcept : v_(std::move(s)) {}
    value(frozenset s) noexcept : v_(std::move(s)) {}
    value(extension e) noexcept : v_(std::move(e)) {}
    value(big_int i) noexcept : v_(std::move(i)) {}
    value(ndarray a) noexcept : v_(std::move(a)) {}
    value(python_object o) noexcept : v_(std::move(o)) {}
    /// Any type with a `converter` specialization.
    template <class T>
    requires(convertible_to_value<T> && !std::is_same_v<std::remove_cvref_t<T>, value>)
        value(const T& x)
        : value(converter<std::remove_cvref_t<T>>::to_value(x)) {}

    kind_t kind() const noexcept { return static_cast<kind_t>(v_.index()); }
    /// Python's type name of the held alternative (`"NoneType"`, `"int"`, `"dict"`, ...).
    std::string_view type_name() const noexcept;

    bool is_none() const noexcept { return kind() == kind_t::none; }
    template <class T>
    bool is() const noexcept {
        return std::holds_alternative<T>(v_);
    }
    /// The held alternative if it is `T`, else nullptr (T is one of the variant's types).
    template <class T>
    const T* get_if() const noexcept {
        return std::get_if<T>(&v_);
    }
    template <class T>
    T* get_if() noexcept {
        return std::get_if<T>(&v_);
    }
    /// The held alternative; throws `type_error` naming both types if it is not `T`.
    template <class T>
    const T& get() const {
        if (auto* p = std::get_if<T>(&v_))
            return *p;
        throw_type_error(typeid(T).name());
    }
    template <class T>
    T& get() {
        if (auto* p = std::get_if<T>(&v_))
            return *p;
        throw_type_error(typeid(T).name());
    }
    /// Converts to `T` through `converter<T>`; throws `type_error` on mismatch.
    template <class T>
    T as() const {
        return converter<T>::from_value(*this);
    }

    const variant_type& variant() const noexcept { return v_; }
    variant_type& variant() noexcept { return v_; }

    /// Python's `hash()`-compatible semantics are not promised; equal values hash equal,
    /// and `1 == 1.0 == True` as in Python. Throws `type_error` for unhashable values.
    std::size_t hash() const;
    /// Python equality: numeric kinds compare by value, list != tuple, set order ignored.
    friend bool operator==(const value& a, const value& b);
    /// A Python-like `repr()` (for printing and error messages).
    std::string repr() const;

  private:
    [[noreturn]] void throw_type_error(const char* wanted) const;
    variant_type v_;
};

}  // namespace functionfuse

template <>
struct std::hash<functionfuse::value> {
    std::size_t operator()(const functionfuse::value& v) const { return v.hash(); }
};

#include "functionfuse/value_convert.hpp"
