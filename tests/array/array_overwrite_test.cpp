// Stores that stay clean, file kind: saving over a task removes the replaced result's HDF5
// files once the new result is published (async and sync paths), and remove_task removes them;
// readers racing an overwriter get a whole generation or not_found, never mixed data.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <xtensor/xbuilder.hpp>

#include "file_store_config.hpp"
#include "functionfuse/functionfuse.hpp"
#include "overwrite_race.hpp"
#include "run_awaitable.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace fs = std::filesystem;
using ff_test::run_awaitable;

namespace {

/// Files and bytes in a directory (not recursive).
std::pair<std::size_t, std::uintmax_t> usage(const fs::path& dir) {
    std::size_t n = 0;
    std::uintmax_t bytes = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        ++n;
        bytes += e.file_size();
    }
    return {n, bytes};
}

}  // namespace

TEST(ArrayOverwrite, HundredOverwritesLeaveOneArraysWorthOnBothPaths) {
    ff_test::temp_dir dir;
    auto async_store = ff::storage_factory(ff_test::file_store_config(dir.path()));
    auto sync_store = ff::sync::storage_factory(ff_test::file_store_config(dir.path()));
    auto arrays = std::make_shared<ff::array_serializer>();
    async_store->register_persistent_serializers(arrays);
    sync_store->register_persistent_serializers(arrays);
    xt::xarray<double> x = xt::ones<double>({1024, 1024}) * 2.5;  // 8 MiB
    const auto a = ff::chunked_array::from(x, {256, 256});
    const fs::path bigdata = dir.path() / "wf" / "bigdata";

    std::string wf = "wf", task = "train";
    run_awaitable(async_store->save(wf, task, ff::dict{{"w", a}, {"i", 0}}));
    const auto one = usage(bigdata);
    ASSERT_EQ(one.first, 1u);
    ASSERT_GE(one.second, 8u << 20);

    for (int i = 1; i <= 100; ++i) {
        ff::value v = ff::dict{{"w", a}, {"i", i}};
        if (i % 2)
            sync_store->save(wf, task, v);
        else
            run_awaitable(async_store->save(wf, task, std::move(v)));
    }
    EXPECT_EQ(usage(bigdata), one) << "overwrites leaked the replaced arrays";
    const ff::value back = run_awaitable(async_store->read_task(wf, task));
    EXPECT_EQ(back.get<ff::dict>().at("i"), ff::value(100));
    EXPECT_EQ(back.get<ff::dict>().at("w").as<ff::chunked_array>(), a);

    // A plain result replacing one with an array removes the array (both paths).
    sync_store->save(wf, task, ff::value(1));
    EXPECT_EQ(usage(bigdata).first, 0u);
    run_awaitable(async_store->save(wf, task, ff::dict{{"w", a}}));
    run_awaitable(async_store->save(wf, task, ff::value(2)));
    EXPECT_EQ(usage(bigdata).first, 0u);

    // remove_task removes the task's array, on both paths.
    sync_store->save(wf, task, ff::dict{{"w", a}});
    sync_store->remove_task(wf, task);
    EXPECT_EQ(usage(bigdata).first, 0u);
    run_awaitable(async_store->save(wf, task, ff::dict{{"w", a}}));
    run_awaitable(async_store->remove_task(wf, task));
    EXPECT_EQ(usage(bigdata).first, 0u);
}

TEST(ArrayOverwrite, AnOldReaderOfARemovedArrayGetsNotFound) {
    // A lazy handle taken before an overwrite reads a file that is gone: a clear not_found.
    ff_test::temp_dir dir;
    auto store = ff::storage_factory(ff_test::file_store_config(dir.path()));
    store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    auto lazy_store = ff::storage_factory(ff_test::file_store_config(dir.path()));
    ff::array_options lazy;
    lazy.lazy = true;
    lazy_store->register_persistent_serializers(std::make_shared<ff::array_serializer>(lazy));
    xt::xarray<double> x = xt::ones<double>({8, 8});
    std::string wf = "wf", task = "t";
    run_awaitable(store->save(wf, task, ff::dict{{"w", ff::chunked_array::from(x, {4, 4})}}));
    const ff::value v = run_awaitable(lazy_store->read_task(wf, task));
    const auto* handle = v.get<ff::dict>().at("w").get<ff::extension>().get_if<ff::lazy_array>();
    ASSERT_NE(handle, nullptr);
    run_awaitable(store->save(wf, task, ff::value(0)));
    EXPECT_THROW(run_awaitable(handle->read()), ff::not_found);
}

TEST(ArrayOverwrite, ReadersRacingAnOverwriterGetAWholeGenerationOrNotFound) {
    // tests/support/overwrite_race.hpp: HDF5 arrays, async and sync paths, eager and lazy reads.
    ff_test::temp_dir dir;
    const ff_test::overwrite_race_options o;
    const auto seen = ff_test::run_overwrite_race(ff_test::file_store_config(dir.path()), o);
    ff_test::expect_whole_generations_or_missing(seen, o);
    const fs::path big = dir.path() / "race" / "bigdata";
    EXPECT_EQ(std::distance(fs::directory_iterator(big), fs::directory_iterator{}), 1)
        << "the race leaked replaced arrays";
}
