// fault_proxy: a small HTTP/1.1-aware TCP proxy that injects faults and delay, for the S3
// client's fault tests and benchmarks (the kernel here has no netem).
//
//   fault_proxy --upstream HOST:PORT [--listen PORT] [--latency-ms N] [--slowdown-rate R]
//               [--reset-rate R] [--stall-rate R] [--seed N] [--request-log FILE]
//
// It prints "listening on PORT" on stdout (PORT chosen by the OS when --listen is 0 or
// absent) and then serves until killed. Per request (each request on a keep-alive connection
// is judged separately, with a deterministic RNG seeded by --seed) it draws one fault:
//   slowdown  answers 503 with a valid S3 <Error><Code>SlowDown</Code> document without
//             forwarding (the request body is read and dropped first);
//   reset     forwards the request, then resets the client connection (RST) halfway through
//             the answer's body (or its headers, for a bodiless answer);
//   stall     stops forwarding: the request is swallowed, no answer ever comes;
// otherwise it forwards the exchange, delayed by --latency-ms. Requests are parsed just
// enough (headers, Content-Length) to find message boundaries; chunked bodies are not
// supported (the S3 client never sends them; s3rver answers with Content-Length). A request
// with `Expect: 100-continue` gets the proxy's own `100 Continue` before its body is read.
// With --request-log, every forwarded exchange appends one line to FILE before the answer goes
// back to the client: `METHOD TARGET STATUS IF-NONE-MATCH` (the header's value, or `-`), so a
// test counts the requests an operation sent once the operation has returned.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

struct options {
    std::uint16_t listen_port = 0;
    std::string upstream_host;
    std::string upstream_port;
    int latency_ms = 0;
    double slowdown_rate = 0, reset_rate = 0, stall_rate = 0;
    std::uint64_t seed = 1;
    std::FILE* request_log = nullptr;
};

enum class fault { none, slowdown, reset, stall };

class fault_source {
  public:
    fault_source(const options& o) : opts_(o), rng_(o.seed) {}
    fault draw() {
        std::lock_guard lock(mutex_);
        const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
        if (u < opts_.slowdown_rate)
            return fault::slowdown;
        if (u < opts_.slowdown_rate + opts_.reset_rate)
            return fault::reset;
        if (u < opts_.slowdown_rate + opts_.reset_rate + opts_.stall_rate)
            return fault::stall;
        return fault::none;
    }

  private:
    const options& opts_;
    std::mutex mutex_;
    std::mt19937_64 rng_;
};

std::string slowdown_body() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
           "<Message>Please reduce your request rate.</Message>"
           "<RequestId>fault-proxy</RequestId></Error>";
}

void hard_reset(tcp::socket& s) {
    boost::system::error_code ec;
    s.set_option(asio::socket_base::linger(true, 0), ec);  // close() then sends RST
    s.close(ec);
}

bool expects_continue(const http::request<http::string_body>& req) {
    // Only an HTTP/1.1 client may expect 100-continue (RFC 9110 10.1.1); header values are
    // case-insensitive.
    return req.version() >= 11 &&
           beast::iequals(req[http::field::expect], std::string_view("100-continue"));
}

const std::string& continue_line() {
    static const std::string line = "HTTP/1.1 100 Continue\r\n\r\n";
    return line;
}

/// Reads the upstream's final answer, dropping interim 1xx answers: the client has already
/// heard the proxy's own `100 Continue` (or did not ask), and forwarding the upstream's 100
/// as if it were the answer would leave the real one unread, desynchronizing the connection.
asio::awaitable<http::response<http::string_body>> read_final_response(tcp::socket& upstream,
                                                                       beast::flat_buffer& buf,
                                                                       bool head_request) {
    for (;;) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(boost::none);
        if (head_request)
            parser.skip(true);
        co_await http::async_read(upstream, buf, parser, asio::use_awaitable);
        const unsigned status = parser.get().result_int();
        // 101 Switching Protocols is final; no S3 client asks for it.
        if (status >= 100 && status < 200 && status != 101)
            continue;
        co_return parser.release();
    }
}

