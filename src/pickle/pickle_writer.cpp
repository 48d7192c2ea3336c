// Pickle writer: protocol 4 laid out the way CPython's C pickler lays it out, so that for values
// without shared sub-objects our bytes equal `pickle.dumps(x, protocol=4)`.
//
// Layout: PROTO 4 outside any frame; then opcodes grouped in frames (FRAME + 8-byte length)
// that are closed at an opcode boundary once they reach 64 KiB; a frame under 4 bytes is
// written without its header. A str/bytes payload of 64 KiB or more is written outside any
// frame (its header too), straight from the value into the output: one copy, no staging.
// Every str, bytes, list, dict, set, frozenset and non-empty tuple is followed by MEMOIZE, as
// CPython does (the reader ignores memo entries nobody fetches, so this costs one byte).
//
// Small opcodes are staged in a frame buffer written through a raw pointer (the hot path for
// a list of a million small ints is a few byte stores); a whole frame is then appended to the
// output at once. The output grows geometrically, except that a large payload reserves
// exactly what it needs plus slack, so a single 100 MiB value costs 100 MiB of output.

#include <bit>
#include <cstring>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "huge_pages.hpp"
#include "objects/datetime_state.hpp"
#include "opcodes.hpp"
#include "pickle.hpp"
#include "utf8.hpp"

namespace functionfuse::pickle {

namespace {

constexpr std::size_t frame_target = 64 * 1024;  // CPython's _FRAME_SIZE_TARGET
constexpr std::size_t frame_min = 4;             // CPython's _FRAME_SIZE_MIN
constexpr std::size_t batch_size = 1000;         // CPython's BATCHSIZE for APPENDS/SETITEMS
constexpr std::size_t large_tail_slack = 256 * 1024;

class writer {
  public:
    writer(const persistent_id_fn& persistent_id, std::size_t reserve_tail)
        : persistent_id_(persistent_id), reserve_tail_(reserve_tail) {
        stage_cap_ = 2 * frame_target;
        stage_ = std::make_unique<char[]>(stage_cap_);
    }

    std::string run(const value& v) {
        // One allocation of the right size: no regrowth copies, and the pages of a large
        // output are faulted in once (as huge pages where possible).
        const std::size_t expected = size_bound(v, 0) + reserve_tail_;
        out_.reserve(expected);
        advise_huge_pages(out_.data(), out_.capacity());
        const char proto[2] = {static_cast<char>(op::PROTO), 4};
        out_.append(proto, 2);
        save(v, 0);
        put1(op::STOP);
        commit_frame();
        if (out_.capacity() < out_.size() + reserve_tail_)
            out_.reserve(out_.size() + reserve_tail_);
        return std::move(out_);
    }

  private:
    /// An upper bound of the encoded size (except for extensions, whose persistent ids are
    /// only known when encoding; the output then grows as usual). Cheap: no output is written.
    static std::size_t size_bound(const value& v, std::size_t depth) {
        constexpr std::size_t frame_overhead = 9;
        std::size_t n = 2 + 1 + frame_overhead;  // PROTO, STOP, the first frame header
        n += node_bound(v, depth);
        return n + n / frame_target * frame_overhead;
    }

    static std::size_t items_bound(const std::vector<value>& items, std::size_t depth) {
        std::size_t n = (items.size() / batch_size + 2) * 2;  // MARK + batch opcode per batch
        for (const value& x : items) {
            // Numbers inline: this loop runs once per item of a long list.
            if (const auto* i = x.get_if<std::int64_t>())
                n += int_bound(*i);
            else if (x.is<double>())
                n += 9;
            else
                n += node_bound(x, depth + 1);
        }
        return n;
    }

    static std::size_t int_bound(std::int64_t i) noexcept {
        return static_cast<std::uint64_t>(i) < 256     ? 2
               : static_cast<std::uint64_t>(i) < 65536 ? 3
                                                       : 11;
    }

