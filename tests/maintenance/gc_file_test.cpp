// gc and the inspection functions on the file kind: planted orphans and stale temporary files
// are reported (and only those past the grace period), deleted with `remove`, and nothing a
// live task references is touched; a workflow whose references cannot be known is left alone.
#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <xtensor/xbuilder.hpp>

#include "file_store_config.hpp"
#include "functionfuse/functionfuse.hpp"
#include "functionfuse/maintenance.hpp"
#include "run_awaitable.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace fs = std::filesystem;
using ff_test::run_awaitable;

namespace {

/// Makes `path` look two hours old.
void age(const fs::path& path) {
    fs::last_write_time(path, fs::last_write_time(path) - std::chrono::hours(2));
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

class FileGc : public ::testing::Test {
  protected:
    void SetUp() override {
        store = ff::storage_factory(ff_test::file_store_config(dir.path()));
        store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
        xt::xarray<double> x = xt::ones<double>({6, 6});
        a = ff::chunked_array::from(x, {3, 3});
    }
    ff_test::temp_dir dir;
    std::shared_ptr<ff::storage> store;
    ff::chunked_array a;
};

}  // namespace

TEST_F(FileGc, ReportsThenDeletesOrphansAndStaleTemporariesOnly) {
    std::string wf = "wf", live = "live", doomed = "doomed", fresh = "fresh";
    run_awaitable(store->save(wf, live, ff::dict{{"w", a}}));
    run_awaitable(store->save(wf, doomed, ff::dict{{"w", a}}));
    run_awaitable(store->save(wf, fresh, ff::dict{{"w", a}}));
    const fs::path big = dir.path() / wf / "bigdata";
    const auto before = names_in(big);
    ASSERT_EQ(before.size(), 3u);
    // Orphans: the task files go, the arrays stay (as a killed overwrite or an old version
    // of the library would leave them). One is old, one is fresh (a save in progress).
    fs::remove(dir.path() / wf / doomed);
    fs::remove(dir.path() / wf / fresh);
    for (const auto& n : before)
        age(big / n);
    std::ofstream(dir.path() / wf / ".tmp-00000000000000aa") << "killed writer";
    std::ofstream(big / ".tmp-00000000000000bb") << "killed array writer";
    std::ofstream(dir.path() / wf / ".tmp-00000000000000cc") << "a save in progress";
    age(dir.path() / wf / ".tmp-00000000000000aa");
    age(big / ".tmp-00000000000000bb");

    // Which arrays are the orphans? gc with no grace period names them.
    ff::gc_options all;
    all.grace = std::chrono::seconds(0);
    const ff::gc_report everything = run_awaitable(ff::collect_garbage(*store, all));
    std::vector<std::string> orphan_names;
    for (const auto& f : everything.findings)
        if (f.kind == ff::gc_kind::orphan)
            orphan_names.push_back(f.entry.name);
    ASSERT_EQ(orphan_names.size(), 2u);
    // Make one of the two orphans fresh again: it must now be spared by the default grace.
    fs::last_write_time(big / orphan_names[1], fs::file_time_type::clock::now());

    const ff::gc_report report = run_awaitable(ff::collect_garbage(*store, ff::gc_options{}));
    EXPECT_TRUE(report.warnings.empty());
    ASSERT_EQ(report.findings.size(), 3u);
    std::size_t orphans = 0, temps = 0;
    for (const auto& f : report.findings) {
        EXPECT_EQ(f.workflow, wf);
        EXPECT_FALSE(f.removed);
        if (f.kind == ff::gc_kind::orphan) {
            ++orphans;
            EXPECT_EQ(f.entry.name, orphan_names[0]);
            EXPECT_EQ(f.serializer, "HDFSerializer");
            EXPECT_GT(f.entry.size, 0u);
        } else {
            ++temps;
            EXPECT_EQ(f.kind, ff::gc_kind::temporary);
            EXPECT_EQ(f.entry.location.find(".tmp-00000000000000cc"), std::string::npos);
        }
    }
    EXPECT_EQ(orphans, 1u);
    EXPECT_EQ(temps, 2u);
    EXPECT_TRUE(fs::exists(big / orphan_names[0])) << "a report must not delete";

    ff::gc_options remove;
    remove.remove = true;
    const ff::gc_report removed = run_awaitable(ff::collect_garbage(*store, remove));
    ASSERT_EQ(removed.findings.size(), 3u);
    for (const auto& f : removed.findings) {
        EXPECT_TRUE(f.removed) << f.entry.location << ": " << f.error;
        EXPECT_FALSE(fs::exists(f.entry.location)) << f.entry.location;
    }
    // What a live task references, fresh orphans and temporaries in progress are all there.
    EXPECT_EQ(
        run_awaitable(store->read_task(wf, live)).get<ff::dict>().at("w").as<ff::chunked_array>(),
        a);
    EXPECT_TRUE(fs::exists(big / orphan_names[1]));
    EXPECT_TRUE(fs::exists(dir.path() / wf / ".tmp-00000000000000cc"));
    EXPECT_TRUE(run_awaitable(ff::collect_garbage(*store, ff::gc_options{})).findings.empty());
}

TEST_F(FileGc, AWorkflowWithUnknownReferencesIsLeftAlone) {
    std::string wf = "wf", task = "t", other = "u";
    run_awaitable(store->save(wf, task, ff::dict{{"w", a}}));
    run_awaitable(store->save(wf, other, ff::dict{{"w", a}}));
    // A storage that does not know the array serializer reads the tags but cannot map them.
    auto blind = ff::storage_factory(ff_test::file_store_config(dir.path()));
    fs::remove(dir.path() / wf / other);  // its array is an orphan now
    ff::gc_options opts;
    opts.grace = std::chrono::seconds(0);
    opts.remove = true;
    const ff::gc_report report = run_awaitable(ff::collect_garbage(*blind, opts));
    EXPECT_TRUE(report.findings.empty());
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_NE(report.warnings[0].find("not registered"), std::string::npos) << report.warnings[0];
    EXPECT_EQ(names_in(dir.path() / wf / "bigdata").size(), 2u);

    // A corrupt task also stops orphan deletion in its workflow.
    std::ofstream(dir.path() / wf / "corrupt") << "not a pickle";
    const ff::gc_report r2 = run_awaitable(ff::collect_garbage(*store, opts));
    EXPECT_TRUE(r2.findings.empty());
    ASSERT_EQ(r2.warnings.size(), 1u);
    EXPECT_NE(r2.warnings[0].find("'corrupt' cannot be read"), std::string::npos) << r2.warnings[0];
}

TEST_F(FileGc, InspectionListsWorkflowsTasksAndObjects) {
    std::string wf = "wf", wf2 = "other", t1 = "t1", t2 = "t2";
    run_awaitable(store->save(wf, t1, ff::dict{{"w", a}}));
    run_awaitable(store->save(wf, t2, ff::value(3)));
    run_awaitable(store->new_workflow(wf2));
    fs::create_directories(dir.path() / ".hidden");
    EXPECT_EQ(run_awaitable(ff::list_workflows(*store)), (std::vector<std::string>{"other", "wf"}));
    std::string all = "*", one = "t1";
    auto tasks = run_awaitable(ff::stat_tasks(*store, wf, all));
    ASSERT_EQ(tasks.size(), 2u);
    EXPECT_EQ(tasks[0].name, "t1");
    EXPECT_EQ(tasks[0].size, fs::file_size(dir.path() / wf / t1));
    EXPECT_GT(tasks[0].modified.time_since_epoch().count(), 0);
    EXPECT_EQ(run_awaitable(ff::stat_tasks(*store, wf, one)).size(), 1u);
    auto objects = run_awaitable(ff::list_stored_objects(*store, wf));
    ASSERT_EQ(objects.size(), 1u);
    EXPECT_EQ(objects[0].serializer, "HDFSerializer");
    EXPECT_EQ(objects[0].entry.size, fs::file_size(objects[0].entry.location));
}
