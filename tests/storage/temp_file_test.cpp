// The file kind's temporary-file step: a name that keeps existing ends in a clear io_error
// naming the directory after a bounded number of draws, instead of a loop that never ends.
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "async_protocols/file/file_byte_store.hpp"
#include "functionfuse/error.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;

namespace {

TEST(WriteTempFile, GivesUpWithAClearErrorWhenEveryNameExists) {
    ff_test::temp_dir dir;
    std::ofstream(dir.path() / ".tmp-taken") << "x";
    int draws = 0;
    const std::function<std::string()> same_name = [&] {
        ++draws;
        return std::string(".tmp-taken");
    };
    try {
        ff::detail::write_temp_file(dir.path(), "bytes", false, same_name);
        ADD_FAILURE() << "a taken name was overwritten";
    } catch (const ff::io_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(dir.path().string()), std::string::npos) << what;
        EXPECT_NE(what.find("temporary file"), std::string::npos) << what;
    }
    EXPECT_EQ(draws, ff::detail::temp_name_attempts);
}

TEST(WriteTempFile, DrawsAgainAfterAClash) {
    ff_test::temp_dir dir;
    std::ofstream(dir.path() / ".tmp-a") << "old";
    int draws = 0;
    const std::function<std::string()> names = [&] {
        return std::string(++draws == 1 ? ".tmp-a" : ".tmp-b");
    };
    const auto path = ff::detail::write_temp_file(dir.path(), "new", false, names);
    EXPECT_EQ(path, dir.path() / ".tmp-b");
    std::string got;
    std::ifstream(dir.path() / ".tmp-a") >> got;
    EXPECT_EQ(got, "old");
}

}  // namespace
