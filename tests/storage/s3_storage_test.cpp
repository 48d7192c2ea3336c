// The S3 kind against each S3 server target (tests/support/s3_server.hpp), built through
// storage_factory from JSON configs: the async (Beast) and sync (libcurl) paths read what the other
// wrote, Python's boto3 + pickle read our objects, and bad input (credentials, bucket, endpoint)
// fails with errors that name what is wrong and never a secret.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "async_protocols/s3/curl/curl_s3_client.hpp"
#include "blob_serializer.hpp"
#include "fault_proxy_process.hpp"
#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"
#include "functionfuse/error.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"
#include "python.hpp"
#include "run_awaitable.hpp"
#include "s3_kinds_under_test.hpp"

namespace ff = functionfuse;
namespace json = boost::json;

namespace ff_test {
namespace {

std::string unique(const std::string& stem) {
    std::random_device rd;
    return stem + "-" + std::to_string(rd()) + std::to_string(rd());
}

class S3Storage : public ::testing::Test {
  protected:
    void SetUp() override {
        auto o = s3_server_storage_options("");
        if (!o)
            GTEST_FAIL() << no_s3_server_message;
        server_ = *o;
        endpoint_ = std::string(server_.client.use_tls ? "https://" : "http://") +
                    server_.client.host + ":" + std::to_string(server_.client.port);
        prefix_ = unique("s3test");
    }

    /// The Python original's config shape for `bucket`/`prefix_` with the given key pair.
    json::value config(const std::string& bucket, const std::string& key, const std::string& secret,
                       json::object extra = {}) const {
        json::object s3fs{
            {"key", key},
            {"secret", secret},
            {"client_kwargs", {{"endpoint_url", endpoint_}, {"region_name", "us-east-1"}}}};
        json::object options{{"path", bucket + "/" + prefix_}, {"s3fs", s3fs}};
        if (!server_.client.tls.ca_file.empty())
            options["tls"] = json::object{{"ca_file", server_.client.tls.ca_file}};
        for (auto& kv : extra)
            options[kv.key()] = kv.value();
        return json::object{{"kind", "S3"}, {"options", options}};
    }
    json::value good_config() const {
        return config(server_.location.bucket, server_.client.creds.access_key_id,
                      server_.client.creds.secret_access_key);
    }

