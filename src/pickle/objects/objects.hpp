#pragma once
// The few Python objects the pickle codec understands beyond builtins: numpy arrays, dtypes
// and scalars (numpy.cpp); datetime's date, time, datetime, timedelta and timezone,
// collections.OrderedDict, complex and decimal.Decimal (python_stdlib.cpp). The reader never calls
// anything: it recognizes each reconstructor by its exact global and exact argument/state shapes
// (as numpy 1.x and 2.x write them) and builds the value itself. Everything here is pure; the
// reader owns the stack and the error offsets.
//
// While a pickle is decoded, some objects exist that are not values: a global used as an
// argument (`numpy.ndarray` for `_reconstruct`), a dtype (before and after its BUILD), an
// array created by `_reconstruct` that BUILD has not filled yet, a `datetime.timezone` (only
// an argument of `datetime.datetime` or `datetime.time`). They travel on the reader's
// stack as `extension`s of the types below and can only be consumed by REDUCE or BUILD.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "functionfuse/value.hpp"

namespace functionfuse::pickle::objects {

/// Why an object could not be reconstructed (the reader adds the offset).
struct refused : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The reconstructors the reader may call (REDUCE), or a type passed as an argument.
enum class callable : std::uint8_t {
    numpy_reconstruct,   // numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')
    numpy_ndarray,       // numpy.ndarray: only as _reconstruct's first argument
    numpy_dtype,         // numpy.dtype('f8', False, True), then BUILD with its state
    numpy_frombuffer,    // numpy.core.numeric._frombuffer(buf, dtype, shape, order)
    numpy_scalar,        // numpy.core.multiarray.scalar(dtype, bytes)
    datetime_date,       // datetime.date(4 state bytes)
    datetime_time,       // datetime.time(6 state bytes[, timezone])
    datetime_datetime,   // datetime.datetime(10 state bytes[, timezone])
    datetime_timedelta,  // datetime.timedelta(days, seconds, microseconds)
    datetime_timezone,   // datetime.timezone(timedelta[, name])
    ordered_dict,        // collections.OrderedDict(), then SETITEMS
    complex,             // builtins.complex(real, imag)
    decimal,             // decimal.Decimal(text)
};

/// The reconstructor a global names (numpy 1's `numpy.core` and numpy 2's `numpy._core`
/// spellings), or nullopt.
std::optional<callable> find_global(std::string_view module, std::string_view name);

/// Whether the global may appear inside an argument tuple (rather than only be called).
constexpr bool is_argument_global(callable c) noexcept {
    return c == callable::numpy_ndarray;
}

/// A numpy dtype under construction: `spec` as passed to `numpy.dtype` ("f8"); `typestr`
/// ("<f8") once BUILD gave it its byte order.
struct dtype_object {
    std::string spec;
    std::string typestr;
    bool built() const noexcept { return !typestr.empty(); }
};

/// An ndarray made by `_reconstruct`, waiting for BUILD.
struct pending_array {};

/// A `datetime.timezone`: not a value of its own, only an argument of `datetime.datetime` or
/// `datetime.time`.
struct timezone_object {
    py::timezone tz;
};

/// What REDUCE of an object reconstructor produced: a finished value, or one of the objects
/// above (wrapped in an extension; only REDUCE and BUILD may consume it).
struct result {
    value v;
    bool intermediate = false;
};

/// REDUCE of `c` with `args` (whose elements may be intermediate objects); large bytes are
/// moved out of `args`, which the reader discards afterwards. Throws `refused`.
result call(callable c, tuple& args);

/// BUILD of the intermediate object `target` with `state` (moved from, as `args`). Throws
/// `refused`.
result build(const extension& target, value& state);

/// Whether `e` is an intermediate object that may stand in an argument tuple.
bool is_argument(const extension& e) noexcept;

/// Python's qualified name of a callable, for messages.
std::string_view name(callable c) noexcept;

// Per family (numpy.cpp, python_stdlib.cpp); `find_global`, `call` and `is_argument`
// dispatch to them.
std::optional<callable> find_numpy_global(std::string_view module, std::string_view name);
std::optional<callable> find_stdlib_global(std::string_view module, std::string_view name);
result call_numpy(callable c, tuple& args);
result call_stdlib(callable c, tuple& args);

}  // namespace functionfuse::pickle::objects
