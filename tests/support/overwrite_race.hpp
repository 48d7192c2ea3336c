#pragma once
// Readers against an overwriter (issue 10, item 2): one writer saves a task again and again (and
// now and then removes it) while readers read it through every path — eager async, eager sync,
// and a lazy array handle read whole or in a region after the task may have moved on. Every
// element of the array saved as generation g is `g * generation_stride + its flat index`, and
// the task's pickle carries g too, so a read proves what it got: the array of the very save
// whose pickle it read, every element in its place. A read may instead fail with `not_found` or
// `io_error`; anything else (a mixed array, the fill value, another error) is a failure.
//
// Randomized with a fixed seed (operations, paths, chunk shapes, regions, yields), bounded by
// counts, no clocks: the thread interleaving differs between runs, the checks do not.
#include <atomic>
#include <cstdint>
#include <exception>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/value.hpp>
#include <xtensor/xbuilder.hpp>

#include "functionfuse/functionfuse.hpp"
#include "run_awaitable.hpp"

namespace ff_test {

struct overwrite_race_options {
    std::uint32_t seed = 20261203;
    int generations = 30;       ///< writer operations (saves, and removes now and then)
    int readers = 3;            ///< reader threads
    int reads_per_reader = 40;  ///< at least; more while the writer is still busy
    int max_reads_per_reader = 400;
    std::size_t side = 48;  ///< the array is side x side int64
    /// The server may serve an object while a PUT of it is still being written (s3rver writes
    /// objects in place, not atomically, and then answers a GET with 0 bytes): the reader's
    /// `invalid_pickle` for such a torn task pickle is then a clear error, counted apart.
    /// Production servers (RGW, S3) publish a PUT atomically: false there.
    bool server_may_tear_objects = false;
};

/// What the readers saw.
struct overwrite_race_counts {
    std::size_t reads = 0;      ///< reads made (the sum of the four below)
    std::size_t whole = 0;      ///< a complete, consistent generation
    std::size_t not_found = 0;  ///< the task, or its array, was gone
    std::size_t io_error = 0;
    std::size_t torn_by_server = 0;     ///< invalid_pickle, where the server may tear objects
    std::vector<std::string> failures;  ///< wrong data or an unexpected error, described
};

inline constexpr std::int64_t generation_stride = 1'000'000;

namespace overwrite_race_detail {

namespace ff = functionfuse;

inline ff::value generation_value(std::int64_t gen, std::size_t side, std::size_t chunk) {
    xt::xarray<std::int64_t> a =
        xt::arange<std::int64_t>(0, static_cast<std::int64_t>(side * side)) +
        gen * generation_stride;
    a.reshape({side, side});
    return ff::dict{{"gen", gen}, {"a", ff::chunked_array::from(std::move(a), {chunk, chunk})}};
}

/// "" when `a` is region (r0, c0) of generation `gen`'s array, else what is wrong.
inline std::string check_region(const ff::chunked_array& a, std::int64_t gen, std::size_t side,
                                std::size_t r0, std::size_t c0) {
    if (a.type() != ff::dtype::int64 || a.ndim() != 2)
        return "not a 2-d int64 array";
    const std::int64_t* p = a.data_as<std::int64_t>();
    const std::size_t rows = a.shape()[0], cols = a.shape()[1];
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
            const std::int64_t want =
                gen * generation_stride + static_cast<std::int64_t>((r0 + i) * side + c0 + j);
            const std::int64_t got = p[i * cols + j];
            if (got != want)
                return "element (" + std::to_string(r0 + i) + ", " + std::to_string(c0 + j) +
                       ") is " + std::to_string(got) + " (generation " +
                       std::to_string(got / generation_stride) + "), expected " +
                       std::to_string(want) + " of generation " + std::to_string(gen);
        }
    return {};
}

/// A reader's three ways in: eager async, eager sync, lazy async.
struct reader_stores {
    explicit reader_stores(const boost::json::value& config)
        : eager(ff::storage_factory(config)),
          sync_eager(ff::sync::storage_factory(config)),
          lazy(ff::storage_factory(config)) {
        eager->register_persistent_serializers(std::make_shared<ff::array_serializer>());
        sync_eager->register_persistent_serializers(std::make_shared<ff::array_serializer>());
        ff::array_options lazy_options;
        lazy_options.lazy = true;
        lazy->register_persistent_serializers(std::make_shared<ff::array_serializer>(lazy_options));
    }
    std::shared_ptr<ff::storage> eager;
    decltype(ff::sync::storage_factory(boost::json::value())) sync_eager;
    std::shared_ptr<ff::storage> lazy;
};

/// One reader thread's reads; returns their counts. Arrives at `start` in any case (a reader
/// that cannot open its stores must not leave the others waiting).
inline overwrite_race_counts read_loop(const boost::json::value& config,
                                       const overwrite_race_options& o, std::uint32_t seed,
                                       std::latch& start, const std::atomic<bool>& writer_done) {
    overwrite_race_counts c;
    std::optional<reader_stores> stores;
    try {
        stores.emplace(config);
    } catch (...) {
        start.arrive_and_wait();
        throw;
    }
    auto& eager = stores->eager;
    auto& sync_eager = stores->sync_eager;
    auto& lazy = stores->lazy;

    std::mt19937 rng(seed);
    std::string wf = "race", task = "t";
    start.arrive_and_wait();
    for (int n = 0; n < o.reads_per_reader || (!writer_done && n < o.max_reads_per_reader); ++n) {
        ++c.reads;
        const int path = std::uniform_int_distribution<int>(0, 3)(rng);
        const char* path_name[] = {"async eager", "sync eager", "lazy whole", "lazy region"};
        try {
            ff::value v;
            if (path == 0)
                v = run_awaitable(eager->read_task(wf, task));
            else if (path == 1)
                v = sync_eager->read_task(wf, task);
            else
                v = run_awaitable(lazy->read_task(wf, task));
            const auto& d = v.get<ff::dict>();
            const std::int64_t gen = d.at("gen").get<std::int64_t>();
            std::string wrong;
            if (path < 2) {
                wrong = check_region(d.at("a").as<ff::chunked_array>(), gen, o.side, 0, 0);
            } else {
                const auto* h = d.at("a").get<ff::extension>().get_if<ff::lazy_array>();
                if (!h)
                    throw std::runtime_error("the lazy store returned no lazy_array");
                // Give the writer a chance to replace what the handle points at.
                for (int y = std::uniform_int_distribution<int>(0, 50)(rng); y > 0; --y)
                    std::this_thread::yield();
                if (path == 2) {
                    wrong = check_region(run_awaitable(h->read()), gen, o.side, 0, 0);
                } else {
                    std::uniform_int_distribution<std::size_t> at(0, o.side - 1);
                    ff::array_region r;
                    r.start = {at(rng), at(rng)};
                    r.count = {
                        std::uniform_int_distribution<std::size_t>(1, o.side - r.start[0])(rng),
                        std::uniform_int_distribution<std::size_t>(1, o.side - r.start[1])(rng)};
                    const std::size_t r0 = r.start[0], c0 = r.start[1];
                    wrong = check_region(run_awaitable(h->read(std::move(r))), gen, o.side, r0, c0);
                }
            }
            if (wrong.empty())
                ++c.whole;
            else
                c.failures.push_back(std::string(path_name[path]) + " read: " + wrong);
        } catch (const ff::not_found&) {
            ++c.not_found;
        } catch (const ff::io_error&) {
            ++c.io_error;
        } catch (const ff::invalid_pickle& e) {
            if (o.server_may_tear_objects)
                ++c.torn_by_server;
            else
                c.failures.push_back(std::string(path_name[path]) + " read: " + e.what());
        } catch (const std::exception& e) {
            c.failures.push_back(std::string(path_name[path]) +
                                 " read failed with neither not_found nor io_error: " + e.what());
        }
    }
    return c;
}

}  // namespace overwrite_race_detail

