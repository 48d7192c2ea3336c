#pragma once
/// \file
/// `functionfuse::python_object` and `functionfuse::py`: the few Python standard-library objects a
/// result may hold beyond builtins and numpy — `datetime.date`, `datetime.time`,
/// `datetime.datetime`, `datetime.timedelta`, `complex` and `decimal.Decimal` — kept exactly, so
/// that a value read from a Python pickle and saved again loads in Python as an equal object of the
/// same type.
/// (`collections.OrderedDict` is a `dict` marked `is_ordered_dict()`.)
///
/// This header is light: `value.hpp` includes it. docs/python_objects.md lists what is read
/// and written.

#include <complex>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace functionfuse {

/// Python's standard-library types (a namespace of their own: `time`, `date` and `timezone`
/// would clash with C's names).
namespace py {

/// A fixed UTC offset: Python's `datetime.timezone` (`timezone.utc` is offset 0 and no name).
/// Other tzinfo classes (zoneinfo, pytz) are not supported.
struct timezone {
    /// The offset from UTC in microseconds, strictly between -24 h and +24 h.
    std::int64_t offset_us = 0;
    /// The name given to `timezone(offset, name)`, if any.
    std::optional<std::string> name;
    /// UTC: offset 0 (Python's `timezone.utc` when there is no name).
    static timezone utc() { return {}; }
    /// Python compares timezones by offset only; so does this.
    friend bool operator==(const timezone& a, const timezone& b) noexcept {
        return a.offset_us == b.offset_us;
    }
};

/// `datetime.date`: year 1-9999, month 1-12, day valid for the month.
struct date {
    std::int32_t year = 1;
    std::uint8_t month = 1;
    std::uint8_t day = 1;
    friend bool operator==(const date&, const date&) = default;
};

/// `datetime.time`, naive or with a fixed-offset `timezone`. `fold` (PEP 495) is kept and
/// written back, and, as in Python, ignored by equality.
struct time {
    std::uint8_t hour = 0;          ///< 0-23
    std::uint8_t minute = 0;        ///< 0-59
    std::uint8_t second = 0;        ///< 0-59
    std::uint32_t microsecond = 0;  ///< 0-999999
    bool fold = false;
    std::optional<timezone> tz;  ///< empty: naive
    friend bool operator==(const time& a, const time& b) noexcept {
        return a.hour == b.hour && a.minute == b.minute && a.second == b.second &&
               a.microsecond == b.microsecond && a.tz == b.tz;
    }
};

/// `datetime.datetime`, naive or with a fixed-offset `timezone` (fields as in `date` and
/// `time`). Equality compares the fields and the offset (Python would also call two aware
/// datetimes equal that denote the same instant in different offsets); fold is ignored.
struct datetime {
    std::int32_t year = 1;
    std::uint8_t month = 1;
    std::uint8_t day = 1;
    std::uint8_t hour = 0;
    std::uint8_t minute = 0;
    std::uint8_t second = 0;
    std::uint32_t microsecond = 0;
    bool fold = false;
    std::optional<timezone> tz;
    friend bool operator==(const datetime& a, const datetime& b) noexcept {
        return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour &&
               a.minute == b.minute && a.second == b.second && a.microsecond == b.microsecond &&
               a.tz == b.tz;
    }
};

/// `datetime.timedelta` in Python's normalized form: |days| <= 999999999,
/// 0 <= seconds < 86400, 0 <= microseconds < 1000000.
struct timedelta {
    std::int32_t days = 0;
    std::int32_t seconds = 0;
    std::int32_t microseconds = 0;
    /// The whole duration in microseconds.
    std::int64_t total_microseconds() const noexcept {
        return (std::int64_t{days} * 86400 + seconds) * 1000000 + microseconds;
    }
    friend bool operator==(const timedelta&, const timedelta&) = default;
};

/// `decimal.Decimal`, kept as the text Python pickles (`str(d)`: `"1.10"`, `"-Infinity"`,
/// `"NaN"`, `"1E+3"`). Equality compares the text: `Decimal("1.1")` and `Decimal("1.10")`
/// are equal in Python but not here.
struct decimal {
    std::string text;
    friend bool operator==(const decimal&, const decimal&) = default;
};

}  // namespace py

/// One of the objects in `py`, or a `complex` (`std::complex<double>`, Python's complex). Held
/// by `value` as one alternative; `value(x)` and `v.as<T>()` accept each type directly.
/// Immutable and hashable, like its Python counterparts; copies share the object (so a `value`
/// stays small). Thread-safety: may be read from many threads at once.
class python_object {
  public:
    using variant_type = std::variant<py::date, py::time, py::datetime, py::timedelta,
                                      std::complex<double>, py::decimal>;

    /// Wraps one of the variant's types.
    template <class T>
    requires std::is_constructible_v<variant_type, T> python_object(T x)
        : s_(std::make_shared<const variant_type>(std::move(x))) {}

    /// The held object.
    const variant_type& get() const noexcept { return *s_; }
    /// The held object if it is a `T`, else nullptr.
    template <class T>
    const T* get_if() const noexcept {
        return std::get_if<T>(s_.get());
    }

    /// Python's qualified type name: `"datetime.datetime"`, `"complex"`, `"decimal.Decimal"`.
    std::string_view type_name() const noexcept;
    /// Python's `repr()` (`datetime.date(2024, 3, 1)`, `(1.5-2j)`, `Decimal('1.10')`).
    std::string repr() const;
    /// Equal objects hash equal.
    std::size_t hash() const noexcept;
    /// Same type and equal (see each type).
    friend bool operator==(const python_object& a, const python_object& b) noexcept {
        return a.s_ == b.s_ || *a.s_ == *b.s_;
    }

  private:
    std::shared_ptr<const variant_type> s_;
};

}  // namespace functionfuse
