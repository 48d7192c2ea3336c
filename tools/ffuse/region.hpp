#pragma once
// `ffuse cat --region`: which part of each array to read, in numpy's slice notation, one entry
// per dimension separated by commas: `START:STOP`, `START:`, `:STOP`, `:` (the whole
// dimension) or one index `I` (kept as a dimension of length 1, as h5dump keeps it).
// Negative numbers count from the end, slice bounds are clipped to the dimension as Python
// clips them, and dimensions left out at the end are read whole: `2:5` on a 3-d array is
// `2:5,:,:`. Only the chunks a region touches are fetched (lazy_array::read).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "functionfuse/functionfuse.hpp"

namespace ffuse {

namespace ff = functionfuse;

/// A parsed `--region`, not yet applied to an array.
struct region_spec {
    struct dim {
        std::optional<std::int64_t> start, stop;  ///< empty: from the beginning / to the end
        bool index = false;                       ///< one index (`start`), not a slice
    };
    std::vector<dim> dims;
    std::string text;  ///< as given, for messages
};

/// Parses `text`. Throws `usage_error` naming it when it is not slice notation (a step, a
/// stray character, an empty entry).
region_spec parse_region(const std::string& text);

/// The region of an array of `shape` that `spec` selects. Throws `usage_error` when `spec`
/// has more dimensions than the array, an index is out of range, or a slice selects nothing.
ff::array_region resolve_region(const region_spec& spec,
                                const ff::chunked_array::shape_type& shape);

}  // namespace ffuse
