// ffuse du STORE [WORKFLOW]: bytes per workflow, task results and out-of-band objects apart.
#include <iostream>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "ffuse.hpp"
#include "render.hpp"

namespace ffuse {

namespace {
struct du_args {
    std::string store, workflow;
    bool json = false, bytes = false;
};
struct usage {
    std::string workflow;
    std::uint64_t tasks = 0, task_bytes = 0, objects = 0, object_bytes = 0;
};
}  // namespace

void add_du(CLI::App& app, const globals& g) {
    auto a = std::make_shared<du_args>();
    auto* cmd = app.add_subcommand(
        "du",
        "Disk usage per workflow: task results and out-of-band objects (arrays), and the "
        "total. Sizes are human-readable (KiB = 1024 B) unless --bytes.");
    cmd->add_option("STORE", a->store, "a directory, s3://bucket/prefix or @config.json")
        ->required();
    cmd->add_option("WORKFLOW", a->workflow, "only this workflow");
    cmd->add_flag("--json", a->json, "print JSON (sizes in bytes)");
    cmd->add_flag("-b,--bytes", a->bytes, "print sizes in bytes");
    cmd->callback([a, &g] {
        auto s = open_store(a->store, g, true);
        std::vector<std::string> workflows;
        if (a->workflow.empty())
            workflows = run(ff::list_workflows(*s));
        else
            workflows.push_back(a->workflow);
        std::vector<usage> rows;
        usage total{"total"};
        for (const auto& wf : workflows) {
            usage u{wf};
            std::string w = wf, all = "*";
            for (const auto& t : run(ff::stat_tasks(*s, w, all))) {
                ++u.tasks;
                u.task_bytes += t.size;
            }
            std::string w2 = wf;
            for (const auto& o : run(ff::list_stored_objects(*s, w2))) {
                ++u.objects;
                u.object_bytes += o.entry.size;
            }
            total.tasks += u.tasks;
            total.task_bytes += u.task_bytes;
            total.objects += u.objects;
            total.object_bytes += u.object_bytes;
            rows.push_back(u);
        }
        auto size = [&](std::uint64_t b) { return a->bytes ? std::to_string(b) : human_size(b); };
        if (a->json) {
            boost::json::array out;
            for (const auto& u : rows)
                out.push_back(boost::json::object{{"workflow", u.workflow},
                                                  {"tasks", u.tasks},
                                                  {"task_bytes", u.task_bytes},
                                                  {"objects", u.objects},
                                                  {"object_bytes", u.object_bytes},
                                                  {"bytes", u.task_bytes + u.object_bytes}});
            std::cout << boost::json::serialize(boost::json::object{
                             {"workflows", out}, {"bytes", total.task_bytes + total.object_bytes}})
                      << "\n";
            return;
        }
        std::cout << fmt::format("{:>12} {:>7} {:>12} {:>7} {:>12}  {}\n", "total", "tasks",
                                 "task bytes", "arrays", "array bytes", "workflow");
        for (const auto& u : rows)
            std::cout << fmt::format(
                "{:>12} {:>7} {:>12} {:>7} {:>12}  {}/\n", size(u.task_bytes + u.object_bytes),
                u.tasks, size(u.task_bytes), u.objects, size(u.object_bytes), u.workflow);
        if (rows.size() > 1)
            std::cout << fmt::format("{:>12} {:>7} {:>12} {:>7} {:>12}  total\n",
                                     size(total.task_bytes + total.object_bytes), total.tasks,
                                     size(total.task_bytes), total.objects,
                                     size(total.object_bytes));
    });
}

}  // namespace ffuse