    static std::size_t node_bound(const value& v, std::size_t depth) {
        if (depth > max_depth)
            return 0;  // the encoder rejects this value
        switch (v.kind()) {
            case value::kind_t::none:
            case value::kind_t::boolean:
                return 1;
            case value::kind_t::integer:
                return int_bound(*v.get_if<std::int64_t>());
            case value::kind_t::floating:
                return 9;
            case value::kind_t::str:
                return v.get_if<std::string>()->size() + 9 + 1 + 9;  // header, MEMOIZE, frame
            case value::kind_t::bytes:
                return v.get_if<bytes>()->data.size() + 9 + 1 + 9;
            case value::kind_t::list:
                return 2 + items_bound(*v.get_if<list>(), depth);
            case value::kind_t::tuple:
                return 2 + items_bound(*v.get_if<tuple>(), depth);
            case value::kind_t::set:
                return 2 + items_bound(*v.get_if<set>(), depth);
            case value::kind_t::frozenset:
                return 2 + items_bound(*v.get_if<frozenset>(), depth);
            case value::kind_t::dict: {
                const dict& d = *v.get_if<dict>();
                std::size_t n = 2 + (d.size() / batch_size + 2) * 2 + 64;  // 64: OrderedDict
                for (const auto& [k, x] : d)
                    n += node_bound(k, depth + 1) + node_bound(x, depth + 1);
                return n;
            }
            case value::kind_t::extension:
                return 64;
            case value::kind_t::big_integer:
                return v.get_if<big_int>()->bytes_le.size() + 5;
            case value::kind_t::ndarray:
                // The constant part is under 200 bytes; the shape at most 10 bytes a dimension.
                return v.get_if<ndarray>()->data().size() + 9 + 256 +
                       10 * v.get_if<ndarray>()->ndim();
            case value::kind_t::python_object: {
                // Globals, state and a timezone stay under 256 bytes; texts come on top.
                const auto& o = v.get_if<python_object>()->get();
                std::size_t n = 256;
                if (const auto* d = std::get_if<py::decimal>(&o))
                    n += d->text.size() + 9;
                const std::optional<py::timezone>* tz = nullptr;
                if (const auto* t = std::get_if<py::time>(&o))
                    tz = &t->tz;
                if (const auto* t = std::get_if<py::datetime>(&o))
                    tz = &t->tz;
                if (tz && *tz && (*tz)->name)
                    n += (*tz)->name->size() + 9;
                return n;
            }
        }
        return 0;
    }

    // ---- output ---------------------------------------------------------------------------

    char* room(std::size_t n) {
        if (used_ + n > stage_cap_)
            grow_stage(n);
        char* p = stage_.get() + used_;
        used_ += n;
        return p;
    }

    void grow_stage(std::size_t n) {
        std::size_t cap = stage_cap_ * 2;
        while (cap < used_ + n)
            cap *= 2;
        auto bigger = std::make_unique<char[]>(cap);
        std::memcpy(bigger.get(), stage_.get(), used_);
        stage_ = std::move(bigger);
        stage_cap_ = cap;
    }

    void put1(std::uint8_t b) { *room(1) = static_cast<char>(b); }

    void put_op_u8(std::uint8_t code, std::uint8_t arg) {
        char* p = room(2);
        p[0] = static_cast<char>(code);
        p[1] = static_cast<char>(arg);
    }

    template <class U>
    static void store_le(char* p, U x) {
        for (std::size_t i = 0; i < sizeof(U); ++i)
            p[i] = static_cast<char>(x >> (8 * i));
    }

    void append_out(const char* p, std::size_t n) {
        if (out_.capacity() - out_.size() < n) {
            out_.reserve(std::max(out_.capacity() * 2, out_.size() + n + reserve_tail_));
        }
        out_.append(p, n);
    }

    /// Closes the current frame: writes FRAME + length + the staged opcodes to the output.
    void commit_frame() {
        if (used_ == 0)
            return;
        if (used_ >= frame_min) {
            char header[9];
            header[0] = static_cast<char>(op::FRAME);
            store_le<std::uint64_t>(header + 1, used_);
            if (out_.capacity() - out_.size() < used_ + 9)
                out_.reserve(std::max(out_.capacity() * 2, out_.size() + used_ + 9));
            out_.append(header, 9);
        }
        append_out(stage_.get(), used_);
        used_ = 0;
    }

