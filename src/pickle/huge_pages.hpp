#pragma once
// Large buffers (a 100 MiB bytes payload, the element array of a million-item list) are
// written once, front to back, right after allocation. Faulting them in 4 KiB at a time costs
// more than copying the data; asking for transparent huge pages on the 2 MiB-aligned interior
// cuts the faults 512-fold. A hint only: ignored where THP is off.

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace functionfuse::pickle {

/// Buffers smaller than this are left alone (they come from the heap, not fresh mappings).
inline constexpr std::size_t huge_page_hint_min = std::size_t{4} << 20;

inline void advise_huge_pages(void* begin, std::size_t n) noexcept {
#ifdef MADV_HUGEPAGE
    if (n < huge_page_hint_min)
        return;
    constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;
    const auto start = (reinterpret_cast<std::uintptr_t>(begin) + huge - 1) & ~(huge - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(begin) + n) & ~(huge - 1);
    if (end > start)
        ::madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
#else
    (void)begin;
    (void)n;
#endif
}

}  // namespace functionfuse::pickle
