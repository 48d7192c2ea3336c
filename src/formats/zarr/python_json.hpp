#pragma once
/// \file
/// Internal: a tiny JSON tree and writer that formats exactly like Python's
/// `json.dumps(o, indent=4, sort_keys=True, ensure_ascii=True, separators=(',', ': '))`,
/// which is how zarr-python writes `.zarray` and `.zgroup`. Boost.JSON's serializer formats
/// numbers differently (`1E20`), so metadata is written with this instead.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace functionfuse::zarr::detail {

struct py_json;
struct py_json_member;
using py_json_list = std::vector<py_json>;
using py_json_object = std::vector<py_json_member>;  ///< sorted when written

/// One JSON value.
struct py_json {
    std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string,
                 py_json_list, py_json_object>
        v;
};

/// One key of an object and its value. A struct, not `std::pair`: clang 14 with libstdc++ 12
/// instantiates `std::pair<std::string, py_json>` while `py_json` is still incomplete and
/// fails (the fuzz build uses clang); the member names are the pair's.
struct py_json_member {
    py_json_member(std::string key, py_json value)
        : first(std::move(key)), second(std::move(value)) {}
    std::string first;
    py_json second;
};

/// Python's `repr(float)` for a finite double: shortest round-trip digits, fixed notation for
/// decimal exponents in [-4, 16), otherwise `1e+20` / `1.5e-05`; always a `.0` or exponent.
std::string python_float_repr(double d);

/// `json.dumps` as zarr-python calls it (keys sorted, 4-space indent, ASCII only).
std::string python_json_dumps(const py_json& value);

}  // namespace functionfuse::zarr::detail
