// Saves of new tasks in one request: create-only PUTs (`If-None-Match: *`) where the server
// refuses them over an existing key, found out by the `auto` probe; today's read-before-replace
// path elsewhere. Requests are counted by tests/tools/fault_proxy's request log, in front of
// the real server (Ceph RGW honours the header, s3rver 4.0.4 ignores it: the probe must tell).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <xtensor/xbuilder.hpp>

#include "fault_proxy_process.hpp"
#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"
#include "functionfuse/maintenance.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"
#include "run_awaitable.hpp"
#include "s3_server.hpp"
#include "s3_store_test.hpp"
#include "storage/create_first/overwrite_estimate.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace json = boost::json;
using ff_test::run_awaitable;

namespace {

/// One logged exchange: method, target, status and the If-None-Match header ("-": none).
struct exchange {
    std::string method, target, condition;
    int status = 0;
};

class S3ConditionalWrites : public ff_test::s3_store_test {
  protected:
    S3ConditionalWrites() : s3_store_test("condput-") {}

    void SetUp() override {
        s3_store_test::SetUp();
        if (HasFatalFailure())
            return;
        ASSERT_FALSE(server_.client.use_tls) << "registered for the http targets only";
        const auto server = ff_test::load_s3_server();
        honours_header_ = server && server->is_rgw();
        log_ = dir_.path() / "requests.log";
        proxy_ = std::make_unique<ff_test::fault_proxy_process>(
            server_.client.port, "--request-log '" + log_.string() + "'");
    }

    /// The fixture's config through the proxy, with `"conditional_writes": mode` (null: the
    /// option is left out).
    json::value proxied(const json::value& mode) const {
        json::value c = config();
        auto& o = c.at("options").as_object();
        o["s3fs"].as_object()["client_kwargs"].as_object()["endpoint_url"] =
            "http://127.0.0.1:" + std::to_string(proxy_->port());
        if (!mode.is_null())
            o["conditional_writes"] = mode;
        return c;
    }

  public:
    /// The exchanges logged since the last call.
    std::vector<exchange> take_log() {
        std::ifstream in(log_);
        std::vector<exchange> all;
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            exchange e;
            fields >> e.method >> e.target >> e.status >> e.condition;
            all.push_back(std::move(e));
        }
        std::vector<exchange> fresh(all.begin() + static_cast<std::ptrdiff_t>(seen_), all.end());
        seen_ = all.size();
        return fresh;
    }

    static std::string describe(const std::vector<exchange>& log) {
        std::string out;
        for (const auto& e : log)
            out += e.method + " " + e.target + " " + std::to_string(e.status) + " " + e.condition +
                   "\n";
        return out;
    }

  protected:
    bool honours_header_ = false;
    ff_test::temp_dir dir_;
    std::filesystem::path log_;
    std::unique_ptr<ff_test::fault_proxy_process> proxy_;
    std::size_t seen_ = 0;
};

bool is_conditional_put(const exchange& e) {
    return e.method == "PUT" && e.condition == "*";
}

/// Saves a new task and an existing one on one path, checking the requests each took.
template <class Save>
void check_new_then_existing(S3ConditionalWrites& t, bool supported, Save&& save,
                             const std::string& task) {
    save(task, ff::value(1));
    auto log = t.take_log();
    if (supported) {
        ASSERT_EQ(log.size(), 1u) << S3ConditionalWrites::describe(log);
        EXPECT_TRUE(is_conditional_put(log[0]));
        EXPECT_EQ(log[0].status, 200);
    } else {
        // Today's path: read what the task references, then replace it; no header.
        ASSERT_EQ(log.size(), 2u) << S3ConditionalWrites::describe(log);
        EXPECT_EQ(log[0].method, "GET");
        EXPECT_EQ(log[1].method, "PUT");
        EXPECT_EQ(log[1].condition, "-");
    }
    save(task, ff::value(2));
    log = t.take_log();
    if (supported) {
        // Refused (the task exists), then today's path.
        ASSERT_EQ(log.size(), 3u) << S3ConditionalWrites::describe(log);
        EXPECT_TRUE(is_conditional_put(log[0]));
        EXPECT_EQ(log[0].status, 412);
        EXPECT_EQ(log[1].method, "GET");
        EXPECT_EQ(log[2].method, "PUT");
        EXPECT_EQ(log[2].condition, "-");
    } else {
        ASSERT_EQ(log.size(), 2u) << S3ConditionalWrites::describe(log);
    }
}

}  // namespace

