// S3 throughput benchmark: one workload, one path, one concurrency per run; prints one JSON line.
// scripts/bench_s3.sh runs it against s3rver and an nginx PUT sink (with and without the 20 ms
// delay proxy) next to rclone and boto3 uploading the same bytes.
//
//   s3_throughput --endpoint URL --bucket B --key K --secret S --prefix PFX
//                 --workload w1|w2 --path async|sync --concurrency N
//                 [--w1-mib 256] [--w2-count 1000] [--w2-kib 64] [--compressor none]
//                 [--read-back 1]
//   s3_throughput --workload w1|w2 --write-files DIR [--w1-mib ..] [--w2-count ..] [--w2-kib ..]
//
// Both paths go through the public API a user calls, configured by the same JSON:
// W1: one float64 array of --w1-mib MiB in 1 MiB chunks saved as one task (`storage::save` of a
//     `chunked_array` with `array_serializer` → zarr v2 on S3_PROTOCOL, compressor none so every
//     tool moves the same bytes): the chunk PUTs (N in flight on the async path), then
//     `.zarray`, then the task's pickle.
// W2: --w2-count results of --w2-kib KiB (`bytes`), each one `storage::save`, N in flight.
// --path sync: `functionfuse::sync::storage` (libcurl, one request at a time); --concurrency
//     is ignored (1).
// --write-files DIR: writes the objects' bytes as files (DIR/w1/<chunk number>, DIR/w2/<i>)
//     for rclone and boto3, then exits without uploading.
// Measured: wall time and process CPU time (user + system, all threads) of the saves only.
// --read-back 1: then reads everything back the same way (W1: `read_task` of the array, its
//     chunks fetched N at a time; W2: `read_task` of every result, N in flight) and adds
//     read_wall_s and read_cpu_s.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"

namespace ff = functionfuse;
namespace asio = boost::asio;

namespace {

constexpr std::size_t chunk_bytes = 1u << 20;

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
    std::size_t number(const std::string& k, const std::string& fallback) const {
        return std::stoul(get(k, fallback));
    }
};

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// Random doubles (xorshift), so no layer can shortcut on repeated bytes.
ff::chunked_array w1_array(std::size_t mib) {
    const std::size_t n = mib * chunk_bytes / 8;
    auto a = ff::chunked_array::zeros(ff::dtype::float64, {n}, {chunk_bytes / 8});
    auto* p = reinterpret_cast<double*>(a.mutable_data());
    std::uint64_t x = 88172645463325252ull;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[i] = static_cast<double>(x >> 11) * 0x1.0p-53;
    }
    return a;
}

std::vector<std::string> w2_bodies(std::size_t count, std::size_t kib) {
    std::vector<std::string> out;
    std::uint64_t x = 1;
    for (std::size_t i = 0; i < count; ++i) {
        std::string s(kib * 1024, '\0');
        for (auto& c : s) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            c = static_cast<char>(x >> 56);
        }
        out.push_back(std::move(s));
    }
    return out;
}

void write_files(const args_t& a, const std::string& workload) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(a.get("write-files")) / workload;
    fs::create_directories(dir);
    auto write = [&](std::size_t i, const char* data, std::size_t n) {
        std::ofstream(dir / std::to_string(i), std::ios::binary)
            .write(data, static_cast<std::streamsize>(n));
    };
    if (workload == "w1") {
        const auto arr = w1_array(a.number("w1-mib", "256"));
        for (std::size_t i = 0; i * chunk_bytes < arr.nbytes(); ++i)
            write(i, reinterpret_cast<const char*>(arr.data()) + i * chunk_bytes, chunk_bytes);
    } else {
        const auto bodies = w2_bodies(a.number("w2-count", "1000"), a.number("w2-kib", "64"));
        for (std::size_t i = 0; i < bodies.size(); ++i)
            write(i, bodies[i].data(), bodies[i].size());
    }
}

/// The storage config both paths read: the S3 kind's native keys plus s3fs credentials.
boost::json::value s3_config(const args_t& a, std::size_t concurrency) {
    return {{"kind", "S3"},
            {"options",
             {{"path", a.get("bucket") + "/" + a.get("prefix")},
              {"endpoint", a.get("endpoint")},
              {"region", "us-east-1"},
              {"max_connections", concurrency},
              {"s3fs", {{"key", a.get("key")}, {"secret", a.get("secret")}}}}}};
}

std::shared_ptr<ff::array_serializer> serializer(const args_t& a) {
    ff::array_options opts;
    const std::string compressor = a.get("compressor", "none");
    opts.zarr.id = compressor == "none" ? "" : compressor;
    return std::make_shared<ff::array_serializer>(opts);
}

/// Runs `body(i)` for i in [0, n) with at most `width` running at once.
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

/// Wall and CPU seconds (user + system, all threads) of one phase.
struct figures {
    double wall = 0, cpu = 0;
};

template <class F>
figures timed(F f) {
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
            cpu_seconds() - c0};
}

