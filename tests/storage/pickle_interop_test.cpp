// What the storages write is checked by Python itself (/usr/bin/python3): the persistent id
// of an out-of-band object is BINPERSID over (name, (version, filename)), and every task file
// quickstart writes loads in plain Python to the values it printed.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "blob_serializer.hpp"
#include "python.hpp"
#include "storage_under_test.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace fs = std::filesystem;

namespace ff_test {
namespace {

class PersistentIdInterop : public ::testing::TestWithParam<kind_under_test> {};

TEST_P(PersistentIdInterop, PythonSeesBinpersidWithNameVersionFilename) {
    temp_dir scratch;
    auto store = GetParam().make(scratch.path(), true);
    store->register_serializer(std::make_shared<blob_serializer>());
    store->save("wf", "t", ff::dict{{"loss", 0.5}, {"weights", make_blob("abc")}});
    const std::string bytes = store->raw_get("wf", "t");
    const fs::path file = scratch.path() / "task.bin";
    std::ofstream(file, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));

    const auto r = run_python(R"PY(
import hashlib, io, pickle, pickletools, sys
b = open(sys.argv[1], 'rb').read()
assert hashlib.sha1(b[:-20]).digest() == b[-20:], 'bad sha1 trailer'
body = b[:-20]
ops = [op.name for op, arg, pos in pickletools.genops(body)]
assert 'BINPERSID' in ops, ops
assert body[:2] == b'\x80\x04', body[:2]
pids = []
class U(pickle.Unpickler):
    def persistent_load(self, pid):
        pids.append(pid)
        return ('loaded', pid)
v = U(io.BytesIO(body)).load()
assert len(pids) == 1, pids
name, (version, filename) = pids[0]
assert name == 'BlobSerializer' and version == '0.0.0', pids
assert isinstance(filename, str) and filename, pids
assert v == {'loss': 0.5, 'weights': ('loaded', pids[0])}, v
print(filename)
)PY",
                              file.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::string filename = r.output.substr(0, r.output.find('\n'));
    EXPECT_TRUE(store->bigdata_exists("wf", filename)) << filename;
}

INSTANTIATE_TEST_SUITE_P(AllKinds, PersistentIdInterop, ::testing::ValuesIn(all_kinds()),
                         [](const auto& info) { return info.param.name; });

TEST(QuickstartInterop, PythonLoadsEveryTaskFileToThePrintedValue) {
    if (std::string(FF_QUICKSTART).empty())
        GTEST_SKIP() << "examples are not built";
    temp_dir scratch;
    const fs::path store_dir = scratch.path() / "store";
    const fs::path out = scratch.path() / "quickstart.out";
    const std::string cmd =
        std::string(FF_QUICKSTART) + " " + store_dir.string() + " > " + out.string() + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

    // quickstart prints `saved <workflow>/<task> = <repr>` for each save and
    // `removed <workflow>/<task>` for each removal.
    const auto r = run_python(R"PY(
import ast, hashlib, os, pickle, sys
store, out = sys.argv[1], sys.argv[2]
saved, removed = {}, set()
for line in open(out, encoding='utf-8'):
    line = line.rstrip('\n')
    if line.startswith('saved '):
        key, text = line[len('saved '):].split(' = ', 1)
        saved[key] = ast.literal_eval(text)
    elif line.startswith('removed '):
        removed.add(line[len('removed '):])
assert saved, 'quickstart printed no saves'
assert removed, 'quickstart printed no removal'
files = set()
for wf in os.listdir(store):
    for name in os.listdir(os.path.join(store, wf)):
        path = os.path.join(store, wf, name)
        if os.path.isfile(path):
            files.add(wf + '/' + name)
assert files == set(saved) - removed, (files, set(saved), removed)
for key in sorted(files):
    b = open(os.path.join(store, key), 'rb').read()
    assert hashlib.sha1(b[:-20]).digest() == b[-20:], key
    v = pickle.loads(b[:-20])
    assert v == saved[key] and type(v) is type(saved[key]), (key, v, saved[key])
    print('ok', key, repr(v)[:60])
)PY",
                              store_dir.string() + " " + out.string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace
}  // namespace ff_test
