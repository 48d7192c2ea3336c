#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "functionfuse/error.hpp"
#include "storage/names.hpp"
#include "value/error_text.hpp"

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

TEST(ValidateName, AVeryLongNameIsQuotedOnlyInPart) {
    const std::string name = std::string(10000, 'a') + "/b";
    try {
        validate_name(name, "task");
        FAIL();
    } catch (const functionfuse::invalid_name& e) {
        const std::string what = e.what();
        EXPECT_LT(what.size(), 500u) << what;
        EXPECT_NE(what.find("(10002 bytes)"), std::string::npos) << what;
    }
}

TEST(ShownText, CutsLongTextAtACharacterBoundaryAndEscapesControlBytes) {
    using functionfuse::detail::max_quoted_chars;
    using functionfuse::detail::shown;
    EXPECT_EQ(shown("plain"), "plain");
    EXPECT_EQ(shown(std::string("a\r\nb\0", 5)), "a\\x0d\\x0ab\\x00");
    const std::string exact(max_quoted_chars, 'x');
    EXPECT_EQ(shown(exact), exact);
    // 'é' is two bytes; 199 ASCII bytes then 'é' puts its second byte at the cut.
    const std::string accented = std::string(max_quoted_chars - 1, 'x') + "\xc3\xa9tail";
    const std::string s = shown(accented);
    EXPECT_EQ(s, std::string(max_quoted_chars - 1, 'x') + "\u2026(" +
                     std::to_string(accented.size()) + " bytes)");
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
