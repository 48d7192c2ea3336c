// Every fuzz seed and every saved crash input, fed to the fuzzer's entry point for its
// target: each must end normally or with a functionfuse::error (the entry points swallow
// those); any other exception fails the test, and a failed invariant or sanitizer report
// aborts the binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "entry_points.hpp"

namespace functionfuse::fuzz {
// gtest prints a parameter with this (found by ADL) instead of its raw bytes.
void PrintTo(const entry_point& e, std::ostream* os) {
    *os << e.name;
}
}  // namespace functionfuse::fuzz

namespace {

namespace fs = std::filesystem;
using functionfuse::fuzz::entry_point;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The files of `dir`, sorted (absent folder: none).
std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    if (fs::is_directory(dir)) {
        for (const auto& e : fs::directory_iterator(dir)) {
            if (e.is_regular_file())
                out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

void replay(const entry_point& target, const fs::path& dir) {
    for (const fs::path& input : files_in(dir)) {
        SCOPED_TRACE(input.string());
        const std::string data = read_file(input);
        EXPECT_NO_THROW(target.run(data));
    }
}

class FuzzRegression : public ::testing::TestWithParam<entry_point> {};

TEST_P(FuzzRegression, CrashInputsStayFixed) {
    replay(GetParam(),
           fs::path(FF_SOURCE_DIR) / "tests" / "fuzz_regressions" / std::string(GetParam().name));
}

TEST_P(FuzzRegression, SeedCorpusParses) {
    const fs::path dir = fs::path(FF_SOURCE_DIR) / "fuzz" / "corpus" / std::string(GetParam().name);
    // Every target has seeds; an empty folder would mean the corpus was lost.
    ASSERT_FALSE(files_in(dir).empty()) << dir;
    replay(GetParam(), dir);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegression,
                         ::testing::ValuesIn(functionfuse::fuzz::entry_points()),
                         [](const ::testing::TestParamInfo<entry_point>& info) {
                             return std::string(info.param.name);
                         });

}  // namespace
