// The array serializer inside real storages (file kind, async and sync): save/read_task,
// remove_task and remove_workflow removing bigdata, and a store laid out by Python the way the
// Python original lays it out (pickle with BINPERSID ("HDFSerializer", ("0.0.0", uuid)) +
// SHA-1 trailer, plus bigdata/<uuid>), read by us and ours read by Python.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "array_test_util.hpp"
#include "file_store_config.hpp"
#include "functionfuse/functionfuse.hpp"
#include "python.hpp"
#include "run_awaitable.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace fs = std::filesystem;
using ff_test::run_awaitable;

namespace {

std::size_t count_files(const fs::path& dir) {
    std::size_t n = 0;
    if (fs::exists(dir))
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir))
            ++n;
    return n;
}

/// Python: the Python original's layout, written with pickle's own persistent_id.
const char* python_store_script = R"PY(
import sys, os, io, pickle, hashlib, uuid, h5py, numpy as np
root = sys.argv[1]
big = os.path.join(root, "wf", "bigdata"); os.makedirs(big, exist_ok=True)
class P(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, np.ndarray):
            name = str(uuid.uuid4())
            with h5py.File(os.path.join(big, name), "w") as f:
                f.create_dataset("dask_arrays", data=obj, chunks=(2, 3))
            return ("HDFSerializer", ("0.0.0", name))
        return None
buf = io.BytesIO()
P(buf, protocol=4).dump({"loss": 0.25, "weights": np.arange(20, dtype="<f8").reshape(4, 5),
                         "mask": np.arange(20).reshape(4, 5) % 2 == 0})
data = buf.getvalue()
open(os.path.join(root, "wf", "train"), "wb").write(data + hashlib.sha1(data).digest())
)PY";

/// Python: reads our task pickle with a persistent_load that opens bigdata/<uuid> with h5py.
const char* python_read_script = R"PY(
import sys, os, pickle, hashlib, h5py, numpy as np
root = sys.argv[1]
raw = open(os.path.join(root, "wf", "train"), "rb").read()
data, digest = raw[:-20], raw[-20:]
assert hashlib.sha1(data).digest() == digest
class U(pickle.Unpickler):
    def persistent_load(self, pid):
        tag, (version, name) = pid
        assert tag == "HDFSerializer" and version == "0.0.0", pid
        with h5py.File(os.path.join(root, "wf", "bigdata", name), "r") as f:
            d = f["dask_arrays"]
            assert d.chunks == (3, 2), d.chunks
            return d[()]
v = U(__import__("io").BytesIO(data)).load()
assert v["loss"] == 0.5, v
assert np.array_equal(v["weights"], np.arange(30, dtype="<i4").reshape(6, 5) * 3), v["weights"]
print("python read ok")
)PY";

}  // namespace

TEST(ArrayStorage, SaveReadRemoveTaskAndWorkflow) {
    ff_test::temp_dir dir;
    auto storage = ff::storage_factory(ff_test::file_store_config(dir.path()));
    storage->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    run_awaitable(storage->new_workflow("wf"));
    auto w = ff_test::pattern_array(ff::dtype::float64, {40, 30}, {16, 16});
    auto m = ff_test::pattern_array(ff::dtype::bool_, {7}, {3});
    run_awaitable(storage->save(
        "wf", "train", ff::dict{{"loss", 0.25}, {"weights", w}, {"parts", ff::list{m, m}}}));
    run_awaitable(storage->save("wf", "other", ff::value(w)));
    const fs::path big = dir.path() / "wf" / "bigdata";
    EXPECT_EQ(count_files(big), 4u);  // every array occurrence is its own file, as in Python
    ff::value back = run_awaitable(storage->read_task("wf", "train"));
    const auto& d = back.get<ff::dict>();
    EXPECT_EQ(d.at("weights").as<ff::chunked_array>(), w);
    EXPECT_EQ(d.at("parts").get<ff::list>()[1].as<ff::chunked_array>(), m);
    EXPECT_EQ(run_awaitable(storage->list_tasks("wf")),
              (std::vector<std::string>{"other", "train"}));

    run_awaitable(storage->remove_task("wf", "train"));
    EXPECT_EQ(count_files(big), 1u);  // only "other"'s array is left
    EXPECT_EQ(run_awaitable(storage->read_task("wf", "other")).as<ff::chunked_array>(), w);
    run_awaitable(storage->remove_workflow("wf"));
    EXPECT_FALSE(fs::exists(dir.path() / "wf"));
}

TEST(ArrayStorage, SerializerBuiltBeforeTheFirstFactoryCallFindsTheKindsStores) {
    // The kinds register their array stores when storage_factory first runs (each test is its
    // own process, so here that is after the serializer exists): the serializer looks them up
    // when a protocol is lent, not when it is built.
    auto arrays = std::make_shared<ff::array_serializer>();
    ff_test::temp_dir dir;
    auto storage = ff::storage_factory(ff_test::file_store_config(dir.path()));
    storage->register_persistent_serializers(arrays);
    run_awaitable(storage->new_workflow("wf"));
    auto w = ff_test::pattern_array(ff::dtype::int16, {9, 4}, {4, 4});
    run_awaitable(storage->save("wf", "t", ff::value(w)));
    EXPECT_EQ(count_files(dir.path() / "wf" / "bigdata"), 1u);
    EXPECT_EQ(run_awaitable(storage->read_task("wf", "t")).as<ff::chunked_array>(), w);
}

