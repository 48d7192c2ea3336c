// One conformance suite, run against every storage kind in all_kinds() (file async, file
// sync; S3 kinds join there). Each test gets a fresh, empty store.
#include <cmath>
#include <limits>
#include <thread>

#include <gtest/gtest.h>

#include "blob_serializer.hpp"
#include "functionfuse/error.hpp"
#include "storage_under_test.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;

namespace ff_test {
namespace {

class StorageConformance : public ::testing::TestWithParam<kind_under_test> {
  protected:
    void SetUp() override { store_ = GetParam().make(scratch_.path(), true); }
    storage_under_test& store() { return *store_; }

    temp_dir scratch_;
    std::unique_ptr<storage_under_test> store_;
};

/// Values of every kind the value model has, nested and at their edges.
std::vector<std::pair<std::string, ff::value>> corpus() {
    ff::dict mixed_keys;
    mixed_keys.insert_or_assign(ff::value(1), ff::value("int key"));
    mixed_keys.insert_or_assign(ff::value("s"), ff::value(2.5));
    mixed_keys.insert_or_assign(ff::value(ff::bytes("b")), ff::value(ff::none));
    mixed_keys.insert_or_assign(ff::value(ff::tuple{ff::value(1), ff::value("t")}),
                                ff::value(true));
    ff::dict big;
    for (int i = 0; i < 5000; ++i)
        big.insert_or_assign(ff::value("k" + std::to_string(i)), ff::value(i));
    ff::value deep = ff::value(ff::list{});
    for (int i = 0; i < 200; ++i)
        deep = ff::value(ff::list{deep, ff::value(i)});
    std::string binary;
    for (int i = 0; i < 256; ++i)
        binary.push_back(static_cast<char>(i));
    ff::list ints;
    for (int i = 0; i < 100000; ++i)
        ints.emplace_back(i * 7919 - 300000);
    return {
        {"none", ff::value()},
        {"true", ff::value(true)},
        {"false", ff::value(false)},
        {"zero", ff::value(0)},
        {"int_min", ff::value(std::numeric_limits<std::int64_t>::min())},
        {"int_max", ff::value(std::numeric_limits<std::int64_t>::max())},
        {"float", ff::value(0.1)},
        {"neg_zero", ff::value(-0.0)},
        {"inf", ff::value(std::numeric_limits<double>::infinity())},
        {"neg_inf", ff::value(-std::numeric_limits<double>::infinity())},
        {"tiny", ff::value(5e-324)},
        {"empty_str", ff::value("")},
        {"unicode", ff::value("héllo wörld ✓ 𝄞 日本語")},
        {"empty_bytes", ff::value(ff::bytes())},
        {"binary", ff::value(ff::bytes(binary))},
        {"mib_bytes", ff::value(ff::bytes(std::string(1 << 20, 'x')))},
        {"empty_list", ff::value(ff::list{})},
        {"empty_tuple", ff::value(ff::tuple{})},
        {"empty_dict", ff::value(ff::dict{})},
        {"nested",
         ff::value(ff::dict{{"loss", 0.25},
                            {"history", ff::list{1, 2.5, "three", ff::none}},
                            {"shape", ff::tuple{3, 4}},
                            {"inner", ff::dict{{"a", ff::list{}}, {"b", ff::bytes("\0\1", 2)}}}})},
        {"mixed_keys", ff::value(mixed_keys)},
        {"big_dict", ff::value(big)},
        {"many_ints", ff::value(ints)},
        {"deep", deep},
        {"set", ff::value(ff::set{1, 2, 3})},
        {"frozenset", ff::value(ff::frozenset{ff::value("a"), ff::value("b")})},
    };
}

TEST_P(StorageConformance, RoundTripsEveryValueKind) {
    store().new_workflow("wf");
    for (const auto& [task, v] : corpus()) {
        SCOPED_TRACE(task);
        store().save("wf", task, v);
        EXPECT_EQ(store().read_task("wf", task), v);
    }
}

TEST_P(StorageConformance, RoundTripsNanAndSignOfZero) {
    store().save("wf", "nan", ff::value(std::numeric_limits<double>::quiet_NaN()));
    store().save("wf", "negzero", ff::value(-0.0));
    EXPECT_TRUE(std::isnan(store().read_task("wf", "nan").get<double>()));
    EXPECT_TRUE(std::signbit(store().read_task("wf", "negzero").get<double>()));
}

TEST_P(StorageConformance, SaveWithoutNewWorkflowCreatesIt) {
    store().save("fresh", "t", ff::value(1));
    EXPECT_EQ(store().read_task("fresh", "t"), ff::value(1));
}

TEST_P(StorageConformance, NewWorkflowIsIdempotentAndEmpty) {
    store().new_workflow("wf");
    store().new_workflow("wf");
    EXPECT_TRUE(store().list_tasks("wf").empty());
}

TEST_P(StorageConformance, SaveReplacesThePreviousResult) {
    store().save("wf", "t", ff::value("old"));
    store().save("wf", "t", ff::value("new"));
    EXPECT_EQ(store().read_task("wf", "t"), ff::value("new"));
    EXPECT_EQ(store().list_tasks("wf"), std::vector<std::string>{"t"});
}

TEST_P(StorageConformance, MissingTaskIsNotFound) {
    EXPECT_THROW(store().read_task("wf", "nothing"), ff::not_found);
    store().new_workflow("wf");
    EXPECT_THROW(store().read_task("wf", "nothing"), ff::not_found);
    EXPECT_FALSE(store().file_exists("wf", "nothing"));
    store().save("wf", "there", ff::value(1));
    EXPECT_TRUE(store().file_exists("wf", "there"));
}

TEST_P(StorageConformance, ListTasksIsSortedGlobFilteredAndOnlyResults) {
    store().new_workflow("wf");
    for (const char* t : {"train", "b", "a", "c1", "c2", "test", "[x]"})
        store().save("wf", t, ff::value(t));
    store().plant_foreign_entries("wf");
    using v = std::vector<std::string>;
    EXPECT_EQ(store().list_tasks("wf"), (v{"[x]", "a", "b", "c1", "c2", "test", "train"}));
    EXPECT_EQ(store().list_tasks("wf", "c?"), (v{"c1", "c2"}));
    EXPECT_EQ(store().list_tasks("wf", "t*"), (v{"test", "train"}));
    EXPECT_EQ(store().list_tasks("wf", "[ab]"), (v{"a", "b"}));
    EXPECT_EQ(store().list_tasks("wf", "[!abt]*"), (v{"[x]", "c1", "c2"}));
    EXPECT_EQ(store().list_tasks("wf", "[[]x]"), (v{"[x]"}));
    EXPECT_EQ(store().list_tasks("wf", "nomatch*"), v{});
    EXPECT_EQ(store().list_tasks("missing_workflow"), v{});
}

TEST_P(StorageConformance, RemoveTaskByNameAndByPattern) {
    for (const char* t : {"a1", "a2", "b1", "b2", "a*"})
        store().save("wf", t, ff::value(t));
    store().remove_task("wf", "a*");  // the task literally named "a*", not a pattern
    EXPECT_EQ(store().list_tasks("wf"), (std::vector<std::string>{"a1", "a2", "b1", "b2"}));
    store().remove_task("wf", ff::glob{"a*"});
    EXPECT_EQ(store().list_tasks("wf"), (std::vector<std::string>{"b1", "b2"}));
    store().remove_task("wf", "b1");
    EXPECT_FALSE(store().file_exists("wf", "b1"));
    EXPECT_EQ(store().read_task("wf", "b2"), ff::value("b2"));
    store().remove_task("wf", "b1");  // missing: not an error
    store().remove_task("wf", ff::glob{"zzz*"});
    store().remove_task("no_such_workflow", "x");
}

TEST_P(StorageConformance, RemoveWorkflowRemovesEverything) {
    auto blobs = std::make_shared<blob_serializer>();
    store().register_serializer(blobs);
    store().new_workflow("wf");
    store().save("wf", "t1", ff::value(1));
    store().save("wf", "t2", ff::dict{{"blob", make_blob("payload")}});
    store().save("other", "t1", ff::value(2));
    store().remove_workflow("wf");
    EXPECT_TRUE(store().list_tasks("wf").empty());
    EXPECT_FALSE(store().file_exists("wf", "t1"));
    EXPECT_EQ(store().read_task("other", "t1"), ff::value(2));
    for (const auto& entry : store().raw_list_all())
        EXPECT_TRUE(entry.rfind("wf/", 0) != 0) << entry;
    store().remove_workflow("wf");  // missing: not an error
}

TEST_P(StorageConformance, AlwaysReadIsAFlag) {
    EXPECT_FALSE(store().always_read());
    store().set_always_read(true);
    EXPECT_TRUE(store().always_read());
}

TEST_P(StorageConformance, HostileNamesAreRefusedAndWriteNothing) {
    const std::vector<std::string> hostile = {
        "../x", "/", "", std::string("a\0b", 3), "/abs", ".", "..", "a/b", "..\\x", "/etc/passwd"};
    for (const auto& bad : hostile) {
        SCOPED_TRACE(bad);
        EXPECT_THROW(store().new_workflow(bad), ff::invalid_name);
        EXPECT_THROW(store().save(bad, "t", ff::value(1)), ff::invalid_name);
        EXPECT_THROW(store().save("wf", bad, ff::value(1)), ff::invalid_name);
        EXPECT_THROW(store().read_task(bad, "t"), ff::invalid_name);
        EXPECT_THROW(store().read_task("wf", bad), ff::invalid_name);
        EXPECT_THROW(store().file_exists("wf", bad), ff::invalid_name);
        EXPECT_THROW(store().list_tasks(bad), ff::invalid_name);
        EXPECT_THROW(store().remove_task("wf", bad), ff::invalid_name);
        EXPECT_THROW(store().remove_task(bad, ff::glob{"*"}), ff::invalid_name);
        EXPECT_THROW(store().remove_workflow(bad), ff::invalid_name);
    }
    EXPECT_EQ(store().raw_list_all(), std::vector<std::string>{});
    EXPECT_FALSE(store().wrote_outside_root());
}

TEST_P(StorageConformance, EveryFlippedBitIsInvalidPickle) {
    const ff::value v = ff::dict{{"loss", 0.25}, {"names", ff::list{"a", "b"}}, {"n", 42}};
    store().save("wf", "t", v);
    const std::string good = store().raw_get("wf", "t");
    ASSERT_GT(good.size(), 20u);
    for (std::size_t i = 0; i < good.size(); ++i) {
        for (int bit : {i % 8, (i + 3) % 8}) {
            std::string bad = good;
            bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
            store().raw_put("wf", "t", bad);
            EXPECT_THROW(store().read_task("wf", "t"), ff::invalid_pickle) << "byte " << i;
        }
    }
    for (std::size_t len = 0; len < good.size(); ++len) {
        store().raw_put("wf", "t", good.substr(0, len));
        EXPECT_THROW(store().read_task("wf", "t"), ff::invalid_pickle) << "length " << len;
    }
    store().raw_put("wf", "t", good);
    EXPECT_EQ(store().read_task("wf", "t"), v);
}

TEST_P(StorageConformance, CorruptTaskCanStillBeRemoved) {
    store().save("wf", "t", ff::value(1));
    store().raw_put("wf", "t", "garbage");
    store().remove_task("wf", "t");
    EXPECT_FALSE(store().file_exists("wf", "t"));
}

TEST_P(StorageConformance, PersistentSerializerRoundTripAndRemoval) {
    auto blobs = std::make_shared<blob_serializer>();
    store().register_serializer(blobs);
    store().new_workflow("wf");
    const ff::value shared_blob = make_blob(std::string(100000, 'z'));
    const ff::value v = ff::dict{{"loss", 0.5},
                                 {"weights", make_blob("first")},
                                 {"twice", ff::list{shared_blob, shared_blob}}};
    store().save("wf", "t", v);
    EXPECT_EQ(blobs->pickles, 2);  // the shared object is stored once

    const ff::value back = store().read_task("wf", "t");
    EXPECT_EQ(blobs->unpickles, 3);  // one per reference in the pickle
    const auto& d = back.get<ff::dict>();
    EXPECT_EQ(d.at("loss"), ff::value(0.5));
    EXPECT_EQ(d.at("weights").get<ff::extension>().get_if<blob>()->data, "first");
    for (const auto& item : d.at("twice").get<ff::list>())
        EXPECT_EQ(item.get<ff::extension>().get_if<blob>()->data, std::string(100000, 'z'));

    auto bigdata_entries = [&] {
        int n = 0;
        for (const auto& e : store().raw_list_all())
            n += e.rfind("wf/bigdata/", 0) == 0 && e.back() != '/';
        return n;
    };
    EXPECT_EQ(bigdata_entries(), 2);
    store().remove_task("wf", "t");
    EXPECT_EQ(blobs->removes, 3);
    EXPECT_EQ(bigdata_entries(), 0);
    EXPECT_FALSE(store().file_exists("wf", "t"));

    // Removal by pattern removes the out-of-band data of each matching task, and only theirs.
    store().save("wf", "u1", make_blob("one"));
    store().save("wf", "u2", ff::list{make_blob("two"), 3});
    store().save("wf", "keep", make_blob("kept"));
    EXPECT_EQ(bigdata_entries(), 3);
    store().remove_task("wf", ff::glob{"u*"});
    EXPECT_EQ(bigdata_entries(), 1);
    EXPECT_EQ(store().list_tasks("wf"), std::vector<std::string>{"keep"});
    EXPECT_EQ(store().read_task("wf", "keep").get<ff::extension>().get_if<blob>()->data, "kept");
}

/// The extension type `failing_serializer` refuses to store.
struct poison {};

/// A serializer whose `pickle` always fails, to prove a failed save leaves nothing behind.
class failing_serializer : public ff::persistent_serializer {
  public:
    std::string name() const override { return "Failing"; }
    std::type_index serializer_class() const override { return typeid(poison); }
    boost::asio::awaitable<ff::value> pickle(const ff::protocols&, std::string,
                                             ff::extension) override {
        throw ff::io_error("failing_serializer: disk full");
        co_return ff::value();
    }
    boost::asio::awaitable<ff::value> unpickle(const ff::protocols&, std::string,
                                               ff::value) override {
        co_return ff::value();
    }
    boost::asio::awaitable<void> remove(const ff::protocols&, std::string, ff::value) override {
        co_return;
    }
};

TEST_P(StorageConformance, FailedSerializerLeavesNoTaskAndNoOrphanedData) {
    auto blobs = std::make_shared<blob_serializer>();
    store().register_serializer(blobs);
    store().register_serializer(std::make_shared<failing_serializer>());
    store().new_workflow("wf");
    const ff::value v = ff::dict{{"ok", make_blob("stored first")},
                                 {"bad", ff::value(ff::extension::make(poison{}))}};
    EXPECT_THROW(store().save("wf", "t", v), ff::io_error);
    EXPECT_FALSE(store().file_exists("wf", "t"));
    EXPECT_EQ(blobs->pickles, 1);
    EXPECT_EQ(blobs->removes, 1);  // the blob that was stored is removed again
    for (const auto& e : store().raw_list_all())
        EXPECT_EQ(e.back(), '/') << e;  // no files
}

TEST_P(StorageConformance, ExtensionWithoutSerializerIsTypeErrorAndWritesNothing) {
    struct unregistered_type {};
    const ff::value v = ff::dict{{"x", ff::value(ff::extension::make(unregistered_type{}))}};
    try {
        store().save("wf", "t", v);
        FAIL() << "saved an extension nobody can serialize";
    } catch (const ff::type_error& e) {
        EXPECT_NE(std::string(e.what()).find("unregistered_type"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(store().file_exists("wf", "t"));
    for (const auto& e : store().raw_list_all())
        EXPECT_EQ(e.back(), '/') << e;  // no files
}

TEST_P(StorageConformance, RemoveWithUnregisteredSerializerRemovesNothing) {
    auto blobs = std::make_shared<blob_serializer>();
    store().register_serializer(blobs);
    store().save("wf", "t", make_blob("x"));
    auto fresh = GetParam().make(scratch_.path(), true);  // same root, no serializers
    // The stored bytes name a serializer nobody registered: invalid_pickle naming it.
    const std::string unregistered = std::string("persistent serializer '") + blob_serializer::tag +
                                     "', which is not registered";
    for (int remove = 0; remove < 2; ++remove) {
        try {
            if (remove)
                fresh->remove_task("wf", "t");
            else
                (void)fresh->read_task("wf", "t");
            ADD_FAILURE() << (remove ? "removed" : "read") << " without the serializer";
        } catch (const ff::invalid_pickle& e) {
            EXPECT_NE(std::string(e.what()).find(unregistered), std::string::npos) << e.what();
        }
    }
    EXPECT_TRUE(store().file_exists("wf", "t"));
    EXPECT_EQ(store().read_task("wf", "t").get<ff::extension>().get_if<blob>()->data, "x");
}

TEST_P(StorageConformance, TenThousandConcurrentSavesFromFourThreads) {
    store_ = GetParam().make(scratch_.path(), false);  // fsync is not what this test is about
    store().new_workflow("wf");
    constexpr int threads = 4, per_thread = 2500;
    auto value_of = [](int i) {
        return ff::value(ff::dict{{"i", i}, {"name", "task-" + std::to_string(i)}});
    };
    std::vector<std::string> expected;
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(threads);
    for (int t = 0; t < threads; ++t) {
        std::vector<std::pair<std::string, ff::value>> items;
        for (int i = t * per_thread; i < (t + 1) * per_thread; ++i) {
            items.emplace_back("task-" + std::to_string(i), value_of(i));
            expected.push_back("task-" + std::to_string(i));
        }
        pool.emplace_back([&, t, items = std::move(items)] {
            try {
                store().save_all("wf", items);
            } catch (...) {
                errors[t] = std::current_exception();
            }
        });
    }
    for (auto& th : pool)
        th.join();
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(store().list_tasks("wf"), expected);
    for (int i = 0; i < threads * per_thread; ++i)
        ASSERT_EQ(store().read_task("wf", "task-" + std::to_string(i)), value_of(i)) << i;
}

INSTANTIATE_TEST_SUITE_P(AllKinds, StorageConformance, ::testing::ValuesIn(all_kinds()),
                         [](const auto& info) { return info.param.name; });

/// Every kind writes the same bytes for the same value (no extension objects, whose
/// out-of-band names are random).
TEST(StorageKinds, AllKindsWriteIdenticalBytes) {
    const auto kinds = all_kinds();
    for (const auto& [task, v] : corpus()) {
        std::string first;
        for (const auto& kind : kinds) {
            temp_dir scratch;
            auto store = kind.make(scratch.path(), false);
            store->save("wf", task, v);
            const std::string bytes = store->raw_get("wf", task);
            if (first.empty()) {
                first = bytes;
            } else {
                EXPECT_EQ(bytes, first) << kind.name << " " << task;
            }
        }
    }
}

}  // namespace
}  // namespace ff_test
