#include <gtest/gtest.h>

#include "functionfuse/storage.hpp"

using functionfuse::glob_match;

// Expected results are Python 3.11's fnmatch.fnmatchcase on the same inputs.
TEST(GlobMatch, StarAndQuestionMark) {
    EXPECT_TRUE(glob_match("*", ""));
    EXPECT_TRUE(glob_match("*", "anything"));
    EXPECT_TRUE(glob_match("tr*", "train"));
    EXPECT_FALSE(glob_match("tr*", "test"));
    EXPECT_TRUE(glob_match("*n", "train"));
    EXPECT_TRUE(glob_match("t*a*n", "train"));
    EXPECT_FALSE(glob_match("t*a*n", "trainx"));
    EXPECT_TRUE(glob_match("c?", "c1"));
    EXPECT_FALSE(glob_match("c?", "c"));
    EXPECT_FALSE(glob_match("c?", "c12"));
    EXPECT_TRUE(glob_match("**a**", "banana"));
    EXPECT_TRUE(glob_match("a*b*c*d", "axxbxxcxxd"));
    EXPECT_FALSE(glob_match("a*b*c*d", "axxbxxcxx"));
    EXPECT_TRUE(glob_match("", ""));
    EXPECT_FALSE(glob_match("", "a"));
    EXPECT_TRUE(glob_match("*/*", "a/b"));  // '*' crosses '/', as fnmatch
}

TEST(GlobMatch, Sets) {
    EXPECT_TRUE(glob_match("[ab]", "a"));
    EXPECT_FALSE(glob_match("[ab]", "c"));
    EXPECT_TRUE(glob_match("[!ab]", "c"));
    EXPECT_FALSE(glob_match("[!ab]", "a"));
    EXPECT_TRUE(glob_match("[a-c]x", "bx"));
    EXPECT_FALSE(glob_match("[a-c]x", "dx"));
    EXPECT_TRUE(glob_match("[]]", "]"));
    EXPECT_TRUE(glob_match("[!]]", "a"));
    EXPECT_FALSE(glob_match("[!]]", "]"));
    EXPECT_TRUE(glob_match("[a-]", "-"));
    EXPECT_TRUE(glob_match("[-a]", "-"));
    EXPECT_FALSE(glob_match("[z-a]", "m"));  // reversed range: empty
    EXPECT_TRUE(glob_match("[!z-a]", "m"));
    EXPECT_TRUE(glob_match("[[]x]", "[x]"));
    EXPECT_TRUE(glob_match("[a", "[a"));  // unclosed '[' is literal
    EXPECT_FALSE(glob_match("[a", "a"));
    EXPECT_TRUE(glob_match("[!]", "[!]"));    // no closing bracket after the '!]' member
    EXPECT_TRUE(glob_match("a\\b", "a\\b"));  // no escapes in fnmatch
}

TEST(GlobMatch, CaseSensitiveAndCodePoints) {
    EXPECT_FALSE(glob_match("A*", "abc"));
    EXPECT_TRUE(glob_match("?", "é"));
    EXPECT_TRUE(glob_match("日?語", "日本語"));
    EXPECT_TRUE(glob_match("[à-ä]", "â"));
}