    /// CPython closes a frame at an opcode boundary once it holds 64 KiB.
    void boundary() {
        if (used_ >= frame_target)
            commit_frame();
    }

    /// Writes a str/bytes opcode with its payload; large payloads bypass framing.
    void put_text(std::uint8_t short_op, std::uint8_t op4, std::uint8_t op8, std::string_view s) {
        char header[9];
        std::size_t header_len;
        const std::size_t n = s.size();
        if (n < 256) {
            header[0] = static_cast<char>(short_op);
            header[1] = static_cast<char>(n);
            header_len = 2;
        } else if (n <= 0xffffffffu) {
            header[0] = static_cast<char>(op4);
            store_le<std::uint32_t>(header + 1, static_cast<std::uint32_t>(n));
            header_len = 5;
        } else {
            header[0] = static_cast<char>(op8);
            store_le<std::uint64_t>(header + 1, n);
            header_len = 9;
        }
        if (n >= frame_target) {
            commit_frame();
            if (out_.capacity() - out_.size() < header_len + n) {
                out_.reserve(std::max(out_.capacity() * 2, out_.size() + header_len + n +
                                                               large_tail_slack + reserve_tail_));
                advise_huge_pages(out_.data() + out_.size(), out_.capacity() - out_.size());
            }
            out_.append(header, header_len);
            out_.append(s.data(), n);
        } else {
            char* p = room(header_len + n);
            std::memcpy(p, header, header_len);
            std::memcpy(p + header_len, s.data(), n);
        }
    }

    // ---- values ---------------------------------------------------------------------------

    void save_int(std::int64_t i) {
        if (i >= 0 && i < 256) {
            put_op_u8(op::BININT1, static_cast<std::uint8_t>(i));
        } else if (i >= 0 && i < 65536) {
            char* p = room(3);
            p[0] = static_cast<char>(op::BININT2);
            store_le<std::uint16_t>(p + 1, static_cast<std::uint16_t>(i));
        } else if (i >= INT32_MIN && i <= INT32_MAX) {
            char* p = room(5);
            p[0] = static_cast<char>(op::BININT);
            store_le<std::uint32_t>(p + 1, static_cast<std::uint32_t>(i));
        } else {
            // LONG1 with Python's encode_long: little-endian two's complement, one byte more
            // than bit_length/8, dropping a redundant 0xff sign byte of negative numbers.
            const std::uint64_t magnitude =
                i < 0 ? ~static_cast<std::uint64_t>(i) + 1 : static_cast<std::uint64_t>(i);
            std::size_t n = static_cast<std::size_t>(std::bit_width(magnitude)) / 8 + 1;
            unsigned char bytes_le[9];
            for (std::size_t k = 0; k < n; ++k)
                bytes_le[k] =
                    k < 8 ? static_cast<unsigned char>(static_cast<std::uint64_t>(i) >> (8 * k))
                          : (i < 0 ? 0xff : 0x00);
            if (i < 0 && n > 1 && bytes_le[n - 1] == 0xff && (bytes_le[n - 2] & 0x80))
                --n;
            char* p = room(2 + n);
            p[0] = static_cast<char>(op::LONG1);
            p[1] = static_cast<char>(n);
            std::memcpy(p + 2, bytes_le, n);
        }
    }

    /// MEMOIZE: the object just written gets the next memo index (Python's len(memo)).
    void memoize() {
        put1(op::MEMOIZE);
        ++memo_count_;
    }

    /// BINGET/LONG_BINGET of memo index `i`, as CPython writes them.
    void get(std::uint32_t i) {
        if (i < 256) {
            put_op_u8(op::BINGET, static_cast<std::uint8_t>(i));
        } else {
            char* p = room(5);
            p[0] = static_cast<char>(op::LONG_BINGET);
            store_le<std::uint32_t>(p + 1, i);
        }
    }

