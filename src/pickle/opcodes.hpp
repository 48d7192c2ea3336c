#pragma once
// Pickle opcodes (the names and bytes of CPython's pickletools), shared by reader and writer, and
// the one table that describes each: name, argument layout, whether the reader accepts it.

#include <array>
#include <cstddef>
#include <cstdint>

namespace functionfuse::pickle::op {

inline constexpr std::uint8_t MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2',
                              FLOAT = 'F', INT = 'I', BININT = 'J', BININT1 = 'K', LONG = 'L',
                              BININT2 = 'M', NONE = 'N', PERSID = 'P', BINPERSID = 'Q',
                              REDUCE = 'R', STRING = 'S', BINSTRING = 'T', SHORT_BINSTRING = 'U',
                              UNICODE = 'V', BINUNICODE = 'X', APPEND = 'a', BUILD = 'b',
                              GLOBAL = 'c', DICT = 'd', EMPTY_DICT = '}', APPENDS = 'e', GET = 'g',
                              BINGET = 'h', INST = 'i', LONG_BINGET = 'j', LIST = 'l',
                              EMPTY_LIST = ']', OBJ = 'o', PUT = 'p', BINPUT = 'q',
                              LONG_BINPUT = 'r', SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')',
                              SETITEMS = 'u', BINFLOAT = 'G';
// Protocol 2.
inline constexpr std::uint8_t PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84,
                              TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88,
                              NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b;
// Protocol 3.
inline constexpr std::uint8_t BINBYTES = 'B', SHORT_BINBYTES = 'C';
// Protocol 4.
inline constexpr std::uint8_t SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e,
                              EMPTY_SET = 0x8f, ADDITEMS = 0x90, FROZENSET = 0x91, NEWOBJ_EX = 0x92,
                              STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95;
// Protocol 5.
inline constexpr std::uint8_t BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98;

/// How an opcode's argument is laid out after it (pickletools' argument descriptors).
enum class arg_kind : std::uint8_t {
    none,
    fixed1,  // 1, 2, 4 or 8 bytes: a little-endian unsigned integer (BINFLOAT: raw bytes)
    fixed2,
    fixed4,
    fixed8,
    counted1,  // a byte count (u1, u4, i4 where negative is malformed, u8), then that many bytes
    counted4,
    counted4s,
    counted8,
    line,       // text up to '\n'
    two_lines,  // two such lines (GLOBAL, INST: module and name)
};

/// Whether the reader accepts an opcode.
enum class support : std::uint8_t {
    read,     // decoded into a value (or framing, memo, stack bookkeeping)
    object,   // constructs objects or needs an unquoted protocol-0 string: refused
    buffer,   // protocol 5 out-of-band buffers: refused
    unknown,  // not a pickle opcode
};

/// One opcode: its pickletools name, its argument, and whether the reader accepts it.
struct info {
    const char* name;
    arg_kind arg;
    support how;
};

namespace detail {
struct entry {
    std::uint8_t code;
    info what;
};
using enum arg_kind;
inline constexpr support R = support::read, O = support::object, B = support::buffer;
// The single list of opcodes: the name lookup, the reader's pre-pass and its interpreter's
// argument decoding all come from here, so an opcode is added or changed in one place.
inline constexpr entry entries[] = {
    {MARK, {"MARK", none, R}},
    {STOP, {"STOP", none, R}},
    {POP, {"POP", none, R}},
    {POP_MARK, {"POP_MARK", none, R}},
    {DUP, {"DUP", none, R}},
    {FLOAT, {"FLOAT", line, R}},
    {INT, {"INT", line, R}},
    {BININT, {"BININT", fixed4, R}},
    {BININT1, {"BININT1", fixed1, R}},
    {LONG, {"LONG", line, R}},
    {BININT2, {"BININT2", fixed2, R}},
    {NONE, {"NONE", none, R}},
    {PERSID, {"PERSID", line, R}},
    {BINPERSID, {"BINPERSID", none, R}},
    {REDUCE, {"REDUCE", none, R}},
    {STRING, {"STRING", line, O}},
    {BINSTRING, {"BINSTRING", counted4s, R}},
    {SHORT_BINSTRING, {"SHORT_BINSTRING", counted1, R}},
    {UNICODE, {"UNICODE", line, R}},
    {BINUNICODE, {"BINUNICODE", counted4, R}},
    {APPEND, {"APPEND", none, R}},
    {BUILD, {"BUILD", none, R}},  // numpy arrays and dtypes only (objects/)
    {GLOBAL, {"GLOBAL", two_lines, R}},
    {DICT, {"DICT", none, R}},
    {EMPTY_DICT, {"EMPTY_DICT", none, R}},
    {APPENDS, {"APPENDS", none, R}},
    {GET, {"GET", line, R}},
    {BINGET, {"BINGET", fixed1, R}},
    {INST, {"INST", two_lines, O}},
    {LONG_BINGET, {"LONG_BINGET", fixed4, R}},
    {LIST, {"LIST", none, R}},
    {EMPTY_LIST, {"EMPTY_LIST", none, R}},
    {OBJ, {"OBJ", none, O}},
    {PUT, {"PUT", line, R}},
    {BINPUT, {"BINPUT", fixed1, R}},
    {LONG_BINPUT, {"LONG_BINPUT", fixed4, R}},
    {SETITEM, {"SETITEM", none, R}},
    {TUPLE, {"TUPLE", none, R}},
    {EMPTY_TUPLE, {"EMPTY_TUPLE", none, R}},
    {SETITEMS, {"SETITEMS", none, R}},
    {BINFLOAT, {"BINFLOAT", fixed8, R}},
    {PROTO, {"PROTO", fixed1, R}},
    {NEWOBJ, {"NEWOBJ", none, O}},
    {EXT1, {"EXT1", fixed1, O}},
    {EXT2, {"EXT2", fixed2, O}},
    {EXT4, {"EXT4", fixed4, O}},
    {TUPLE1, {"TUPLE1", none, R}},
    {TUPLE2, {"TUPLE2", none, R}},
    {TUPLE3, {"TUPLE3", none, R}},
    {NEWTRUE, {"NEWTRUE", none, R}},
    {NEWFALSE, {"NEWFALSE", none, R}},
    {LONG1, {"LONG1", counted1, R}},
    {LONG4, {"LONG4", counted4s, R}},
    {BINBYTES, {"BINBYTES", counted4, R}},
    {SHORT_BINBYTES, {"SHORT_BINBYTES", counted1, R}},
    {SHORT_BINUNICODE, {"SHORT_BINUNICODE", counted1, R}},
    {BINUNICODE8, {"BINUNICODE8", counted8, R}},
    {BINBYTES8, {"BINBYTES8", counted8, R}},
    {EMPTY_SET, {"EMPTY_SET", none, R}},
    {ADDITEMS, {"ADDITEMS", none, R}},
    {FROZENSET, {"FROZENSET", none, R}},
    {NEWOBJ_EX, {"NEWOBJ_EX", none, O}},
    {STACK_GLOBAL, {"STACK_GLOBAL", none, R}},
    {MEMOIZE, {"MEMOIZE", none, R}},
    {FRAME, {"FRAME", fixed8, R}},
    {BYTEARRAY8, {"BYTEARRAY8", counted8, R}},
    {NEXT_BUFFER, {"NEXT_BUFFER", none, B}},
    {READONLY_BUFFER, {"READONLY_BUFFER", none, B}},
};

consteval std::array<info, 256> make_table() {
    std::array<info, 256> t{};
    t.fill(info{"?", arg_kind::none, support::unknown});
    for (const entry& e : entries) {
        if (t[e.code].how != support::unknown)
            throw "opcode listed twice";  // not a constant expression: fails the build
        t[e.code] = e.what;
    }
    return t;
}
}  // namespace detail

/// Every byte's opcode description (`support::unknown`, name "?", for non-opcodes).
inline constexpr std::array<info, 256> table = detail::make_table();

/// The size of a fixed-size argument (0 for any other layout).
constexpr std::size_t fixed_width(arg_kind k) noexcept {
    switch (k) {
        case arg_kind::fixed1:
            return 1;
        case arg_kind::fixed2:
            return 2;
        case arg_kind::fixed4:
            return 4;
        case arg_kind::fixed8:
            return 8;
        default:
            return 0;
    }
}

/// The opcode's pickletools name, for error messages ("?" if unknown).
constexpr const char* name(std::uint8_t code) noexcept {
    return table[code].name;
}

}  // namespace functionfuse::pickle::op
