#include <algorithm>

#include "functionfuse/error.hpp"
#include "functionfuse/serializer.hpp"

namespace functionfuse {

const serializer_registry::entry* serializer_registry::table::by_class(
    std::type_index type) const noexcept {
    for (const auto& e : entries_)
        if (e.serializer_class == type)
            return &e;
    return nullptr;
}

const serializer_registry::entry* serializer_registry::table::by_name(
    std::string_view name) const noexcept {
    for (const auto& e : entries_)
        if (e.name == name)
            return &e;
    return nullptr;
}

boost::asio::awaitable<std::vector<stored_entry>> persistent_serializer::list_objects(
    const protocols&, std::string) {
    co_return std::vector<stored_entry>{};
}

std::optional<std::string> persistent_serializer::object_name(const value&) const {
    return std::nullopt;
}

boost::asio::awaitable<void> persistent_serializer::remove_object(const protocols&, std::string,
                                                                  std::string) {
    co_return;
}

serializer_registry::serializer_registry() : table_(std::make_shared<const table>()) {}

void serializer_registry::add(std::vector<std::shared_ptr<persistent_serializer>> serializers) {
    // Read the tags outside the lock: they are virtual calls into user code.
    std::vector<entry> added;
    added.reserve(serializers.size());
    for (auto& s : serializers) {
        if (!s)
            throw type_error("register_persistent_serializers: null serializer");
        added.push_back(entry{s->name(), s->serializer_class(), std::move(s)});
    }
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<table>(*table_);
    for (auto& e : added) {
        std::erase_if(next->entries_, [&](const entry& old) {
            return old.name == e.name || old.serializer_class == e.serializer_class;
        });
        next->entries_.push_back(std::move(e));
    }
    table_ = std::move(next);
}

std::shared_ptr<const serializer_registry::table> serializer_registry::snapshot() const {
    std::lock_guard lock(mutex_);
    return table_;
}

}  // namespace functionfuse
