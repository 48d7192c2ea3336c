// storage_factory and sync::storage_factory: good configs build working storages; every bad
// config is a config_error naming the offending field.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "functionfuse/functionfuse.hpp"
#include "run_awaitable.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace json = boost::json;

namespace {

TEST(StorageFactory, FileKindBuildsWorkingAsyncAndSyncStorages) {
    ff_test::temp_dir dir;
    json::value config = {{"kind", "file"},
                          {"options", {{"path", dir.path().string()}, {"fsync", false}}}};
    auto s = ff::storage_factory(config);
    ff_test::run_awaitable(s->save("wf", "t", ff::value("async")));
    auto sync = ff::sync::storage_factory(config);
    EXPECT_EQ(sync->read_task("wf", "t"), ff::value("async"));
    sync->save("wf", "u", ff::value("sync"));
    EXPECT_EQ(ff_test::run_awaitable(s->read_task("wf", "u")), ff::value("sync"));
    EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / "wf" / "t"));
    EXPECT_EQ(s->lent_protocols().count(std::string(ff::FILE_PROTOCOL)), 1u);
}

TEST(StorageFactory, FsyncIsOptional) {
    ff_test::temp_dir dir;
    EXPECT_NO_THROW(ff::storage_factory(
        json::parse(R"({"kind": "file", "options": {"path": ")" + dir.path().string() + R"("}})")));
}

struct bad_config {
    const char* json;
    const char* field;
};

TEST(StorageFactory, BadConfigsNameTheField) {
    const bad_config cases[] = {
        {R"([])", "<config>"},
        {R"({"options": {"path": "x"}})", "kind"},
        {R"({"kind": 3, "options": {"path": "x"}})", "kind"},
        {R"({"kind": "", "options": {"path": "x"}})", "kind"},
        {R"({"kind": "nfs", "options": {"path": "x"}})", "kind"},
        {R"({"kind": "File", "options": {"path": "x"}})", "kind"},
        {R"({"kind": "file"})", "options"},
        {R"({"kind": "file", "options": "x"})", "options"},
        {R"({"kind": "file", "options": {}})", "options.path"},
        {R"({"kind": "file", "options": {"path": 1}})", "options.path"},
        {R"({"kind": "file", "options": {"path": ""}})", "options.path"},
        {R"({"kind": "file", "options": {"path": null}})", "options.path"},
        {R"({"kind": "file", "options": {"path": "x", "fsync": "yes"}})", "options.fsync"},
        {R"({"kind": "file", "options": {"path": "x", "pth": "y"}})", "options.pth"},
        {R"({"kind": "file", "options": {"path": "x"}, "extra": 1})", "extra"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.json);
        const json::value config = json::parse(c.json);
        for (int sync = 0; sync < 2; ++sync) {
            try {
                if (sync) {
                    ff::sync::storage_factory(config);
                } else {
                    ff::storage_factory(config);
                }
                ADD_FAILURE() << "accepted";
            } catch (const ff::config_error& e) {
                EXPECT_EQ(e.field(), c.field) << e.what();
                EXPECT_NE(std::string(e.what()).find(c.field), std::string::npos) << e.what();
            }
        }
    }
}

TEST(StorageFactory, AVeryLongTaskNameIsQuotedOnlyInPartInErrors) {
    // 10,000 characters: longer than a file name may be (ENAMETOOLONG). The io_error used to
    // quote the whole path, a 10 KB message.
    ff_test::temp_dir dir;
    const json::value config = {{"kind", "file"}, {"options", {{"path", dir.path().string()}}}};
    std::string wf = "wf", task(10000, 't');  // GCC 12 coroutine rule, CONTRIBUTING.md
    const ff::value v(1);
    for (int sync = 0; sync < 2; ++sync) {
        SCOPED_TRACE(sync ? "sync" : "async");
        for (int op = 0; op < 2; ++op) {  // save, then read
            try {
                if (sync && op == 0)
                    ff::sync::storage_factory(config)->save(wf, task, v);
                else if (sync)
                    ff::sync::storage_factory(config)->read_task(wf, task);
                else if (op == 0)
                    ff_test::run_awaitable(ff::storage_factory(config)->save(wf, task, v));
                else
                    ff_test::run_awaitable(ff::storage_factory(config)->read_task(wf, task));
                ADD_FAILURE() << "a 10,000-character file name worked";
            } catch (const ff::error& e) {
                const std::string what = e.what();
                EXPECT_LT(what.size(), 1000u) << what.substr(0, 300);
                EXPECT_NE(what.find(" bytes)"), std::string::npos) << what.substr(0, 300);
            }
        }
    }
}

TEST(StorageFactory, NulInsideTheFilePathIsRefusedBeforeAnythingIsCreated) {
    // "store\0x" reached open() as "store": new_workflow made that directory, and save then
    // spun for ever drawing temporary names that all "existed" (open saw the directory).
    ff_test::temp_dir dir;
    const std::string path = (dir.path() / "store").string() + std::string(1, '\0') + "x";
    const json::value config = {{"kind", "file"}, {"options", {{"path", path}}}};
    for (int sync = 0; sync < 2; ++sync) {
        SCOPED_TRACE(sync ? "sync" : "async");
        try {
            if (sync) {
                ff::sync::storage_factory(config)->new_workflow("wf");
            } else {
                ff_test::run_awaitable(ff::storage_factory(config)->new_workflow("wf"));
            }
            ADD_FAILURE() << "accepted";
        } catch (const ff::config_error& e) {
            EXPECT_EQ(e.field(), "options.path") << e.what();
            EXPECT_NE(std::string(e.what()).find("NUL"), std::string::npos) << e.what();
        }
    }
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "store"));
}

}  // namespace
