// ffuse cp SRC DST [WORKFLOW...]: copy workflows between stores (file <-> S3, S3 -> S3), arrays
// re-encoded for the destination (HDF5 <-> zarr, by the array serializer of each side), many
// tasks in flight; then every copied task is read back from DST and its content checksum
// compared with the source's.
#include <unistd.h>

#include <atomic>
#include <iostream>

#include <fmt/format.h>

#include "digest.hpp"
#include "ffuse.hpp"
#include "render.hpp"

namespace ffuse {

namespace {
struct cp_args {
    std::string src, dst;
    std::vector<std::string> workflows;
    std::size_t jobs = 32;
    bool no_verify = false, quiet = false;
};

std::size_t count_arrays(const ff::value& v) {
    return arrays_in(v).size();
}
}  // namespace

void add_cp(CLI::App& app, const globals& g) {
    auto a = std::make_shared<cp_args>();
    auto* cmd = app.add_subcommand(
        "cp",
        "Copy workflows (all, or those named) from SRC to DST, overwriting tasks of the same "
        "name. Arrays are re-encoded for DST (HDF5 files on a directory, zarr on S3). Then "
        "verifies: every task is read back from DST and its content checksum (SHA-256 of "
        "values and array elements) compared with the source's; prints the counts.");
    cmd->add_option("SRC", a->src, "source store")->required();
    cmd->add_option("DST", a->dst, "destination store (a directory is created)")->required();
    cmd->add_option("WORKFLOW", a->workflows, "workflows to copy (default: all)");
    cmd->add_option("-j,--jobs", a->jobs, "tasks in flight at once (default 32)")
        ->check(CLI::Range(1, 1024));
    cmd->add_flag("--no-verify", a->no_verify, "skip reading the copy back");
    cmd->add_flag("-q,--quiet", a->quiet, "no progress on a terminal");
    cmd->callback([a, &g] {
        auto src = open_store(a->src, g, false);
        auto dst = open_store(a->dst, g, false, true);
        std::vector<std::string> workflows = a->workflows;
        if (workflows.empty())
            workflows = run(ff::list_workflows(*src));
        const bool progress = !a->quiet && ::isatty(2);
        std::size_t total_tasks = 0, total_arrays = 0, verified = 0;
        for (const auto& wf : workflows) {
            std::string w = wf, all = "*";
            const std::vector<std::string> tasks = run(src->list_tasks(w, all));
            std::vector<std::string> sums(tasks.size());
            std::atomic<std::size_t> done{0}, arrays{0};
            run(dst->new_workflow(w));
            run_bounded(tasks.size(), a->jobs, [&](std::size_t i) -> boost::asio::awaitable<void> {
                std::string rw = wf, t = tasks[i];
                ff::value v = co_await src->read_task(rw, t);
                sums[i] = digest(v);
                arrays += count_arrays(v);
                std::string sw = wf, st = tasks[i];
                co_await dst->save(sw, st, std::move(v));
                const std::size_t n = ++done;
                if (progress && (n % 16 == 0 || n == tasks.size()))
                    std::cerr << fmt::format("\rcopying {}: {}/{} tasks", wf, n, tasks.size())
                              << std::flush;
            });
            if (progress)
                std::cerr << "\n";
            total_tasks += tasks.size();
            total_arrays += arrays;
            if (a->no_verify)
                continue;
            std::vector<std::string> mismatched;
            std::string w2 = wf, all2 = "*";
            const std::vector<std::string> present = run(dst->list_tasks(w2, all2));
            std::size_t missing = 0;
            for (const auto& t : tasks)
                missing += !std::binary_search(present.begin(), present.end(), t);
            if (missing)
                throw ff::error(
                    fmt::format("verify: {} of {} tasks of workflow '{}' are missing "
                                "in '{}' after the copy",
                                missing, tasks.size(), wf, a->dst));
            std::vector<char> ok(tasks.size(), 0);
            run_bounded(tasks.size(), a->jobs, [&](std::size_t i) -> boost::asio::awaitable<void> {
                std::string rw = wf, t = tasks[i];
                ff::value back = co_await dst->read_task(rw, t);
                ok[i] = digest(back) == sums[i];
            });
            for (std::size_t i = 0; i < tasks.size(); ++i)
                if (!ok[i])
                    mismatched.push_back(tasks[i]);
            if (!mismatched.empty())
                throw ff::error(fmt::format(
                    "verify: {} task(s) of workflow '{}' differ in '{}' from '{}' (first: '{}')",
                    mismatched.size(), wf, a->dst, a->src, mismatched.front()));
            verified += tasks.size();
        }
        std::cout << fmt::format("copied {} workflow(s), {} task(s), {} array(s) from {} to {}\n",
                                 workflows.size(), total_tasks, total_arrays, a->src, a->dst);
        if (!a->no_verify)
            std::cout << fmt::format(
                "verified: {} task(s) present in {} and read back with matching SHA-256 "
                "checksums\n",
                verified, a->dst);
    });
}

}  // namespace ffuse
