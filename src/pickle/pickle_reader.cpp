// Pickle reader: protocols 0-5 for the types of `value`, never executing anything.
//
// Design:
// - One opcode table (opcodes.hpp: name, argument layout, accepted or refused) drives the error
//   names, the pre-pass and the interpreter's argument decoding (one decoder, `read_argument`,
//   for both passes); the interpreter is still a switch on the opcode byte for the semantics.
// - Iterative: one loop over opcodes with an explicit value stack and MARK positions, so hostile
//   nesting cannot overflow the C++ stack. Each stack slot carries the nesting depth of its value
//   and every container built is checked against `max_depth`.
// - Memo without shared references: `value` has value semantics, so a memo entry is fetched by
//   copying. A first, cheap pass counts the GETs of each memo index; MEMOIZE/PUT of an index
//   nobody fetches (nearly all of them: CPython memoizes every str and container) costs nothing.
//   A fetched entry points at its live stack slot until the value leaves the stack (so later
//   APPENDS etc. are seen), then keeps a snapshot; the last GET moves the snapshot out.
// - Shared objects: Python's GET and DUP push another reference to the same object; we push a
//   copy, which is the same thing only while neither is modified. So both stack slots are
//   marked shared, and APPEND(S)/SETITEM(S)/ADDITEMS into a shared slot is `invalid_pickle`
//   ("self-referencing/cyclic object"). That is exactly how every cycle is built (a list or dict
//   that receives a reference to itself, directly or through a tuple), and CPython never
//   modifies an object it has already referenced otherwise, so nothing it writes for an acyclic
//   value is refused.
// - Copies are budgeted: every deep copy (GET, DUP, a memo snapshot) is charged its estimated
//   size against `read_options`' budget, which grows with the input, so a few hundred bytes
//   that reference each level ten times cannot expand into gigabytes. The estimate walks the
//   value and stops at the budget, so charging costs no more than the copy it permits.
// - Globals: GLOBAL/STACK_GLOBAL of anything but the callables CPython itself uses for bytes,
//   set and frozenset under protocols 2-3, numpy's reconstructors and the standard library's
//   datetime/OrderedDict/complex/Decimal ones (objects/), is `invalid_pickle` naming it. Allowed
//   ones live on the stack as a marker that only REDUCE may consume, with exactly the argument
//   shapes CPython and numpy write. numpy's intermediate objects (a dtype, an array before its
//   BUILD, `numpy.ndarray` passed to `_reconstruct`) and a `datetime.timezone` (only a datetime's
//   or time's argument) are markers too; a tuple holding one is an argument tuple, itself a marker
//   that only REDUCE or BUILD may consume. BUILD is read only on those intermediate objects, and
//   updates the stack slot in place so that memo references to the object see it built, as in
//   Python.
// - LONG1/LONG4 beyond 64 bits load as `big_int`, and so do the text INT/LONG of protocols
//   0-1 (up to Python's 4300 digits). Every str is checked to be strict UTF-8 (lone surrogates,
//   which Python can pickle, are rejected). Sets are taken as written (CPython never writes
//   duplicates). Out-of-band buffers (protocol 5 NEXT_BUFFER/READONLY_BUFFER) are rejected;
//   BYTEARRAY8 reads as bytes. Data after STOP is rejected: a stored result is exactly one pickle.

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "big_int_text.hpp"
#include "huge_pages.hpp"
#include "objects/objects.hpp"
#include "opcodes.hpp"
#include "pickle.hpp"
#include "utf8.hpp"

namespace functionfuse::pickle {

namespace {

/// CPython's APPENDS/SETITEMS batch size.
constexpr std::size_t batch_size = 1000;

/// Depth marker of a stack slot holding an allowed global (a callable, not a value).
constexpr std::uint16_t global_marker = 0xFFFF;

enum class callable { codecs_encode, bytes, set, frozenset };

/// An allowed global on the stack (wrapped in an `extension` private to this file).
struct allowed_global {
    callable which;
    std::string name;
};

template <class U>
U load_le(const unsigned char* p) noexcept {
    U x = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i)
        x |= static_cast<U>(p[i]) << (8 * i);
    return x;
}

/// Printable form of bytes from the input (names of globals may be anything).
std::string printable(std::string_view s) {
    std::string out;
    for (char ch : s.substr(0, 200)) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7f)
            out += ch;
        else
            out += fmt::format("\\x{:02x}", c);
    }
    if (s.size() > 200)
        out += "...";
    return out;
}