    /// Objects that are one and the same in CPython each time numpy pickles them (globals,
    /// module-name strings, one-character strings and bytes, native dtypes): CPython writes
    /// them once and fetches them from the memo afterwards, so we do too (keyed by `key`).
    /// Returns true if it wrote a GET.
    bool get_shared(const std::string& key) {
        auto it = shared_.find(key);
        if (it == shared_.end())
            return false;
        get(it->second);
        return true;
    }
    void remember_shared(std::string key) { shared_.emplace(std::move(key), memo_count_ - 1); }

    /// A str that CPython shares (module names, one-character strings).
    void save_shared_str(std::string_view s) {
        std::string key = "s:" + std::string(s);
        if (get_shared(key))
            return;
        put_text(op::SHORT_BINUNICODE, op::BINUNICODE, op::BINUNICODE8, s);
        memoize();
        remember_shared(std::move(key));
    }

    /// bytes: CPython shares the empty and the one-byte objects.
    void save_bytes_numpy(std::string_view b) {
        std::string key;
        if (b.size() <= 1) {
            key = "b:" + std::string(b);
            if (get_shared(key))
                return;
        }
        put_text(op::SHORT_BINBYTES, op::BINBYTES, op::BINBYTES8, b);
        memoize();
        if (b.size() <= 1)
            remember_shared(std::move(key));
    }

    /// A global as pickle's save_global writes it in protocol 4, memoized.
    void save_global(std::string_view module, std::string_view name) {
        std::string key = "g:" + std::string(module) + "." + std::string(name);
        if (get_shared(key))
            return;
        save_shared_str(module);
        put_text(op::SHORT_BINUNICODE, op::BINUNICODE, op::BINUNICODE8, name);
        memoize();
        put1(op::STACK_GLOBAL);
        memoize();
        remember_shared(std::move(key));
    }

    /// numpy.dtype(spec, False, True) + BUILD (3, order, None, None, None, -1, -1, 0).
    void save_dtype(const ndarray& a) {
        const std::string_view t = a.typestr();
        // numpy's builtin dtypes of native byte order are singletons; others are new objects.
        const bool native =
            t[0] == '|' || (t[0] == '<') == (std::endian::native == std::endian::little);
        std::string key = "d:" + std::string(t);
        if (native && get_shared(key))
            return;
        save_global("numpy", "dtype");
        put_text(op::SHORT_BINUNICODE, op::BINUNICODE, op::BINUNICODE8, t.substr(1));
        memoize();
        put1(op::NEWFALSE);
        put1(op::NEWTRUE);
        put1(op::TUPLE3);
        memoize();
        put1(op::REDUCE);
        memoize();
        if (native)
            remember_shared(std::move(key));
        put1(op::MARK);
        put_op_u8(op::BININT1, 3);
        save_shared_str(t.substr(0, 1));
        put1(op::NONE);
        put1(op::NONE);
        put1(op::NONE);
        save_int(-1);
        save_int(-1);
        put_op_u8(op::BININT1, 0);
        put1(op::TUPLE);
        memoize();
        put1(op::BUILD);
    }

    /// An ndarray as numpy's `__reduce__` writes it in protocol 4 (scalars as
    /// `numpy.core.multiarray.scalar(dtype, bytes)`, arrays as `_reconstruct` + BUILD).
    void save_ndarray(const ndarray& a) {
        if (a.is_scalar()) {
            save_global("numpy.core.multiarray", "scalar");
            save_dtype(a);
            save_bytes_numpy(a.data());
            put1(op::TUPLE2);
            memoize();
            put1(op::REDUCE);
            memoize();
            return;
        }
        save_global("numpy.core.multiarray", "_reconstruct");
        save_global("numpy", "ndarray");
        put_op_u8(op::BININT1, 0);
        put1(op::TUPLE1);
        memoize();
        save_bytes_numpy("b");
        put1(op::TUPLE3);
        memoize();
        put1(op::REDUCE);
        memoize();
        put1(op::MARK);
        put_op_u8(op::BININT1, 1);
        const auto& shape = a.shape();
        if (shape.empty()) {
            put1(op::EMPTY_TUPLE);
        } else {
            if (shape.size() > 3)
                put1(op::MARK);
            for (std::size_t d : shape) {
                if (d > static_cast<std::size_t>(INT64_MAX))
                    throw type_error("cannot pickle an ndarray dimension beyond INT64_MAX");
                save_int(static_cast<std::int64_t>(d));
            }
            put1(shape.size() > 3 ? op::TUPLE
                                  : static_cast<std::uint8_t>(op::TUPLE1 + shape.size() - 1));
            memoize();
        }
        save_dtype(a);
        put1(a.memory_order() == ndarray::order::fortran ? op::NEWTRUE : op::NEWFALSE);
        save_bytes_numpy(a.data());
        put1(op::TUPLE);
        memoize();
        put1(op::BUILD);
    }