    ff::s3_storage_options server_;
    std::string endpoint_;
    std::string prefix_;
};

TEST_F(S3Storage, EachPathReadsWhatTheOtherWrote) {
    auto async_store = ff::storage_factory(good_config());
    auto sync_store = ff::sync::storage_factory(good_config());
    auto blobs = std::make_shared<blob_serializer>();
    async_store->register_persistent_serializers(blobs);
    sync_store->register_persistent_serializers(blobs);

    const ff::value from_async = ff::dict{{"loss", 0.25}, {"blob", make_blob("written by asio")}};
    const ff::value from_sync =
        ff::dict{{"names", ff::list{"a", "b"}}, {"blob", make_blob("curl")}};
    run_awaitable(async_store->save("wf", "by_async", from_async));
    sync_store->save("wf", "by_sync", from_sync);

    const ff::value a = sync_store->read_task("wf", "by_async");
    EXPECT_EQ(a.get<ff::dict>().at("loss"), ff::value(0.25));
    EXPECT_EQ(a.get<ff::dict>().at("blob").get<ff::extension>().get_if<blob>()->data,
              "written by asio");
    const ff::value s = run_awaitable(async_store->read_task("wf", "by_sync"));
    EXPECT_EQ(s.get<ff::dict>().at("names"), (ff::value(ff::list{"a", "b"})));
    EXPECT_EQ(s.get<ff::dict>().at("blob").get<ff::extension>().get_if<blob>()->data, "curl");

    const std::vector<std::string> both{"by_async", "by_sync"};
    EXPECT_EQ(sync_store->list_tasks("wf"), both);
    EXPECT_EQ(run_awaitable(async_store->list_tasks("wf", "*")), both);

    // Removal through one path removes the other path's task and its out-of-band object.
    sync_store->remove_task("wf", "by_async");
    run_awaitable(async_store->remove_task("wf", "by_sync"));
    EXPECT_TRUE(sync_store->list_tasks("wf").empty());
    auto raw = s3_server_storage_options(prefix_);
    ff::detail::curl_s3_client client(raw->client);
    EXPECT_TRUE(client.list_objects_v2(raw->location.bucket, prefix_ + "/", "").objects.empty());
}

// Virtual-hosted addressing against a server that takes it (RGW with `rgw dns name`), on both
// paths. Only "<bucket>.<domain>" is resolvable (through the config's own `resolve` map; the
// machine's DNS and /etc/hosts know neither name): a request that went path-style would have to
// connect to "<domain>" and fail, and the server finds the bucket only in the Host header, since
// a virtual-hosted path does not carry it.
TEST_F(S3Storage, VirtualHostedAddressingOnBothPaths) {
    const auto server = load_s3_server();
    if (server->vhost_domain.empty())
        GTEST_SKIP() << server->name << " is not set up for virtual-hosted requests (no DNS name)";
    const std::string domain_endpoint =
        server->scheme + "://" + server->vhost_domain + ":" + std::to_string(server->port);
    const std::string bucket_host = server_.location.bucket + "." + server->vhost_domain;
    json::value cfg = config(server_.location.bucket, server_.client.creds.access_key_id,
                             server_.client.creds.secret_access_key,
                             json::object{{"addressing", "virtual"},
                                          {"resolve", json::object{{bucket_host, "127.0.0.1"}}}});
    cfg.at("options").at("s3fs").at("client_kwargs").as_object()["endpoint_url"] = domain_endpoint;
    auto async_store = ff::storage_factory(cfg);
    auto sync_store = ff::sync::storage_factory(cfg);
    run_awaitable(async_store->save("wf", "by_async", ff::value("virtual async")));
    sync_store->save("wf", "by_sync", ff::value("virtual sync"));
    EXPECT_EQ(sync_store->read_task("wf", "by_async"), ff::value("virtual async"));
    EXPECT_EQ(run_awaitable(async_store->read_task("wf", "by_sync")), ff::value("virtual sync"));

    // The same objects seen path-style through the IP endpoint: they are in the bucket.
    auto path_store = ff::sync::storage_factory(good_config());
    const std::vector<std::string> both{"by_async", "by_sync"};
    EXPECT_EQ(path_store->list_tasks("wf"), both);

    // Without the bucket host pinned, "virtual" cannot connect: proof it did not go path-style.
    cfg.at("options").as_object().erase("resolve");
    auto unpinned = ff::sync::storage_factory(cfg);
    EXPECT_THROW(unpinned->read_task("wf", "by_sync"), ff::io_error);
}

TEST_F(S3Storage, PythonPickleLoadsOurTaskObjects) {
    auto store = ff::storage_factory(good_config());
    const ff::value v = ff::dict{{"loss", 0.25},
                                 {"history", ff::list{1, 2.5, "three", ff::none}},
                                 {"shape", ff::tuple{3, 4}},
                                 {"raw", ff::bytes("\x00\x01", 2)}};
    run_awaitable(store->save("wf", "train", v));
    const std::string script = R"(
import hashlib, os, pickle, sys
for k in ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(k, None)
import boto3
endpoint, bucket, key, ak, sk, ca = sys.argv[1:7]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ak,
                  aws_secret_access_key=sk, region_name="us-east-1",
                  verify=(ca if ca != "-" else None))
data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
assert hashlib.sha1(data[:-20]).digest() == data[-20:], "bad SHA-1 trailer"
v = pickle.loads(data[:-20])
assert v == {"loss": 0.25, "history": [1, 2.5, "three", None], "shape": (3, 4),
             "raw": b"\x00\x01"}, repr(v)
print("OK", sorted(v))
)";
    const auto r = run_python(
        script, endpoint_ + " " + server_.location.bucket + " " + prefix_ + "/wf/train " +
                    server_.client.creds.access_key_id + " " +
                    server_.client.creds.secret_access_key + " " +
                    (server_.client.tls.ca_file.empty() ? "-" : server_.client.tls.ca_file));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("OK"), std::string::npos) << r.output;
}

