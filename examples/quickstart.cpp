// Quickstart: save a few results in a local file store, read them back, list, remove.
//
//   quickstart [store-path]        (default: ./store)
//
// Every task file it writes is plain Python pickle + SHA-1 trailer:
//   python3 -c "import pickle,sys; b=open(sys.argv[1],'rb').read(); print(pickle.loads(b[:-20]))"
//   store/quickstart/train
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <functionfuse/functionfuse.hpp>

namespace ff = functionfuse;
namespace asio = boost::asio;

asio::awaitable<void> run(std::shared_ptr<ff::storage> storage) {
    const std::string wf = "quickstart";
    co_await storage->new_workflow(wf);

    // Results as a task runner would produce them: ff::value holds what pickle carries, and
    // ordinary C++ types convert to it (here std::vector<double>).
    const std::vector<std::pair<std::string, ff::value>> results = {
        {"train", ff::dict{{"loss", 0.25},
                           {"accuracy", 0.9375},
                           {"epochs", 10},
                           {"history", std::vector<double>{1.0, 0.5, 0.25, 1e-3}}}},
        {"config", ff::dict{{"name", "résumé ✓"},
                            {"layers", ff::tuple{64, 32, 10}},
                            {"dropout", ff::none},
                            {"shuffle", true},
                            {"nested", ff::dict{{"lr", 3e-4}, {"tags", ff::list{"a", "b"}}}}}},
        {"weights", ff::bytes(std::string("\x00\x01\x02\xfe\xff", 5))},
        {"notes", "a plain string"},
        {"scratch", ff::list{1, 2, 3}},
    };

    for (const auto& [task, v] : results) {
        co_await storage->save(wf, task, v);
        std::printf("saved %s/%s = %s\n", wf.c_str(), task.c_str(), v.repr().c_str());
    }
    for (const auto& [task, v] : results) {
        const ff::value back = co_await storage->read_task(wf, task);
        std::printf("read  %s/%s = %s%s\n", wf.c_str(), task.c_str(), back.repr().c_str(),
                    back == v ? "" : "   <-- DIFFERS FROM WHAT WAS SAVED");
    }

    auto print_list = [&](const std::vector<std::string>& names, const char* pattern) {
        std::printf("list  %s/%s ->", wf.c_str(), pattern);
        for (const auto& n : names)
            std::printf(" %s", n.c_str());
        std::printf("\n");
    };
    print_list(co_await storage->list_tasks(wf, "*"), "*");
    print_list(co_await storage->list_tasks(wf, "[nst]*"), "[nst]*");

    co_await storage->remove_task(wf, "scratch");
    std::printf("removed %s/scratch\n", wf.c_str());
    print_list(co_await storage->list_tasks(wf, "*"), "*");
}

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "store";
    try {
        boost::json::value config = {{"kind", "file"}, {"options", {{"path", path}}}};
        auto storage = ff::storage_factory(config);

        // The task runner's own event loop: storage operations run on the library's threads
        // and resume here.
        asio::io_context ctx;
        asio::co_spawn(ctx, run(storage), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
        ctx.run();
        std::printf("store: %s\n", std::filesystem::absolute(path).c_str());
    } catch (const ff::error& e) {
        std::fprintf(stderr, "quickstart: %s\n", e.what());
        return 1;
    }
}
