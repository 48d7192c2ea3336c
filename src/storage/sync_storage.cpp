#include "functionfuse/sync.hpp"

namespace functionfuse::sync {

storage::~storage() = default;

std::vector<std::shared_ptr<persistent_serializer>> storage::persistent_serializers() const {
    std::vector<std::shared_ptr<persistent_serializer>> out;
    for (const auto& e : serializers_.snapshot()->entries())
        out.push_back(e.serializer);
    return out;
}

}  // namespace functionfuse::sync