/// Runs `f`, which must throw E, and returns its message.
template <class E, class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "unexpected exception: " << e.what();
        return {};
    }
    ADD_FAILURE() << "nothing thrown";
    return {};
}

TEST_F(S3Storage, WrongCredentialsAreS3ErrorsWithoutTheSecret) {
    const std::string secret = "Wr0ngS3cretValue/xyz+42";
    for (const auto& [key, expected] :
         {std::pair<std::string, std::string>{server_.client.creds.access_key_id,
                                              "SignatureDoesNotMatch"},
          {"AKIDNOSUCHKEY0000000", "InvalidAccessKeyId"}}) {
        const auto cfg = config(server_.location.bucket, key, secret);
        auto async_store = ff::storage_factory(cfg);
        auto sync_store = ff::sync::storage_factory(cfg);
        for (int path = 0; path < 2; ++path) {
            SCOPED_TRACE(path == 0 ? "async" : "sync");
            try {
                if (path == 0)
                    run_awaitable(async_store->save("wf", "t", ff::value(1)));
                else
                    sync_store->save("wf", "t", ff::value(1));
                FAIL() << "saved with wrong credentials";
            } catch (const ff::s3_error& e) {
                EXPECT_EQ(e.code(), expected) << e.what();
                EXPECT_EQ(e.http_status(), 403);
                EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
                EXPECT_EQ(e.message().find(secret), std::string::npos);
            }
        }
    }
}

TEST_F(S3Storage, MissingBucketIsNoSuchBucketNamingIt) {
    const std::string bucket = unique("no-such-bucket");
    const auto cfg =
        config(bucket, server_.client.creds.access_key_id, server_.client.creds.secret_access_key);
    auto async_store = ff::storage_factory(cfg);
    auto sync_store = ff::sync::storage_factory(cfg);
    auto check = [&](auto&& op, const char* what) {
        SCOPED_TRACE(what);
        try {
            op();
            FAIL() << "no error for a missing bucket";
        } catch (const ff::s3_error& e) {
            EXPECT_EQ(e.code(), "NoSuchBucket") << e.what();
            // Reads well on every server, also where <Message> is empty (Ceph RGW).
            EXPECT_NE(std::string(e.what()).find("the bucket '" + bucket + "' does not exist"),
                      std::string::npos)
                << e.what();
        }
    };
    check([&] { run_awaitable(async_store->save("wf", "t", ff::value(1))); }, "async save");
    check([&] { run_awaitable(async_store->read_task("wf", "t")); }, "async read");
    check([&] { run_awaitable(async_store->list_tasks("wf", "*")); }, "async list");
    check([&] { sync_store->save("wf", "t", ff::value(1)); }, "sync save");
    check([&] { sync_store->read_task("wf", "t"); }, "sync read");
    check([&] { sync_store->list_tasks("wf"); }, "sync list");
}

