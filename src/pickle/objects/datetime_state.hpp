#pragma once
// CPython's pickled state of datetime objects, decoded and encoded with every field checked:
//
//   date      4 bytes: year (2, big-endian), month, day
//   time      6 bytes: hour (| 0x80 if fold), minute, second, microsecond (3, big-endian)
//   datetime 10 bytes: year (2), month (| 0x80 if fold), day, hour, minute, second,
//                      microsecond (3)
//
// The fold bit is written from protocol 4 on. CPython itself checks little of the state when
// it loads one (only the month or hour byte); we check everything, so that a value read here
// is one Python could have made. `validity` texts say what is wrong, or are empty.

#include <string>
#include <string_view>

#include "functionfuse/python_object.hpp"

namespace functionfuse::pickle::objects {

/// What is wrong with a value (empty if nothing): ranges as Python's constructors check them.
std::string validity(const py::date& d);
std::string validity(const py::time& t);
std::string validity(const py::datetime& d);
std::string validity(const py::timedelta& t);
std::string validity(const py::timezone& z);
/// Whether `text` is what `str(Decimal)` writes: `-`? then digits with an optional fraction
/// and an `E±n` exponent, `Infinity`, `NaN` or `sNaN` (each with an optional digit payload).
bool valid_decimal_text(std::string_view text);

/// Decode a state; throw `refused` (objects.hpp) saying what is wrong. The time and datetime
/// come without a timezone (it is a separate argument).
py::date decode_date(std::string_view state);
py::time decode_time(std::string_view state);
py::datetime decode_datetime(std::string_view state);

/// Encode a value's state (protocol 4: with the fold bit); throw `type_error` for an invalid
/// value (Python could not load it).
std::string encode_date(const py::date& d);
std::string encode_time(const py::time& t);
std::string encode_datetime(const py::datetime& d);

/// A timezone's offset as Python's normalized timedelta.
py::timedelta offset_timedelta(const py::timezone& z);

}  // namespace functionfuse::pickle::objects
