// Looking into a store: workflows, tasks with sizes, out-of-band objects.
#include <algorithm>

#include "functionfuse/maintenance.hpp"
#include "maintenance/library_access.hpp"
#include "storage/names.hpp"

namespace functionfuse {

using boost::asio::awaitable;

namespace {

awaitable<std::vector<std::string>> workflows_of(detail::byte_store& store) {
    std::vector<std::string> names = co_await store.list_workflows();
    std::sort(names.begin(), names.end());
    co_return names;
}

awaitable<std::vector<stored_entry>> tasks_of(detail::byte_store& store,
                                              const std::string& workflow,
                                              const std::string& pattern) {
    std::vector<stored_entry> tasks = co_await store.stat_tasks(workflow);
    std::erase_if(tasks, [&](const stored_entry& e) { return !glob_match(pattern, e.name); });
    std::sort(tasks.begin(), tasks.end(),
              [](const stored_entry& a, const stored_entry& b) { return a.name < b.name; });
    co_return tasks;
}

awaitable<std::vector<stored_object>> objects_of(detail::codec_env env,
                                                 const std::string& workflow) {
    std::vector<stored_object> out;
    for (const auto& e : env.serializers->entries()) {
        std::vector<stored_entry> found =
            co_await e.serializer->list_objects(env.store->lent_protocols(), workflow);
        for (auto& f : found)
            out.push_back({e.name, std::move(f)});
    }
    std::sort(out.begin(), out.end(), [](const stored_object& a, const stored_object& b) {
        return std::tie(a.serializer, a.entry.name) < std::tie(b.serializer, b.entry.name);
    });
    co_return out;
}

}  // namespace

awaitable<std::vector<std::string>> list_workflows(storage& s) {
    auto& b = maintenance_detail::internals(s);
    co_return co_await maintenance_detail::on_library(b, workflows_of(*b.store()));
}

awaitable<std::vector<stored_entry>> stat_tasks(storage& s, std::string workflow,
                                                std::string pattern) {
    auto& b = maintenance_detail::internals(s);
    detail::validate_name(workflow, "workflow");
    co_return co_await maintenance_detail::on_library(b, tasks_of(*b.store(), workflow, pattern));
}

awaitable<std::vector<stored_object>> list_stored_objects(storage& s, std::string workflow) {
    auto& b = maintenance_detail::internals(s);
    detail::validate_name(workflow, "workflow");
    co_return co_await maintenance_detail::on_library(b, objects_of(b.env(), workflow));
}

std::string_view to_string(gc_kind k) noexcept {
    switch (k) {
        case gc_kind::orphan:
            return "orphan";
        case gc_kind::temporary:
            return "temporary";
        case gc_kind::upload:
            return "upload";
    }
    return "?";
}

}  // namespace functionfuse