TEST_F(S3Storage, RemoveWorkflowDeletesMoreThanOneBatch) {
    // DeleteObjects takes at most 1,000 keys: 1,001+ objects need a second request.
    auto raw = s3_server_storage_options(prefix_);
    ff::detail::curl_s3_client client(raw->client);
    const std::string& bucket = raw->location.bucket;
    auto async_store = ff::storage_factory(good_config());
    auto sync_store = ff::sync::storage_factory(good_config());
    for (const char* wf : {"wf_async", "wf_sync"}) {
        const std::string base = prefix_ + "/" + wf + "/";
        for (int i = 0; i < 1003; ++i)
            client.put_object(bucket, base + "bigdata/dask_arrays/x/" + std::to_string(i), "c");
        sync_store->save(wf, "task", ff::value(1));
    }
    client.put_object(bucket, prefix_ + "/wf_keep/task", "other workflow");
    run_awaitable(async_store->remove_workflow("wf_async"));
    sync_store->remove_workflow("wf_sync");
    const auto left = client.list_objects_v2(bucket, prefix_ + "/", "").objects;
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].key, prefix_ + "/wf_keep/task");
}

TEST_F(S3Storage, UnreachableEndpointIsIoErrorNamingIt) {
    // A port that was free a moment ago and has no listener: connections are refused.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const int port = ntohs(addr.sin_port);
    ::close(fd);

    const std::string closed = "127.0.0.1:" + std::to_string(port);
    endpoint_ = "http://" + closed;
    const auto cfg = config(server_.location.bucket, server_.client.creds.access_key_id,
                            server_.client.creds.secret_access_key,
                            json::object{{"retry", {{"max_attempts", 2}, {"base_delay_ms", 1}}}});
    auto async_store = ff::storage_factory(cfg);
    auto sync_store = ff::sync::storage_factory(cfg);
    const std::string a = message_of<ff::io_error>(
        [&] { run_awaitable(async_store->save("wf", "t", ff::value(1))); });
    EXPECT_NE(a.find(closed), std::string::npos) << a;
    const std::string s =
        message_of<ff::io_error>([&] { sync_store->save("wf", "t", ff::value(1)); });
    EXPECT_NE(s.find(closed), std::string::npos) << s;
}

/// A TCP port on 127.0.0.1 that was free a moment ago and has no listener.
std::uint16_t closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error("bind failed");
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

TEST_F(S3Storage, RefusedConnectionsAreRetriedUntilTheServerListens) {
    // A server restarting refuses connections for a moment; saves in flight must ride it out.
    if (server_.client.use_tls)
        GTEST_SKIP() << "the proxy that plays the late server speaks plain HTTP";
    const std::uint16_t port = closed_port();
    endpoint_ = "http://127.0.0.1:" + std::to_string(port);
    // A budget of many seconds: the server below starts long before it runs out.
    const auto cfg = config(
        server_.location.bucket, server_.client.creds.access_key_id,
        server_.client.creds.secret_access_key,
        json::object{
            {"retry", {{"max_attempts", 100}, {"base_delay_ms", 50}, {"max_delay_ms", 200}}}});
    auto async_store = ff::storage_factory(cfg);
    auto sync_store = ff::sync::storage_factory(cfg);
    std::exception_ptr async_error, sync_error;
    std::thread async_save([&] {
        try {
            // GCC 12 coroutine rule, CONTRIBUTING.md: named arguments.
            std::string wf = "wf", task = "async";
            ff::value v(1);
            run_awaitable(async_store->save(wf, task, v));
        } catch (...) {
            async_error = std::current_exception();
        }
    });
    std::thread sync_save([&] {
        try {
            sync_store->save("wf", "sync", ff::value(2));
        } catch (...) {
            sync_error = std::current_exception();
        }
    });
    // Only orders the events: both saves have met a refused port by now. (Were a thread slower
    // than that, the test would merely not exercise the retry; it cannot fail because of it.)
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ff_test::fault_proxy_process late_server(server_.client.port,
                                             "--listen " + std::to_string(port));
    async_save.join();
    sync_save.join();
    for (const auto& error : {async_error, sync_error}) {
        try {
            if (error)
                std::rethrow_exception(error);
        } catch (const std::exception& e) {
            ADD_FAILURE() << e.what();
        }
    }
    EXPECT_EQ(sync_store->read_task("wf", "async"), ff::value(1));
    std::string wf = "wf", task = "sync";
    EXPECT_EQ(run_awaitable(async_store->read_task(wf, task)), ff::value(2));
    sync_store->remove_workflow("wf");
}

