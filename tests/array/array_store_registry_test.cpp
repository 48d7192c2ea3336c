// The array-store registry: the serializer finds the stores the kinds registered (also when it
// was built before they were), and its own stores (`set_store`) come first.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "array_test_util.hpp"
#include "arrays/array_store_registry.hpp"
#include "functionfuse/array_serializer.hpp"
#include "run_awaitable.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
using ff_test::run_awaitable;

namespace {

/// Counts writes and keeps nothing; the other operations are not used here.
class counting_store : public ff::array_store {
  public:
    std::atomic<int> writes{0};
    boost::asio::awaitable<void> write(const ff::protocol&, std::string, std::string,
                                       std::shared_ptr<const ff::chunked_array>,
                                       const ff::array_options&) override {
        ++writes;
        co_return;
    }
    boost::asio::awaitable<ff::chunked_array> read(const ff::protocol&, std::string,
                                                   std::string) override {
        throw ff::not_found("counting_store keeps nothing");
    }
    boost::asio::awaitable<ff::lazy_array> open(const ff::protocol&, std::string,
                                                std::string) override {
        throw ff::not_found("counting_store keeps nothing");
    }
    boost::asio::awaitable<void> remove(const ff::protocol&, std::string, std::string) override {
        co_return;
    }
};

/// A protocol name no kind uses, so the process-wide registry's built-ins are not disturbed.
const std::string test_protocol = "array-store registry test protocol";

/// Pickles one small array with `s`, lending only a file_protocol under `protocol_name`.
ff::value pickle_one(ff::array_serializer& s, const std::string& protocol_name) {
    ff_test::temp_dir dir;
    boost::asio::thread_pool pool(1);
    ff::protocols p;
    p.emplace(protocol_name,
              std::make_shared<ff::file_protocol>(dir.path(), pool.get_executor(), false));
    auto a = ff_test::pattern_array(ff::dtype::int32, {6}, {3});
    return run_awaitable(s.pickle(p, "wf", ff::extension::make(a)));
}

}  // namespace

TEST(ArrayStoreRegistry, SerializerBuiltBeforeRegistrationFindsTheStore) {
    ff::array_serializer s;  // before the store is registered: looked up per call
    auto store = std::make_shared<counting_store>();
    ff::detail::array_stores().add(test_protocol, store);
    ff::value payload = pickle_one(s, test_protocol);
    EXPECT_EQ(store->writes, 1);
    EXPECT_EQ(payload.get<ff::tuple>()[0].get<std::string>(), "0.0.0");
}

TEST(ArrayStoreRegistry, ReplacedStoreIsUsedByExistingSerializers) {
    ff::array_serializer s;
    auto first = std::make_shared<counting_store>();
    auto second = std::make_shared<counting_store>();
    ff::detail::array_stores().add(test_protocol, first);
    ff::detail::array_stores().add(test_protocol, second);
    pickle_one(s, test_protocol);
    EXPECT_EQ(first->writes, 0);
    EXPECT_EQ(second->writes, 1);
}

TEST(ArrayStoreRegistry, OwnStoreComesBeforeTheRegisteredOne) {
    auto registered = std::make_shared<counting_store>();
    auto own = std::make_shared<counting_store>();
    ff::detail::array_stores().add(test_protocol, registered);
    ff::array_serializer s;
    s.set_store(test_protocol, own);
    pickle_one(s, test_protocol);
    EXPECT_EQ(own->writes, 1);
    EXPECT_EQ(registered->writes, 0);
}

TEST(ArrayStoreRegistry, UnregisteredProtocolIsAConfigError) {
    ff::array_serializer s;
    try {
        pickle_one(s, "no store registered for this");
        FAIL() << "expected config_error";
    } catch (const ff::config_error& e) {
        EXPECT_EQ(e.field(), "protocols");
        EXPECT_NE(std::string(e.what()).find("no store registered for this"), std::string::npos);
    }
}