bool parse_decimal(std::string_view s, std::int64_t& out, bool& overflow) {
    overflow = false;
    if (!s.empty() && s[0] == '+')
        s.remove_prefix(1);
    if (s.empty())
        return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (r.ec == std::errc::result_out_of_range) {
        // Confirm it is a well-formed integer, just too big.
        std::size_t i = s[0] == '-' ? 1 : 0;
        if (i == s.size())
            return false;
        for (; i < s.size(); ++i)
            if (s[i] < '0' || s[i] > '9')
                return false;
        overflow = true;
        return false;
    }
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

/// A decoded opcode argument (its layout is `op::table[code].arg`).
struct argument {
    std::uint64_t n = 0;                  // fixed: the little-endian integer; counted: the count
    const unsigned char* data = nullptr;  // fixed: its bytes; counted: the counted bytes
    std::string_view line, line2;         // line, two_lines (without the '\n')
};

/// Why an argument could not be decoded; for `truncated`, how many bytes a part needed and how
/// many remained.
struct arg_failure {
    enum { truncated, no_newline, negative_count } why;
    std::uint64_t wanted = 0;
    std::size_t remaining = 0;
};

/// Decodes the argument of layout `k` at `pos` of [p, p + size) and advances `pos` past it.
/// Both passes decode through here, so they agree on where every opcode ends. On failure `pos`
/// is unspecified and `f` says why.
[[gnu::always_inline]] inline bool read_argument(op::arg_kind k, const unsigned char* p,
                                                 std::size_t size, std::size_t& pos, argument& a,
                                                 arg_failure& f) {
    const auto fixed = [&]<class U>(U) {
        if (sizeof(U) > size - pos) {
            f = {arg_failure::truncated, sizeof(U), size - pos};
            return false;
        }
        a.data = p + pos;
        a.n = load_le<U>(p + pos);
        pos += sizeof(U);
        return true;
    };
    const auto counted = [&]<class U>(U, bool is_signed) {
        if (!fixed(U{}))
            return false;
        if (is_signed && static_cast<std::int32_t>(a.n) < 0) {
            f = {arg_failure::negative_count};
            return false;
        }
        if (a.n > size - pos) {
            f = {arg_failure::truncated, a.n, size - pos};
            return false;
        }
        a.data = p + pos;
        pos += static_cast<std::size_t>(a.n);
        return true;
    };
    const auto text = [&](std::string_view& out) {
        const void* nl = std::memchr(p + pos, '\n', size - pos);
        if (!nl) {
            f = {arg_failure::no_newline};
            return false;
        }
        const auto end = static_cast<std::size_t>(static_cast<const unsigned char*>(nl) - p);
        out = std::string_view(reinterpret_cast<const char*>(p + pos), end - pos);
        pos = end + 1;
        return true;
    };
    switch (k) {
        case op::arg_kind::none:
            return true;
        case op::arg_kind::fixed1:
            return fixed(std::uint8_t{});
        case op::arg_kind::fixed2:
            return fixed(std::uint16_t{});
        case op::arg_kind::fixed4:
            return fixed(std::uint32_t{});
        case op::arg_kind::fixed8:
            return fixed(std::uint64_t{});
        case op::arg_kind::counted1:
            return counted(std::uint8_t{}, false);
        case op::arg_kind::counted4:
            return counted(std::uint32_t{}, false);
        case op::arg_kind::counted4s:
            return counted(std::uint32_t{}, true);
        case op::arg_kind::counted8:
            return counted(std::uint64_t{}, false);
        case op::arg_kind::line:
            return text(a.line);
        case op::arg_kind::two_lines:
            return text(a.line) && text(a.line2);
    }
    return false;
}

/// The opcodes whose argument value `argument_refused` checks.
constexpr bool argument_checked(std::uint8_t code) noexcept {
    return code == op::PROTO || code == op::FRAME;
}

/// Checks of an argument's value that need no stack, shared by both passes so that pass one
/// stops wherever pass two refuses: nullptr if fine, else why not (pass two words its own
/// message). `remaining` is the input after the argument.
[[gnu::always_inline]] inline const char* argument_refused(std::uint8_t code, const argument& a,
                                                           std::size_t remaining) {
    static_assert(argument_checked(op::PROTO) && argument_checked(op::FRAME));
    switch (code) {
        case op::PROTO:
            return a.n > 5 ? "protocol" : nullptr;
        case op::FRAME:
            return a.n > remaining ? "frame" : nullptr;
        default:
            return nullptr;
    }
}

/// A text memo index (GET, PUT): a non-negative decimal.
inline bool parse_text_index(std::string_view text, std::uint64_t& idx, bool& overflow) {
    std::int64_t x;
    if (!parse_decimal(text, x, overflow) || x < 0)
        return false;
    idx = static_cast<std::uint64_t>(x);
    return true;
}

/// Pass one's shortcut, derived from the table: for an accepted opcode whose argument it need
/// not look at (none or fixed-size, not a memo fetch, not `argument_checked`), the bytes to step
/// over, opcode included; 0 sends the opcode through `read_argument`. Most opcodes of a long
/// pickle (ints, floats, MEMOIZE, containers) take this one-load step.
constexpr std::array<std::uint8_t, 256> prepass_steps = [] {
    std::array<std::uint8_t, 256> steps{};
    for (std::size_t c = 0; c < steps.size(); ++c) {
        const auto code = static_cast<std::uint8_t>(c);
        const op::info& info = op::table[code];
        const bool plain = info.how == op::support::read && code != op::STOP &&
                           code != op::BINGET && code != op::LONG_BINGET && !argument_checked(code);
        if (plain && (info.arg == op::arg_kind::none || op::fixed_width(info.arg) != 0))
            steps[c] = static_cast<std::uint8_t>(1 + op::fixed_width(info.arg));
    }
    return steps;
}();

/// Pass one: how many times each memo index is fetched (GET/BINGET/LONG_BINGET). It walks the
/// opcodes with the interpreter's table and argument decoder and stops quietly where the
/// interpreter refuses to go on (an unknown or refused opcode, a malformed argument, STOP):
/// pass two reports it there, so the counts past that point never matter.
std::unordered_map<std::uint64_t, std::uint32_t> count_gets(std::string_view data) {
    std::unordered_map<std::uint64_t, std::uint32_t> gets;
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t size = data.size();
    std::size_t pos = 0;
    while (pos < size) {
        // A switch over the step, not `pos += step`: the branch predictor guesses the step, so
        // the walk does not wait for each table load before the next opcode.
        const std::size_t left = size - pos;
        switch (prepass_steps[p[pos]]) {
            case 0:
                break;
            case 1:
                pos += 1;
                continue;
            case 2:
                if (left < 2)
                    return gets;
                pos += 2;
                continue;
            case 3:
                if (left < 3)
                    return gets;
                pos += 3;
                continue;
            case 5:
                if (left < 5)
                    return gets;
                pos += 5;
                continue;
            case 9:
                if (left < 9)
                    return gets;
                pos += 9;
                continue;
            default:
                break;  // (no other widths exist; the general path handles any)
        }
        const std::uint8_t code = p[pos++];
        const op::info& info = op::table[code];
        if (info.how != op::support::read || code == op::STOP)
            break;
        argument a;
        arg_failure f;
        if (!read_argument(info.arg, p, size, pos, a, f) || argument_refused(code, a, size - pos))
            break;
        if (code == op::BINGET || code == op::LONG_BINGET) {
            ++gets[a.n];
        } else if (code == op::GET || code == op::PUT) {
            std::uint64_t idx;
            bool overflow;
            if (!parse_text_index(a.line, idx, overflow))
                break;
            if (code == op::GET)
                ++gets[idx];
        }
    }
    return gets;
}

/// The fixed-size argument of `code` at `a`, its width taken from the table.
template <std::uint8_t code>
std::uint64_t fixed_arg(const unsigned char* a) noexcept {
    constexpr op::arg_kind k = op::table[code].arg;
    if constexpr (k == op::arg_kind::fixed1)
        return a[0];
    else if constexpr (k == op::arg_kind::fixed2)
        return load_le<std::uint16_t>(a);
    else if constexpr (k == op::arg_kind::fixed4)
        return load_le<std::uint32_t>(a);
    else {
        static_assert(k == op::arg_kind::fixed8, "not a fixed-size argument");
        return load_le<std::uint64_t>(a);
    }
}

/// Where an opcode with a fixed-size argument ends, counted from the opcode byte.
template <std::uint8_t code>
inline constexpr std::size_t fixed_end = 1 + op::fixed_width(op::table[code].arg);

/// Python's memo is a dict: MEMOIZE stores at len(memo). Tracks which indices exist.
class memo_numbering {
  public:
    std::uint64_t next() const noexcept { return count_; }
    void add(std::uint64_t idx) {
        if (idx < (1u << 24)) {
            if (idx >= small_.size())
                small_.resize(std::max<std::size_t>(idx + 1, small_.size() * 2));
            if (!small_[idx]) {
                small_[idx] = true;
                ++count_;
            }
        } else if (large_.insert(idx).second) {
            ++count_;
        }
    }

  private:
    std::uint64_t count_ = 0;
    std::vector<bool> small_;
    std::unordered_set<std::uint64_t> large_;
};

/// max(minimum, per_byte × size), saturating.
std::size_t copy_budget(const read_options& o, std::size_t size) noexcept {
    const std::size_t scaled = size != 0 && o.copy_budget_per_input_byte > SIZE_MAX / size
                                   ? SIZE_MAX
                                   : o.copy_budget_per_input_byte * size;
    return std::max(o.copy_budget_min, scaled);
}

/// Heap bytes of a std::string beyond the `value` holding it (none while it fits inline).
std::size_t text_bytes(const std::string& s) noexcept {
    return s.capacity() > std::string().capacity() ? s.size() : 0;
}

/// The estimated memory of a deep copy of `v` (one `value` per node, a dict entry's index slot,
/// heap text), added to `total`; stops as soon as `total` exceeds `limit`.
void add_copy_size(const value& v, std::size_t& total, std::size_t limit) {
    total += sizeof(value);
    if (total > limit)
        return;
    const std::vector<value>* items = nullptr;
    switch (v.kind()) {
        case value::kind_t::str:
            total += text_bytes(*v.get_if<std::string>());
            return;
        case value::kind_t::bytes:
            total += text_bytes(v.get_if<bytes>()->data);
            return;
        case value::kind_t::big_integer:
            total += text_bytes(v.get_if<big_int>()->bytes_le);
            return;
        case value::kind_t::list:
            items = v.get_if<list>();
            break;
        case value::kind_t::tuple:
            items = v.get_if<tuple>();
            break;
        case value::kind_t::set:
            items = v.get_if<set>();
            break;
        case value::kind_t::frozenset:
            items = v.get_if<frozenset>();
            break;
        case value::kind_t::dict:
            for (const auto& [k, x] : *v.get_if<dict>()) {
                total += sizeof(std::size_t);
                add_copy_size(k, total, limit);
                if (total > limit)
                    return;
                add_copy_size(x, total, limit);
                if (total > limit)
                    return;
            }
            return;
        default:
            return;
    }
    for (const value& x : *items) {
        add_copy_size(x, total, limit);
        if (total > limit)
            return;
    }
}

class reader {
  public:
    reader(std::string_view data, const persistent_load_fn& persistent_load,
           const read_options& options)
        : data_(data),
          p_(reinterpret_cast<const unsigned char*>(data.data())),
          size_(data.size()),
          persistent_load_(persistent_load),
          copy_budget_(copy_budget(options, data.size())),
          gets_(count_gets(data)) {
        stack_.reserve(64);
        depth_.reserve(64);
    }

    value run() {
        for (;;) {
            op_start_ = pos_;
            if (pos_ >= size_)
                fail("truncated pickle: the data ends before STOP");
            const std::uint8_t code = p_[pos_++];
            const op::info& info = op::table[code];
            if (info.how != op::support::read) [[unlikely]]
                refuse(code);
            argument a;
            if (info.arg != op::arg_kind::none)
                read_arg(code, info.arg, a);
            switch (code) {
                // ---- framing and protocol ----
                case op::PROTO:
                case op::FRAME:
                    break;  // checked by read_arg
                case op::STOP:
                    return stop();

                // ---- stack and marks ----
                case op::MARK:
                    // Open MARKs are nested containers under construction: bound them like depth
                    // so that a run of MARKs cannot grow memory without limit.
                    if (marks_.size() > max_depth)
                        fail(fmt::format("MARKs nested deeper than {} levels", max_depth));
                    if (fast_appends())
                        break;
                    marks_.push_back(stack_.size());
                    mark_offsets_.push_back(op_start_);
                    break;
                case op::POP:
                    if (stack_.size() > fence()) {
                        pop_to(stack_.size() - 1);
                    } else if (!marks_.empty()) {
                        pop_mark();  // CPython: POP with nothing above a mark drops it
                    } else {
                        underflow();
                    }
                    break;
                case op::POP_MARK:
                    pop_to(pop_mark());
                    break;
                case op::DUP: {
                    need(1);
                    value copy = charged_copy(stack_.back());
                    push(std::move(copy), depth_.back());
                    mark_shared(stack_.size() - 2);
                    mark_shared(stack_.size() - 1);
                    break;
                }

                // ---- memo ----
                case op::MEMOIZE:
                    need(1);
                    if (!gets_.empty())
                        memo_put(numbering_.next());
                    break;
                case op::BINPUT:
                case op::LONG_BINPUT:
                    memo_put_checked(a.n);
                    break;
                case op::PUT:
                    memo_put_checked(text_index(a.line, "PUT"));
                    break;
                case op::BINGET:
                case op::LONG_BINGET:
                    memo_get(a.n);
                    break;
                case op::GET:
                    memo_get(text_index(a.line, "GET"));
                    break;

                // ---- scalars ----
                case op::NONE:
                    push(none, 0);
                    break;
                case op::NEWTRUE:
                    push(true, 0);
                    break;
                case op::NEWFALSE:
                    push(false, 0);
                    break;
                case op::BININT1:
                case op::BININT2:
                    push(static_cast<std::int64_t>(a.n), 0);
                    break;
                case op::BININT:
                    push(std::int64_t{static_cast<std::int32_t>(a.n)}, 0);
                    break;
                case op::LONG1:
                case op::LONG4:
                    push_long(a.data, static_cast<std::size_t>(a.n));
                    break;
                case op::INT:
                    load_text_int(a.line);
                    break;
                case op::LONG: {
                    std::string_view text = a.line;
                    if (!text.empty() && text.back() == 'L')
                        text.remove_suffix(1);
                    push_text_int(text, "LONG");
                    break;
                }
                case op::BINFLOAT:
                    push(big_endian_double(a.data), 0);
                    break;
                case op::FLOAT:
                    load_text_float(a.line);
                    break;

                // ---- text and bytes ----
                case op::SHORT_BINUNICODE:
                case op::BINUNICODE:
                case op::BINUNICODE8:
                    push_str(a.data, a.n);
                    break;
                case op::UNICODE:
                    load_raw_unicode_escape(a.line);
                    break;
                case op::SHORT_BINSTRING:
                case op::BINSTRING:
                    push_ascii_str(a.data, static_cast<std::size_t>(a.n));
                    break;
                case op::SHORT_BINBYTES:
                case op::BINBYTES:
                case op::BINBYTES8:
                case op::BYTEARRAY8:
                    push_bytes(a.data, a.n);
                    break;

                // ---- containers ----
                case op::EMPTY_LIST:
                    push(list{}, 1);
                    break;
                case op::EMPTY_TUPLE:
                    push(tuple{}, 1);
                    break;
                case op::EMPTY_DICT:
                    push(dict{}, 1);
                    break;
                case op::EMPTY_SET:
                    push(set{}, 1);
                    break;
                case op::LIST: {
                    const std::size_t from = pop_mark();
                    push_from<list>(from);
                    break;
                }
                case op::TUPLE: {
                    const std::size_t from = pop_mark();
                    push_tuple(from);
                    break;
                }
                case op::TUPLE1:
                case op::TUPLE2:
                case op::TUPLE3: {
                    const std::size_t n = code - op::TUPLE1 + 1u;
                    need(n);
                    push_tuple(stack_.size() - n);
                    break;
                }
                case op::FROZENSET: {
                    const std::size_t from = pop_mark();
                    check_hashable(from, "frozenset element");
                    push_from<frozenset>(from);
                    break;
                }
                case op::DICT: {
                    const std::size_t from = pop_mark();
                    dict d;
                    const std::uint16_t depth = fill_dict(d, from);
                    pop_to(from);
                    push(value(std::move(d)), depth);
                    break;
                }
                case op::APPEND:
                    need(2);
                    extend_list(stack_.size() - 1);
                    break;
                case op::APPENDS:
                    extend_list(pop_mark());
                    break;
                case op::SETITEM:
                    need(3);
                    extend_dict(stack_.size() - 2);
                    break;
                case op::SETITEMS:
                    extend_dict(pop_mark());
                    break;
                case op::ADDITEMS:
                    extend_set(pop_mark());
                    break;

                // ---- globals, calls, persistent ids ----
                case op::GLOBAL:
                    push_global(a.line, a.line2);
                    break;
                case op::STACK_GLOBAL: {
                    need(2);
                    const auto* module = stack_[stack_.size() - 2].get_if<std::string>();
                    const auto* name = stack_.back().get_if<std::string>();
                    if (!module || !name)
                        fail("STACK_GLOBAL needs two str on the stack");
                    const std::string m = *module, n = *name;
                    pop_to(stack_.size() - 2);
                    push_global(m, n);
                    break;
                }
                case op::REDUCE:
                    reduce();
                    break;
                case op::BUILD:
                    build();
                    break;
                case op::PERSID: {
                    for (char c : a.line)
                        if (static_cast<unsigned char>(c) >= 0x80)
                            fail("PERSID argument is not ASCII");
                    persistent(value(std::string(a.line)));
                    break;
                }
                case op::BINPERSID: {
                    need(1);
                    check_not_global(stack_.size() - 1);
                    value pid = std::move(stack_.back());
                    pop_to(stack_.size() - 1);
                    persistent(std::move(pid));
                    break;
                }

                default:
                    // A table entry marked `read` without a case here: a bug, not bad input.
                    fail(fmt::format("opcode {} (0x{:02x}) is not implemented", info.name, code));
            }
        }
    }

  private:
    // ---- errors ---------------------------------------------------------------------------

    [[noreturn]] void fail(std::string_view message) const {
        throw invalid_pickle(fmt::format("invalid pickle at offset {}: {}", op_start_, message));
    }
    [[noreturn]] void underflow() const {
        fail(fmt::format("stack underflow in {}", op::name(p_[op_start_])));
    }

    // ---- input ----------------------------------------------------------------------------

    /// Decodes the argument of the opcode at `op_start_` (layout `k`) into `a`, through the
    /// decoder pass one uses; a malformed argument, or one `argument_refused`, fails here.
    void read_arg(std::uint8_t code, op::arg_kind k, argument& a) {
        arg_failure f;
        if (!read_argument(k, p_, size_, pos_, a, f)) [[unlikely]] {
            switch (f.why) {
                case arg_failure::truncated:
                    fail(fmt::format("truncated pickle: {} needs {} more bytes but only {} remain",
                                     op::name(code), f.wanted, f.remaining));
                case arg_failure::no_newline:
                    fail(fmt::format("truncated pickle: {} argument has no newline",
                                     op::name(code)));
                case arg_failure::negative_count:
                    fail(fmt::format("{} with a negative byte count", op::name(code)));
            }
        }
        if (argument_refused(code, a, size_ - pos_)) [[unlikely]] {
            if (code == op::PROTO)
                fail(fmt::format("unsupported pickle protocol {}", a.n));
            fail(fmt::format("truncated pickle: frame of {} bytes but only {} remain", a.n,
                             size_ - pos_));
        }
    }

    /// An opcode the table does not mark `read`.
    [[noreturn]] void refuse(std::uint8_t code) const {
        switch (op::table[code].how) {
            case op::support::buffer:
                fail(fmt::format("out-of-band buffers ({}) are not supported", op::name(code)));
            case op::support::object:
                fail(
                    fmt::format("unsupported opcode {} (0x{:02x}): only plain values are read, no "
                                "objects are constructed",
                                op::name(code), code));
            default:
                fail(fmt::format("unknown opcode 0x{:02x}", code));
        }
    }

    /// BINFLOAT's argument: an IEEE 754 double, big-endian.
    static double big_endian_double(const unsigned char* b) noexcept {
        std::uint64_t bits = 0;
        for (int k = 0; k < 8; ++k)
            bits = bits << 8 | b[k];
        return std::bit_cast<double>(bits);
    }

    std::int64_t parse_int(std::string_view text, const char* what) const {
        std::int64_t x;
        bool overflow;
        if (parse_decimal(text, x, overflow))
            return x;
        if (overflow)
            fail("integer does not fit in 64 bits");
        fail(fmt::format("{} argument '{}' is not an integer", what, printable(text)));
    }

    std::uint64_t text_index(std::string_view text, const char* what) {
        const std::int64_t idx = parse_int(text, what);
        if (idx < 0)
            fail(fmt::format("negative {} index", what));
        return static_cast<std::uint64_t>(idx);
    }

    // ---- stack ----------------------------------------------------------------------------

    std::size_t fence() const noexcept { return marks_.empty() ? 0 : marks_.back(); }

    void need(std::size_t n) const {
        if (stack_.size() - fence() < n)
            underflow();
    }

    std::size_t pop_mark() {
        if (marks_.empty())
            fail(fmt::format("{} without a MARK", op::name(p_[op_start_])));
        const std::size_t k = marks_.back();
        marks_.pop_back();
        popped_mark_offset_ = mark_offsets_.back();
        mark_offsets_.pop_back();
        return k;
    }

    /// Pushes a value constructed in place from `x` (no temporary `value` to move).
    template <class T>
    void push(T&& x, std::uint16_t depth) {
        stack_.emplace_back(std::forward<T>(x));
        depth_.push_back(depth);
    }

    /// Moves `x` to the end of `out`; scalars are constructed in place (the hot path for
    /// lists of numbers: no variant move and no visit).
    template <class Container>
    static void append_moved(Container& out, value& x) {
        switch (x.kind()) {
            case value::kind_t::integer:
                out.emplace_back(*x.get_if<std::int64_t>());
                break;
            case value::kind_t::floating:
                out.emplace_back(*x.get_if<double>());
                break;
            case value::kind_t::boolean:
                out.emplace_back(*x.get_if<bool>());
                break;
            case value::kind_t::none:
                out.emplace_back();
                break;
            default:
                out.push_back(std::move(x));
        }
    }

    /// Drops stack slots from `n` up (after their values were moved out or are discarded).
    void pop_to(std::size_t n) {
        release(n);
        stack_.erase(stack_.begin() + static_cast<std::ptrdiff_t>(n), stack_.end());
        depth_.resize(n);
        if (shared_.size() > n)
            shared_.resize(n);
    }

    /// Slot `i` holds a copy standing for an object the pickle references more than once.
    /// `shared_` only grows here, so a pickle without GET or DUP never touches it; slots at or
    /// above its size are not shared.
    void mark_shared(std::size_t i) {
        if (shared_.size() < stack_.size())
            shared_.resize(stack_.size());
        shared_[i] = true;
    }
    bool is_shared(std::size_t i) const noexcept { return i < shared_.size() && shared_[i]; }

    /// Refuses to modify the container in slot `i` if it is shared (see the file comment).
    void check_unshared(std::size_t i) const {
        if (is_shared(i))
            fail(fmt::format(
                "self-referencing/cyclic object: {} modifies a {} that the pickle also "
                "references elsewhere (memo GET or DUP); loaded values hold no shared references, "
                "so a cycle, or a shared object modified after it was referenced, cannot be "
                "represented",
                op::name(p_[op_start_]), stack_[i].type_name()));
    }

    void check_not_global(std::size_t i) const {
        if (depth_[i] == global_marker)
            fail(fmt::format("{} used as a value (only REDUCE may call it)",
                             marker_name(stack_[i])));
    }

    /// What a marker slot holds, for messages.
    static std::string marker_name(const value& v) {
        if (v.is<tuple>())
            return "a tuple holding numpy objects or a datetime.timezone";
        const extension& e = *v.get_if<extension>();
        if (const auto* g = e.get_if<allowed_global>())
            return "global " + g->name;
        if (const auto* c = e.get_if<objects::callable>())
            return "global " + std::string(objects::name(*c));
        if (e.get_if<objects::dtype_object>())
            return "a numpy.dtype";
        if (e.get_if<objects::timezone_object>())
            return "a datetime.timezone (read only as the tzinfo of a datetime or time)";
        return "a numpy.ndarray before its BUILD";
    }

    /// Whether marker slot `i` may stand inside an argument tuple.
    bool is_object_argument(std::size_t i) const {
        const auto* e = stack_[i].get_if<extension>();
        return e && objects::is_argument(*e);
    }

    /// TUPLE*: a plain tuple, or an argument tuple (a marker) if it holds numpy objects.
    void push_tuple(std::size_t from) {
        bool arguments = false;
        for (std::size_t i = from; i < stack_.size(); ++i) {
            if (depth_[i] == global_marker) {
                if (!is_object_argument(i))
                    check_not_global(i);  // fails
                arguments = true;
            }
        }
        if (!arguments)
            return push_from<tuple>(from);
        release(from);
        tuple t;
        t.reserve(stack_.size() - from);
        for (std::size_t i = from; i < stack_.size(); ++i)
            t.push_back(std::move(stack_[i]));
        pop_to(from);
        push(value(std::move(t)), global_marker);
    }

    /// The depth of a container holding the slots [from, size): checks for globals and the
    /// nesting limit.
    std::uint16_t container_depth(std::size_t from, std::uint16_t at_least = 1) const {
        std::size_t depth = at_least;
        for (std::size_t i = from; i < stack_.size(); ++i) {
            if (depth_[i] >= depth) {
                check_not_global(i);
                depth = depth_[i] + 1u;
            }
        }
        if (depth > max_depth)
            fail(fmt::format("values nested deeper than {} levels", max_depth));
        return static_cast<std::uint16_t>(depth);
    }

    template <class Container>
    void push_from(std::size_t from) {
        const std::uint16_t depth = container_depth(from);
        release(from);
        Container c;
        c.reserve(stack_.size() - from);
        for (std::size_t i = from; i < stack_.size(); ++i)
            append_moved(c, stack_[i]);
        pop_to(from);
        push(value(std::move(c)), depth);
    }

    void check_hashable(std::size_t from, const char* what) const {
        for (std::size_t i = from; i < stack_.size(); ++i) {
            try {
                (void)stack_[i].hash();
            } catch (const type_error&) {
                fail(fmt::format("unhashable {} of type {}", what, stack_[i].type_name()));
            }
        }
    }

    /// APPEND/APPENDS: items are [from, size), the list is at from - 1.
    void extend_list(std::size_t from) {
        if (from <= fence())
            underflow();
        check_unshared(from - 1);
        auto* l = stack_[from - 1].get_if<list>();
        if (!l)
            fail(fmt::format("{} to a {} (only lists are supported)", op::name(p_[op_start_]),
                             stack_[from - 1].type_name()));
        depth_[from - 1] = container_depth(from, depth_[from - 1]);
        release(from);
        const std::size_t n = stack_.size() - from;
        if (l->capacity() < l->size() + n)
            reserve_list(*l, n);
        for (std::size_t i = from; i < stack_.size(); ++i)
            append_moved(*l, stack_[i]);
        pop_to(from);
        // A short batch is CPython's last one: give back what the estimate over-reserved.
        if (n < batch_size && l->capacity() > 2 * l->size() + 64)
            l->shrink_to_fit();
    }

    /// Grows a list about to take `n` more items. After a full APPENDS batch (CPython writes
    /// batches of 1000) more batches usually follow: estimate their count from this batch's
    /// bytes per item and the remaining input, so a long list is allocated once instead of
    /// being regrown and moved log(n) times.
    void reserve_list(list& l, std::size_t n) {
        if (n >= batch_size && p_[op_start_] == op::APPENDS) {
            reserve_for_more_batches(l, n, op_start_ - popped_mark_offset_);
        } else {
            l.reserve(std::max(l.size() + n, 2 * l.capacity()));
        }
    }

    /// After a full batch of `n` items that took `batch_bytes` of input (list items now
    /// included), reserves room for as many more such items as the rest of the input could hold.
    void reserve_for_more_batches(list& l, std::size_t n, std::size_t batch_bytes) {
        const std::size_t per_item = std::max<std::size_t>(1, batch_bytes / n);
        const std::size_t want = l.size() + n + (size_ - pos_) / per_item;
        if (want <= l.capacity())
            return;
        l.reserve(std::max(want, 2 * l.capacity()));
        advise_huge_pages(l.data() + l.size(), (l.capacity() - l.size()) * sizeof(value));
    }

    /// The fast path for CPython's `MARK item... APPENDS` batch on a list at the top of the
    /// stack: scalar and short str/bytes items are parsed straight into the list, skipping the
    /// stack round trip (a million-int list decodes about twice as fast). Anything else in the
    /// batch (a nested container, a memo that is fetched, a malformed opcode) rewinds: the list
    /// is restored and the MARK and its items take the general path, which also reports errors.
    bool fast_appends() {
        if (!gets_.empty() || stack_.size() <= fence() || depth_.back() == global_marker ||
            is_shared(stack_.size() - 1))
            return false;
        list* l = stack_.back().get_if<list>();
        if (!l)
            return false;
        const std::size_t old_size = l->size();
        const std::size_t mark_offset = op_start_;
        std::size_t p = pos_;
        // Argument layouts come from the table at compile time (fixed_arg, fixed_end), so this
        // path cannot disagree with read_argument about where an opcode ends.
        while (p < size_) {
            const std::size_t left = size_ - p;
            const unsigned char* a = p_ + p + 1;  // the opcode's argument
            switch (p_[p]) {
                case op::BININT1:
                    if (left < fixed_end<op::BININT1>)
                        goto rewind;
                    l->emplace_back(static_cast<std::int64_t>(fixed_arg<op::BININT1>(a)));
                    p += fixed_end<op::BININT1>;
                    continue;
                case op::BININT2:
                    if (left < fixed_end<op::BININT2>)
                        goto rewind;
                    l->emplace_back(static_cast<std::int64_t>(fixed_arg<op::BININT2>(a)));
                    p += fixed_end<op::BININT2>;
                    continue;
                case op::BININT:
                    if (left < fixed_end<op::BININT>)
                        goto rewind;
                    l->emplace_back(
                        std::int64_t{static_cast<std::int32_t>(fixed_arg<op::BININT>(a))});
                    p += fixed_end<op::BININT>;
                    continue;
                case op::BINFLOAT:
                    if (left < fixed_end<op::BINFLOAT>)
                        goto rewind;
                    l->emplace_back(big_endian_double(a));
                    p += fixed_end<op::BINFLOAT>;
                    continue;
                case op::NONE:
                    l->emplace_back();
                    p += 1;
                    continue;
                case op::NEWTRUE:
                case op::NEWFALSE:
                    l->emplace_back(p_[p] == op::NEWTRUE);
                    p += 1;
                    continue;
                case op::SHORT_BINUNICODE:
                case op::SHORT_BINBYTES: {
                    static_assert(op::table[op::SHORT_BINUNICODE].arg == op::arg_kind::counted1 &&
                                  op::table[op::SHORT_BINBYTES].arg == op::arg_kind::counted1);
                    if (left < 2 || left - 2 < a[0])
                        goto rewind;
                    const std::string_view text(reinterpret_cast<const char*>(a + 1), a[0]);
                    if (p_[p] == op::SHORT_BINBYTES) {
                        l->emplace_back(bytes(std::string(text)));
                    } else {
                        if (!utf8::valid(text))
                            goto rewind;
                        l->emplace_back(std::string(text));
                    }
                    p += 2 + text.size();
                    continue;
                }
                case op::MEMOIZE:  // nothing is fetched (gets_ is empty): only needs an item
                    if (l->size() == old_size)
                        goto rewind;
                    p += 1;
                    continue;
                case op::FRAME:
                    if (left < fixed_end<op::FRAME> ||
                        fixed_arg<op::FRAME>(a) > left - fixed_end<op::FRAME>)
                        goto rewind;
                    p += fixed_end<op::FRAME>;
                    continue;
                case op::APPENDS: {
                    const std::size_t n = l->size() - old_size;
                    pos_ = p + 1;
                    if (n >= batch_size)
                        reserve_for_more_batches(*l, n, p - mark_offset);
                    else if (l->capacity() > 2 * l->size() + 64)
                        l->shrink_to_fit();  // CPython's last batch: return the estimate's excess
                    return true;
                }
                default:
                    goto rewind;
            }
        }
    rewind:
        l->erase(l->begin() + static_cast<std::ptrdiff_t>(old_size), l->end());
        return false;
    }

    /// Adds the key/value pairs in [from, size) to `d`; returns the resulting depth.
    std::uint16_t fill_dict(dict& d, std::size_t from, std::uint16_t at_least = 1) {
        if ((stack_.size() - from) % 2 != 0)
            fail(fmt::format("{} with an odd number of items", op::name(p_[op_start_])));
        const std::uint16_t depth = container_depth(from, at_least);
        release(from);
        d.reserve(d.size() + (stack_.size() - from) / 2);
        for (std::size_t i = from; i < stack_.size(); i += 2) {
            try {
                d.insert_or_assign(std::move(stack_[i]), std::move(stack_[i + 1]));
            } catch (const type_error&) {
                fail(fmt::format("unhashable dict key of type {}", stack_[i].type_name()));
            }
        }
        return depth;
    }

    /// SETITEM/SETITEMS: pairs are [from, size), the dict is at from - 1.
    void extend_dict(std::size_t from) {
        if (from <= fence())
            underflow();
        check_unshared(from - 1);
        auto* d = stack_[from - 1].get_if<dict>();
        if (!d)
            fail(fmt::format("{} on a {} (only dicts are supported)", op::name(p_[op_start_]),
                             stack_[from - 1].type_name()));
        depth_[from - 1] = fill_dict(*d, from, depth_[from - 1]);
        pop_to(from);
    }

    /// ADDITEMS: items are [from, size), the set is at from - 1.
    void extend_set(std::size_t from) {
        if (from <= fence())
            underflow();
        check_unshared(from - 1);
        auto* s = stack_[from - 1].get_if<set>();
        if (!s)
            fail(fmt::format("ADDITEMS on a {} (only sets are supported)",
                             stack_[from - 1].type_name()));
        check_hashable(from, "set element");
        depth_[from - 1] = container_depth(from, depth_[from - 1]);
        release(from);
        s->insert(s->end(),
                  std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(from)),
                  std::make_move_iterator(stack_.end()));
        pop_to(from);
    }

    value stop() {
        if (!marks_.empty())
            fail("STOP with an open MARK");
        if (stack_.size() != 1)
            fail(stack_.empty() ? std::string("STOP with an empty stack")
                                : fmt::format("STOP with {} values on the stack", stack_.size()));
        check_not_global(0);
        if (pos_ != size_)
            fail(fmt::format("{} bytes of trailing data after STOP", size_ - pos_));
        return std::move(stack_.back());
    }

    // ---- scalars --------------------------------------------------------------------------

    /// LONG1/LONG4: an int, or a `big_int` keeping the bytes if it does not fit 64 bits.
    void push_long(const unsigned char* b, std::size_t n) {
        if (n > 8) {
            big_int big(std::string(reinterpret_cast<const char*>(b), n));
            if (!big.fits_int64())
                return push(std::move(big), 0);
        }
        push(decode_long(b, n), 0);
    }

    /// A LONG1/LONG4 payload that fits 64 bits (checked by the caller when longer than 8).
    static std::int64_t decode_long(const unsigned char* b, std::size_t n) {
        if (n == 0)
            return 0;
        const bool negative = b[n - 1] & 0x80;
        if (n > 8)
            n = 8;  // the extra high bytes are sign extension
        std::uint64_t x = negative ? ~std::uint64_t{0} : 0;
        for (std::size_t k = 0; k < n; ++k) {
            x &= ~(std::uint64_t{0xff} << (8 * k));
            x |= std::uint64_t{b[k]} << (8 * k);
        }
        return static_cast<std::int64_t>(x);
    }

    void load_text_int(std::string_view text) {
        if (text == "00")
            return push(false, 0);  // protocol 0 booleans
        if (text == "01")
            return push(true, 0);
        push_text_int(text, "INT");
    }

    /// INT/LONG text: an int, or a `big_int` beyond 64 bits (as LONG1 would carry it).
    void push_text_int(std::string_view text, const char* what) {
        std::int64_t x;
        bool overflow;
        if (parse_decimal(text, x, overflow))
            return push(x, 0);
        if (overflow) {
            if (auto big = big_int_from_decimal(text))
                return push(std::move(*big), 0);
            fail(fmt::format("{} argument has more than {} digits (Python's limit)", what,
                             max_text_int_digits));
        }
        fail(fmt::format("{} argument '{}' is not an integer", what, printable(text)));
    }

    void load_text_float(std::string_view text) {
        if (!text.empty() && text[0] == '+')
            text.remove_prefix(1);
        double d;
        auto r = std::from_chars(text.data(), text.data() + text.size(), d);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size())
            fail(fmt::format("FLOAT argument '{}' is not a number", printable(text)));
        push(d, 0);
    }

    /// A copy of `n` input bytes (large ones into a buffer advised to use huge pages).
    static std::string copy_out(const unsigned char* p, std::size_t n) {
        if (n < huge_page_hint_min)
            return std::string(reinterpret_cast<const char*>(p), n);
        std::string s;
        s.reserve(n);
        advise_huge_pages(s.data(), n);
        s.append(reinterpret_cast<const char*>(p), n);
        return s;
    }

    void push_str(const unsigned char* p, std::uint64_t n) {
        std::string_view s(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
        if (!utf8::valid(s))
            fail("str is not valid UTF-8");
        push(copy_out(p, s.size()), 0);
    }

    void push_ascii_str(const unsigned char* p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            if (p[i] >= 0x80)
                fail("Python 2 str with non-ASCII bytes");
        push(value(std::string(reinterpret_cast<const char*>(p), n)), 0);
    }

    void push_bytes(const unsigned char* p, std::uint64_t n) {
        push(bytes(copy_out(p, static_cast<std::size_t>(n))), 0);
    }

    /// Protocol 0 UNICODE: raw-unicode-escape (latin-1 bytes plus \uXXXX and \UXXXXXXXX).
    void load_raw_unicode_escape(std::string_view text) {
        std::string out;
        out.reserve(text.size());
        for (std::size_t i = 0; i < text.size();) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c == '\\' && i + 1 < text.size() && (text[i + 1] == 'u' || text[i + 1] == 'U')) {
                const std::size_t digits = text[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + digits > text.size())
                    fail("UNICODE argument has a truncated escape");
                std::uint32_t cp = 0;
                auto r = std::from_chars(text.data() + i + 2, text.data() + i + 2 + digits, cp, 16);
                if (r.ec != std::errc() || r.ptr != text.data() + i + 2 + digits)
                    fail("UNICODE argument has a malformed escape");
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                    fail("UNICODE argument is not valid Unicode (surrogate or beyond U+10FFFF)");
                utf8::append(out, cp);
                i += 2 + digits;
            } else {
                utf8::append(out, c);
                ++i;
            }
        }
        push(value(std::move(out)), 0);
    }

    // ---- memo -----------------------------------------------------------------------------

    struct memo_entry {
        bool live = false;
        std::size_t pos = 0;  // stack slot while live
        value snapshot;       // once the value left the stack
        std::uint16_t depth = 0;
    };

    void memo_put_checked(std::uint64_t idx) {
        need(1);
        memo_put(idx);
    }

    void memo_put(std::uint64_t idx) {
        if (gets_.empty())
            return;  // nothing is ever fetched: no bookkeeping at all
        numbering_.add(idx);
        auto count = gets_.find(idx);
        if (count == gets_.end() || count->second == 0)
            return;  // never fetched
        memo_entry& e = memo_[idx];
        e.live = true;
        e.pos = stack_.size() - 1;
        e.snapshot = value();
        e.depth = depth_.back();
        live_.emplace_back(e.pos, idx);
    }

    void memo_get(std::uint64_t idx) {
        auto it = memo_.find(idx);
        if (it == memo_.end())
            fail(fmt::format("memo value not found at index {}", idx));
        auto& remaining = gets_[idx];
        if (remaining > 0)
            --remaining;
        memo_entry& e = it->second;
        if (e.live) {
            value copy = charged_copy(stack_[e.pos]);
            push(std::move(copy), depth_[e.pos]);
            mark_shared(e.pos);
        } else if (remaining == 0) {
            const std::uint16_t depth = e.depth;
            value v = std::move(e.snapshot);
            memo_.erase(it);
            push(std::move(v), depth);
        } else {
            value copy = charged_copy(e.snapshot);
            push(std::move(copy), e.depth);
        }
        // Even the last fetch of a snapshot: the original is inside another value by now.
        mark_shared(stack_.size() - 1);
    }

    /// Slots from `new_size` up are about to leave the stack: memo entries still to be fetched
    /// that point at them take a snapshot.
    void release(std::size_t new_size) {
        while (!live_.empty() && live_.back().first >= new_size) {
            const auto [pos, idx] = live_.back();
            live_.pop_back();
            auto it = memo_.find(idx);
            if (it == memo_.end() || !it->second.live || it->second.pos != pos)
                continue;
            if (gets_[idx] == 0) {
                memo_.erase(it);
                continue;
            }
            it->second.live = false;
            it->second.snapshot = charged_copy(stack_[pos]);
            it->second.depth = depth_[pos];
        }
    }

    /// A deep copy of `v`, charged against the copy budget first (so an over-budget copy is
    /// refused before it allocates).
    value charged_copy(const value& v) {
        const std::size_t limit = copy_budget_ - copied_;
        std::size_t size = 0;
        add_copy_size(v, size, limit);
        if (size > limit)
            fail(fmt::format(
                "shared references expand to more than {} bytes of copies (memo GET/DUP of "
                "a {}; the loaded value holds no shared references and the limit is "
                "read_options' budget for a pickle of {} bytes)",
                copy_budget_, v.type_name(), size_));
        copied_ += size;
        return v;
    }

    // ---- globals and calls ----------------------------------------------------------------

    void push_global(std::string_view module, std::string_view name) {
        callable which;
        const bool builtin = module == "__builtin__" || module == "builtins";
        if (module == "_codecs" && name == "encode")
            which = callable::codecs_encode;
        else if (builtin && name == "bytes")
            which = callable::bytes;
        else if (builtin && name == "set")
            which = callable::set;
        else if (builtin && name == "frozenset")
            which = callable::frozenset;
        else if (const auto c = objects::find_global(module, name)) {
            push(value(extension::make(*c)), global_marker);
            return;
        } else {
            // os.system pickles as posix.system (nt.system on Windows): name both.
            const bool os_alias = module == "posix" || module == "nt";
            fail(fmt::format("forbidden global {}.{}{}", printable(module), printable(name),
                             os_alias ? fmt::format(" (os.{})", printable(name))
                                      : std::string(tzinfo_hint(module, name))));
        }
        std::string full = std::string(module) + "." + std::string(name);
        push(value(extension::make(allowed_global{which, std::move(full)})), global_marker);
    }

    /// Time zones other than datetime.timezone are the likeliest forbidden globals of a
    /// datetime result: say so (zoneinfo.ZoneInfo pickles through builtins.getattr).
    static std::string_view tzinfo_hint(std::string_view module, std::string_view name) {
        const bool builtin = module == "builtins" || module == "__builtin__";
        if ((builtin && name == "getattr") || module == "zoneinfo" || module == "pytz" ||
            module.starts_with("pytz.") || module.starts_with("dateutil"))
            return " (as zoneinfo, pytz and dateutil time zones pickle; of tzinfo objects only "
                   "datetime.timezone is read)";
        return {};
    }

    void reduce() {
        need(2);
        const std::size_t fn_slot = stack_.size() - 2;
        const allowed_global* g = nullptr;
        if (depth_[fn_slot] == global_marker) {
            if (const auto* e = stack_[fn_slot].get_if<extension>()) {
                if (const auto* c = e->get_if<objects::callable>())
                    return reduce_object(*c);
                g = e->get_if<allowed_global>();
            }
        }
        if (!g)
            fail(fmt::format("REDUCE of a {}: only allow-listed globals can be called",
                             stack_[fn_slot].type_name()));
        check_not_global(stack_.size() - 1);
        auto* args = stack_.back().get_if<tuple>();
        if (!args)
            fail(fmt::format("REDUCE of {} with {} arguments (a tuple is required)", g->name,
                             stack_.back().type_name()));
        value result;
        std::uint16_t depth = 0;
        switch (g->which) {
            case callable::codecs_encode: {
                // CPython (protocol 2) pickles bytes as _codecs.encode(latin-1 text, 'latin1').
                if (args->size() != 2)
                    bad_args(*g);
                const auto* text = (*args)[0].get_if<std::string>();
                const auto* encoding = (*args)[1].get_if<std::string>();
                if (!text || !encoding || (*encoding != "latin1" && *encoding != "latin-1"))
                    bad_args(*g);
                std::string raw;
                raw.reserve(text->size());
                for (std::size_t i = 0; i < text->size();) {
                    const char32_t cp = utf8::next(*text, i);
                    if (cp > 0xFF)
                        fail(fmt::format("REDUCE of {}: text is not latin-1", g->name));
                    raw += static_cast<char>(cp);
                }
                result = value(bytes(std::move(raw)));
                break;
            }
            case callable::bytes:
                if (!args->empty())
                    bad_args(*g);
                result = value(bytes());
                break;
            case callable::set:
            case callable::frozenset: {
                if (args->size() != 1)
                    bad_args(*g);
                auto* items = (*args)[0].get_if<list>();
                if (!items)
                    bad_args(*g);
                for (const value& x : *items) {
                    try {
                        (void)x.hash();
                    } catch (const type_error&) {
                        fail(fmt::format("unhashable set element of type {}", x.type_name()));
                    }
                }
                depth = depth_.back() > 1 ? static_cast<std::uint16_t>(depth_.back() - 1) : 1;
                // The argument list is dropped below: move its items instead of copying them
                // (after memo entries that point at these slots took their snapshots).
                release(fn_slot);
                auto first = std::make_move_iterator(items->begin());
                auto last = std::make_move_iterator(items->end());
                if (g->which == callable::set)
                    result = value(set(first, last));
                else
                    result = value(frozenset(first, last));
                break;
            }
        }
        pop_to(fn_slot);
        push(std::move(result), depth);
    }

    /// REDUCE of one of numpy's reconstructors (objects/): the arguments are a plain or an
    /// argument tuple; the result is a value or another intermediate object (a marker).
    void reduce_object(objects::callable c) {
        const std::size_t fn_slot = stack_.size() - 2;
        auto* args = stack_.back().get_if<tuple>();
        if (!args) {
            check_not_global(stack_.size() - 1);
            fail(fmt::format("REDUCE of {} with {} arguments (a tuple is required)",
                             objects::name(c), stack_.back().type_name()));
        }
        release(fn_slot);  // the arguments may be moved from below
        objects::result r;
        try {
            r = objects::call(c, *args);
        } catch (const objects::refused& e) {
            fail(e.what());
        }
        pop_to(fn_slot);
        // An OrderedDict is a container (depth 1) that SETITEMS fills next.
        const std::uint16_t depth = r.intermediate ? global_marker : r.v.is<dict>() ? 1 : 0;
        push(std::move(r.v), depth);
    }

    /// BUILD: only on numpy's intermediate objects (a dtype, an array from `_reconstruct`). The
    /// object's slot is updated in place, so memo entries that point at it see the result.
    void build() {
        need(2);
        const std::size_t target = stack_.size() - 2;
        const extension* e =
            depth_[target] == global_marker ? stack_[target].get_if<extension>() : nullptr;
        if (!e || !(e->get_if<objects::dtype_object>() || e->get_if<objects::pending_array>()))
            fail(fmt::format(
                "unsupported opcode BUILD on {} (only numpy arrays and dtypes "
                "are built; no other objects are constructed)",
                depth_[target] == global_marker ? marker_name(stack_[target])
                                                : "a " + std::string(stack_[target].type_name())));
        if (depth_.back() == global_marker && !stack_.back().is<tuple>())
            check_not_global(stack_.size() - 1);
        release(stack_.size() - 1);  // the state may be moved from
        objects::result r;
        try {
            r = objects::build(*e, stack_.back());
        } catch (const objects::refused& err) {
            fail(err.what());
        }
        pop_to(stack_.size() - 1);
        stack_[target] = std::move(r.v);
        depth_[target] = r.intermediate ? global_marker : 0;
    }

    [[noreturn]] void bad_args(const allowed_global& g) const {
        fail(fmt::format("REDUCE of {} with arguments CPython would not write", g.name));
    }

    void persistent(value pid) {
        if (!persistent_load_)
            fail("persistent id " + pid.repr().substr(0, 120) +
                 " but no persistent serializer is available to load it");
        value v = persistent_load_(std::move(pid));
        push(std::move(v), measure_depth(v, 0));
    }

    std::uint16_t measure_depth(const value& v, std::size_t level) const {
        if (level > max_depth)
            fail(fmt::format("values nested deeper than {} levels", max_depth));
        const std::vector<value>* items = nullptr;
        switch (v.kind()) {
            case value::kind_t::list:
                items = v.get_if<list>();
                break;
            case value::kind_t::tuple:
                items = v.get_if<tuple>();
                break;
            case value::kind_t::set:
                items = v.get_if<set>();
                break;
            case value::kind_t::frozenset:
                items = v.get_if<frozenset>();
                break;
            case value::kind_t::dict: {
                std::uint16_t d = 1;
                for (const auto& [k, x] : *v.get_if<dict>())
                    d = std::max<std::uint16_t>(
                        d, 1 + std::max(measure_depth(k, level + 1), measure_depth(x, level + 1)));
                return d;
            }
            default:
                return 0;
        }
        std::uint16_t d = 1;
        for (const value& x : *items)
            d = std::max<std::uint16_t>(d, 1 + measure_depth(x, level + 1));
        return d;
    }

    std::string_view data_;
    const unsigned char* p_;
    std::size_t size_;
    std::size_t pos_ = 0;
    std::size_t op_start_ = 0;
    const persistent_load_fn& persistent_load_;
    const std::size_t copy_budget_;  // bytes that deep copies (GET, DUP, snapshots) may total
    std::size_t copied_ = 0;

    std::vector<value> stack_;
    std::vector<std::uint16_t> depth_;  // nesting depth of each slot (global_marker: a callable)
    std::vector<std::size_t> marks_;
    std::vector<std::size_t> mark_offsets_;  // input offset of each open MARK
    std::size_t popped_mark_offset_ = 0;
    std::vector<bool> shared_;  // per slot, see mark_shared (may be shorter than stack_)

    std::unordered_map<std::uint64_t, std::uint32_t> gets_;  // remaining GETs per memo index
    memo_numbering numbering_;
    std::unordered_map<std::uint64_t, memo_entry> memo_;
    std::vector<std::pair<std::size_t, std::uint64_t>> live_;  // (stack slot, memo index)
};

}  // namespace

value loads(std::string_view data, const persistent_load_fn& persistent_load,
            const read_options& options) {
    try {
        return reader(data, persistent_load, options).run();
    } catch (const std::bad_alloc&) {
        // Whatever the budget let through still did not fit: the caller gets the library's
        // error for unloadable input, not a bare std::bad_alloc from deep inside the decoder.
        throw invalid_pickle(fmt::format(
            "pickle of {} bytes could not be loaded: out of memory while decoding", data.size()));
    } catch (const std::length_error&) {
        throw invalid_pickle(fmt::format(
            "pickle of {} bytes could not be loaded: a container exceeded its maximum size",
            data.size()));
    }
}

}  // namespace functionfuse::pickle
