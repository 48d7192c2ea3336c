// Shared references in pickles (memo GET, DUP): `value` holds none, so they load as copies.
// These tests pin the limits of that: copies are budgeted (a memo "bomb" is invalid_pickle, not
// gigabytes and std::bad_alloc), and running out of memory anyway is an ff::error.

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <new>

#include "cpython_pickles.hpp"
#include "pickle/pickle.hpp"
#include "pickle_errors.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;
using cpython::b;
using pickle_test::contains;
using pickle_test::error_of;

namespace {

/// What CPython (protocol 2) writes for `a = []; for _ in range(levels): a = [a] * 10`: each
/// list is memoized, holds the list below once and nine BINGETs of it. 23 bytes a level,
/// 10^levels leaves once loaded.
std::string nested_bomb(int levels) {
    std::string p = "\x80\x02";
    for (int i = 0; i < levels; ++i) {
        p += "]q";
        p += static_cast<char>(i);
        p += '(';
    }
    p += "]q";
    p += static_cast<char>(levels);
    for (int i = levels - 1; i >= 0; --i) {
        for (int k = 0; k < 9; ++k) {
            p += 'h';
            p += static_cast<char>(i + 1);
        }
        p += 'e';
    }
    return p + ".";
}

/// The flat form of the same amplification: each level is MARK, ten BINGETs of the previous
/// level, LIST, BINPUT, POP; the last level is fetched at the end. 25 bytes a level.
std::string flat_bomb(int levels) {
    std::string p = "\x80\x02]q";
    p += '\0';
    p += '0';
    for (int k = 1; k <= levels; ++k) {
        p += '(';
        for (int i = 0; i < 10; ++i) {
            p += 'h';
            p += static_cast<char>(k - 1);
        }
        p += "lq";
        p += static_cast<char>(k);
        p += '0';
    }
    p += 'h';
    p += static_cast<char>(levels);
    return p + ".";
}

/// `[]`, then `n` times DUP TUPLE2: a tuple tree with 2^n leaves, built by copies alone.
std::string dup_doublings(int n) {
    std::string p = "\x80\x02]";
    for (int i = 0; i < n; ++i)
        p += "2\x86";
    return p + ".";
}

/// `levels` nested lists of ten, as the bombs load when small enough.
ff::value tens(int levels) {
    ff::value v = ff::list{};
    for (int i = 0; i < levels; ++i)
        v = ff::list(10, v);
    return v;
}

}  // namespace

TEST(PickleSharing, SmallSharedStructuresLoadAsCopies) {
    EXPECT_EQ(pk::loads(nested_bomb(3)), tens(3));
    EXPECT_EQ(pk::loads(flat_bomb(3)), tens(3));
}

TEST(PickleSharing, MemoAmplificationIsRefusedWithinTheBudget) {
    // 8 flat levels are ~200 bytes and 10^8 lists once copied (the reported 3.9 GB and
    // std::bad_alloc); 30 nested levels would be 10^30.
    const std::string flat = flat_bomb(8);
    EXPECT_LT(flat.size(), 210u);
    for (const std::string& bomb : {flat, nested_bomb(30)}) {
        const std::string e = error_of(bomb);
        EXPECT_TRUE(contains(e, "shared references expand to more than 67108864 bytes")) << e;
    }
}

TEST(PickleSharing, TheBudgetIsConfigurable) {
    // tens(3) copies ~1100 lists: refused under a 1 KiB budget, loaded under the default.
    const pk::read_options tight{.copy_budget_per_input_byte = 0, .copy_budget_min = 1024};
    EXPECT_TRUE(contains(error_of(nested_bomb(3), tight), "more than 1024 bytes"));
    // The budget scales with the input: 1 KiB per input byte admits it again.
    const pk::read_options scaled{.copy_budget_per_input_byte = 1024, .copy_budget_min = 0};
    EXPECT_EQ(pk::loads(nested_bomb(3), {}, scaled), tens(3));
    // DUP copies are charged too.
    EXPECT_TRUE(contains(error_of(dup_doublings(16), tight), "shared references expand"));
}

