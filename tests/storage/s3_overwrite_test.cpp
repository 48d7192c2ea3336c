// Stores that stay clean on S3: saving over a task removes the replaced result's zarr arrays
// (both paths), and a read that races a removal gets `not_found`, never an array whose missing
// chunks were filled with the fill value; chunks zarr-python omitted still read as fill.
#include <gtest/gtest.h>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"
#include "functionfuse/error.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"
#include "overwrite_race.hpp"
#include "run_awaitable.hpp"
#include "s3_store_test.hpp"

namespace ff = functionfuse;
using ff_test::run_awaitable;

namespace {

class S3Overwrite : public ff_test::s3_store_test {
  protected:
    S3Overwrite() : s3_store_test("overwrite-") {}
    /// Objects and bytes under the workflow's bigdata.
    std::pair<std::size_t, std::uint64_t> bigdata_usage(const std::string& wf) const {
        return usage_under(wf + "/bigdata/");
    }
};

/// An 8 MiB float64 array (1024 x 1024 in 256 x 256 chunks) whose every element is `x`.
ff::chunked_array eight_mib(double x) {
    xt::xarray<double> a = xt::ones<double>({1024, 1024}) * x;
    return ff::chunked_array::from(a, {256, 256});
}

}  // namespace

TEST_F(S3Overwrite, HundredOverwritesLeaveOneArraysWorthOnBothPaths) {
    auto async_store = ff::storage_factory(config());
    auto sync_store = ff::sync::storage_factory(config());
    auto arrays = std::make_shared<ff::array_serializer>();
    async_store->register_persistent_serializers(arrays);
    sync_store->register_persistent_serializers(arrays);
    const ff::chunked_array a = eight_mib(1.5);

    std::string wf = "wf", task = "train";
    run_awaitable(async_store->save(wf, task, ff::dict{{"w", a}, {"i", 0}}));
    const auto one = bigdata_usage(wf);
    ASSERT_GT(one.first, 16u);  // 16 chunks, .zarray, .zgroup

    for (int i = 1; i <= 100; ++i) {
        ff::value v = ff::dict{{"w", a}, {"i", i}};
        if (i % 2)
            sync_store->save(wf, task, v);
        else
            run_awaitable(async_store->save(wf, task, std::move(v)));
    }
    EXPECT_EQ(bigdata_usage(wf), one) << "overwrites leaked the replaced arrays";
    const ff::value back = sync_store->read_task(wf, task);
    EXPECT_EQ(back.get<ff::dict>().at("i"), ff::value(100));
    EXPECT_EQ(back.get<ff::dict>().at("w").as<ff::chunked_array>(), a);

    // A result without arrays replacing one with arrays removes them too (both paths).
    run_awaitable(async_store->save(wf, task, ff::value(1)));
    EXPECT_EQ(bigdata_usage(wf).first, 1u) << "only the group's .zgroup should be left";
    sync_store->save(wf, task, ff::dict{{"w", a}});
    sync_store->save(wf, task, ff::value(2));
    EXPECT_EQ(bigdata_usage(wf).first, 1u);

    // remove_task removes a task's arrays.
    sync_store->save(wf, task, ff::dict{{"w", a}});
    run_awaitable(async_store->remove_task(wf, task));
    EXPECT_EQ(bigdata_usage(wf).first, 1u);
}

TEST_F(S3Overwrite, ReadOfAnArrayRemovedUnderItIsNotFoundNotFillValues) {
    auto store = ff::storage_factory(config());
    store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    auto lazy_store = ff::storage_factory(config());
    ff::array_options lazy;
    lazy.lazy = true;
    lazy_store->register_persistent_serializers(std::make_shared<ff::array_serializer>(lazy));

    xt::xarray<std::int32_t> x = xt::arange<std::int32_t>(1, 101);
    x.reshape({10, 10});
    const auto a = ff::chunked_array::from(x, {5, 5});
    std::string wf = "wf", task = "t";
    run_awaitable(store->save(wf, task, ff::dict{{"w", a}}));

    // The reader has the array's metadata (as a read that raced the removal would) ...
    const ff::value v = run_awaitable(lazy_store->read_task(wf, task));
    const auto* handle = v.get<ff::dict>().at("w").get<ff::extension>().get_if<ff::lazy_array>();
    ASSERT_NE(handle, nullptr);
    // ... then the task is removed: its chunks are gone. The read must not return zeros.
    run_awaitable(store->remove_task(wf, task));
    try {
        run_awaitable(handle->read());
        ADD_FAILURE() << "a read of a removed array returned fill values";
    } catch (const ff::not_found& e) {
        EXPECT_NE(std::string(e.what()).find("removed while it was being read"), std::string::npos)
            << e.what();
    }
}

TEST_F(S3Overwrite, AChunkThatWasNeverWrittenStillReadsAsTheFillValue) {
    // zarr-python omits chunks that hold only the fill value; with `.zarray` in place a missing
    // chunk keeps zarr's meaning on both paths.
    auto store = ff::storage_factory(config());
    auto sync_store = ff::sync::storage_factory(config());
    auto arrays = std::make_shared<ff::array_serializer>();
    store->register_persistent_serializers(arrays);
    sync_store->register_persistent_serializers(arrays);
    xt::xarray<std::int32_t> x = xt::arange<std::int32_t>(1, 101);
    x.reshape({10, 10});
    std::string wf = "wf", task = "t";
    run_awaitable(store->save(wf, task, ff::dict{{"w", ff::chunked_array::from(x, {5, 5})}}));
    bool deleted = false;
    for (const auto& k : keys_under(wf + "/bigdata/dask_arrays/"))
        if (k.size() > 4 && k.substr(k.size() - 4) == "/1.1") {
            delete_key(k);
            deleted = true;
        }
    ASSERT_TRUE(deleted);
    xt::xarray<std::int32_t> expected = x;
    xt::view(expected, xt::range(5, 10), xt::range(5, 10)) = 0;
    for (int path = 0; path < 2; ++path) {
        const ff::value back =
            path ? sync_store->read_task(wf, task) : run_awaitable(store->read_task(wf, task));
        EXPECT_EQ(back.get<ff::dict>().at("w").as<ff::chunked_array>(),
                  ff::chunked_array::from(expected, {5, 5}));
    }
}

TEST_F(S3Overwrite, ReadersRacingAnOverwriterGetAWholeGenerationOrNotFound) {
    // tests/support/overwrite_race.hpp: zarr arrays, async and sync paths, eager and lazy reads.
    ff_test::overwrite_race_options o;
    const auto server = ff_test::load_s3_server();
    o.server_may_tear_objects = !(server && server->is_rgw());  // s3rver: see the option
    const auto seen = ff_test::run_overwrite_race(config(), o);
    ff_test::expect_whole_generations_or_missing(seen, o);
    // One array (its chunks and .zarray) and the group's .zgroup are left.
    const auto keys = keys_under("race/bigdata/");
    std::size_t zarrays = 0;
    for (const auto& k : keys)
        zarrays += k.size() > 7 && k.substr(k.size() - 7) == ".zarray";
    EXPECT_EQ(zarrays, 1u) << "the race leaked replaced arrays";
}
