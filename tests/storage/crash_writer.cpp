// Helper process for the crash test: saves a ~200 MB result over and over into
// `<root>/wf/big` until it is killed. Generation g saves tuple(g, bytes of 200 MiB all equal
// to 'a' + g % 26), so a reader can tell a whole result of any generation from a torn one.
//
// usage: storage_crash_writer async|sync <root>
#include <cstdio>
#include <cstring>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "functionfuse/executor.hpp"
#include "run_awaitable.hpp"
#include "async_protocols/file/file_storage.hpp"
#include "async_protocols/file/sync_file_storage.hpp"

namespace ff = functionfuse;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s async|sync <root>\n", argv[0]);
        return 2;
    }
    const bool async = std::strcmp(argv[1], "async") == 0;
    const ff::file_storage_options options{argv[2], true};
    auto async_store =
        std::make_shared<ff::file_storage>(options, std::make_shared<ff::shared_executor>());
    ff::sync::file_storage sync_store(options);
    constexpr std::size_t size = 200u << 20;
    for (std::int64_t gen = 0;; ++gen) {
        ff::value v(ff::tuple{ff::value(gen), ff::value(ff::bytes(std::string(
                                                  size, static_cast<char>('a' + gen % 26))))});
        if (async) {
            ff_test::run_awaitable(async_store->save("wf", "big", std::move(v)));
        } else {
            sync_store.save("wf", "big", v);
        }
    }
}