    /// `callable(args...)` as CPython's save_reduce writes it: the global, the arguments (written
    /// by `args`), TUPLE1-3 + MEMOIZE, REDUCE + MEMOIZE.
    template <class Args>
    void save_reduce(std::string_view module, std::string_view name, std::size_t n_args,
                     Args&& args) {
        save_global(module, name);
        args();
        if (n_args == 0) {
            put1(op::EMPTY_TUPLE);
        } else {
            put1(static_cast<std::uint8_t>(op::TUPLE1 + n_args - 1));
            memoize();
        }
        put1(op::REDUCE);
        memoize();
    }

    void save_state_bytes(std::string_view state) {
        put_text(op::SHORT_BINBYTES, op::BINBYTES, op::BINBYTES8, state);
        memoize();
    }

    void save_timedelta(const py::timedelta& t) {
        if (std::string why = objects::validity(t); !why.empty())
            throw type_error("cannot pickle datetime.timedelta: " + why);
        save_reduce("datetime", "timedelta", 3, [&] {
            save_int(t.days);
            save_int(t.seconds);
            save_int(t.microseconds);
        });
    }

    /// datetime.timezone(timedelta[, name]). `timezone.utc` is a singleton in CPython: written
    /// once, then fetched from the memo.
    void save_timezone(const py::timezone& z) {
        if (std::string why = objects::validity(z); !why.empty())
            throw type_error("cannot pickle datetime.timezone: " + why);
        const bool utc = z.offset_us == 0 && !z.name;
        if (utc && get_shared("tz:utc"))
            return;
        save_reduce("datetime", "timezone", z.name ? 2 : 1, [&] {
            save_timedelta(objects::offset_timedelta(z));
            if (z.name) {
                if (!utf8::valid(*z.name))
                    throw type_error("cannot pickle a timezone name that is not valid UTF-8");
                put_text(op::SHORT_BINUNICODE, op::BINUNICODE, op::BINUNICODE8, *z.name);
                memoize();
            }
        });
        if (utc)
            remember_shared("tz:utc");
    }

    /// The objects of `python_object` as CPython pickles them in protocol 4 (fold bit included).
    void save_python_object(const python_object& o) {
        if (const auto* d = std::get_if<py::date>(&o.get())) {
            const std::string state = objects::encode_date(*d);
            return save_reduce("datetime", "date", 1, [&] { save_state_bytes(state); });
        }
        if (const auto* t = std::get_if<py::time>(&o.get())) {
            const std::string state = objects::encode_time(*t);
            return save_reduce("datetime", "time", t->tz ? 2 : 1, [&] {
                save_state_bytes(state);
                if (t->tz)
                    save_timezone(*t->tz);
            });
        }
        if (const auto* d = std::get_if<py::datetime>(&o.get())) {
            const std::string state = objects::encode_datetime(*d);
            return save_reduce("datetime", "datetime", d->tz ? 2 : 1, [&] {
                save_state_bytes(state);
                if (d->tz)
                    save_timezone(*d->tz);
            });
        }
        if (const auto* t = std::get_if<py::timedelta>(&o.get()))
            return save_timedelta(*t);
        if (const auto* c = std::get_if<std::complex<double>>(&o.get())) {
            return save_reduce("builtins", "complex", 2, [&] {
                save_float(c->real());
                save_float(c->imag());
            });
        }
        const auto& d = std::get<py::decimal>(o.get());
        if (!objects::valid_decimal_text(d.text))
            throw type_error("cannot pickle decimal.Decimal of text that is not a decimal");
        save_reduce("decimal", "Decimal", 1, [&] {
            put_text(op::SHORT_BINUNICODE, op::BINUNICODE, op::BINUNICODE8, d.text);
            memoize();
        });
    }