TEST_F(S3ConditionalWrites, AutoProbesOnceAndNewTasksTakeOneRequestWhereTheServerRefuses) {
    for (int path = 0; path < 2; ++path) {
        SCOPED_TRACE(path ? "sync" : "async");
        const json::value cfg = proxied(json::value(nullptr));  // the default: auto
        auto async_store = ff::storage_factory(cfg);
        auto sync_store = ff::sync::storage_factory(cfg);
        async_store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
        sync_store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
        std::string wf = "wf";
        auto save = [&](const std::string& task, const ff::value& v) {
            if (path) {
                sync_store->save(wf, task, v);
            } else {
                std::string t = task;
                run_awaitable(async_store->save(wf, t, v));
            }
        };
        take_log();

        // The first save probes: two create-only PUTs of one fresh key, then its DELETE.
        save("first" + std::to_string(path), ff::value(0));
        auto log = take_log();
        ASSERT_GE(log.size(), 4u) << describe(log);
        EXPECT_TRUE(is_conditional_put(log[0]) && is_conditional_put(log[1])) << describe(log);
        EXPECT_EQ(log[0].target, log[1].target);
        EXPECT_NE(log[0].target.find("/.tmp-probe-"), std::string::npos) << log[0].target;
        EXPECT_EQ(log[1].status, honours_header_ ? 412 : 200);
        EXPECT_EQ(log[2].method, "DELETE");
        EXPECT_EQ(log[2].target, log[0].target);

        // From then on, per the verdict; the probe never again.
        check_new_then_existing(*this, honours_header_, save, "t" + std::to_string(path));
        save("u" + std::to_string(path), ff::value(3));
        log = take_log();
        ASSERT_EQ(log.size(), honours_header_ ? 1u : 2u) << describe(log);
    }
    // The probe left nothing behind, and no workflow shows it.
    for (const auto& k : keys_under(""))
        EXPECT_EQ(k.find(".tmp-probe-"), std::string::npos) << k;
    auto store = ff::storage_factory(config());
    EXPECT_EQ(run_awaitable(ff::list_workflows(*store)), std::vector<std::string>{"wf"});
}

TEST_F(S3ConditionalWrites, ForcedOffNeverSendsTheHeaderAndNeverProbes) {
    const json::value cfg = proxied(json::value(false));
    auto async_store = ff::storage_factory(cfg);
    auto sync_store = ff::sync::storage_factory(cfg);
    async_store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    sync_store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    std::string wf = "wf";
    take_log();
    auto async_save = [&](const std::string& task, const ff::value& v) {
        std::string t = task;
        run_awaitable(async_store->save(wf, t, v));
    };
    auto sync_save = [&](const std::string& task, const ff::value& v) {
        sync_store->save(wf, task, v);
    };
    check_new_then_existing(*this, false, async_save, "a");
    check_new_then_existing(*this, false, sync_save, "s");
}

TEST_F(S3ConditionalWrites, ForcedOnSkipsTheProbe) {
    if (!honours_header_)
        GTEST_SKIP() << "forcing conditional writes on a server that ignores them would leak";
    const json::value cfg = proxied(json::value(true));
    auto async_store = ff::storage_factory(cfg);
    auto sync_store = ff::sync::storage_factory(cfg);
    async_store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    sync_store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    std::string wf = "wf";
    take_log();
    auto async_save = [&](const std::string& task, const ff::value& v) {
        std::string t = task;
        run_awaitable(async_store->save(wf, t, v));
    };
    auto sync_save = [&](const std::string& task, const ff::value& v) {
        sync_store->save(wf, task, v);
    };
    check_new_then_existing(*this, true, async_save, "a");
    check_new_then_existing(*this, true, sync_save, "s");
}

