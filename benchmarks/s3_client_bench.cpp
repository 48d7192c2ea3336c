// s3_client_bench: PUT throughput of the async S3 client and its CPU cost.
//
//   s3_client_bench --port P [--host 127.0.0.1] [--bucket ff-bench] [--count N] [--size BYTES]
//                   [--connections C] [--key S3RVER] [--secret S3RVER]
//
// Uploads `count` objects of `size` bytes (one shared buffer, sent as views) with `connections`
// concurrent requests and pooled connections, then prints one line of key=value figures:
// wall seconds, requests/s, MB/s (10^6 bytes), and the client's CPU seconds (getrusage, user +
// system, of this process during the uploads only) per GiB uploaded. The objects are deleted
// afterwards, outside the measurement. scripts/bench_s3_client.sh runs it against s3rver.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "async_protocols/s3/beast/client.hpp"

namespace asio = boost::asio;
namespace s3 = functionfuse::s3;

namespace {

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto secs = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return secs(u.ru_utime) + secs(u.ru_stime);
}

struct bench_args {
    std::string host = "127.0.0.1", bucket = "ff-bench", key = "S3RVER", secret = "S3RVER";
    std::uint16_t port = 0;
    std::size_t count = 1000, size = 4096, connections = 1;
};

asio::awaitable<void> put_worker(s3::client& c, const bench_args& a, const std::string& body,
                                 std::size_t& next) {
    while (next < a.count) {
        const std::size_t i = next++;
        co_await c.put_object(a.bucket, "bench/" + std::to_string(i), body);
    }
}

asio::awaitable<void> put_all(s3::client& c, const bench_args& a, const std::string& body) {
    auto ex = co_await asio::this_coro::executor;
    std::size_t next = 0;
    std::vector<decltype(asio::co_spawn(ex, put_worker(c, a, body, next), asio::deferred))> ops;
    for (std::size_t i = 0; i < a.connections; ++i) {
        ops.push_back(asio::co_spawn(ex, put_worker(c, a, body, next), asio::deferred));
    }
    auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                               .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (auto& e : errors) {
        if (e)
            std::rethrow_exception(e);
    }
}

asio::awaitable<void> delete_all(s3::client& c, const bench_args& a) {
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < a.count; ++i)
        keys.push_back("bench/" + std::to_string(i));
    co_await c.delete_objects(a.bucket, keys);
}

template <class T>
void run(asio::io_context& ctx, asio::awaitable<T> aw) {
    std::exception_ptr failure;
    asio::co_spawn(ctx, std::move(aw), [&](std::exception_ptr e) { failure = e; });
    ctx.restart();
    ctx.run();
    if (failure)
        std::rethrow_exception(failure);
}

}  // namespace

int main(int argc, char** argv) {
    bench_args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--host")
            a.host = v;
        else if (k == "--port")
            a.port = static_cast<std::uint16_t>(std::stoi(v));
        else if (k == "--bucket")
            a.bucket = v;
        else if (k == "--count")
            a.count = std::stoull(v);
        else if (k == "--size")
            a.size = std::stoull(v);
        else if (k == "--connections")
            a.connections = std::stoull(v);
        else if (k == "--key")
            a.key = v;
        else if (k == "--secret")
            a.secret = v;
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    if (a.port == 0) {
        std::fprintf(stderr, "--port is required\n");
        return 2;
    }
    std::string body(a.size, '\0');
    std::mt19937_64 rng(1);
    for (auto& ch : body)
        ch = static_cast<char>(rng());

    asio::io_context ctx;
    s3::client_params p;
    p.host = a.host;
    p.port = a.port;
    p.use_tls = false;
    p.creds.access_key_id = a.key;
    p.creds.secret_access_key = a.secret;
    p.max_connections = a.connections;
    s3::client c(ctx.get_executor(), p);
    try {
        const double cpu0 = cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        run(ctx, put_all(c, a, body));
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double cpu = cpu_seconds() - cpu0;
        const double bytes = double(a.count) * double(a.size);
        std::printf(
            "count=%zu size=%zu connections=%zu seconds=%.3f requests_per_s=%.1f mb_per_s=%.2f "
            "cpu_s=%.3f cpu_s_per_gib=%.3f\n",
            a.count, a.size, a.connections, wall, double(a.count) / wall, bytes / wall / 1e6, cpu,
            cpu / (bytes / double(1ull << 30)));
        run(ctx, delete_all(c, a));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "s3_client_bench: %s\n", e.what());
        return 1;
    }
}