    /// collections.OrderedDict as its `__reduce__` makes CPython write it: OrderedDict() and
    /// then the items from an iterator (pickle's batch_setitems: batches of 1000, a lone item
    /// with SETITEM, no empty batch).
    void save_ordered_dict(const dict& d, std::size_t depth) {
        save_reduce("collections", "OrderedDict", 0, [] {});
        const auto& items = d.items();
        for (std::size_t i = 0; i < items.size();) {
            if (items.size() - i == 1) {
                save(items[i].first, depth + 1);
                save(items[i].second, depth + 1);
                put1(op::SETITEM);
                break;
            }
            put1(op::MARK);
            const std::size_t stop = std::min(items.size(), i + batch_size);
            for (; i < stop; ++i) {
                save(items[i].first, depth + 1);
                save(items[i].second, depth + 1);
            }
            put1(op::SETITEMS);
        }
    }

    /// LONG1/LONG4 with the bytes kept (Python's encoding: LONG1 below 256 bytes).
    void save_big_int(const big_int& b) {
        const std::string& s = b.bytes_le;
        if (s.size() < 256) {
            char* p = room(2 + s.size());
            p[0] = static_cast<char>(op::LONG1);
            p[1] = static_cast<char>(s.size());
            std::memcpy(p + 2, s.data(), s.size());
        } else {
            if (s.size() > 0x7fffffffu)
                throw type_error("cannot pickle an integer of more than 2^31 bytes");
            char* p = room(5 + s.size());
            p[0] = static_cast<char>(op::LONG4);
            store_le<std::uint32_t>(p + 1, static_cast<std::uint32_t>(s.size()));
            std::memcpy(p + 5, s.data(), s.size());
        }
    }

    void save_float(double d) {
        char* p = room(9);
        p[0] = static_cast<char>(op::BINFLOAT);
        const auto bits = std::bit_cast<std::uint64_t>(d);
        for (int k = 0; k < 8; ++k)
            p[1 + k] = static_cast<char>(bits >> (8 * (7 - k)));
    }

    void check_depth(std::size_t depth) const {
        if (depth >= max_depth)
            throw type_error(
                fmt::format("cannot pickle a value nested deeper than {} levels", max_depth));
    }

    /// MARK ... `batch_op` in batches of 1000. Like CPython's C pickler for sets and dicts
    /// (`exact_multiple_gets_empty_batch`), a full last batch is followed by an empty one.
    void save_items_batched(const std::vector<value>& items, std::size_t depth,
                            std::uint8_t batch_op, bool exact_multiple_gets_empty_batch) {
        std::size_t i = 0;
        std::size_t in_batch;
        do {
            put1(op::MARK);
            const std::size_t stop = std::min(items.size(), i + batch_size);
            in_batch = stop - i;
            for (; i < stop; ++i) {
                if (const auto* n = items[i].get_if<std::int64_t>()) {  // the common case inline
                    save_int(*n);
                    boundary();
                } else {
                    save(items[i], depth + 1);
                }
            }
            put1(batch_op);
        } while (exact_multiple_gets_empty_batch ? in_batch == batch_size : i < items.size());
    }

