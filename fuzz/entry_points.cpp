// The parsers of untrusted bytes, one entry point each (see entry_points.hpp).
#include "entry_points.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <variant>

#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>

#include "async_protocols/file/file_options.hpp"
#include "async_protocols/s3/beast/response_reader.hpp"
#include "async_protocols/s3/core/error_response.hpp"
#include "async_protocols/s3/core/operations.hpp"
#include "async_protocols/s3/core/xml_documents.hpp"
#include "async_protocols/s3/credentials/credentials.hpp"
#include "async_protocols/s3/s3_options.hpp"
#include "formats/zarr/metadata.hpp"
#include "functionfuse/error.hpp"
#include "functionfuse/storage.hpp"
#include "pickle/pickle.hpp"

namespace functionfuse::fuzz {

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
    std::abort();
}

/// Runs `f`, swallowing only `functionfuse::error` (the documented answer to bad input).
template <class F>
void expect_ff_error_only(F&& f) {
    try {
        f();
    } catch (const functionfuse::error&) {
    }
}

}  // namespace

void pickle_loads(std::string_view data) {
    std::optional<value> v;
    try {
        v = pickle::loads(data);
    } catch (const functionfuse::error&) {
        return;
    }
    // The writer must take every value the reader gives, and the two must agree. Bytes, not
    // values, are compared: NaN != NaN would fail a value comparison.
    try {
        const std::string once = pickle::dumps(*v);
        const std::string twice = pickle::dumps(pickle::loads(once));
        if (once != twice)
            fail("pickle: dumps(loads(dumps(v))) != dumps(v)");
    } catch (const functionfuse::error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        fail("pickle: a value that loads returned does not survive dumps and loads");
    }
}

namespace {

/// Equal or both NaN: metadata numbers are read correctly rounded (formats/zarr/exact_json),
/// so a double written and read again is the same double.
bool near(double a, double b) {
    return a == b || (std::isnan(a) && std::isnan(b));
}

/// Variant equality with `near` for doubles (fill values and codec parameters).
template <class Variant>
bool same(const Variant& a, const Variant& b) {
    if (a.index() != b.index())
        return false;
    if (const double* x = std::get_if<double>(&a))
        return near(*x, std::get<double>(b));
    return a == b;
}

bool same(const zarr::array_metadata& a, const zarr::array_metadata& b) {
    if (a.shape != b.shape || a.chunks != b.chunks || a.dtype != b.dtype ||
        a.dimension_separator != b.dimension_separator || !same(a.fill_value, b.fill_value) ||
        a.compressor.has_value() != b.compressor.has_value())
        return false;
    if (!a.compressor)
        return true;
    if (a.compressor->id != b.compressor->id ||
        a.compressor->params.size() != b.compressor->params.size())
        return false;
    for (const auto& [key, value] : a.compressor->params) {
        const auto it = b.compressor->params.find(key);
        if (it == b.compressor->params.end() || !same(value, it->second))
            return false;
    }
    return true;
}

}  // namespace

void zarr_metadata(std::string_view data) {
    expect_ff_error_only([&] {
        const zarr::array_metadata m = zarr::parse_zarray(data, "fuzz/.zarray");
        if (!same(zarr::parse_zarray(zarr::to_json(m), "fuzz/.zarray"), m))
            fail("zarr: parse_zarray(to_json(m)) differs from m");
        std::array<std::byte, 8> element{};
        zarr::fill_value_bytes(m.fill_value, m.dtype.type, element.data());
    });
    expect_ff_error_only([&] { zarr::parse_zgroup(data, "fuzz/.zgroup"); });
}

void s3_xml(std::string_view data) {
    expect_ff_error_only([&] { s3::parse_list_page(data); });
    expect_ff_error_only([&] {
        // The pager adds the guard against endless truncated listings; two pages of the
        // same bytes exercise it.
        s3::list_objects_pager pager("prefix/", "/");
        for (int page = 0; page < 2 && !pager.done(); ++page)
            pager.take(data, 200, "fuzz-request-id");
    });
    expect_ff_error_only([&] { s3::parse_upload_id(data); });
    expect_ff_error_only([&] { s3::is_error_document(data); });
    expect_ff_error_only([&] { s3::parse_complete_etag(data); });
    expect_ff_error_only([&] { s3::parse_delete_result(data); });
    expect_ff_error_only([&] { s3::parse_error_body(data); });
    for (int status : {0, 200, 301, 403, 404, 500, 503, 999}) {
        expect_ff_error_only(
            [&] { (void)s3::make_s3_error(data, status, "fuzz/key", "fuzz-request-id"); });
    }
}

