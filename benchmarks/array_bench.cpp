// Array serializer throughput on the file protocol.
//
//   array_bench big  <dir> [reps]  one 1 GiB float64 array in 8 MiB chunks: save, then read
//                                  (async file storage, fsync off: the page cache, as dd).
//                                  The first repetition is reported as save_cold/read_cold:
//                                  on this VM, memory the guest has not touched recently is
//                                  several times slower to fill than memory just freed.
//   array_bench many <dir> [reps]  1,000 arrays of 1 MiB with gzip (level 1, 256 KiB chunks):
//                                  async (64 saves in flight) vs the sync storage
//
// Prints one line per repetition: "<what> <seconds> <GiB/s>". scripts/bench_array.sh runs it
// next to dd and h5py and takes medians.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include "functionfuse/functionfuse.hpp"

namespace ff = functionfuse;
namespace fs = std::filesystem;
namespace asio = boost::asio;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

boost::json::value config(const fs::path& root) {
    return boost::json::value{{"kind", "file"},
                              {"options", {{"path", root.string()}, {"fsync", false}}}};
}

template <class T>
T run(asio::awaitable<T> aw) {
    asio::io_context ctx;
    std::exception_ptr err;
    std::optional<std::conditional_t<std::is_void_v<T>, int, T>> out;
    if constexpr (std::is_void_v<T>) {
        asio::co_spawn(ctx, std::move(aw), [&](std::exception_ptr e) {
            err = e;
            out.emplace(0);
        });
    } else {
        asio::co_spawn(ctx, std::move(aw), [&](std::exception_ptr e, T v) {
            err = e;
            if (!e)
                out.emplace(std::move(v));
        });
    }
    ctx.run();
    if (err)
        std::rethrow_exception(err);
    if constexpr (!std::is_void_v<T>)
        return std::move(*out);
}

ff::chunked_array make_array(std::size_t n, std::size_t chunk, double seed) {
    auto a = ff::chunked_array::zeros(ff::dtype::float64, {n}, {chunk});
    auto* p = reinterpret_cast<double*>(a.mutable_data());
    // Values with some structure (gzip finds something, but not everything).
    for (std::size_t i = 0; i < n; ++i)
        p[i] = std::floor(std::sin(i * 0.001 + seed) * 1000.0) / 8;
    return a;
}

void big(const fs::path& dir, int reps) {
    const std::size_t n = std::size_t{1} << 27;         // 1 GiB of float64
    auto a = make_array(n, std::size_t{1} << 20, 0.0);  // 8 MiB chunks
    const double gib = static_cast<double>(a.nbytes()) / (1 << 30);
    for (int r = 0; r < reps; ++r) {
        fs::remove_all(dir);
        auto storage = ff::storage_factory(config(dir));
        storage->register_persistent_serializers(std::make_shared<ff::array_serializer>());
        run(storage->new_workflow("wf"));
        auto t0 = std::chrono::steady_clock::now();
        run(storage->save("wf", "big", ff::value(a)));
        double s = seconds_since(t0);
        const char* cold = r == 0 ? "_cold" : "";
        std::printf("save%s %.4f %.3f\n", cold, s, gib / s);
        t0 = std::chrono::steady_clock::now();
        ff::value back = run(storage->read_task("wf", "big"));
        s = seconds_since(t0);
        std::printf("read%s %.4f %.3f\n", cold, s, gib / s);
        if (back.as<ff::chunked_array>().nbytes() != a.nbytes())
            throw std::runtime_error("bad read");
        std::fflush(stdout);
    }
    fs::remove_all(dir);
}

void many(const fs::path& dir, int reps) {
    const int count = 1000;
    const std::size_t n = 131072;  // 1 MiB of float64
    std::vector<ff::chunked_array> arrays;
    for (int i = 0; i < 8; ++i)
        arrays.push_back(make_array(n, 32768, i));
    const double gib = static_cast<double>(count) * n * 8 / (1 << 30);
    ff::array_options opts;
    opts.gzip_level = 1;
    for (int r = 0; r < reps; ++r) {
        // async: many saves in flight
        fs::remove_all(dir);
        {
            auto storage = ff::storage_factory(config(dir));
            storage->register_persistent_serializers(std::make_shared<ff::array_serializer>(opts));
            run(storage->new_workflow("wf"));
            auto t0 = std::chrono::steady_clock::now();
            asio::io_context io;
            int next = 0, failures = 0;
            auto lane = [&]() -> asio::awaitable<void> {
                while (next < count) {
                    int i = next++;
                    co_await storage->save("wf", "t" + std::to_string(i),
                                           ff::value(arrays[i % arrays.size()]));
                }
            };
            for (int l = 0; l < 64; ++l)
                asio::co_spawn(io, lane(), [&](std::exception_ptr e) { failures += e ? 1 : 0; });
            io.run();
            double s = seconds_since(t0);
            if (failures)
                throw std::runtime_error("async saves failed");
            std::printf("many_async %.4f %.3f\n", s, gib / s);
        }
        fs::remove_all(dir);
        {
            // The serializer alone on the shared pool (no task pickles): isolates the
            // array path from the storage's own work.
            auto pool = ff::shared_executor::default_instance();
            ff::protocols protos;
            protos.emplace(std::string(ff::FILE_PROTOCOL),
                           std::make_shared<ff::file_protocol>(dir, pool->blocking(), false));
            ff::array_serializer ser(opts);
            auto t0 = std::chrono::steady_clock::now();
            asio::io_context io;
            int next = 0, failures = 0;
            auto lane = [&]() -> asio::awaitable<void> {
                while (next < count) {
                    int i = next++;
                    co_await ser.pickle(protos, "wf",
                                        ff::extension::make(arrays[i % arrays.size()]));
                }
            };
            for (int l = 0; l < 64; ++l)
                asio::co_spawn(io, lane(), [&](std::exception_ptr e) { failures += e ? 1 : 0; });
            io.run();
            double s = seconds_since(t0);
            if (failures)
                throw std::runtime_error("serializer saves failed");
            std::printf("many_serializer_async %.4f %.3f\n", s, gib / s);
        }
        fs::remove_all(dir);
        {
            auto storage = ff::sync::storage_factory(config(dir));
            storage->register_persistent_serializers(std::make_shared<ff::array_serializer>(opts));
            storage->new_workflow("wf");
            auto t0 = std::chrono::steady_clock::now();
            for (int i = 0; i < count; ++i)
                storage->save("wf", "t" + std::to_string(i), ff::value(arrays[i % arrays.size()]));
            double s = seconds_since(t0);
            std::printf("many_sync %.4f %.3f\n", s, gib / s);
        }
        std::fflush(stdout);
    }
    fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: array_bench big|many <dir> [reps]\n");
        return 2;
    }
    std::string what = argv[1];
    fs::path dir = argv[2];
    int reps = argc > 3 ? std::stoi(argv[3]) : 3;
    try {
        if (what == "big")
            big(dir, reps);
        else if (what == "many")
            many(dir, reps);
        else
            return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "array_bench: %s\n", e.what());
        return 1;
    }
}
