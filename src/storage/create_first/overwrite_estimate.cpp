#include "storage/create_first/overwrite_estimate.hpp"

#include <bit>

namespace functionfuse::detail {

bool overwrite_estimate::try_create_first() const noexcept {
    return recent_overwrites() < threshold;
}

void overwrite_estimate::record(bool existed) noexcept {
    std::uint64_t old = history_.load(std::memory_order_relaxed);
    // Shifting drops the oldest save (bit 63): the word is the window.
    while (!history_.compare_exchange_weak(old, (old << 1) | (existed ? 1u : 0u),
                                           std::memory_order_relaxed)) {
    }
}

int overwrite_estimate::recent_overwrites() const noexcept {
    return std::popcount(history_.load(std::memory_order_relaxed));
}

}  // namespace functionfuse::detail
