// A process killed with SIGKILL at any moment of an array save (chunks going into the HDF5
// file, the file's publish, the task's pickle, the replaced array's removal) leaves a task that
// reads as one whole generation, array included, never a torn or mixed one; what the kill left
// behind is garbage that `collect_garbage` finds and removes without touching the live array.
// The writer is a separate program (storage_array_crash_writer) so that the kill hits a real
// process; it reports each finished save on stdout, and the kill comes at a moment drawn
// uniformly from one save's duration after the second save.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xoperation.hpp>

#include "functionfuse/functionfuse.hpp"
#include "functionfuse/maintenance.hpp"
#include "run_awaitable.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace fs = std::filesystem;
using ff_test::run_awaitable;
using clock_type = std::chrono::steady_clock;

namespace {

/// Kill moments as fractions of one save's duration: two by default; with FF_CRASH_KILLS=n
/// (scripts/fault_figures.sh) n drawn uniformly (seed FF_CRASH_SEED, default 1).
std::vector<double> kill_fractions() {
    const char* kills = std::getenv("FF_CRASH_KILLS");
    if (kills == nullptr)
        return {0.2, 0.7};
    const char* seed = std::getenv("FF_CRASH_SEED");
    std::mt19937_64 rng(seed ? std::strtoull(seed, nullptr, 10) : 1);
    std::uniform_real_distribution<double> fraction(0.0, 1.0);
    std::vector<double> points(std::strtoul(kills, nullptr, 10));
    for (auto& p : points)
        p = fraction(rng);
    return points;
}

/// The writer process, its stdout read line by line.
class writer_process {
  public:
    writer_process(const std::string& mode, const fs::path& root) {
        int fds[2];
        if (::pipe(fds) != 0)
            throw std::runtime_error("pipe");
        pid_ = ::fork();
        if (pid_ < 0)
            throw std::runtime_error("fork");
        if (pid_ == 0) {
            ::dup2(fds[1], STDOUT_FILENO);
            ::close(fds[0]);
            ::close(fds[1]);
            ::execl(FF_ARRAY_CRASH_WRITER, FF_ARRAY_CRASH_WRITER, mode.c_str(), root.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(fds[1]);
        out_ = ::fdopen(fds[0], "r");
    }
    ~writer_process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (out_)
            std::fclose(out_);
    }
    /// Waits for the next "saved <g>" line; false if the writer ended instead.
    bool next_save() {
        char line[64];
        return std::fgets(line, sizeof line, out_) != nullptr;
    }
    /// SIGKILL; returns whether the writer died of it (and not before).
    bool kill() {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    }

  private:
    pid_t pid_ = -1;
    std::FILE* out_ = nullptr;
};

std::shared_ptr<ff::storage> open_store(const fs::path& root) {
    boost::json::object options{{"path", root.string()}, {"fsync", true}};
    auto store = ff::storage_factory(boost::json::value{{"kind", "file"}, {"options", options}});
    store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    return store;
}

class ArrayCrashDuringSave : public ::testing::TestWithParam<std::string> {};

TEST_P(ArrayCrashDuringSave, LeavesOneWholeGenerationAndGarbageThatGcRemoves) {
    for (double fraction : kill_fractions()) {
        SCOPED_TRACE(fraction);
        ff_test::temp_dir scratch;
        const fs::path root = scratch.path() / "root";
        {
            writer_process writer(GetParam(), root);
            ASSERT_TRUE(writer.next_save()) << "writer ended before its first save";
            const auto first = clock_type::now();
            ASSERT_TRUE(writer.next_save()) << "writer ended before its second save";
            const auto one_save = clock_type::now() - first;
            std::this_thread::sleep_for(
                std::chrono::duration_cast<clock_type::duration>(one_save * fraction));
            ASSERT_TRUE(writer.kill()) << "writer exited on its own";
        }

        auto store = open_store(root);
        const ff::value v = run_awaitable(store->read_task("wf", "arr"));
        const auto& d = v.get<ff::dict>();
        const std::int64_t gen = d.at(ff::value("gen")).get<std::int64_t>();
        EXPECT_GE(gen, 1);
        const auto a = d.at(ff::value("a")).as<xt::xarray<double>>();
        ASSERT_EQ(a.size(), (64u << 20) / sizeof(double));
        EXPECT_TRUE(xt::all(xt::equal(a, static_cast<double>(gen))))
            << "the array holds values of another generation";
        EXPECT_EQ(run_awaitable(store->list_tasks("wf")), std::vector<std::string>{"arr"});

        // What the kill left (an array not yet referenced, a temporary file, the replaced
        // array not yet removed) is garbage; gc removes it and nothing the task needs.
        ff::gc_options remove;
        remove.grace = std::chrono::seconds(0);
        remove.remove = true;
        const ff::gc_report report = run_awaitable(ff::collect_garbage(*store, remove));
        EXPECT_TRUE(report.warnings.empty());
        EXPECT_EQ(run_awaitable(ff::list_stored_objects(*store, "wf")).size(), 1u);
        const ff::value again = run_awaitable(store->read_task("wf", "arr"));
        EXPECT_EQ(again.get<ff::dict>().at(ff::value("a")).as<xt::xarray<double>>(), a);
    }
}

INSTANTIATE_TEST_SUITE_P(BothPaths, ArrayCrashDuringSave, ::testing::Values("async", "sync"),
                         [](const auto& info) { return info.param; });

}  // namespace
