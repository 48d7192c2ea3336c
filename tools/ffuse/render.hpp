#pragma once
// How ffuse shows values, sizes and times. The JSON mapping of `cat` (README.md, "ffuse"):
//   None -> null; bool -> true/false; int -> number; float -> number, except NaN, inf and
//   -inf -> the strings "NaN", "Infinity", "-Infinity"; str -> string;
//   bytes -> {"$bytes": "<base64>"}; list, tuple, set, frozenset -> array (sets in stored
//   order); dict -> object when every key is a str, else an array of [key, value] pairs;
//   an array -> {"$array": {"dtype", "shape", "chunks"[, "data": nested lists]}}.
#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "functionfuse/functionfuse.hpp"
#include "region.hpp"

namespace ffuse {

namespace ff = functionfuse;

/// "1.5 MiB" (binary units, as `du -h`), exact bytes below 1 KiB.
std::string human_size(std::uint64_t bytes);
/// UTC, ISO 8601 to the second: "2026-12-03T10:23:45Z".
std::string iso_time(std::chrono::system_clock::time_point t);

/// One line saying what a value is: `dict{loss: float, weights: float64[1024,1024]/[256,256]}`,
/// shortened to `width` characters.
std::string summary(const ff::value& v, std::size_t width = 100);

/// The documented JSON mapping (above); arrays with their data only if already read (a
/// `chunked_array`), a lazy one as metadata.
boost::json::value to_json(const ff::value& v, bool array_data);
/// Python's repr; arrays as `array(dtype=..., shape=(...), chunks=(...))` or, read, as
/// nested lists in `array([...], dtype=...)`.
std::string to_repr(const ff::value& v, bool array_data);

/// Reads every lazy array in `v` and puts the array in its place: all of it when `region` is
/// null, else the part `region` selects (only the chunks it touches are fetched). Throws
/// `usage_error` when `region` does not fit an array (region.hpp).
boost::asio::awaitable<void> read_arrays(ff::value& v, const region_spec* region);

/// Calls `f(array)` for every array (chunked or lazy) in `v`, as their metadata.
struct array_info {
    ff::dtype type;
    ff::chunked_array::shape_type shape, chunks;
};
std::vector<array_info> arrays_in(const ff::value& v);

}  // namespace ffuse