/// Runs the race on the store `config` names (workflow "race", task "t"): the writer in the
/// calling thread (async and sync paths, chosen by the seed), `o.readers` reader threads. Ends
/// with a save of the last generation and checks that it reads back whole.
inline overwrite_race_counts run_overwrite_race(const boost::json::value& config,
                                                const overwrite_race_options& o) {
    namespace ff = functionfuse;
    using namespace overwrite_race_detail;
    auto writer = ff::storage_factory(config);
    writer->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    auto sync_writer = ff::sync::storage_factory(config);
    sync_writer->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    std::string wf = "race", task = "t";
    std::mt19937 rng(o.seed);
    const std::size_t chunk_choices[] = {o.side / 4, o.side / 3, o.side / 2};
    auto save = [&](std::int64_t gen) {
        const std::size_t chunk = chunk_choices[std::uniform_int_distribution<int>(0, 2)(rng)];
        ff::value v = generation_value(gen, o.side, chunk);
        if (rng() % 2)
            sync_writer->save(wf, task, v);
        else
            run_awaitable(writer->save(wf, task, std::move(v)));
    };
    save(1);  // readers start on a task that exists

    // Everyone starts together, after the readers opened their stores.
    std::latch start(o.readers + 1);
    std::atomic<bool> writer_done{false};
    std::vector<overwrite_race_counts> seen(static_cast<std::size_t>(o.readers));
    std::vector<std::thread> readers;
    for (int i = 0; i < o.readers; ++i)
        readers.emplace_back([&, i] {
            try {
                seen[i] = read_loop(config, o, o.seed + 1 + static_cast<std::uint32_t>(i), start,
                                    writer_done);
            } catch (const std::exception& e) {
                seen[i].failures.push_back(std::string("reader setup failed: ") + e.what());
            }
        });
    std::string writer_failure;
    start.arrive_and_wait();
    try {
        for (std::int64_t gen = 2; gen <= o.generations; ++gen) {
            if (rng() % 8 == 0) {
                if (rng() % 2)
                    sync_writer->remove_task(wf, task);
                else
                    run_awaitable(writer->remove_task(wf, task));
            } else {
                save(gen);
            }
        }
    } catch (const std::exception& e) {
        writer_failure = std::string("the writer failed: ") + e.what();
    }
    writer_done = true;
    for (auto& t : readers)
        t.join();

    overwrite_race_counts all;
    if (!writer_failure.empty())
        all.failures.push_back(writer_failure);
    for (auto& s : seen) {
        all.reads += s.reads;
        all.whole += s.whole;
        all.not_found += s.not_found;
        all.io_error += s.io_error;
        all.torn_by_server += s.torn_by_server;
        for (auto& f : s.failures)
            all.failures.push_back(std::move(f));
    }
    const std::int64_t last = o.generations + 1;
    save(last);
    const ff::value back = run_awaitable(writer->read_task(wf, task));
    const std::string wrong =
        check_region(back.get<ff::dict>().at("a").as<ff::chunked_array>(), last, o.side, 0, 0);
    if (!wrong.empty())
        all.failures.push_back("the final read: " + wrong);
    return all;
}

/// The test's verdict: every failure reported, and every read accounted for.
inline void expect_whole_generations_or_missing(const overwrite_race_counts& seen,
                                                const overwrite_race_options& o) {
    for (const auto& f : seen.failures)
        ADD_FAILURE() << f;
    EXPECT_EQ(
        seen.whole + seen.not_found + seen.io_error + seen.torn_by_server + seen.failures.size(),
        seen.reads);
    EXPECT_GE(seen.reads, static_cast<std::size_t>(o.readers * o.reads_per_reader));
}

}  // namespace ff_test
