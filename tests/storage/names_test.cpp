#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "functionfuse/error.hpp"
#include "storage/names.hpp"

using functionfuse::detail::validate_name;

TEST(ValidateName, AcceptsPlainNames) {
    for (const char* ok : {"train", "a.b", "...", ".hidden", "x y", "日本", "a-b_c", "[x]", "*"})
        EXPECT_NO_THROW(validate_name(ok, "task")) << ok;
}

TEST(ValidateName, RefusesNamesThatAreNotPlain) {
    for (const std::string& bad : std::vector<std::string>{
             "", ".", "..", "../x", "/", "/abs", "a/b", "a\\b", std::string("a\0b", 3), "x/.."})
        EXPECT_THROW(validate_name(bad, "task"), functionfuse::invalid_name) << bad;
}

TEST(ValidateName, MessageNamesTheKindAndShowsNulReadably) {
    try {
        validate_name(std::string("a\0b", 3), "workflow");
        FAIL();
    } catch (const functionfuse::invalid_name& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("workflow"), std::string::npos) << what;
        EXPECT_NE(what.find("a\\x00b"), std::string::npos) << what;
    }
}
