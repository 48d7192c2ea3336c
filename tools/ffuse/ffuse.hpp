#pragma once
// ffuse: what every command shares. Each command lives in a file of its own (cmd_*.cpp) and
// registers itself with `add_<name>(app, globals)`; main.cpp wires them and maps failures
// to exit codes.

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>

#include "functionfuse/functionfuse.hpp"

namespace ffuse {

namespace ff = functionfuse;

/// Exit codes (documented in README.md and `ffuse --help`).
inline constexpr int exit_ok = 0;
inline constexpr int exit_error = 1;
inline constexpr int exit_usage = 2;

/// Options every command takes: how to reach an S3 store (each overrides the environment and
/// the AWS profile, as the library reads them). `add_store_options` declares them.
struct globals {
    std::string endpoint;
    std::string region;
    std::string profile;
    std::string addressing;
    std::string ca_file;
};

/// Declares the S3 store options (`--endpoint`, `--s3-region`, `--profile`, `--addressing`,
/// `--ca-file`) on `cmd`, writing into `g`. main.cpp declares them on the program and on every
/// command, so they are listed by each command's `--help` and taken before or after it.
void add_store_options(CLI::App& cmd, globals& g);

/// A failure the user caused (a bad argument): exit code 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// STORE as given on the command line, turned into the library's config (docs: README.md):
/// a path (file kind), `s3://bucket[/prefix]`, or `@config.json`.
boost::json::value store_config(const std::string& spec, const globals& g);

/// Opens STORE with the array serializer registered (lazy: arrays are opened, not read, so
/// `ls` and `cat` fetch only metadata unless asked for the data). A file store that does not
/// exist is an error unless `create` (a copy's destination).
std::shared_ptr<ff::storage> open_store(const std::string& spec, const globals& g, bool lazy,
                                        bool create = false);

/// Runs `aw` to completion in the calling thread.
template <class T>
T run(boost::asio::awaitable<T> aw) {
    boost::asio::io_context ctx;
    std::exception_ptr error;
    std::optional<std::conditional_t<std::is_void_v<T>, int, T>> result;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(ctx, std::move(aw), [&](std::exception_ptr e) {
            error = e;
            result.emplace(0);
        });
    } else {
        boost::asio::co_spawn(ctx, std::move(aw), [&](std::exception_ptr e, T v) {
            error = e;
            if (!e)
                result.emplace(std::move(v));
        });
    }
    ctx.run();
    if (error)
        std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>)
        return std::move(*result);
}

/// Runs `body(i)` for i in [0, n) with at most `width` in flight, in the calling thread.
/// Every index runs; the first failure is rethrown after all have finished.
void run_bounded(std::size_t n, std::size_t width,
                 const std::function<boost::asio::awaitable<void>(std::size_t)>& body);

/// The exit code the command that ran sets (exit_ok unless it says otherwise).
inline int& exit_code() {
    static int code = exit_ok;
    return code;
}

/// Registers the commands.
void add_ls(CLI::App& app, const globals& g);
void add_cat(CLI::App& app, const globals& g);
void add_rm(CLI::App& app, const globals& g);
void add_du(CLI::App& app, const globals& g);
void add_gc(CLI::App& app, const globals& g);
void add_cp(CLI::App& app, const globals& g);

}  // namespace ffuse
