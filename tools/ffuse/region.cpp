// `--region` of `ffuse cat`: numpy slice notation to an array_region (region.hpp).
#include "region.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "ffuse.hpp"

namespace ffuse {

namespace {

std::string shape_text(const ff::chunked_array::shape_type& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

/// An optional signed integer: the whole of `part`, or nothing when `part` is empty.
std::optional<std::int64_t> bound(std::string_view part, const std::string& text) {
    if (part.empty())
        return std::nullopt;
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || end != part.data() + part.size())
        throw usage_error("--region '" + text + "': '" + std::string(part) +
                          "' is not an integer (slices are START:STOP, comma-separated)");
    return v;
}

}  // namespace

region_spec parse_region(const std::string& text) {
    region_spec spec;
    spec.text = text;
    if (text.empty())
        throw usage_error("--region is empty (e.g. --region 0:10,5:20)");
    std::string_view rest = text;
    while (true) {
        const auto comma = rest.find(',');
        const std::string_view entry = rest.substr(0, comma);
        region_spec::dim d;
        const auto colon = entry.find(':');
        if (colon == std::string_view::npos) {
            if (entry.empty())
                throw usage_error("--region '" + text + "' has an empty entry");
            d.index = true;
            d.start = bound(entry, text);
        } else {
            if (entry.find(':', colon + 1) != std::string_view::npos)
                throw usage_error("--region '" + text +
                                  "': steps (START:STOP:STEP) are not "
                                  "supported");
            d.start = bound(entry.substr(0, colon), text);
            d.stop = bound(entry.substr(colon + 1), text);
        }
        spec.dims.push_back(d);
        if (comma == std::string_view::npos)
            break;
        rest.remove_prefix(comma + 1);
    }
    return spec;
}

ff::array_region resolve_region(const region_spec& spec,
                                const ff::chunked_array::shape_type& shape) {
    if (spec.dims.size() > shape.size())
        throw usage_error("--region '" + spec.text + "' has " + std::to_string(spec.dims.size()) +
                          " dimension(s), the array " + shape_text(shape) + " has " +
                          std::to_string(shape.size()));
    ff::array_region r;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const auto n = static_cast<std::int64_t>(shape[i]);
        std::int64_t start = 0, stop = n;
        if (i < spec.dims.size()) {
            const auto& d = spec.dims[i];
            if (d.index) {
                start = *d.start < 0 ? *d.start + n : *d.start;
                if (start < 0 || start >= n)
                    throw usage_error("--region '" + spec.text + "': index " +
                                      std::to_string(*d.start) + " is out of range for the array " +
                                      shape_text(shape));
                stop = start + 1;
            } else {
                // Python's clipping of slice bounds.
                auto clip = [n](std::int64_t v) {
                    return std::clamp(v < 0 ? v + n : v, std::int64_t{0}, n);
                };
                if (d.start)
                    start = clip(*d.start);
                if (d.stop)
                    stop = clip(*d.stop);
            }
        }
        if (stop <= start)
            throw usage_error("--region '" + spec.text + "' selects nothing of the array " +
                              shape_text(shape));
        r.start.push_back(static_cast<std::size_t>(start));
        r.count.push_back(static_cast<std::size_t>(stop - start));
    }
    return r;
}

}  // namespace ffuse
