#pragma once
// Hand-built pickles for the reader's tests: one opcode (or a short run of them) per helper,
// so a test can spell out exactly the bytes a hostile or unusual writer would send.
#include <cstdint>
#include <string>
#include <vector>

namespace pickle_test {

/// `n` as 4 little-endian bytes (the length field of BINUNICODE, BINBYTES, ...).
inline std::string le32(std::size_t n) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i)
        s[i] = static_cast<char>(n >> (8 * i));
    return s;
}
/// GLOBAL `module name`.
inline std::string global(const std::string& m, const std::string& n) {
    return "c" + m + "\n" + n + "\n";
}
/// BINUNICODE.
inline std::string str(const std::string& s) {
    return "X" + le32(s.size()) + s;
}
/// BINBYTES.
inline std::string raw(const std::string& s) {
    return "B" + le32(s.size()) + s;
}
/// BININT1.
inline std::string int1(int i) {
    return std::string("K") + static_cast<char>(i);
}
/// BININT.
inline std::string int4(std::int32_t i) {
    return "J" + le32(static_cast<std::uint32_t>(i));
}
/// MARK items TUPLE.
inline std::string tuple_of(const std::vector<std::string>& items) {
    std::string s = "(";
    for (const auto& x : items)
        s += x;
    return s + "t";
}

}  // namespace pickle_test
