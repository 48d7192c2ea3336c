#pragma once
// Whether a save should try a create-only publish first. A conditional publish makes the save
// of a new task one request instead of two (no read of a result to replace), but costs one
// wasted request when the task already exists (refused publish, then the read and the
// replacing write). With a fraction p of saves replacing a task, trying costs 1 + 2p requests
// per save against 2 without: it pays while p < 1/2. So the estimate remembers, of the last
// 64 saves of a storage, which found the task existing, and says "try" while fewer than half
// did. Saves that skip the try still report what they found (their read tells), so a workload
// that turns from re-runs to new tasks is noticed and the tries resume.

#include <atomic>
#include <cstdint>

namespace functionfuse::detail {

/// One per storage (shared by its operations and, on the sync path, by every call).
/// Thread-safety: all members may be called from many threads at once (one atomic word).
class overwrite_estimate {
  public:
    /// How many recent saves the estimate remembers.
    static constexpr int window = 64;
    /// Create-only publishing is tried while fewer than this many of them replaced a task.
    static constexpr int threshold = window / 2;

    /// Whether the next save should try a create-only publish.
    bool try_create_first() const noexcept;
    /// Records one save's finding: whether the task already had a stored result.
    void record(bool existed) noexcept;
    /// How many of the last `window` saves replaced a task (for tests and diagnostics).
    int recent_overwrites() const noexcept;

  private:
    std::atomic<std::uint64_t> history_{0};  // bit i: the i-th latest save replaced a task
};

}  // namespace functionfuse::detail
