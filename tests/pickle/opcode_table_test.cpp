// The opcode table (src/pickle/opcodes.hpp) drives the reader's name lookup, its pre-pass and its
// interpreter's argument decoding. These tests walk every byte through the reader, so an opcode
// added to the table but not to the interpreter, or decoded differently by the two passes, shows.

#include <gtest/gtest.h>

#include <string>

#include "cpython_pickles.hpp"
#include "pickle/opcodes.hpp"
#include "pickle/pickle.hpp"
#include "pickle_errors.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;
namespace op = functionfuse::pickle::op;
using cpython::b;
using pickle_test::contains;
using pickle_test::error_of;

namespace {

/// A well-formed argument of layout `k` (zeros, empty counts, "0" lines).
std::string some_argument(op::arg_kind k) {
    switch (k) {
        case op::arg_kind::none:
            return "";
        case op::arg_kind::fixed1:
        case op::arg_kind::counted1:
            return std::string(1, '\0');
        case op::arg_kind::fixed2:
            return std::string(2, '\0');
        case op::arg_kind::fixed4:
        case op::arg_kind::counted4:
        case op::arg_kind::counted4s:
            return std::string(4, '\0');
        case op::arg_kind::fixed8:
        case op::arg_kind::counted8:
            return std::string(8, '\0');
        case op::arg_kind::line:
            return "0\n";
        case op::arg_kind::two_lines:
            return "x\ny\n";
    }
    return "";
}

}  // namespace

TEST(OpcodeTable, NamesComeFromTheTable) {
    EXPECT_STREQ(op::name(op::BINGET), "BINGET");
    EXPECT_STREQ(op::name(op::READONLY_BUFFER), "READONLY_BUFFER");
    EXPECT_STREQ(op::name(0xff), "?");
    int known = 0;
    for (int c = 0; c < 256; ++c)
        known += op::table[c].how != op::support::unknown;
    EXPECT_EQ(known, 68);  // every opcode of CPython's pickletools, protocols 0-5
}

TEST(OpcodeTable, EveryByteIsReadOrRefusedAsTheTableSays) {
    for (int c = 0; c < 256; ++c) {
        const auto code = static_cast<std::uint8_t>(c);
        const op::info& info = op::table[code];
        const std::string data =
            "\x80\x04" + std::string(1, static_cast<char>(code)) + some_argument(info.arg) + ".";
        const std::string e = error_of(data);
        SCOPED_TRACE(std::string(info.name) + " " + std::to_string(c) + ": " + e);
        EXPECT_FALSE(contains(e, "not implemented"));  // read, but missing in the interpreter
        switch (info.how) {
            case op::support::read:
                EXPECT_FALSE(contains(e, "unknown opcode") || contains(e, "unsupported opcode") ||
                             contains(e, "truncated"));
                break;
            case op::support::object:
                EXPECT_TRUE(contains(e, std::string("unsupported opcode ") + info.name));
                break;
            case op::support::buffer:
                EXPECT_TRUE(contains(e, "out-of-band buffers"));
                break;
            case op::support::unknown:
                EXPECT_TRUE(contains(e, "unknown opcode"));
                break;
        }
        // Without its argument, an opcode that takes one is truncated.
        if (info.how == op::support::read && info.arg != op::arg_kind::none) {
            const std::string cut = error_of("\x80\x04" + std::string(1, static_cast<char>(code)));
            EXPECT_TRUE(contains(cut, "truncated")) << cut;
        }
    }
}

TEST(OpcodeTable, ThePrePassStepsOverEveryArgumentLayoutAsTheInterpreterDoes) {
    // A memoized list, one scalar of each layout (popped again), then the memo GET: if pass one
    // decoded the scalar differently it would lose the GET ("memo value not found"). The
    // counted bytes look like a BINGET of another index.
    const std::string scalars[] = {
        b("K\x05"),
        b("M\x05\x00"),
        b("J\x05\x00\x00\x00"),
        b("\x8a\x01\x05"),
        b("\x8b\x01\x00\x00\x00\x05"),
        b("G?\xf8\x00\x00\x00\x00\x00\x00"),
        b("\x8c\x02h\x01"),
        b("X\x02\x00\x00\x00h\x01"),
        b("\x8d\x02\x00\x00\x00\x00\x00\x00\x00h\x01"),
        b("C\x02h\x01"),
        b("B\x02\x00\x00\x00h\x01"),
        b("\x8e\x02\x00\x00\x00\x00\x00\x00\x00h\x01"),
        b("\x96\x02\x00\x00\x00\x00\x00\x00\x00h\x01"),
        b("U\x02h0"),
        b("T\x02\x00\x00\x00h0"),
        b("I5\n"),
        b("L5L\n"),
        b("F1.5\n"),
        b("Vh\n"),
    };
    const ff::value expected = ff::tuple{ff::list{}, ff::list{}};
    for (const std::string& scalar : scalars) {
        const std::string data = b("\x80\x04]\x94") + scalar + b("0h\x00\x86.");
        ff::value got;
        ASSERT_NO_THROW(got = pk::loads(data)) << error_of(data);
        EXPECT_EQ(got, expected);
    }
}