asio::awaitable<void> serve(tcp::socket client, const options& opts, fault_source& faults) {
    auto ex = co_await asio::this_coro::executor;
    tcp::socket upstream(ex);
    try {
        tcp::resolver resolver(ex);
        auto endpoints = co_await resolver.async_resolve(opts.upstream_host, opts.upstream_port,
                                                         asio::use_awaitable);
        co_await asio::async_connect(upstream, endpoints, asio::use_awaitable);
        upstream.set_option(tcp::no_delay(true));
        client.set_option(tcp::no_delay(true));
        beast::flat_buffer client_buf, upstream_buf;
        // Beast reads at most a buffer's free capacity per call (at least 512 bytes) and the
        // parser drains body bytes as they come, so unreserved buffers stay small and a 1 MiB
        // body took ~2,000 reads: the proxy, not the server, capped benchmarks near 120 MB/s.
        client_buf.reserve(64 * 1024);
        upstream_buf.reserve(64 * 1024);
        for (;;) {
            http::request_parser<http::string_body> req_parser;
            req_parser.body_limit(boost::none);
            co_await http::async_read_header(client, client_buf, req_parser, asio::use_awaitable);
            if (expects_continue(req_parser.get())) {
                // The proxy reads the whole request before forwarding it (a fault is drawn
                // per whole exchange), but a client sending `Expect: 100-continue` (boto3 on
                // every PutObject) holds the body back until it hears `100 Continue`. So the
                // proxy says it itself. The Expect header still goes upstream untouched (a
                // client may have signed it), and the body follows right after the headers,
                // which RFC 9110 allows; the upstream's own interim 100 is then dropped below.
                co_await asio::async_write(client, asio::buffer(continue_line()),
                                           asio::use_awaitable);
            }
            co_await http::async_read(client, client_buf, req_parser, asio::use_awaitable);
            auto request = req_parser.release();
            const fault f = faults.draw();
            if (opts.latency_ms > 0) {
                asio::steady_timer t(ex, std::chrono::milliseconds(opts.latency_ms));
                co_await t.async_wait(asio::use_awaitable);
            }
            if (f == fault::stall) {
                // Keep both sockets open and never answer: the client must time out.
                asio::steady_timer forever(ex, std::chrono::hours(24));
                co_await forever.async_wait(asio::use_awaitable);
                co_return;
            }
            if (f == fault::slowdown) {
                http::response<http::string_body> res{http::status::service_unavailable,
                                                      request.version()};
                res.set(http::field::content_type, "application/xml");
                res.set("x-amz-request-id", "fault-proxy");
                res.body() = slowdown_body();
                res.keep_alive(request.keep_alive());
                res.prepare_payload();
                co_await http::async_write(client, res, asio::use_awaitable);
                if (!request.keep_alive())
                    co_return;
                continue;
            }
            co_await http::async_write(upstream, request, asio::use_awaitable);
            auto response = co_await read_final_response(upstream, upstream_buf,
                                                         request.method() == http::verb::head);
            if (f == fault::reset) {
                // Serialize the answer and send only its first half, then RST.
                http::response_serializer<http::string_body> sr(response);
                std::string wire;
                boost::system::error_code ec;
                while (!sr.is_done()) {
                    sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
                        for (auto b : beast::buffers_range_ref(buffers)) {
                            wire.append(static_cast<const char*>(b.data()), b.size());
                        }
                        sr.consume(beast::buffer_bytes(buffers));
                    });
                    if (ec)
                        break;
                }
                const std::size_t head_size = wire.size() - response.body().size();
                const std::size_t cut = response.body().empty()
                                            ? head_size / 2
                                            : head_size + response.body().size() / 2;
                co_await asio::async_write(client, asio::buffer(wire.data(), cut),
                                           asio::use_awaitable);
                hard_reset(client);
                co_return;
            }
            if (opts.request_log) {
                // One thread runs the proxy: lines never interleave.
                const auto inm = request.find("if-none-match");
                const std::string method(request.method_string());
                const std::string target(request.target());
                const std::string condition =
                    inm == request.end() ? std::string("-") : std::string(inm->value());
                std::fprintf(opts.request_log, "%s %s %u %s\n", method.c_str(), target.c_str(),
                             response.result_int(), condition.c_str());
                std::fflush(opts.request_log);
            }
            const bool keep = response.keep_alive() && request.keep_alive();
            co_await http::async_write(client, response, asio::use_awaitable);
            if (!keep)
                co_return;
        }
    } catch (const std::exception&) {
        // Either side went away; dropping both sockets ends the exchange.
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, const options& opts,
                                  fault_source& faults) {
    for (;;) {
        tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
        asio::co_spawn(acceptor.get_executor(), serve(std::move(s), opts, faults), asio::detached);
    }
}

double parse_rate(const char* s) {
    double v = std::atof(s);
    if (v < 0 || v > 1) {
        std::cerr << "rates are in [0, 1]\n";
        std::exit(2);
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    options opts;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::cerr << "missing value for " << a << "\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--listen") {
            opts.listen_port = static_cast<std::uint16_t>(std::atoi(next()));
        } else if (a == "--upstream") {
            std::string up = next();
            auto colon = up.rfind(':');
            if (colon == std::string::npos) {
                std::cerr << "--upstream wants HOST:PORT\n";
                return 2;
            }
            opts.upstream_host = up.substr(0, colon);
            opts.upstream_port = up.substr(colon + 1);
        } else if (a == "--latency-ms") {
            opts.latency_ms = std::atoi(next());
        } else if (a == "--slowdown-rate") {
            opts.slowdown_rate = parse_rate(next());
        } else if (a == "--reset-rate") {
            opts.reset_rate = parse_rate(next());
        } else if (a == "--stall-rate") {
            opts.stall_rate = parse_rate(next());
        } else if (a == "--seed") {
            opts.seed = std::strtoull(next(), nullptr, 10);
        } else if (a == "--request-log") {
            opts.request_log = std::fopen(next(), "a");
            if (!opts.request_log) {
                std::cerr << "cannot open the request log\n";
                return 2;
            }
        } else {
            std::cerr << "usage: fault_proxy --upstream HOST:PORT [--listen PORT] [--latency-ms N]"
                         " [--slowdown-rate R] [--reset-rate R] [--stall-rate R] [--seed N]"
                         " [--request-log FILE]\n";
            return 2;
        }
    }
    if (opts.upstream_host.empty()) {
        std::cerr << "--upstream HOST:PORT is required\n";
        return 2;
    }
    asio::io_context ctx;
    tcp::acceptor acceptor(ctx,
                           tcp::endpoint(asio::ip::make_address("127.0.0.1"), opts.listen_port));
    fault_source faults(opts);
    std::printf("listening on %u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
    std::fflush(stdout);
    asio::co_spawn(ctx, accept_loop(acceptor, opts, faults), asio::detached);
    ctx.run();
}
