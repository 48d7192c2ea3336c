#pragma once
// A corpus of pickles that a Python script writes once per test suite (`script write DIR`),
// for the interop tests that read what CPython wrote, write it back and let Python compare.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "functionfuse/value.hpp"
#include "pickle/pickle.hpp"
#include "python.hpp"
#include "temp_dir.hpp"

namespace ff_test {

inline std::string read_binary(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline void write_binary(const std::filesystem::path& p, const std::string& data) {
    std::ofstream out(p, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

/// The fixture: `Script` (a Python program) writes the corpus into a temporary directory
/// before the suite's first test; `files(prefix)` lists it, `load(name)` reads one pickle.
template <const char* Script>
class python_corpus_test : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new temp_dir();
        const auto r = run_python(Script, "write " + dir_->path().string());
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static std::vector<std::string> files(const std::string& prefix) {
        std::vector<std::string> out;
        for (const auto& e : std::filesystem::directory_iterator(dir_->path()))
            if (e.path().filename().string().rfind(prefix, 0) == 0)
                out.push_back(e.path().filename().string());
        std::sort(out.begin(), out.end());
        return out;
    }
    static functionfuse::value load(const std::string& file) {
        return functionfuse::pickle::loads(read_binary(dir_->path() / file));
    }
    static inline temp_dir* dir_ = nullptr;
};

}  // namespace ff_test