    void save(const value& v, std::size_t depth) {
        switch (v.kind()) {
            case value::kind_t::none:
                put1(op::NONE);
                break;
            case value::kind_t::boolean:
                put1(*v.get_if<bool>() ? op::NEWTRUE : op::NEWFALSE);
                break;
            case value::kind_t::integer:
                save_int(*v.get_if<std::int64_t>());
                break;
            case value::kind_t::floating:
                save_float(*v.get_if<double>());
                break;
            case value::kind_t::str: {
                const std::string& s = *v.get_if<std::string>();
                if (!utf8::valid(s))
                    throw type_error("cannot pickle a str that is not valid UTF-8: " +
                                     v.repr().substr(0, 80));
                put_text(op::SHORT_BINUNICODE, op::BINUNICODE, op::BINUNICODE8, s);
                memoize();
                break;
            }
            case value::kind_t::bytes:
                put_text(op::SHORT_BINBYTES, op::BINBYTES, op::BINBYTES8, v.get_if<bytes>()->data);
                memoize();
                break;
            case value::kind_t::list: {
                check_depth(depth);
                const list& l = *v.get_if<list>();
                put1(op::EMPTY_LIST);
                memoize();
                if (l.size() == 1) {
                    save(l[0], depth + 1);
                    put1(op::APPEND);
                } else if (!l.empty()) {
                    save_items_batched(l, depth, op::APPENDS, false);
                }
                break;
            }
            case value::kind_t::tuple: {
                const tuple& t = *v.get_if<tuple>();
                if (t.empty()) {
                    put1(op::EMPTY_TUPLE);
                    break;
                }
                check_depth(depth);
                if (t.size() <= 3) {
                    for (const value& x : t)
                        save(x, depth + 1);
                    put1(static_cast<std::uint8_t>(op::TUPLE1 + t.size() - 1));
                } else {
                    put1(op::MARK);
                    for (const value& x : t)
                        save(x, depth + 1);
                    put1(op::TUPLE);
                }
                memoize();
                break;
            }
            case value::kind_t::dict: {
                check_depth(depth);
                const dict& d = *v.get_if<dict>();
                if (d.is_ordered_dict()) {
                    save_ordered_dict(d, depth);
                    break;
                }
                put1(op::EMPTY_DICT);
                memoize();
                const auto& items = d.items();
                if (items.size() == 1) {
                    save(items[0].first, depth + 1);
                    save(items[0].second, depth + 1);
                    put1(op::SETITEM);
                } else if (!items.empty()) {
                    std::size_t i = 0;
                    std::size_t in_batch;
                    do {  // as CPython: a full last batch is followed by an empty one
                        put1(op::MARK);
                        const std::size_t stop = std::min(items.size(), i + batch_size);
                        in_batch = stop - i;
                        for (; i < stop; ++i) {
                            save(items[i].first, depth + 1);
                            save(items[i].second, depth + 1);
                        }
                        put1(op::SETITEMS);
                    } while (in_batch == batch_size);
                }
                break;
            }
            case value::kind_t::set: {
                check_depth(depth);
                const set& s = *v.get_if<set>();
                put1(op::EMPTY_SET);
                memoize();
                if (!s.empty())
                    save_items_batched(s, depth, op::ADDITEMS, true);
                break;
            }
            case value::kind_t::frozenset: {
                check_depth(depth);
                put1(op::MARK);
                for (const value& x : *v.get_if<frozenset>())
                    save(x, depth + 1);
                put1(op::FROZENSET);
                memoize();
                break;
            }
            case value::kind_t::extension: {
                const extension& e = *v.get_if<extension>();
                std::optional<value> pid;
                if (persistent_id_)
                    pid = persistent_id_(e);
                if (!pid)
                    throw type_error("cannot pickle " + v.repr() +
                                     ": no persistent serializer is registered for its type");
                check_depth(depth);
                save(*pid, depth + 1);
                put1(op::BINPERSID);
                break;
            }
            case value::kind_t::big_integer:
                save_big_int(*v.get_if<big_int>());
                break;
            case value::kind_t::ndarray:
                save_ndarray(*v.get_if<ndarray>());
                break;
            case value::kind_t::python_object:
                save_python_object(*v.get_if<python_object>());
                break;
        }
        boundary();
    }

    const persistent_id_fn& persistent_id_;
    const std::size_t reserve_tail_;
    std::string out_;
    std::unique_ptr<char[]> stage_;  // the current frame's opcodes
    std::size_t stage_cap_ = 0;
    std::size_t used_ = 0;
    std::uint32_t memo_count_ = 0;                 // MEMOIZEs written so far
    std::map<std::string, std::uint32_t> shared_;  // see get_shared
};

}  // namespace

std::string dumps(const value& v, const persistent_id_fn& persistent_id, std::size_t reserve_tail) {
    return writer(persistent_id, reserve_tail).run(v);
}

}  // namespace functionfuse::pickle
