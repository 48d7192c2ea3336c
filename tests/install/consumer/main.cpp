// A project that uses an installed functionfuse through find_package: saves and reads one
// result with the sync file storage and prints it.
#include <cstdio>

#include <boost/json/parse.hpp>
#include <functionfuse/functionfuse.hpp>

namespace ff = functionfuse;

int main(int argc, char** argv) {
    if (argc != 2)
        return 2;
    auto config = boost::json::parse(R"({"kind": "file", "options": {"path": ""}})");
    config.at("options").at("path") = argv[1];
    auto storage = ff::sync::storage_factory(config);
    storage->save("wf", "t", ff::dict{{"a", 1}});
    std::printf("%s\n", storage->read_task("wf", "t").repr().c_str());
    return 0;
}