TEST_F(S3ConditionalWrites, WithoutSerializersASaveStaysOneUnconditionalPut) {
    // Nothing to read before replacing: the save is one write already.
    auto store = ff::storage_factory(proxied(json::value("auto")));
    std::string wf = "wf", task = "t";
    take_log();
    run_awaitable(store->save(wf, task, ff::value(1)));
    run_awaitable(store->save(wf, task, ff::value(2)));
    const auto log = take_log();
    ASSERT_EQ(log.size(), 2u) << describe(log);
    for (const auto& e : log) {
        EXPECT_EQ(e.method, "PUT");
        EXPECT_EQ(e.condition, "-");
    }
}

TEST_F(S3ConditionalWrites, OverwriteHeavyWorkloadsGoStraightToTheReadAndComeBack) {
    if (!honours_header_)
        GTEST_SKIP() << "the server ignores conditional writes: nothing is tried";
    auto store = ff::storage_factory(proxied(json::value("auto")));
    store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    std::string wf = "wf", task = "t";
    run_awaitable(store->save(wf, task, ff::value(0)));  // probes, creates
    // Re-runs: every save replaces. Half a window of refusals ...
    for (int i = 1; i <= ff::detail::overwrite_estimate::threshold; ++i)
        run_awaitable(store->save(wf, task, ff::value(i)));
    take_log();
    // ... and the next overwrite no longer tries: a read and a write.
    run_awaitable(store->save(wf, task, ff::value(-1)));
    auto log = take_log();
    ASSERT_EQ(log.size(), 2u) << describe(log);
    EXPECT_EQ(log[0].method, "GET");
    EXPECT_EQ(log[1].condition, "-");
    // New tasks again: the reads tell the estimate, and the tries resume within a window.
    int single = 0;
    for (int i = 0; i < ff::detail::overwrite_estimate::window; ++i) {
        std::string fresh = "n" + std::to_string(i);
        run_awaitable(store->save(wf, fresh, ff::value(i)));
        log = take_log();
        single += log.size() == 1 && is_conditional_put(log[0]);
    }
    EXPECT_GT(single, 0) << "create-only saves never resumed";
    std::string last = "last";
    run_awaitable(store->save(wf, last, ff::value(1)));
    log = take_log();
    ASSERT_EQ(log.size(), 1u) << describe(log);
    EXPECT_TRUE(is_conditional_put(log[0]));
}

namespace {
class S3ConditionalOverwrite : public S3ConditionalWrites,
                               public ::testing::WithParamInterface<const char*> {};
}  // namespace

TEST_P(S3ConditionalOverwrite, OverwritesWithArraysLeaveOneArraysWorthOnBothPaths) {
    const std::string mode = GetParam();
    const json::value cfg = proxied(mode == "auto" ? json::value("auto") : json::value(false));
    auto async_store = ff::storage_factory(cfg);
    auto sync_store = ff::sync::storage_factory(cfg);
    auto arrays = std::make_shared<ff::array_serializer>();
    async_store->register_persistent_serializers(arrays);
    sync_store->register_persistent_serializers(arrays);
    xt::xarray<double> x = xt::ones<double>({64, 64});
    const auto a = ff::chunked_array::from(x, {32, 32});
    std::string wf = "wf", task = "t";
    run_awaitable(async_store->save(wf, task, ff::dict{{"w", a}, {"i", 0}}));
    const auto one = usage_under(wf + "/bigdata/");
    ASSERT_GT(one.first, 4u);  // 4 chunks, .zarray, .zgroup
    for (int i = 1; i <= 10; ++i) {
        ff::value v = ff::dict{{"w", a}, {"i", i}};
        if (i % 2)
            sync_store->save(wf, task, v);
        else
            run_awaitable(async_store->save(wf, task, std::move(v)));
    }
    EXPECT_EQ(usage_under(wf + "/bigdata/"), one) << "overwrites leaked the replaced arrays";
    EXPECT_EQ(sync_store->read_task(wf, task).get<ff::dict>().at("i"), ff::value(10));
}

INSTANTIATE_TEST_SUITE_P(Modes, S3ConditionalOverwrite, ::testing::Values("auto", "off"));
