#pragma once
// How the async client reads one S3 answer: the parser's type and its settings, written once
// for `connection::exchange` and for the fuzz harness (fuzz/entry_points.cpp), so that the
// harness reads bytes exactly as the client does. Internal header (exposes Beast types).

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace functionfuse::s3 {

/// Reads an answer whose body goes into a string.
using response_parser = boost::beast::http::response_parser<boost::beast::http::string_body>;

/// Sets `parser` up for one answer: any body size (objects are read whole), and no body at
/// all for the answer to a HEAD request. Thread-safe (touches only `parser`).
inline void prepare_response_parser(response_parser& parser, bool head_request) {
    parser.body_limit(boost::none);
    if (head_request)
        parser.skip(true);
}

}  // namespace functionfuse::s3
