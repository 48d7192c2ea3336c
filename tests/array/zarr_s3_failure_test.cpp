// The zarr array store on S3_PROTOCOL when things go wrong: a corrupt `.zarray` or chunk and a
// missing `.zarray` give errors naming the key, a missing chunk reads as the fill value, and a
// failed upload (an injected failure, or connection resets through tests/tools/fault_proxy)
// surfaces the error and leaves no array behind. Also: the number of PUTs in flight stays
// within the protocol's window.
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "formats/zarr/error.hpp"
#include "fault_proxy_process.hpp"
#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"
#include "zarr_s3_test_support.hpp"

namespace ff = functionfuse;

namespace {

ff::chunked_array ramp(std::vector<std::size_t> shape, std::vector<std::size_t> chunks) {
    auto a = ff::chunked_array::zeros(ff::dtype::float64, shape, chunks);
    auto* p = reinterpret_cast<double*>(a.mutable_data());
    for (std::size_t i = 0; i < a.size(); ++i)
        p[i] = static_cast<double>(i) + 0.5;
    return a;
}

using ff_test::fault_proxy_process;

class ZarrS3Failures : public ff_test::zarr_s3_fixture {
  protected:
    std::string array_dir(const ff::value& payload) {
        return root + "/wf/bigdata/dask_arrays/" + payload.get<ff::tuple>()[1].get<std::string>() +
               "/";
    }
    void overwrite(const std::string& key, std::string body) {
        run(client->put_object(endpoint.bucket, key, body));
    }
    ff::array_serializer ser;
};

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ff::error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_F(ZarrS3Failures, CorruptZarrayIsAnErrorNamingTheKey) {
    auto payload = run(ser.pickle(protos, "wf", ff::extension::make(ramp({10, 10}, {4, 4}))));
    const std::string key = array_dir(payload) + ".zarray";
    overwrite(key, "{\"zarr_format\": 2, \"shape\": [10, 10");
    EXPECT_THROW(run(ser.unpickle(protos, "wf", payload)), ff::io_error);
    auto msg = message_of([&] { run(ser.unpickle(protos, "wf", payload)); });
    EXPECT_NE(msg.find(key), std::string::npos) << msg;
    msg = message_of([&] { run(ser.open(protos, "wf", payload)); });
    EXPECT_NE(msg.find(key), std::string::npos) << msg;
}

TEST_F(ZarrS3Failures, CorruptChunkIsAnErrorNamingTheKey) {
    auto payload = run(ser.pickle(protos, "wf", ff::extension::make(ramp({10, 10}, {4, 4}))));
    const std::string key = array_dir(payload) + "1.2";
    overwrite(key, "definitely not blosc");
    auto msg = message_of([&] { run(ser.unpickle(protos, "wf", payload)); });
    EXPECT_NE(msg.find(key), std::string::npos) << msg;
    // A region that does not touch the corrupt chunk still reads.
    auto lazy = run(ser.open(protos, "wf", payload));
    auto part = run(lazy.read(ff::array_region{{0, 0}, {4, 8}}));
    EXPECT_EQ(part.data_as<double>()[9], 1 * 10 + 1 + 0.5);
    msg = message_of([&] { run(lazy.read(ff::array_region{{5, 9}, {1, 1}})); });
    EXPECT_NE(msg.find(key), std::string::npos) << msg;
}

TEST_F(ZarrS3Failures, MissingZarrayIsNotFoundNamingTheKey) {
    auto payload = run(ser.pickle(protos, "wf", ff::extension::make(ramp({5}, {2}))));
    const std::string key = array_dir(payload) + ".zarray";
    run(client->delete_object(endpoint.bucket, key));
    EXPECT_THROW(run(ser.unpickle(protos, "wf", payload)), ff::not_found);
    auto msg = message_of([&] { run(ser.unpickle(protos, "wf", payload)); });
    EXPECT_NE(msg.find(key), std::string::npos) << msg;
}

TEST_F(ZarrS3Failures, MissingChunkReadsAsFillValue) {
    auto a = ramp({5, 5}, {2, 2});
    auto payload = run(ser.pickle(protos, "wf", ff::extension::make(a)));
    run(client->delete_object(endpoint.bucket, array_dir(payload) + "2.1"));
    auto back =
        *run(ser.unpickle(protos, "wf", payload)).get<ff::extension>().get_if<ff::chunked_array>();
    auto x = back.to_xarray<double>();
    for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t j = 0; j < 5; ++j)
            EXPECT_EQ(x(i, j), (i == 4 && (j == 2 || j == 3)) ? 0.0 : i * 5 + j + 0.5);
}

