// ffuse gc STORE [--delete] [--grace 1h]: unreferenced arrays, stale temporaries, open uploads.
#include <iostream>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "ffuse.hpp"
#include "render.hpp"

namespace ffuse {

namespace {
struct gc_args {
    std::string store, grace = "1h";
    std::vector<std::string> workflows;
    bool remove = false, json = false;
};

/// "90s", "30m", "1h", "2d", "0" into seconds.
std::chrono::seconds parse_duration(const std::string& text) {
    std::size_t used = 0;
    long long n = 0;
    try {
        n = std::stoll(text, &used);
    } catch (const std::exception&) {
        throw usage_error("--grace '" + text + "' is not a duration (e.g. 90s, 30m, 1h, 2d)");
    }
    const std::string unit = text.substr(used);
    long long scale = 0;
    if (unit.empty() || unit == "s")
        scale = 1;
    else if (unit == "m")
        scale = 60;
    else if (unit == "h")
        scale = 3600;
    else if (unit == "d")
        scale = 86400;
    if (!scale || n < 0)
        throw usage_error("--grace '" + text + "' is not a duration (e.g. 90s, 30m, 1h, 2d)");
    return std::chrono::seconds(n * scale);
}
}  // namespace

void add_gc(CLI::App& app, const globals& g) {
    auto a = std::make_shared<gc_args>();
    auto* cmd = app.add_subcommand(
        "gc",
        "Find what no task references (arrays), temporary files killed writers left (file "
        "stores) and unfinished multipart uploads (S3), older than --grace; report them, or "
        "delete them with --delete. Safe beside running writers as long as --grace exceeds the "
        "time a writer takes between writing an array and publishing its task.");
    cmd->add_option("STORE", a->store, "a directory, s3://bucket/prefix or @config.json")
        ->required();
    cmd->add_flag("--delete", a->remove, "delete what was found (default: only report)");
    cmd->add_option("--grace", a->grace, "minimum age of what is reported (default 1h)");
    cmd->add_option("-w,--workflow", a->workflows, "only these workflows (repeatable)");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->callback([a, &g] {
        ff::gc_options opts;
        opts.grace = parse_duration(a->grace);
        opts.remove = a->remove;
        opts.workflows = a->workflows;
        auto s = open_store(a->store, g, true);
        const ff::gc_report r = run(ff::collect_garbage(*s, std::move(opts)));
        std::uint64_t bytes = 0;
        std::size_t failed = 0;
        for (const auto& f : r.findings) {
            bytes += f.entry.size;
            failed += a->remove && !f.removed;
        }
        if (a->json) {
            boost::json::array items;
            for (const auto& f : r.findings) {
                boost::json::object o{{"kind", std::string(ff::to_string(f.kind))},
                                      {"workflow", f.workflow},
                                      {"location", f.entry.location},
                                      {"size", f.entry.size},
                                      {"modified", iso_time(f.entry.modified)},
                                      {"removed", f.removed}};
                if (!f.error.empty())
                    o["error"] = f.error;
                items.push_back(o);
            }
            boost::json::array warnings;
            for (const auto& w : r.warnings)
                warnings.push_back(boost::json::string(w));
            std::cout << boost::json::serialize(boost::json::object{
                             {"findings", items}, {"warnings", warnings}, {"bytes", bytes}})
                      << "\n";
        } else {
            for (const auto& f : r.findings) {
                std::cout << fmt::format("{:<9} {:>10}  {}  {}{}\n", ff::to_string(f.kind),
                                         human_size(f.entry.size), iso_time(f.entry.modified),
                                         f.entry.location,
                                         !a->remove  ? ""
                                         : f.removed ? "  (deleted)"
                                                     : "  (NOT deleted: " + f.error + ")");
            }
            std::cout << fmt::format(
                "{} found ({}){}\n", r.findings.size(), human_size(bytes),
                a->remove ? fmt::format(", {} deleted", r.findings.size() - failed)
                          : (r.findings.empty() ? "" : "; run with --delete to delete them"));
        }
        for (const auto& w : r.warnings)
            std::cerr << "ffuse gc: warning: " << w << "\n";
        if (failed)
            exit_code() = exit_error;
    });
}

}  // namespace ffuse
