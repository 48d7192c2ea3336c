#pragma once
// The cancellation storm shared by the file and S3 tests: many saves and reads, each cancelled
// at a random moment, and the checks that must hold afterwards (every operation ended, every
// task absent, old or new, no out-of-band object without a task).

#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "cancel_harness.hpp"
#include "functionfuse/array.hpp"
#include "functionfuse/storage.hpp"
#include "run_awaitable.hpp"

namespace ff_test {

namespace ff = functionfuse;

/// What a storm is made of.
struct storm_params {
    int operations = 1000;
    int concurrency = 50;  // operations started together (one wave)
    /// Cancellation moments are drawn uniformly from [0, max_delay]; 10% are cancelled at
    /// once and 10% never.
    std::chrono::microseconds max_delay{2000};
    ff::chunked_array::shape_type shape{128, 128};
    ff::chunked_array::shape_type chunks{32, 32};
    unsigned seed = 12345;
};

/// Task `k`'s value of generation `gen` (0 old, 1 new): a dict, with a float64 array filled
/// with `gen * 1000 + k` when `array`.
inline ff::value storm_value(int k, int gen, bool array, const storm_params& p) {
    ff::dict d{{"k", k}, {"gen", gen}};
    if (array) {
        auto a = ff::chunked_array::zeros(ff::dtype::float64, p.shape, p.chunks);
        const double fill = gen * 1000.0 + k;
        auto* data = reinterpret_cast<double*>(a.mutable_data());
        for (std::size_t i = 0; i < a.size(); ++i)
            data[i] = fill;
        d[ff::value("a")] = ff::value(std::move(a));
    } else {
        d[ff::value("payload")] = ff::value(std::string(1000, gen ? 'n' : 'o'));
    }
    return ff::value(std::move(d));
}

/// The generation a value read back for task `k` has, or -1 if it is not exactly one of
/// `storm_value(k, 0|1, array)` (a torn or foreign value).
inline int storm_generation(const ff::value& v, int k, bool array, const storm_params& p) {
    const auto* d = v.get_if<ff::dict>();
    if (!d)
        return -1;
    const auto* gen = d->find(ff::value("gen"));
    const auto* kk = d->find(ff::value("k"));
    if (!gen || !kk || kk->as<std::int64_t>() != k)
        return -1;
    const int g = static_cast<int>(gen->as<std::int64_t>());
    if (array) {
        const auto* av = d->find(ff::value("a"));
        if (!av)
            return -1;
        const auto a = av->as<ff::chunked_array>();
        if (a.shape() != p.shape || a.type() != ff::dtype::float64)
            return -1;
        const double fill = g * 1000.0 + k;
        for (std::size_t i = 0; i < a.size(); ++i) {
            double x;
            std::memcpy(&x, a.data() + i * sizeof(double), sizeof x);
            if (x != fill)
                return -1;
        }
    } else {
        const auto* payload = d->find(ff::value("payload"));
        if (!payload || *payload != ff::value(std::string(1000, g ? 'n' : 'o')))
            return -1;
    }
    return g;
}

/// How a kind's store looks from outside the library, for the orphan check.
struct storm_store_view {
    /// The raw stored bytes of a task ("" when absent).
    std::function<std::string(const std::string& task)> raw_task;
    /// The names of the workflow's out-of-band objects (HDF5 file names, zarr array uuids).
    std::function<std::set<std::string>()> bigdata_names;
    /// Leftovers that must never survive an operation (temporary files), as paths.
    std::function<std::vector<std::string>()> temporaries;
    /// The library's state for a hang report (pool counts); may be empty.
    std::function<std::string()> diagnostics;
};

struct storm_report {
    int ok = 0, aborted = 0, not_found = 0;
    std::vector<std::string> failures;
};

/// Runs the storm on `ctx` against `s` (workflow `wf`) and checks the invariants.
inline storm_report run_storm(ff::storage& s, boost::asio::io_context& ctx, const std::string& wf,
                              const storm_params& p, const storm_store_view& view) {
    storm_report report;
    std::mt19937 rng(p.seed);
    // Save op i writes task "t<i>" once (a second save of a task orphans the first one's
    // out-of-band data by design: saves never remove what a previous result referenced).
    // Every other task starts with an old value; reads pick any task.
    const int tasks = p.operations;
    auto is_array = [](int k) { return k % 4 >= 2; };
    auto preloaded = [](int k) { return k % 2 == 0; };
    auto name = [](int k) { return "t" + std::to_string(k); };
    {
        std::string w = wf;
        run_on(ctx, s.new_workflow(w));
    }
    for (int k = 0; k < tasks; ++k) {
        if (!preloaded(k))
            continue;
        std::string w = wf, t = name(k);
        run_on(ctx, s.save(w, t, storm_value(k, 0, is_array(k), p)));
    }
    // Out-of-band objects of old values: orphaned legitimately once their task is overwritten.
    const std::set<std::string> old_bigdata = view.bigdata_names();

    std::vector<int> saved_ok(tasks, 0);
    std::uniform_int_distribution<int> pick(0, tasks - 1);
    std::uniform_int_distribution<long> moment(0, p.max_delay.count());
    std::uniform_int_distribution<int> percent(0, 99);
    int next_save = 0;
    for (int done = 0; done < p.operations;) {
        const int wave = std::min(p.concurrency, p.operations - done);
        int finished = 0;
        for (int j = 0; j < wave; ++j, ++done) {
            const int roll = percent(rng);
            std::optional<std::chrono::microseconds> delay;
            if (roll < 10)
                delay = std::chrono::microseconds(0);
            else if (roll < 90)
                delay = std::chrono::microseconds(moment(rng));
            const bool save = percent(rng) < 50 && next_save < tasks;
            std::string w = wf;
            if (save) {
                const int k = next_save++;
                std::string t = name(k);
                spawn_cancelled_after(
                    ctx, s.save(w, t, storm_value(k, 1, is_array(k), p)), delay,
                    [&, k](std::exception_ptr e, std::optional<int>) {
                        ++finished;
                        std::string msg;
                        switch (classify(e, msg)) {
                            case ending::ok:
                                ++report.ok;
                                saved_ok[k] = 1;
                                break;
                            case ending::aborted:
                                ++report.aborted;
                                break;
                            default:
                                report.failures.push_back("save " + name(k) + ": " + msg);
                        }
                    });
            } else {
                const int k = pick(rng);
                std::string t = name(k);
                spawn_cancelled_after(
                    ctx, s.read_task(w, t), delay,
                    [&, k](std::exception_ptr e, std::optional<ff::value> v) {
                        ++finished;
                        std::string msg;
                        switch (classify(e, msg)) {
                            case ending::ok:
                                ++report.ok;
                                if (storm_generation(*v, k, is_array(k), p) < 0)
                                    report.failures.push_back("read " + name(k) + ": torn value");
                                break;
                            case ending::aborted:
                                ++report.aborted;
                                break;
                            case ending::not_found:
                                ++report.not_found;
                                if (preloaded(k))
                                    report.failures.push_back("read " + name(k) +
                                                              ": a saved task was absent");
                                break;
                            default:
                                report.failures.push_back("read " + name(k) + ": " + msg);
                        }
                    });
            }
        }
        ctx.restart();
        // Returns once every operation of the wave has ended. A hang is reported with the
        // store's state after a generous wait instead of blocking until ctest's timeout.
        for (int waited = 0; finished < wave && waited < 120; ++waited)
            ctx.run_for(std::chrono::seconds(1));
        if (finished < wave) {
            report.failures.push_back(std::to_string(wave - finished) +
                                      " operation(s) never completed; " +
                                      (view.diagnostics ? view.diagnostics() : std::string()));
            return report;
        }
    }

    // Every task is absent, old or new, and new wherever a save reported success.
    std::set<std::string> referenced_by_tasks;
    const std::set<std::string> bigdata = view.bigdata_names();
    for (int k = 0; k < tasks; ++k) {
        std::string w = wf, t = name(k);
        int gen = -2;  // absent
        try {
            gen = storm_generation(run_on(ctx, s.read_task(w, t)), k, is_array(k), p);
        } catch (const ff::not_found&) {
        }
        if (gen == -1)
            report.failures.push_back("task " + t + " is torn");
        if (gen == -2 && preloaded(k))
            report.failures.push_back("task " + t + " lost its old value");
        if (saved_ok[k] && gen != 1)
            report.failures.push_back("task " + t + " was saved but does not hold the new value");
        if (gen >= 0 && is_array(k)) {
            const std::string raw = view.raw_task(t);
            for (const auto& b : bigdata)
                if (raw.find(b) != std::string::npos)
                    referenced_by_tasks.insert(b);
        }
    }
    // No out-of-band object without a task (other than the overwritten old values'), and no
    // temporary left.
    for (const auto& b : bigdata)
        if (!referenced_by_tasks.count(b) && !old_bigdata.count(b))
            report.failures.push_back("out-of-band object without a task: " + b);
    for (const auto& t : view.temporaries())
        report.failures.push_back("temporary left behind: " + t);
    return report;
}

}  // namespace ff_test
