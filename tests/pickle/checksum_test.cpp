#include <gtest/gtest.h>

#include "functionfuse/error.hpp"
#include "pickle/checksum.hpp"

namespace ff = functionfuse;

TEST(Checksum, AppendsTheSha1OfTheBytes) {
    std::string s = "abc";
    ff::checksum::append_sha1(s);
    ASSERT_EQ(s.size(), 3 + ff::checksum::trailer_size);
    // SHA-1("abc") from FIPS 180-2.
    EXPECT_EQ(s.substr(3), std::string("\xa9\x99\x3e\x36\x47\x06\x81\x6a\xba\x3e\x25\x71\x78\x50"
                                       "\xc2\x6c\x9c\xd0\xd8\x9d"));
    EXPECT_EQ(ff::checksum::verify_sha1(s, "x"), "abc");
}

TEST(Checksum, EmptyPayloadIsValid) {
    std::string s;
    ff::checksum::append_sha1(s);
    EXPECT_EQ(ff::checksum::verify_sha1(s, "x"), "");
}

TEST(Checksum, ShortOrCorruptInputNamesWhat) {
    try {
        (void)ff::checksum::verify_sha1("short", "wf/task");
        FAIL();
    } catch (const ff::invalid_pickle& e) {
        EXPECT_NE(std::string(e.what()).find("wf/task"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("too short"), std::string::npos);
    }
    std::string s = "payload";
    ff::checksum::append_sha1(s);
    s.pop_back();
    s += 'x';
    try {
        (void)ff::checksum::verify_sha1(s, "wf/task");
        FAIL();
    } catch (const ff::invalid_pickle& e) {
        EXPECT_NE(std::string(e.what()).find("checksum mismatch"), std::string::npos);
    }
}
