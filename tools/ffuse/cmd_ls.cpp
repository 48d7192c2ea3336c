// ffuse ls STORE [WORKFLOW [PATTERN]]: workflows, or tasks with size, time and a summary.
#include <iostream>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "ffuse.hpp"
#include "render.hpp"

namespace ffuse {

namespace json = boost::json;

namespace {

struct ls_args {
    std::string store, workflow, pattern = "*";
    bool json = false, no_summary = false;
};

int ls_workflows(ff::storage& s, const ls_args& a) {
    const auto workflows = run(ff::list_workflows(s));
    json::array out;
    for (const auto& wf : workflows) {
        std::string all = "*", w = wf;
        const auto tasks = run(ff::stat_tasks(s, w, all));
        if (a.json)
            out.push_back(json::object{{"workflow", wf}, {"tasks", tasks.size()}});
        else
            std::cout << fmt::format("{:>8} tasks  {}/\n", tasks.size(), wf);
    }
    if (a.json)
        std::cout << json::serialize(out) << "\n";
    return exit_ok;
}

int ls_tasks(ff::storage& s, const ls_args& a) {
    std::string wf = a.workflow, pattern = a.pattern;
    const auto tasks = run(ff::stat_tasks(s, wf, pattern));
    std::vector<std::string> summaries(tasks.size());
    std::vector<std::vector<array_info>> arrays(tasks.size());
    if (!a.no_summary) {
        // Reading a task with lazy arrays fetches its pickle and each array's metadata only.
        run_bounded(tasks.size(), 32, [&](std::size_t i) -> boost::asio::awaitable<void> {
            std::string w = wf, t = tasks[i].name;
            try {
                ff::value v = co_await s.read_task(w, t);
                summaries[i] = summary(v);
                arrays[i] = arrays_in(v);
            } catch (const ff::error& e) {
                summaries[i] = std::string("<unreadable: ") + e.what() + ">";
            }
        });
    }
    json::array out;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        const auto& t = tasks[i];
        if (a.json) {
            json::object o{{"task", t.name},
                           {"size", t.size},
                           {"modified", iso_time(t.modified)},
                           {"location", t.location}};
            if (!a.no_summary) {
                o["summary"] = summaries[i];
                json::array arr;
                for (const auto& x : arrays[i]) {
                    json::array shape, chunks;
                    for (auto d : x.shape)
                        shape.push_back(d);
                    for (auto d : x.chunks)
                        chunks.push_back(d);
                    arr.push_back(json::object{{"dtype", std::string(ff::dtype_name(x.type))},
                                               {"shape", shape},
                                               {"chunks", chunks}});
                }
                o["arrays"] = arr;
            }
            out.push_back(o);
        } else {
            std::cout << fmt::format("{:>10}  {}  {}{}\n", human_size(t.size), iso_time(t.modified),
                                     t.name, a.no_summary ? "" : "  " + summaries[i]);
        }
    }
    if (a.json)
        std::cout << json::serialize(out) << "\n";
    return exit_ok;
}

}  // namespace

void add_ls(CLI::App& app, const globals& g) {
    auto a = std::make_shared<ls_args>();
    auto* cmd = app.add_subcommand(
        "ls",
        "List workflows, or a workflow's tasks with size, modification time (UTC) and a "
        "one-line summary of the value (arrays: dtype[shape]/[chunks]).");
    cmd->add_option("STORE", a->store, "a directory, s3://bucket/prefix or @config.json")
        ->required();
    cmd->add_option("WORKFLOW", a->workflow, "list this workflow's tasks");
    cmd->add_option("PATTERN", a->pattern, "glob the task names must match (default *)");
    cmd->add_flag("--json", a->json, "print JSON (one array) instead of text");
    cmd->add_flag("--no-summary", a->no_summary,
                  "do not read the tasks (names, sizes and times only)");
    cmd->callback([a, &g] {
        auto s = open_store(a->store, g, true);
        exit_code() = a->workflow.empty() ? ls_workflows(*s, *a) : ls_tasks(*s, *a);
    });
}

}  // namespace ffuse
