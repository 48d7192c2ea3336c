// S3 throughput benchmark: one workload, one path, one concurrency per run; prints one JSON line.
// scripts/bench_s3.sh runs it against s3rver (with and without the 20 ms delay proxy) next to
// rclone and boto3 on the same files.
//
//   s3_throughput --host H --port P --bucket B --key K --secret S --prefix PFX
//                 --workload w1|w2 --path async|curl --concurrency N
//                 [--w1-mib 256] [--w2-count 1000] [--w2-kib 64] [--write-files DIR]
//
// W1: one float64 array of --w1-mib MiB in 1 MiB chunks, saved by array_serializer through
//     S3_PROTOCOL (zarr, compressor none so every tool moves the same bytes), window N.
// W2: --w2-count objects of --w2-kib KiB, N PUTs in flight (what saving that many results
//     does on the wire).
// --path curl: the sync path's libcurl client (easy interface, CURLOPT_AWS_SIGV4), one request
//     at a time; --concurrency is ignored (1).
// --write-files DIR: also writes the objects' bytes as files (DIR/w1/<chunk key>,
//     DIR/w2/<i>) for rclone and boto3, then exits without uploading.
// Measured: wall time and process CPU time (user + system, all threads) of the upload only.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "async_protocols/s3/client.hpp"
#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"
#include "functionfuse/s3_protocol.hpp"
#include "sync/curl_s3_client.hpp"

namespace ff = functionfuse;
namespace asio = boost::asio;

namespace {

struct args_t {
    std::map<std::string, std::string> v;
    std::string get(const std::string& k, const std::string& fallback = "") const {
        auto it = v.find(k);
        if (it != v.end())
            return it->second;
        if (fallback.empty())
            throw std::runtime_error("missing --" + k);
        return fallback;
    }
};

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// S3_PROTOCOL over one client, keys under <prefix>/<workflow>/bigdata.
class bench_protocol : public ff::s3_protocol {
  public:
    bench_protocol(ff::s3::client& c, std::string bucket, std::string prefix, std::size_t window,
                   asio::any_io_executor blocking)
        : c_(c),
          bucket_(std::move(bucket)),
          prefix_(std::move(prefix)),
          window_(window),
          blocking_(std::move(blocking)) {}
    const std::string& bucket() const noexcept override { return bucket_; }
    std::string bigdata_prefix(std::string_view wf) const override {
        return prefix_ + "/" + std::string(wf) + "/bigdata";
    }
    asio::awaitable<void> put(std::string key, std::shared_ptr<const std::string> body) override {
        ++requests;
        co_await c_.put_object(bucket_, key, std::string_view(*body));  // body lives in this frame
    }
    asio::awaitable<std::optional<std::string>> get(std::string key) override {
        co_return co_await c_.get_object(bucket_, key);
    }
    asio::awaitable<std::vector<std::string>> list(std::string prefix) override {
        auto r = co_await c_.list_objects_v2(bucket_, prefix);
        std::vector<std::string> keys;
        for (auto& o : r.objects)
            keys.push_back(o.key);
        co_return keys;
    }
    asio::awaitable<void> remove(std::vector<std::string> keys) override {
        co_await c_.delete_objects(bucket_, keys);
    }
    std::size_t max_concurrency() const noexcept override { return window_; }
    const asio::any_io_executor& blocking() const noexcept override { return blocking_; }
    std::atomic<std::size_t> requests{0};

  private:
    ff::s3::client& c_;
    std::string bucket_, prefix_;
    std::size_t window_;
    asio::any_io_executor blocking_;
};

ff::chunked_array w1_array(std::size_t mib) {
    const std::size_t n = mib * (1u << 20) / 8;
    auto a = ff::chunked_array::zeros(ff::dtype::float64, {n}, {(1u << 20) / 8});
    auto* p = reinterpret_cast<double*>(a.mutable_data());
    std::uint64_t x = 88172645463325252ull;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[i] = static_cast<double>(x >> 11) * 0x1.0p-53;
    }
    return a;
}

std::vector<std::shared_ptr<const std::string>> w2_bodies(std::size_t count, std::size_t kib) {
    std::vector<std::shared_ptr<const std::string>> out;
    std::uint64_t x = 1;
    for (std::size_t i = 0; i < count; ++i) {
        std::string s(kib * 1024, '\0');
        for (auto& c : s) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            c = static_cast<char>(x >> 56);
        }
        out.push_back(std::make_shared<const std::string>(std::move(s)));
    }
    return out;
}

template <class Body>
asio::awaitable<void> bounded(std::size_t n, std::size_t width, Body body) {
    auto ex = co_await asio::this_coro::executor;
    std::size_t next = 0;
    auto worker = [&]() -> asio::awaitable<void> {
        while (next < n)
            co_await body(next++);
    };
    using op_type = decltype(asio::co_spawn(ex, worker(), asio::deferred));
    std::vector<op_type> ops;
    for (std::size_t w = 0; w < std::min(width, n); ++w)
        ops.push_back(asio::co_spawn(ex, worker(), asio::deferred));
    auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                               .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

template <class T>
T run_on(asio::io_context& ctx, asio::awaitable<T> aw) {
    std::exception_ptr error;
    std::optional<T> result;
    asio::co_spawn(ctx, std::move(aw), [&](std::exception_ptr e, T v) {
        error = e;
        if (!e)
            result.emplace(std::move(v));
    });
    ctx.run();
    if (error)
        std::rethrow_exception(error);
    return std::move(*result);
}

/// The sync path's transport: every object PUT one at a time through libcurl.
std::size_t curl_put_all(const args_t& a,
                         const std::vector<std::pair<std::string, std::string_view>>& objects) {
    ff::s3::client_params params;
    params.host = a.get("host");
    params.port = static_cast<std::uint16_t>(std::stoi(a.get("port")));
    params.use_tls = false;
    params.creds.access_key_id = a.get("key");
    params.creds.secret_access_key = a.get("secret");
    ff::detail::curl_s3_client c(params);
    for (const auto& [key, body] : objects)
        c.put_object(a.get("bucket"), key, body);
    return objects.size();
}

}  // namespace

