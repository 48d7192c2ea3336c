#pragma once
// JSON parsing whose numbers are exact: Boost.JSON 1.81 may read a double one ulp away from
// the correctly rounded value (its precise mode arrived in 1.83), while zarr-python (CPython's
// json) always rounds correctly. A .zarray fill value or codec parameter must mean the same
// double on both sides, so doubles are re-read from their text with std::from_chars.

#include <string_view>

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

namespace functionfuse::zarr::detail {

/// Parses one JSON document (as `boost::json::parse`, duplicate keys: the last wins) with
/// correctly rounded doubles. On a syntax error returns null and sets `ec`.
boost::json::value parse_exact_json(std::string_view text, boost::system::error_code& ec);

}  // namespace functionfuse::zarr::detail