TEST_F(S3Storage, APortThatNeverListensFailsAfterTheBoundedAttempts) {
    const std::string closed = "127.0.0.1:" + std::to_string(closed_port());
    endpoint_ = "http://" + closed;
    const auto cfg = config(server_.location.bucket, server_.client.creds.access_key_id,
                            server_.client.creds.secret_access_key,
                            json::object{{"retry", {{"max_attempts", 3}, {"base_delay_ms", 1}}}});
    auto async_store = ff::storage_factory(cfg);
    auto sync_store = ff::sync::storage_factory(cfg);
    std::string wf = "wf", task = "t";  // GCC 12 coroutine rule, CONTRIBUTING.md
    const ff::value v(1);
    const std::string a =
        message_of<ff::io_error>([&] { run_awaitable(async_store->save(wf, task, v)); });
    const std::string s =
        message_of<ff::io_error>([&] { sync_store->save("wf", "t", ff::value(1)); });
    for (const auto& what : {a, s}) {
        EXPECT_NE(what.find(closed), std::string::npos) << what;
        EXPECT_NE(what.find("after 3 attempt(s)"), std::string::npos) << what;
    }
}

TEST_F(S3Storage, ArraysGoThroughZarrOnBothPathsAndEachReadsTheOther) {
    // The array serializer on the real S3 kind: the async path (Beast client) and the sync
    // path (libcurl) both store a chunked array as a zarr array under bigdata/dask_arrays/,
    // read what the other wrote, and remove_task deletes the array's objects too.
    auto async_store = ff::storage_factory(good_config());
    auto sync_store = ff::sync::storage_factory(good_config());
    auto arrays = std::make_shared<ff::array_serializer>();
    async_store->register_persistent_serializers(arrays);
    sync_store->register_persistent_serializers(arrays);

    xt::xarray<double> w = xt::arange<double>(0.0, 35.0) * 0.5;
    w.reshape({5, 7});
    const xt::xarray<std::int32_t> m = xt::arange<std::int32_t>(0, 12);
    const auto a = ff::chunked_array::from(w, {2, 3});  // edge chunks on both axes
    const auto b = ff::chunked_array::from(m, {5});

    run_awaitable(async_store->save("wf", "by_async", ff::dict{{"w", a}, {"loss", 0.5}}));
    sync_store->save("wf", "by_sync", ff::dict{{"m", b}});

    const ff::value got_a = sync_store->read_task("wf", "by_async");
    EXPECT_EQ(got_a.get<ff::dict>().at("w").as<ff::chunked_array>(), a);
    EXPECT_EQ(got_a.get<ff::dict>().at("loss"), ff::value(0.5));
    const ff::value got_b = run_awaitable(async_store->read_task("wf", "by_sync"));
    EXPECT_EQ(got_b.get<ff::dict>().at("m").as<ff::chunked_array>(), b);

    // 3 x 3 chunks + .zarray for `a`, 3 chunks + .zarray for `b`, one .zgroup.
    auto raw = s3_server_storage_options(prefix_);
    ff::detail::curl_s3_client client(raw->client);
    const std::string arrays_prefix = prefix_ + "/wf/bigdata/dask_arrays/";
    EXPECT_EQ(client.list_objects_v2(raw->location.bucket, arrays_prefix, "").objects.size(),
              9u + 1 + 3 + 1 + 1);

    run_awaitable(async_store->remove_task("wf", "by_sync"));
    sync_store->remove_task("wf", "by_async");
    EXPECT_EQ(client.list_objects_v2(raw->location.bucket, arrays_prefix, "").objects.size(), 1u)
        << "only the group's .zgroup should be left";
    EXPECT_TRUE(run_awaitable(async_store->list_tasks("wf", "*")).empty());
}

}  // namespace
}  // namespace ff_test