namespace {
/// The process's current virtual memory size in bytes (Linux).
std::size_t virtual_memory_size() {
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0;
    statm >> pages;
    return pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

/// In a death-test child: loads the flat bomb with the budget lifted under a 256 MiB
/// address-space limit. 0 if that is invalid_pickle "out of memory", 1 for std::bad_alloc.
int load_bomb_with_little_memory() {
    const rlimit lim{virtual_memory_size() + (std::size_t{256} << 20), RLIM_INFINITY};
    if (::setrlimit(RLIMIT_AS, &lim) != 0)
        return 3;
    pk::read_options unlimited;
    unlimited.copy_budget_per_input_byte = std::numeric_limits<std::size_t>::max();
    unlimited.copy_budget_min = std::numeric_limits<std::size_t>::max();
    try {
        (void)pk::loads(flat_bomb(8), {}, unlimited);
    } catch (const ff::invalid_pickle& e) {
        return contains(e.what(), "out of memory") ? 0 : 4;
    } catch (const std::bad_alloc&) {
        return 1;
    }
    return 2;
}
}  // namespace

TEST(PickleSharingDeathTest, RunningOutOfMemoryIsInvalidPickleNotBadAlloc) {
    // The allocation failure must surface as ff::invalid_pickle, not std::bad_alloc.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(std::_Exit(load_bomb_with_little_memory()), ::testing::ExitedWithCode(0), "");
}

namespace {
/// Pickles of self-referencing values, captured from CPython 3.11 (`pickle.dumps(x, protocol=p)`).
struct cyclic_case {
    const char* python;
    std::string data;
};
const cyclic_case cyclic_cases[] = {
    // l = []; l.append(l)
    {"list p0", b("(lp0\ng0\na.")},
    {"list p2", b("\x80\x02]q\x00h\x00"
                  "a.")},
    {"list p4", b("\x80\x04\x95\x06\x00\x00\x00\x00\x00\x00\x00]\x94h\x00"
                  "a.")},
    // d = {}; d['a'] = d
    {"dict p0", b("(dp0\nVa\np1\ng0\ns.")},
    {"dict p2", b("\x80\x02}q\x00X\x01\x00\x00\x00"
                  "aq\x01h\x00s.")},
    // t = ([],); t[0].append(t): the cycle runs through the tuple
    {"tuple p0", b("((lp0\n(g0\ntp1\na00g1\n.")},
    {"tuple p2", b("\x80\x02]q\x00h\x00\x85q\x01"
                   "a0h\x01.")},
    {"tuple p4", b("\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00]\x94h\x00\x85\x94"
                   "a0h\x01.")},
    // s = [{}]; s[0]['k'] = s: a list through a dict
    {"list through dict p2", b("\x80\x02]q\x00}q\x01X\x01\x00\x00\x00kq\x02h\x00sa.")},
    // By hand: a list appended to itself through DUP, a set added to itself through the memo.
    {"DUP", b("\x80\x04]2a.")},
    {"set", b("\x80\x04\x8f\x94(h\x00\x90.")},
};
}  // namespace

TEST(PickleSharing, CyclicObjectsAreRefused) {
    for (const auto& c : cyclic_cases) {
        const std::string e = error_of(c.data);
        EXPECT_TRUE(contains(e, "self-referencing/cyclic object")) << c.python << ": " << e;
    }
}

TEST(PickleSharing, SharedObjectModifiedAfterItWasReferencedIsRefused) {
    // ([], ...) where the list is fetched (h0) and then appended to through the copy:
    // Python would give ([1], [1]), a copy would give ([], [1]).
    const std::string e =
        error_of(b("\x80\x04(]\x94h\x00K\x01"
                   "at."));
    EXPECT_TRUE(contains(e, "self-referencing/cyclic object: APPEND modifies a list")) << e;
    // Modified before the reference: loads (the memo fetch sees the finished list).
    EXPECT_EQ(pk::loads(b("\x80\x04(]\x94K\x01"
                          "ah\x00t.")),
              ff::value(ff::tuple{ff::list{1}, ff::list{1}}));
    // The DUP fast path (a batch of scalars APPENDS) must not bypass the check.
    EXPECT_TRUE(contains(error_of(b("\x80\x04]2(K\x01"
                                    "e\x86.")),
                         "self-referencing/cyclic object: APPENDS"));
}