TEST(ArrayStorage, RemoveTaskByGlobRemovesEveryMatchingTasksArrays) {
    ff_test::temp_dir dir;
    auto storage = ff::storage_factory(ff_test::file_store_config(dir.path()));
    ff::array_options opts;
    opts.gzip_level = 1;
    storage->register_persistent_serializers(std::make_shared<ff::array_serializer>(opts));
    run_awaitable(storage->new_workflow("wf"));
    for (int i = 0; i < 5; ++i)
        run_awaitable(storage->save("wf", "t" + std::to_string(i),
                                    ff_test::pattern_array(ff::dtype::int32, {100}, {30}, i)));
    run_awaitable(storage->save("wf", "keep", ff_test::pattern_array(ff::dtype::int8, {3}, {3})));
    run_awaitable(storage->remove_task("wf", ff::glob{"t*"}));
    EXPECT_EQ(count_files(dir.path() / "wf" / "bigdata"), 1u);
    EXPECT_EQ(run_awaitable(storage->list_tasks("wf")), (std::vector<std::string>{"keep"}));
}

TEST(ArrayStorage, SyncStorageUsesTheSameSerializer) {
    ff_test::temp_dir dir;
    auto sync = ff::sync::storage_factory(ff_test::file_store_config(dir.path()));
    ff::array_options opts;
    opts.gzip_level = 3;
    opts.shuffle = true;
    sync->register_persistent_serializers(std::make_shared<ff::array_serializer>(opts));
    sync->new_workflow("wf");
    auto a = ff_test::pattern_array(ff::dtype::uint32, {33, 9}, {8, 4});
    sync->save("wf", "t", ff::dict{{"a", a}});
    EXPECT_EQ(sync->read_task("wf", "t").get<ff::dict>().at("a").as<ff::chunked_array>(), a);
    // What the sync path wrote, the async path reads (same bytes on disk).
    auto async = ff::storage_factory(ff_test::file_store_config(dir.path()));
    async->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    EXPECT_EQ(
        run_awaitable(async->read_task("wf", "t")).get<ff::dict>().at("a").as<ff::chunked_array>(),
        a);
    sync->remove_task("wf", "t");
    EXPECT_EQ(count_files(dir.path() / "wf" / "bigdata"), 0u);
}

TEST(ArrayStorage, ReadsAStoreLaidOutByThePythonOriginalAndPythonReadsOurs) {
    ff_test::temp_dir dir;
    auto r = ff_test::run_python(python_store_script, dir.path().string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto storage = ff::storage_factory(ff_test::file_store_config(dir.path()));
    storage->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    ff::value v = run_awaitable(storage->read_task("wf", "train"));
    const auto& d = v.get<ff::dict>();
    EXPECT_EQ(d.at("loss"), ff::value(0.25));
    auto weights = d.at("weights").as<ff::chunked_array>();
    EXPECT_EQ(weights.chunks(), (ff::chunked_array::shape_type{2, 3}));
    xt::xarray<double> expect = xt::arange<double>(20.0);
    expect.reshape({4, 5});
    EXPECT_EQ(weights.to_xarray<double>(), expect);
    auto mask = d.at("mask").as<ff::chunked_array>();
    EXPECT_EQ(mask.type(), ff::dtype::bool_);
    EXPECT_EQ(mask.view<bool>()(0, 2), true);
    EXPECT_EQ(mask.view<bool>()(0, 1), false);
    // remove_task walks the Python-written pickle's persistent ids too.
    run_awaitable(storage->remove_task("wf", "train"));
    EXPECT_EQ(count_files(dir.path() / "wf" / "bigdata"), 0u);

    // And Python reads what we save.
    xt::xarray<std::int32_t> w = xt::arange<std::int32_t>(30) * 3;
    w.reshape({6, 5});
    run_awaitable(storage->save(
        "wf", "train",
        ff::dict{{"loss", 0.5}, {"weights", ff::chunked_array::from(std::move(w), {3, 2})}}));
    r = ff_test::run_python(python_read_script, dir.path().string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("python read ok"), std::string::npos) << r.output;
}

TEST(ArrayStorage, MissingBigdataFileIsNotFoundNamingIt) {
    ff_test::temp_dir dir;
    auto storage = ff::storage_factory(ff_test::file_store_config(dir.path()));
    storage->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    run_awaitable(storage->new_workflow("wf"));
    run_awaitable(storage->save("wf", "t", ff_test::pattern_array(ff::dtype::int16, {4}, {2})));
    auto victim = fs::directory_iterator(dir.path() / "wf" / "bigdata")->path();
    fs::remove(victim);
    try {
        run_awaitable(storage->read_task("wf", "t"));
        FAIL();
    } catch (const ff::not_found& e) {
        EXPECT_NE(std::string(e.what()).find(victim.filename().string()), std::string::npos)
            << e.what();
    }
}