/// Runs one coroutine on `ctx` to completion, rethrowing its exception.
template <class F>
void run_on(asio::io_context& ctx, F coroutine) {
    std::exception_ptr error;
    ctx.restart();
    asio::co_spawn(ctx, std::move(coroutine), [&](std::exception_ptr e) { error = e; });
    ctx.run();
    if (error)
        std::rethrow_exception(error);
}

/// The saves, and with `read_back` then the reads; figures of each phase.
std::pair<figures, std::optional<figures>> run_async(const args_t& a, std::size_t conc,
                                                     std::optional<ff::chunked_array>& arr,
                                                     std::vector<ff::value>& results,
                                                     bool read_back) {
    auto storage = ff::storage_factory(s3_config(a, conc));
    storage->register_persistent_serializers(serializer(a));
    asio::io_context ctx;
    const std::size_t tasks = arr ? 1 : results.size();
    const figures saved = timed([&] {
        run_on(ctx, [&]() -> asio::awaitable<void> {
            // Arguments bound to locals first: GCC 12 miscompiles class-type temporaries inside
            // a co_await expression.
            std::string workflow = "wf", task = "w1";
            if (arr) {
                ff::value array = ff::extension::make(std::move(*arr));
                co_await storage->save(std::move(workflow), std::move(task), std::move(array));
            } else {
                co_await bounded(tasks, conc, [&](std::size_t i) {
                    return storage->save("wf", "t" + std::to_string(i), std::move(results[i]));
                });
            }
        });
    });
    if (!read_back)
        return {saved, std::nullopt};
    const figures read = timed([&] {
        run_on(ctx, [&]() -> asio::awaitable<void> {
            co_await bounded(tasks, conc, [&](std::size_t i) -> asio::awaitable<void> {
                std::string workflow = "wf", task = arr ? "w1" : "t" + std::to_string(i);
                ff::value v = co_await storage->read_task(std::move(workflow), std::move(task));
                if (v.is_none())
                    throw std::runtime_error("read back nothing");
            });
        });
    });
    return {saved, read};
}

std::pair<figures, std::optional<figures>> run_sync(const args_t& a,
                                                    std::optional<ff::chunked_array>& arr,
                                                    std::vector<ff::value>& results,
                                                    bool read_back) {
    auto storage = ff::sync::storage_factory(s3_config(a, 1));
    storage->register_persistent_serializers(serializer(a));
    const std::size_t tasks = arr ? 1 : results.size();
    auto task_name = [&](std::size_t i) {
        return arr ? std::string("w1") : "t" + std::to_string(i);
    };
    const figures saved = timed([&] {
        if (arr)
            storage->save("wf", "w1", ff::extension::make(std::move(*arr)));
        else
            for (std::size_t i = 0; i < tasks; ++i)
                storage->save("wf", task_name(i), results[i]);
    });
    if (!read_back)
        return {saved, std::nullopt};
    const figures read = timed([&] {
        for (std::size_t i = 0; i < tasks; ++i)
            if (storage->read_task("wf", task_name(i)).is_none())
                throw std::runtime_error("read back nothing");
    });
    return {saved, read};
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
    if (workload != "w1" && workload != "w2")
        throw std::runtime_error("--workload must be w1 or w2");
    if (a.v.count("write-files")) {
        write_files(a, workload);
        return 0;
    }
    const std::string path = a.get("path", "async");
    const std::size_t conc = path == "sync" ? 1 : a.number("concurrency", "16");

    std::optional<ff::chunked_array> arr;
    std::vector<ff::value> results;
    std::uint64_t bytes = 0;
    std::size_t requests = 0;
    if (workload == "w1") {
        arr = w1_array(a.number("w1-mib", "256"));
        bytes = arr->nbytes();
        requests = bytes / chunk_bytes + 3;  // chunks, .zgroup, .zarray, the task's pickle
    } else {
        for (auto& body : w2_bodies(a.number("w2-count", "1000"), a.number("w2-kib", "64"))) {
            bytes += body.size();
            results.emplace_back(ff::bytes(std::move(body)));
        }
        requests = results.size();
    }

    figures saved;
    std::optional<figures> read;
    const bool read_back = a.get("read-back", "0") == "1";
    if (path == "sync")
        std::tie(saved, read) = run_sync(a, arr, results, read_back);
    else if (path == "async")
        std::tie(saved, read) = run_async(a, conc, arr, results, read_back);
    else
        throw std::runtime_error("--path must be async or sync");
    std::string read_fields;
    if (read)
        read_fields = ", \"read_wall_s\": " + std::to_string(read->wall) +
                      ", \"read_cpu_s\": " + std::to_string(read->cpu);
    std::printf(
        "{\"tool\": \"%s\", \"workload\": \"%s\", \"concurrency\": %zu, \"bytes\": %llu, "
        "\"requests\": %zu, \"wall_s\": %.4f, \"cpu_s\": %.4f%s}\n",
        path.c_str(), workload.c_str(), conc, static_cast<unsigned long long>(bytes), requests,
        saved.wall, saved.cpu, read_fields.c_str());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "s3_throughput: %s\n", e.what());
    return 1;
}
