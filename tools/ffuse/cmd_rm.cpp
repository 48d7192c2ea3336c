// ffuse rm STORE WORKFLOW [TASK | --pattern GLOB | --all]: remove tasks with their arrays.
#include <iostream>

#include "ffuse.hpp"

namespace ffuse {

namespace {
struct rm_args {
    std::string store, workflow, task, pattern;
    bool all = false, force = false, dry_run = false;
};
}  // namespace

void add_rm(CLI::App& app, const globals& g) {
    auto a = std::make_shared<rm_args>();
    auto* cmd = app.add_subcommand(
        "rm",
        "Remove a task, the tasks matching --pattern, or the whole workflow (--all), "
        "with the arrays they reference. Prints one 'removed: WORKFLOW/TASK' line each.");
    cmd->add_option("STORE", a->store, "a directory, s3://bucket/prefix or @config.json")
        ->required();
    cmd->add_option("WORKFLOW", a->workflow, "the workflow")->required();
    auto* task = cmd->add_option("TASK", a->task, "the task to remove");
    auto* pattern = cmd->add_option("--pattern", a->pattern, "remove the tasks matching GLOB");
    auto* all = cmd->add_flag("--all", a->all, "remove the workflow and everything in it");
    task->excludes(pattern)->excludes(all);
    pattern->excludes(all);
    cmd->add_flag("-f,--force", a->force, "a missing task is not an error");
    cmd->add_flag("-n,--dry-run", a->dry_run, "say what would be removed, remove nothing");
    cmd->callback([a, &g] {
        if (a->task.empty() && a->pattern.empty() && !a->all)
            throw usage_error("rm: say what to remove: TASK, --pattern GLOB or --all");
        auto s = open_store(a->store, g, true);
        std::string wf = a->workflow;
        std::vector<std::string> names;
        if (!a->task.empty()) {
            std::string t = a->task;
            if (!run(s->file_exists(wf, t))) {
                if (a->force)
                    return;
                throw ff::not_found("task '" + t + "' of workflow '" + wf + "' not found in '" +
                                    a->store + "'");
            }
            names.push_back(t);
        } else {
            std::string p = a->all ? "*" : a->pattern;
            names = run(s->list_tasks(wf, p));
        }
        const char* verb = a->dry_run ? "would remove: " : "removed: ";
        if (a->dry_run) {
            for (const auto& n : names)
                std::cout << verb << wf << "/" << n << "\n";
            if (a->all)
                std::cout << verb << wf << "/\n";
            return;
        }
        if (a->all) {
            run(s->remove_workflow(wf));
        } else if (!a->pattern.empty()) {
            ff::glob gl(a->pattern);
            run(s->remove_task(wf, std::move(gl)));
        } else {
            std::string t = a->task;
            run(s->remove_task(wf, t));
        }
        for (const auto& n : names)
            std::cout << verb << wf << "/" << n << "\n";
        if (a->all)
            std::cout << verb << wf << "/\n";
    });
}

}  // namespace ffuse
