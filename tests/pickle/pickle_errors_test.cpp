#include <gtest/gtest.h>

#include <filesystem>

#include "cpython_pickles.hpp"
#include "pickle/checksum.hpp"
#include "pickle/pickle.hpp"
#include "pickle_errors.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;
using cpython::b;
using pickle_test::contains;
using pickle_test::error_of;

TEST(PickleErrors, OsSystemIsRejectedByNameAndNotRun) {
    std::filesystem::remove("/tmp/ff-pwned");
    const std::string e = error_of(cpython::os_system4);
    EXPECT_TRUE(contains(e, "forbidden global posix.system")) << e;
    EXPECT_TRUE(contains(e, "os.system")) << e;
    EXPECT_FALSE(std::filesystem::exists("/tmp/ff-pwned"));
    const std::string e2 = error_of(b("\x80\x02\x63os\nsystem\nX\x02\x00\x00\x00id\x85R."));
    EXPECT_TRUE(contains(e2, "forbidden global os.system")) << e2;
    EXPECT_TRUE(contains(error_of(b("\x80\x04\x8c\x08"
                                    "builtins\x8c\x04"
                                    "eval\x93.")),
                         "forbidden global builtins.eval"));
}

TEST(PickleErrors, AllowedGlobalsOnlyWithCPythonsArgumentShapes) {
    EXPECT_TRUE(contains(error_of(b("\x80\x02\x63__builtin__\nset\n.")), "used as a value"));
    EXPECT_TRUE(contains(error_of(b("\x80\x02\x63__builtin__\nset\nK\x01\x85R.")),
                         "arguments CPython would not write"));
    EXPECT_TRUE(contains(error_of(b("\x80\x02\x63_codecs\nencode\nX\x01\x00\x00\x00"
                                    "aX\x05\x00\x00"
                                    "\x00utf-8\x86R.")),
                         "arguments CPython would not write"));
    EXPECT_TRUE(contains(error_of(b("\x80\x02]]\x85R.")), "only allow-listed globals"));
    EXPECT_TRUE(
        contains(error_of(b("\x80\x02\x63__builtin__\nset\n]]a\x85R.")), "unhashable set element"));
}

TEST(PickleErrors, TruncationAnywhereIsInvalidPickle) {
    const std::string good = pk::dumps(ff::dict{{"a", ff::list{1, 2.5, "x", ff::bytes("y")}}});
    for (std::size_t n = 0; n < good.size(); ++n)
        EXPECT_FALSE(error_of(good.substr(0, n)).empty()) << "prefix " << n;
    EXPECT_TRUE(contains(error_of(b("\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f")), "truncated"));
}

TEST(PickleErrors, TextMemoIndicesBeyond64BitsAreRejected) {
    // Text integers beyond 64 bits load as big_int (python_objects_pickle_test.cpp); a memo
    // index cannot be one.
    EXPECT_TRUE(contains(error_of(b("(lp99999999999999999999\n.")), "does not fit in 64 bits"));
    EXPECT_TRUE(contains(error_of(b("(lg99999999999999999999\n.")), "does not fit in 64 bits"));
}

TEST(PickleErrors, DeepNestingIsAnErrorNotACrash) {
    std::string deep = "\x80\x04";
    for (int i = 0; i < 100000; ++i)
        deep += "]";
    for (int i = 0; i < 99999; ++i)
        deep += "a";
    deep += ".";
    EXPECT_TRUE(contains(error_of(deep), "nested deeper than 1000"));
    // Tuples wrapping tuples, without MARKs.
    EXPECT_TRUE(contains(error_of("\x80\x04)" + std::string(5000, '\x85') + "."), "nested deeper"));
    // A run of MARKs.
    EXPECT_TRUE(contains(error_of("\x80\x04" + std::string(1000000, '(') + "."), "MARK"));
}

TEST(PickleErrors, StackAndMarkMisuse) {
    EXPECT_TRUE(contains(error_of(b("\x80\x04"
                                    "a.")),
                         "stack underflow in APPEND"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04]K\x01(s.")), "stack underflow in SETITEM"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04K\x01"
                                    "e.")),
                         "APPENDS without a MARK"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04}(K\x01u.")), "odd number"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04](K\x01K\x02u.")), "SETITEMS on a list"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04K\x01K\x02.")), "STOP with 2 values"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04(N.")), "open MARK"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04.")), "empty stack"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04N.x")), "trailing data"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04h\x03.")), "memo value not found"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04\x94.")), "stack underflow"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04}]K\x01s.")), "unhashable dict key of type list"));
}

TEST(PickleErrors, UnsupportedAndUnknownOpcodes) {
    EXPECT_TRUE(contains(error_of(b("\x80\x04\xff.")), "unknown opcode 0xff at") ||
                contains(error_of(b("\x80\x04\xff.")), "unknown opcode 0xff"));
    EXPECT_TRUE(contains(error_of(b("\x80\x05\x97.")), "out-of-band buffers"));
    EXPECT_TRUE(contains(error_of(b("\x80\x05\x98.")), "out-of-band buffers"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04N}b.")), "unsupported opcode BUILD"));
    EXPECT_TRUE(contains(error_of(b("\x80\x06N.")), "unsupported pickle protocol 6"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04\x8c\x02\xed\xa0.")), "not valid UTF-8"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04\x8c\x01\xff.")), "not valid UTF-8"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04Q.")), "stack underflow"));
    EXPECT_TRUE(contains(error_of(b("\x80\x04N.").insert(2, "K\x01Q")), "no persistent"));
}

TEST(PickleErrors, MessagesCarryTheOffset) {
    EXPECT_TRUE(contains(error_of(b("\x80\x04NNa.")), "at offset 4"))
        << error_of(b("\x80\x04NNa."));
}

TEST(PickleErrors, FlippedBitIsCaughtByTheChecksum) {
    std::string stored = pk::dumps(ff::list{1, "two", 3.0}, {}, 20);
    ff::checksum::append_sha1(stored);
    EXPECT_NO_THROW((void)ff::checksum::verify_sha1(stored, "t"));
    for (std::size_t i = 0; i < stored.size(); ++i) {
        for (int bit = 0; bit < 8; bit += 3) {
            std::string bad = stored;
            bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
            EXPECT_THROW((void)ff::checksum::verify_sha1(bad, "t"), ff::invalid_pickle);
        }
    }
}
