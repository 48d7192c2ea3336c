#pragma once
// How the async client reads one S3 answer: the body type, the parser and its settings,
// written once for `connection::exchange` and for the fuzz harness (fuzz/entry_points.cpp), so
// that the harness reads bytes exactly as the client does. Internal header (Beast types).

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/optional.hpp>

namespace functionfuse::s3 {

/// Beast's `string_body`, except that its reader reserves at most `max_reserve` bytes ahead,
/// whatever the answer's Content-Length says. Beast's own reader reserves the announced length
/// at once, so one header line (`Content-Length: 14085744444444446`) made the client allocate
/// that much, failing with `std::bad_alloc` (found by fuzz_http_response). The string grows
/// geometrically as bytes really arrive, so a large honest body costs a few reallocations.
struct response_body : boost::beast::http::string_body {
    /// Reserved up front at most; a body up to this size is read without reallocating.
    static constexpr std::size_t max_reserve = std::size_t{1} << 20;

    class reader {
      public:
        template <bool isRequest, class Fields>
        reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

        void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
            ec = {};
            if (length) {
                if (*length > body_.max_size()) {
                    ec = boost::beast::http::error::buffer_overflow;
                    return;
                }
                body_.reserve(static_cast<std::size_t>(
                    std::min<std::uint64_t>(*length, std::uint64_t{max_reserve})));
            }
        }

        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
            const std::size_t extra = boost::asio::buffer_size(buffers);
            const std::size_t size = body_.size();
            if (extra > body_.max_size() - size) {
                ec = boost::beast::http::error::buffer_overflow;
                return 0;
            }
            body_.resize(size + extra);
            ec = {};
            return boost::asio::buffer_copy(boost::asio::buffer(body_.data() + size, extra),
                                            buffers);
        }

        void finish(boost::beast::error_code& ec) { ec = {}; }

      private:
        value_type& body_;
    };
};

/// An answer with its body read into a string.
using http_response = boost::beast::http::response<response_body>;

/// Reads an answer whose body goes into a string.
using response_parser = boost::beast::http::response_parser<response_body>;

/// Sets `parser` up for one answer: any body size (objects are read whole), and no body at
/// all for the answer to a HEAD request. Thread-safe (touches only `parser`).
inline void prepare_response_parser(response_parser& parser, bool head_request) {
    parser.body_limit(boost::none);
    if (head_request)
        parser.skip(true);
}

}  // namespace functionfuse::s3
