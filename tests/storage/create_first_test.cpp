// Create-only publishing below the codec: the file kind's RENAME_NOREPLACE publish and the
// per-storage overwrite estimate that decides whether a save tries it.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "async_protocols/file/file_byte_store.hpp"
#include "run_awaitable.hpp"
#include "storage/create_first/overwrite_estimate.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
using ff::detail::create_outcome;
using ff::detail::overwrite_estimate;

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::size_t entries_in(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir))
        ++n;
    return n;
}

TEST(FilePutIfAbsent, PublishesANewTaskAndRefusesAnExistingOne) {
    ff_test::temp_dir dir;
    boost::asio::io_context ctx;
    for (bool fsync : {true, false}) {
        SCOPED_TRACE(fsync ? "fsync" : "no fsync");
        ff::detail::file_byte_store store(dir.path(), ctx.get_executor(), fsync);
        std::string wf = fsync ? "wf1" : "wf2", task = "t", first = "first", second = "second";
        // The workflow's folder does not exist yet: created, as put_atomic does.
        EXPECT_EQ(ff_test::run_on(ctx, store.put_if_absent(wf, task, first)),
                  create_outcome::published);
        EXPECT_EQ(slurp(dir.path() / wf / task), "first");
        EXPECT_EQ(ff_test::run_on(ctx, store.put_if_absent(wf, task, second)),
                  create_outcome::exists);
        EXPECT_EQ(slurp(dir.path() / wf / task), "first") << "a refused publish replaced";
        EXPECT_EQ(second, "second") << "the caller's bytes must stay for the fallback";
        EXPECT_EQ(entries_in(dir.path() / wf), 1u) << "a temporary file was left behind";
        // The fallback replaces as before.
        ff_test::run_on(ctx, store.put_atomic(wf, task, second));
        EXPECT_EQ(slurp(dir.path() / wf / task), "second");
    }
}

TEST(FilePutIfAbsent, ATaskThatAppearsAfterTheLookIsStillNotReplaced) {
    // The look before writing is only a shortcut: RENAME_NOREPLACE is what refuses. A
    // directory in the task's place (e.g. made by another program) is "exists" too.
    ff_test::temp_dir dir;
    boost::asio::io_context ctx;
    ff::detail::file_byte_store store(dir.path(), ctx.get_executor(), false);
    std::filesystem::create_directories(dir.path() / "wf" / "d");
    std::string wf = "wf", task = "d", bytes = "x";
    EXPECT_EQ(ff_test::run_on(ctx, store.put_if_absent(wf, task, bytes)), create_outcome::exists);
    EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "wf" / "d"));
}

TEST(OverwriteEstimate, TriesUntilHalfTheWindowReplacedAndResumesAsNewTasksCome) {
    overwrite_estimate e;
    EXPECT_TRUE(e.try_create_first());  // nothing known: try
    for (int i = 0; i < overwrite_estimate::threshold - 1; ++i)
        e.record(true);
    EXPECT_TRUE(e.try_create_first());
    e.record(true);
    EXPECT_FALSE(e.try_create_first()) << "half the window replaced: the try costs more";
    EXPECT_EQ(e.recent_overwrites(), overwrite_estimate::threshold);
    // New tasks push the overwrites out of the window (64 saves long).
    int saves = 0;
    while (!e.try_create_first()) {
        e.record(false);
        ++saves;
        ASSERT_LE(saves, overwrite_estimate::window);
    }
    EXPECT_EQ(saves, overwrite_estimate::window - overwrite_estimate::threshold + 1);
    // A window of overwrites is remembered no longer than the window.
    for (int i = 0; i < 1000; ++i)
        e.record(true);
    EXPECT_EQ(e.recent_overwrites(), overwrite_estimate::window);
}

}  // namespace
