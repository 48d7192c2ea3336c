#include "arrays/array_store_registry.hpp"

namespace functionfuse::detail {

void array_store_registry::add(std::string protocol_name, std::shared_ptr<array_store> store) {
    std::lock_guard lock(mutex_);
    for (auto& [name, s] : stores_) {
        if (name == protocol_name) {
            s = std::move(store);
            return;
        }
    }
    stores_.emplace_back(std::move(protocol_name), std::move(store));
}

std::shared_ptr<array_store> array_store_registry::find(std::string_view protocol_name) const {
    std::lock_guard lock(mutex_);
    for (const auto& [name, s] : stores_)
        if (name == protocol_name)
            return s;
    return nullptr;
}

std::vector<std::pair<std::string, std::shared_ptr<array_store>>> array_store_registry::entries()
    const {
    std::lock_guard lock(mutex_);
    return stores_;
}

array_store_registry& array_stores() {
    static array_store_registry registry;
    return registry;
}

}  // namespace functionfuse::detail