int main(int argc, char** argv) try {
    args_t a;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        if (k.rfind("--", 0) != 0)
            throw std::runtime_error("bad argument " + k);
        a.v[k.substr(2)] = argv[i + 1];
    }
    const std::string workload = a.get("workload");
    const std::string path = a.get("path", "async");
    const std::size_t conc = std::stoul(a.get("concurrency", "16"));
    const std::size_t w1_mib = std::stoul(a.get("w1-mib", "256"));
    const std::size_t w2_count = std::stoul(a.get("w2-count", "1000"));
    const std::size_t w2_kib = std::stoul(a.get("w2-kib", "64"));

    if (a.v.count("write-files")) {
        namespace fs = std::filesystem;
        const fs::path dir = a.get("write-files");
        if (workload == "w1") {
            fs::create_directories(dir / "w1");
            auto arr = w1_array(w1_mib);
            const std::size_t chunk = 1u << 20;
            for (std::size_t i = 0; i * chunk < arr.nbytes(); ++i)
                std::ofstream(dir / "w1" / std::to_string(i), std::ios::binary)
                    .write(reinterpret_cast<const char*>(arr.data()) + i * chunk, chunk);
        } else {
            fs::create_directories(dir / "w2");
            auto bodies = w2_bodies(w2_count, w2_kib);
            for (std::size_t i = 0; i < bodies.size(); ++i)
                std::ofstream(dir / "w2" / std::to_string(i), std::ios::binary)
                    .write(bodies[i]->data(), static_cast<std::streamsize>(bodies[i]->size()));
        }
        return 0;
    }

    const std::string prefix = a.get("prefix");
    std::uint64_t bytes = 0;
    std::size_t requests = 0;
    double wall = 0, cpu = 0;
    std::optional<ff::chunked_array> arr;
    std::vector<std::shared_ptr<const std::string>> bodies;
    if (workload == "w1")
        arr = w1_array(w1_mib);
    else
        bodies = w2_bodies(w2_count, w2_kib);

    if (path == "curl") {
        std::vector<std::pair<std::string, std::string_view>> objects;
        if (arr) {
            const std::size_t chunk = 1u << 20;
            for (std::size_t i = 0; i * chunk < arr->nbytes(); ++i)
                objects.emplace_back(
                    prefix + "/w1/" + std::to_string(i),
                    std::string_view(reinterpret_cast<const char*>(arr->data()) + i * chunk,
                                     chunk));
        } else {
            for (std::size_t i = 0; i < bodies.size(); ++i)
                objects.emplace_back(prefix + "/w2/" + std::to_string(i), *bodies[i]);
        }
        for (auto& o : objects)
            bytes += o.second.size();
        const double c0 = cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        requests = curl_put_all(a, objects);
        wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        cpu = cpu_seconds() - c0;
    } else {
        asio::io_context ctx;
        asio::thread_pool pool(2);
        ff::s3::client_params params;
        params.host = a.get("host");
        params.port = static_cast<std::uint16_t>(std::stoi(a.get("port")));
        params.use_tls = false;
        params.creds.access_key_id = a.get("key");
        params.creds.secret_access_key = a.get("secret");
        params.max_connections = conc;
        params.unsigned_payload = a.get("unsigned-payload", "0") == "1";
        ff::s3::client client(ctx.get_executor(), params);
        bench_protocol proto(client, a.get("bucket"), prefix, conc, pool.get_executor());
        const double c0 = cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        if (arr) {
            ff::protocols protos{{std::string(ff::S3_PROTOCOL),
                                  std::shared_ptr<ff::protocol>(&proto, [](ff::protocol*) {})}};
            ff::array_options opts;
            opts.zarr.id = a.get("compressor", "none") == "none" ? "" : a.get("compressor");
            ff::array_serializer ser(opts);
            run_on(ctx, ser.pickle(protos, "wf", ff::extension::make(*arr)));
            bytes = arr->nbytes();
        } else {
            run_on(ctx, [&]() -> asio::awaitable<int> {
                co_await bounded(bodies.size(), conc, [&](std::size_t i) -> asio::awaitable<void> {
                    co_await proto.put(prefix + "/w2/" + std::to_string(i), bodies[i]);
                });
                co_return 0;
            }());
            for (auto& b : bodies)
                bytes += b->size();
        }
        wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        cpu = cpu_seconds() - c0;
        requests = proto.requests;
        pool.join();
    }
    std::printf(
        "{\"tool\": \"%s\", \"workload\": \"%s\", \"concurrency\": %zu, \"bytes\": %llu, "
        "\"requests\": %zu, \"wall_s\": %.4f, \"cpu_s\": %.4f}\n",
        path.c_str(), workload.c_str(), path == "curl" ? std::size_t{1} : conc,
        static_cast<unsigned long long>(bytes), requests, wall, cpu);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "s3_throughput: %s\n", e.what());
    return 1;
}
