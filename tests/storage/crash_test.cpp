// A process killed with SIGKILL in the middle of a large save leaves the previous result (or
// none), never a torn one. The writer is a separate program (storage_crash_writer) so that
// the kill hits a real process mid-write; the test kills it while a save's temporary file is
// being written — early in one round, late in the other.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "functionfuse/error.hpp"
#include "storage_under_test.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace fs = std::filesystem;

namespace ff_test {
namespace {

/// Size of the temporary file a save is writing in `dir`, or -1 if none is being written.
std::intmax_t temp_file_size(const fs::path& dir) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.path().filename().string().rfind(".tmp-", 0) == 0) {
            auto size = e.file_size(ec);
            if (!ec)
                return static_cast<std::intmax_t>(size);
        }
    }
    return -1;
}

bool child_alive(pid_t pid) {
    return ::waitpid(pid, nullptr, WNOHANG) == 0;
}

/// Where in the 200 MiB temporary file the writer is killed: early and late by default; with
/// FF_CRASH_KILLS=n (scripts/fault_figures.sh), n points drawn uniformly from the whole write
/// (seed FF_CRASH_SEED, default 1), for the figures in docs/reliability.md.
std::vector<std::intmax_t> kill_points() {
    const char* kills = std::getenv("FF_CRASH_KILLS");
    if (kills == nullptr)
        return {1, std::intmax_t{150} << 20};
    const char* seed = std::getenv("FF_CRASH_SEED");
    std::mt19937_64 rng(seed ? std::strtoull(seed, nullptr, 10) : 1);
    std::uniform_int_distribution<std::intmax_t> offset(1, (std::intmax_t{200} << 20) - 1);
    std::vector<std::intmax_t> points(std::strtoul(kills, nullptr, 10));
    for (auto& p : points)
        p = offset(rng);
    return points;
}

class CrashDuringSave : public ::testing::TestWithParam<kind_under_test> {};

TEST_P(CrashDuringSave, LeavesTheOldResultNeverATornOne) {
    const auto& kind = GetParam();
    if (kind.crash_writer_mode.empty())
        GTEST_SKIP() << "kind has no crash writer";
    for (std::intmax_t kill_after_bytes : kill_points()) {
        SCOPED_TRACE(kill_after_bytes);
        temp_dir scratch;
        const fs::path root = scratch.path() / "root";
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::execl(FF_CRASH_WRITER, FF_CRASH_WRITER, kind.crash_writer_mode.c_str(), root.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        // First save complete, then kill while the next one's temporary file is being written.
        const fs::path task = root / "wf" / "big";
        bool killed = false;
        while (child_alive(pid)) {
            if (fs::exists(task) && temp_file_size(root / "wf") >= kill_after_bytes) {
                ::kill(pid, SIGKILL);
                killed = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        ASSERT_TRUE(killed) << "writer exited on its own";
        int status = 0;
        ::waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

        // The storage sees one whole result of some generation.
        auto store = kind.make(scratch.path(), true);
        const ff::value v = store->read_task("wf", "big");
        const auto& t = v.get<ff::tuple>();
        ASSERT_EQ(t.size(), 2u);
        const std::int64_t gen = t[0].get<std::int64_t>();
        const std::string& data = t[1].get<ff::bytes>().data;
        ASSERT_EQ(data.size(), 200u << 20);
        EXPECT_EQ(data.find_first_not_of(static_cast<char>('a' + gen % 26)), std::string::npos);
        EXPECT_EQ(store->list_tasks("wf"), std::vector<std::string>{"big"});
    }
}

INSTANTIATE_TEST_SUITE_P(LocalKinds, CrashDuringSave, ::testing::ValuesIn(all_kinds()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ff_test
