// Integers beyond 64 bits: LONG1/LONG4 of any length load as `big_int`, keep their bytes, and
// write back byte for byte; converting one to a 64-bit integer is a `type_error`.

#include <gtest/gtest.h>

#include "cpython_pickles.hpp"
#include "pickle/pickle.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;
using cpython::b;

TEST(BigInt, CPythonsLong1LoadsExactlyAndWritesBackTheSameBytes) {
    // [2**64, -2**63 - 1] as CPython's protocol 4 writes it.
    const ff::value v = pk::loads(cpython::beyond_64_bits4);
    const auto& l = v.get<ff::list>();
    ASSERT_EQ(l.size(), 2u);
    EXPECT_EQ(l[0].get<ff::big_int>().to_string(), "18446744073709551616");
    EXPECT_EQ(l[1].get<ff::big_int>().to_string(), "-9223372036854775809");
    EXPECT_EQ(l[0].type_name(), "int");
    EXPECT_EQ(l[0].repr(), "18446744073709551616");
    EXPECT_EQ(pk::dumps(v), cpython::beyond_64_bits4);
}

TEST(BigInt, ConversionTo64BitsThrowsTypeError) {
    const ff::value v = pk::loads(cpython::beyond_64_bits4);
    const ff::value& big = v.get<ff::list>()[0];
    EXPECT_THROW((void)big.as<std::int64_t>(), ff::type_error);
    EXPECT_THROW((void)big.as<std::uint64_t>(), ff::type_error);
    EXPECT_THROW((void)big.get<ff::big_int>().to_int64(), ff::type_error);
    EXPECT_FALSE(big.get<ff::big_int>().fits_int64());
    // A big_int built with redundant sign bytes still converts, and equals the int.
    const ff::big_int small(std::string("\xfe\xff\xff\xff\xff\xff\xff\xff\xff\xff", 10));
    EXPECT_TRUE(small.fits_int64());
    EXPECT_EQ(small.to_int64(), -2);
    EXPECT_EQ(ff::value(small), ff::value(-2));
    EXPECT_EQ(ff::value(small).hash(), ff::value(-2).hash());
}

TEST(BigInt, AnyLengthLoadsAndRoundTrips) {
    // LONG1 of 255 bytes and LONG4 of 300 and 100000 bytes (2**(8n-1) - 1, all 0xff but the top
    // 0x7f), written back byte for byte; LONG4 below 256 bytes is rewritten as LONG1, as Python.
    for (std::size_t n : {9u, 16u, 255u, 256u, 300u, 100000u}) {
        std::string payload(n, '\xff');
        payload.back() = '\x7f';
        std::string p = "\x80\x02";
        if (n < 256) {
            p += "\x8a";
            p += static_cast<char>(n);
        } else {
            p += "\x8b";
            for (int i = 0; i < 4; ++i)
                p += static_cast<char>(n >> (8 * i));
        }
        p += payload + ".";
        const ff::value v = pk::loads(p);
        ASSERT_EQ(v.get<ff::big_int>().bytes_le, payload) << n;
        const std::string again = pk::dumps(v);
        EXPECT_EQ(pk::loads(again), v) << n;
        // Protocol 4 framing aside, the LONG opcode and its payload are the same bytes.
        EXPECT_NE(again.find(p.substr(2, p.size() - 3)), std::string::npos) << n;
    }
    EXPECT_EQ(pk::loads(b("\x80\x02\x8b\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01."))
                  .get<ff::big_int>()
                  .to_string(),
              "18446744073709551616");
}

TEST(BigInt, DecimalText) {
    EXPECT_EQ(ff::big_int(std::string("\x00\x00\x00\x00\x00\x00\x00\x00\x80\x00", 10)).to_string(),
              "2361183241434822606848");
    EXPECT_EQ(ff::big_int(std::string("\x00\x00\x00\x00\x00\x00\x00\x00\x80\xff", 10)).to_string(),
              "-2361183241434822606848");
    EXPECT_EQ(ff::big_int().to_string(), "0");
}