TEST_F(ZarrS3Failures, RemoveDeletesEveryObjectOfTheArray) {
    auto payload = run(ser.pickle(protos, "wf", ff::extension::make(ramp({9, 9}, {2, 2}))));
    EXPECT_EQ(keys_under(array_dir(payload)).size(), 25u + 1);
    run(ser.remove(protos, "wf", payload));
    EXPECT_TRUE(keys_under(array_dir(payload)).empty());
    EXPECT_THROW(run(ser.unpickle(protos, "wf", payload)), ff::not_found);
}

TEST_F(ZarrS3Failures, PutsInFlightStayWithinTheWindow) {
    proto = make_protocol(*client, 4);
    protos[std::string(ff::S3_PROTOCOL)] = proto;
    auto a = ramp({64, 8}, {1, 8});  // 64 chunks
    auto payload = run(ser.pickle(protos, "wf", ff::extension::make(a)));
    EXPECT_LE(proto->max_in_flight.load(), 4u);
    EXPECT_GE(proto->max_in_flight.load(), 2u);  // they did overlap
    EXPECT_EQ(
        *run(ser.unpickle(protos, "wf", payload)).get<ff::extension>().get_if<ff::chunked_array>(),
        a);
}

TEST_F(ZarrS3Failures, FailedChunkUploadLeavesNoArray) {
    proto = make_protocol(*client, 4);
    protos[std::string(ff::S3_PROTOCOL)] = proto;
    proto->fail_after = 20;  // .zgroup and 19 chunks go up, then every PUT fails
    auto msg = message_of([&] {
        run(ser.pickle(protos, "wf", ff::extension::make(ramp({60, 4}, {1, 4}))));
    });
    EXPECT_NE(msg.find("injected failure"), std::string::npos) << msg;
    EXPECT_GE(proto->put_log_size(), 20u);
    auto left = keys_under(root + "/wf/bigdata/dask_arrays/");
    ASSERT_EQ(left.size(), 1u) << (left.empty() ? "nothing" : left.back());
    EXPECT_EQ(left[0], root + "/wf/bigdata/dask_arrays/.zgroup");
}

// Connection resets through the fault proxy with retries off: the upload fails with the
// transport's error, and neither `.zarray` nor any chunk stays behind. One request at a time,
// so the proxy's seeded fault sequence meets the same requests on every run.
TEST_F(ZarrS3Failures, ConnectionResetsMidUploadLeaveNoArray) {
    if (endpoint.params.use_tls)
        GTEST_SKIP() << "the fault proxy speaks plain HTTP";
    fault_proxy_process proxy(endpoint.params.port, "--reset-rate 0.1 --seed 7");
    auto params = endpoint.params;
    params.port = proxy.port();
    params.retry.max_attempts = 1;
    ff::s3::client faulty(ctx.get_executor(), params);
    auto p = make_protocol(faulty, 1);
    ff::protocols lent{{std::string(ff::S3_PROTOCOL), p}};
    std::string msg = message_of([&] {
        run(ser.pickle(lent, "wf", ff::extension::make(ramp({200, 4}, {1, 4}))));
    });
    EXPECT_NE(msg, "(no error)");
    const auto left = keys_under(root + "/wf/bigdata/dask_arrays/");
    for (const auto& k : left)
        EXPECT_EQ(k, root + "/wf/bigdata/dask_arrays/.zgroup") << msg;
}
