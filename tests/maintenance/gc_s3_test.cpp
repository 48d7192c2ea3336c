// gc on the S3 kind: an orphaned zarr array (its task object deleted) is reported, spared by
// the grace period while fresh, deleted with `remove`; live arrays are untouched. An open
// multipart upload is reported and aborted where the server can list uploads (RGW); s3rver
// cannot (NotImplemented), which gc reports as a warning instead of failing.
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <xtensor/xbuilder.hpp>

#include "async_protocols/s3/beast/client.hpp"
#include "functionfuse/functionfuse.hpp"
#include "functionfuse/maintenance.hpp"
#include "run_awaitable.hpp"
#include "s3_store_test.hpp"

namespace ff = functionfuse;
using ff_test::run_awaitable;

namespace {

class S3Gc : public ff_test::s3_store_test {
  protected:
    S3Gc() : s3_store_test("gc-") {}
    void SetUp() override {
        s3_store_test::SetUp();
        if (HasFatalFailure())
            return;
        store_ = ff::storage_factory(config());
        store_->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    }

    std::shared_ptr<ff::storage> store_;
};

}  // namespace

TEST_F(S3Gc, OrphanedArraysAndOpenUploads) {
    xt::xarray<double> x = xt::ones<double>({6, 6});
    const auto a = ff::chunked_array::from(x, {3, 3});
    std::string wf = "wf", live = "live", doomed = "doomed";
    run_awaitable(store_->save(wf, live, ff::dict{{"w", a}}));
    run_awaitable(store_->save(wf, doomed, ff::dict{{"w", a}}));
    delete_key("wf/doomed");
    // An upload a killed writer left open.
    boost::asio::io_context ctx;
    ff::s3::client raw(ctx.get_executor(), server_.client);
    const std::string upload_key = prefix_ + "/wf/big-result";
    const ff::s3::put_options put_opts;
    const std::string upload_id = ff_test::run_on(
        ctx, raw.create_multipart_upload(server_.location.bucket, upload_key, put_opts));

    // Fresh: the default grace period spares everything.
    const ff::gc_report fresh = run_awaitable(ff::collect_garbage(*store_, ff::gc_options{}));
    EXPECT_TRUE(fresh.findings.empty());

    ff::gc_options now;
    now.grace = std::chrono::seconds(0);
    const ff::gc_report report = run_awaitable(ff::collect_garbage(*store_, now));
    std::size_t orphans = 0, uploads = 0;
    for (const auto& f : report.findings) {
        EXPECT_FALSE(f.removed);
        if (f.kind == ff::gc_kind::orphan) {
            ++orphans;
            EXPECT_EQ(f.workflow, "wf");
            EXPECT_GT(f.entry.size, 0u);
            EXPECT_NE(f.entry.location.find("/wf/bigdata/dask_arrays/"), std::string::npos);
        } else if (f.kind == ff::gc_kind::upload) {
            ++uploads;
            EXPECT_NE(f.entry.location.find(upload_id), std::string::npos) << f.entry.location;
            EXPECT_EQ(f.workflow, "wf");
        }
    }
    EXPECT_EQ(orphans, 1u);
    const auto server = ff_test::load_s3_server();
    const bool lists_uploads = server && server->is_rgw();
    if (lists_uploads) {
        EXPECT_EQ(uploads, 1u);
    } else {
        EXPECT_EQ(uploads, 0u);
        ASSERT_EQ(report.warnings.size(), 1u);
        EXPECT_NE(report.warnings[0].find("ListMultipartUploads"), std::string::npos);
    }
    const std::size_t keys_before = keys_under("wf/bigdata/dask_arrays/").size();

    now.remove = true;
    const ff::gc_report removed = run_awaitable(ff::collect_garbage(*store_, now));
    for (const auto& f : removed.findings)
        EXPECT_TRUE(f.removed) << f.entry.location << ": " << f.error;
    // One array's objects (4 chunks + .zarray) are gone; the live one reads back.
    EXPECT_EQ(keys_under("wf/bigdata/dask_arrays/").size(), keys_before - 5);
    EXPECT_EQ(
        run_awaitable(store_->read_task(wf, live)).get<ff::dict>().at("w").as<ff::chunked_array>(),
        a);
    const ff::gc_report after = run_awaitable(ff::collect_garbage(*store_, now));
    EXPECT_TRUE(after.findings.empty());
    // (s3rver can neither list nor abort uploads: the one left open dies with the server.)
}

TEST_F(S3Gc, InspectionListsWorkflowsAndTaskSizes) {
    std::string wf = "wf", wf2 = "wf2", t = "t", all = "*";
    run_awaitable(store_->save(wf, t, ff::value(1)));
    run_awaitable(store_->save(wf2, t, ff::value(2)));
    EXPECT_EQ(run_awaitable(ff::list_workflows(*store_)), (std::vector<std::string>{"wf", "wf2"}));
    auto tasks = run_awaitable(ff::stat_tasks(*store_, wf, all));
    ASSERT_EQ(tasks.size(), 1u);
    EXPECT_EQ(tasks[0].name, "t");
    EXPECT_GT(tasks[0].size, 20u);
    EXPECT_GT(tasks[0].modified.time_since_epoch().count(), 0);
}