void storage_config(std::string_view data) {
    boost::system::error_code ec;
    const boost::json::value options = boost::json::parse(data, ec);
    if (ec)
        return;
    expect_ff_error_only([&] { (void)detail::read_file_options(options); });
    const s3::env_lookup no_env = [](std::string_view) { return std::optional<std::string>(); };
    expect_ff_error_only([&] { (void)detail::read_s3_options(options, no_env); });
}

void aws_ini(std::string_view data) {
    expect_ff_error_only([&] { (void)s3::parse_ini(data, "fuzz-credentials"); });
}

void glob(std::string_view data) {
    const std::size_t nul = data.find('\0');
    const std::string_view pattern = nul == data.npos ? data : data.substr(0, nul);
    const std::string_view name = nul == data.npos ? data : data.substr(nul + 1);
    expect_ff_error_only([&] {
        (void)glob_match(pattern, name);
        if (name.find_first_of("*?[") == name.npos && !glob_match(name, name))
            fail("glob: a name without metacharacters does not match itself");
        if (!glob_match("*", name))
            fail("glob: '*' does not match a name");
    });
}

namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;

/// A SyncReadStream over fixed bytes that hands them out in small reads, as a socket
/// would, then reports end of stream.
class byte_stream {
  public:
    explicit byte_stream(std::string_view bytes) : bytes_(bytes) {}

    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers) {
        beast::error_code ec;
        const std::size_t n = read_some(buffers, ec);
        if (ec)
            throw beast::system_error(ec);
        return n;
    }

    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers, beast::error_code& ec) {
        if (bytes_.empty()) {
            ec = boost::asio::error::eof;
            return 0;
        }
        // Odd, small reads cut headers and chunk sizes at every place over time.
        const std::size_t chunk = 1 + bytes_.size() % 61;
        const std::size_t n = boost::asio::buffer_copy(
            buffers, boost::asio::buffer(bytes_.data(), std::min(chunk, bytes_.size())));
        bytes_.remove_prefix(n);
        ec = {};
        return n;
    }

  private:
    std::string_view bytes_;
};

std::string header_value(const s3::http_response& r, std::string_view name) {
    const auto it = r.find(name);
    return it == r.end() ? std::string() : std::string(it->value());
}

void read_response(std::string_view data, bool head_request) {
    // As connection::exchange reads (src/async_protocols/s3/beast/connection.cpp).
    byte_stream stream(data);
    beast::flat_buffer buffer;
    buffer.reserve(64 * 1024);
    s3::response_parser parser;
    s3::prepare_response_parser(parser, head_request);
    beast::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec)
        return;  // the client turns this into exchange_error, then io_error after retries
    const s3::http_response response = parser.release();
    const int status = static_cast<int>(response.result_int());
    // As client::impl::execute interprets an answer.
    if (status < 300)
        return;
    expect_ff_error_only([&] { (void)s3::parse_error_body(response.body()); });
    expect_ff_error_only([&] {
        (void)s3::make_s3_error(response.body(), status, "fuzz/key",
                                header_value(response, "x-amz-request-id"));
    });
}

}  // namespace

void http_response(std::string_view data) {
    read_response(data, false);
    read_response(data, true);
}

const std::vector<entry_point>& entry_points() {
    static const std::vector<entry_point> all{
        {"pickle", pickle_loads},
        {"zarr_metadata", zarr_metadata},
        {"s3_xml", s3_xml},
        {"storage_config", storage_config},
        {"aws_ini", aws_ini},
        {"glob", glob},
        {"http_response", http_response},
    };
    return all;
}

}  // namespace functionfuse::fuzz
