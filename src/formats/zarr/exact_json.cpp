#include "formats/zarr/exact_json.hpp"

#include <charconv>
#include <string>
#include <system_error>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value_stack.hpp>

namespace functionfuse::zarr::detail {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// A basic_parser handler that builds the DOM like json::parser does, except for doubles.
struct exact_handler {
    static constexpr std::size_t max_array_size = -1;
    static constexpr std::size_t max_object_size = -1;
    static constexpr std::size_t max_string_size = -1;
    static constexpr std::size_t max_key_size = -1;

    json::value_stack stack;
    std::string number;  // the parts of a number split across input buffers

    bool on_document_begin(error_code&) {
        stack.reset();
        return true;
    }
    bool on_document_end(error_code&) { return true; }
    bool on_array_begin(error_code&) { return true; }
    bool on_array_end(std::size_t n, error_code&) {
        stack.push_array(n);
        return true;
    }
    bool on_object_begin(error_code&) { return true; }
    bool on_object_end(std::size_t n, error_code&) {
        stack.push_object(n);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, error_code&) {
        stack.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, error_code&) {
        stack.push_string(s);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, error_code&) {
        stack.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, error_code&) {
        stack.push_key(s);
        return true;
    }
    bool on_number_part(json::string_view s, error_code&) {
        number.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view, error_code&) {
        number.clear();
        stack.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, error_code&) {
        number.clear();
        stack.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view s, error_code&) {
        number.append(s.data(), s.size());
        double exact = 0;
        const auto [end, err] =
            std::from_chars(number.data(), number.data() + number.size(), exact);
        // Out of range (1e400): keep Boost's value (±inf or 0), which is also what CPython reads.
        if (err == std::errc() && end == number.data() + number.size())
            d = exact;
        number.clear();
        stack.push_double(d);
        return true;
    }
    bool on_bool(bool b, error_code&) {
        stack.push_bool(b);
        return true;
    }
    bool on_null(error_code&) {
        stack.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, error_code&) { return true; }
    bool on_comment(json::string_view, error_code&) { return true; }
};

}  // namespace

boost::json::value parse_exact_json(std::string_view text, boost::system::error_code& ec) {
    json::basic_parser<exact_handler> parser(json::parse_options{});
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && used != text.size())
        ec = json::error::extra_data;  // as json::parse: one document, then only whitespace
    if (ec)
        return nullptr;
    return parser.handler().stack.release();
}

}  // namespace functionfuse::zarr::detail
