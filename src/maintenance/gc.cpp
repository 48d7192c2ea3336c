// collect_garbage: what no task references, and what killed writers left behind.
//
// Per workflow: every task's pickle is read (bounded fan-out) for its persistent ids only, each
// id mapped by its serializer to an object name; then every registered serializer lists its
// objects, and those not referenced and older than the grace period are orphans. A workflow
// with a task that cannot be read, or that names a serializer not registered here, is
// skipped for orphans (a warning says why): what it references cannot be known, and deleting
// on a guess is how data is lost. Leftovers (temporary files, unfinished multipart uploads)
// come from the byte store, older than the grace period. Deleting happens only with
// `remove`, after everything was found, and one failure does not stop the others.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <boost/asio/this_coro.hpp>

#include "functionfuse/maintenance.hpp"
#include "maintenance/library_access.hpp"
#include "storage/async_util.hpp"
#include "storage/names.hpp"
#include "value/error_text.hpp"

namespace functionfuse {

using boost::asio::awaitable;
using detail::shown;

namespace {

/// How many tasks' pickles are read at once.
constexpr std::size_t read_width = 16;

struct workflow_scan {
    std::map<std::string, std::set<std::string>> referenced;  // serializer -> object names
    std::vector<std::string> problems;
};

awaitable<workflow_scan> scan_references(const detail::codec_env& env,
                                         const std::string& workflow) {
    std::vector<std::string> names = co_await env.store->list(workflow);
    workflow_scan scan;
    std::mutex mutex;  // workers may run on several io threads
    const auto here = co_await boost::asio::this_coro::executor;
    auto body = [&](std::size_t i) -> awaitable<void> {
        std::vector<detail::stored_reference> refs;
        std::string problem;
        try {
            refs = co_await detail::read_references(env, workflow, names[i]);
        } catch (const not_found&) {
            co_return;  // removed since it was listed: it references nothing now
        } catch (const invalid_pickle& e) {
            problem = fmt::format("task '{}' cannot be read ({})", shown(names[i]), e.what());
        }
        std::lock_guard lock(mutex);
        if (!problem.empty()) {
            scan.problems.push_back(std::move(problem));
            co_return;
        }
        for (auto& r : refs) {
            const auto* entry = env.serializers->by_name(r.serializer);
            std::optional<std::string> object;
            if (entry)
                object = entry->serializer->object_name(r.payload);
            if (!object) {
                scan.problems.push_back(
                    fmt::format("task '{}' references {} of serializer '{}', which {}",
                                shown(names[i]), r.payload.repr(), shown(r.serializer),
                                entry ? "does not know that object" : "is not registered"));
                continue;
            }
            scan.referenced[r.serializer].insert(std::move(*object));
        }
    };
    co_await detail::for_each_bounded(here, names.size(), read_width, body);
    std::sort(scan.problems.begin(), scan.problems.end());
    co_return scan;
}

awaitable<gc_report> run_gc(detail::codec_env env, gc_options opts) {
    gc_report report;
    const auto cutoff = std::chrono::system_clock::now() - opts.grace;
    std::vector<std::string> workflows = opts.workflows;
    if (workflows.empty())
        workflows = co_await env.store->list_workflows();
    std::sort(workflows.begin(), workflows.end());

    for (const auto& wf : workflows) {
        workflow_scan scan = co_await scan_references(env, wf);
        if (!scan.problems.empty()) {
            report.warnings.push_back(fmt::format(
                "workflow '{}': orphans not checked: {}{}", shown(wf), scan.problems.front(),
                scan.problems.size() > 1
                    ? fmt::format(" (and {} more such tasks)", scan.problems.size() - 1)
                    : std::string()));
            continue;
        }
        for (const auto& e : env.serializers->entries()) {
            std::vector<stored_entry> objects =
                co_await e.serializer->list_objects(env.store->lent_protocols(), wf);
            const auto& refs = scan.referenced[e.name];
            for (auto& o : objects) {
                if (refs.count(o.name) || o.modified >= cutoff)
                    continue;
                gc_finding f;
                f.kind = gc_kind::orphan;
                f.workflow = wf;
                f.serializer = e.name;
                f.entry = std::move(o);
                report.findings.push_back(std::move(f));
            }
        }
    }

    std::vector<detail::leftover> leftovers;
    try {
        leftovers = co_await env.store->list_leftovers();
    } catch (const s3_error& e) {
        if (e.code() != "NotImplemented")
            throw;
        report.warnings.push_back(
            "unfinished multipart uploads not checked: the server does not implement "
            "ListMultipartUploads");
    }
    std::map<std::string, detail::leftover> by_location;
    for (auto& l : leftovers) {
        if (l.entry.modified >= cutoff)
            continue;
        if (!opts.workflows.empty() && l.upload_id.empty() &&
            std::find(workflows.begin(), workflows.end(), l.workflow) == workflows.end())
            continue;
        gc_finding f;
        f.kind = l.upload_id.empty() ? gc_kind::temporary : gc_kind::upload;
        f.workflow = l.workflow;
        f.entry = l.entry;
        by_location.emplace(f.entry.location, std::move(l));
        report.findings.push_back(std::move(f));
    }

    std::sort(report.findings.begin(), report.findings.end(),
              [](const gc_finding& a, const gc_finding& b) {
                  return std::tie(a.workflow, a.kind, a.entry.location) <
                         std::tie(b.workflow, b.kind, b.entry.location);
              });
    if (!opts.remove)
        co_return report;

    for (auto& f : report.findings) {
        std::string failure;
        try {
            if (f.kind == gc_kind::orphan) {
                const auto* entry = env.serializers->by_name(f.serializer);
                co_await entry->serializer->remove_object(env.store->lent_protocols(), f.workflow,
                                                          f.entry.name);
            } else {
                detail::leftover l = by_location.at(f.entry.location);
                co_await env.store->remove_leftover(std::move(l));
            }
            f.removed = true;
        } catch (const std::exception& e) {
            failure = e.what();
        }
        f.error = std::move(failure);
    }
    co_return report;
}

}  // namespace

awaitable<gc_report> collect_garbage(storage& s, gc_options opts) {
    auto& b = maintenance_detail::internals(s);
    for (const auto& wf : opts.workflows)
        detail::validate_name(wf, "workflow");
    co_return co_await maintenance_detail::on_library(b, run_gc(b.env(), std::move(opts)));
}

}  // namespace functionfuse
