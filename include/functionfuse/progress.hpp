#pragma once
/// \file
/// `functionfuse::progress`: an observer of long work — an array save, a lazy array read, a
/// batch — that a program polls from any thread without locks.
///
/// The library only adds to atomic counters as work is planned (totals) and done (done
/// counts); it never calls back into user code, so nothing runs on a library thread on the
/// user's behalf and there is no executor to document. A program that wants a display polls
/// `snapshot()` from its own coroutine, e.g. on a steady_timer every 100 ms:
///
///     auto p = std::make_shared<ff::progress>();
///     ff::batch_options o;
///     o.progress = p;
///     // ... in a sibling coroutine, until the batch ends:
///     ff::progress_snapshot s = p->snapshot();
///     std::printf("%llu/%llu\n", s.items_done, s.items_total);
///
/// Where it is attached: `batch_options::progress` (items of `save_many` / `read_many`),
/// `chunked_array::with_progress` (the chunks and bytes of that array's save, on both kinds),
/// `lazy_array::read(region, progress)` (the chunks and bytes of a region read). One observer
/// may be attached to several of them at once: each adds its own totals, so the counts then
/// describe all of them together.
///
/// Meaning of the counts: totals grow when a piece of work is planned (an array save adds its
/// chunk count and byte size when it starts; a batch adds its item count when awaited), done
/// counts grow as each piece finishes. Every counter only grows (monotonic); `done <= total`
/// holds in every snapshot because a total is always added before the first matching done.
/// A cancelled or failed operation stops adding: its done counts then stay below its totals,
/// unless it was interrupted after its last chunk (a save cancelled while publishing its
/// metadata has stored every chunk, then removes them). Full counts do not say that an
/// operation succeeded; its own outcome does. Bytes are the array's own (uncompressed) bytes,
/// not what went on the wire.
///
/// Cost: absent (a null pointer) it is one pointer test per chunk or item.
///
/// Thread-safety: every member may be called from any thread at once.

#include <atomic>
#include <cstdint>

namespace functionfuse {

/// One reading of a `progress`'s counters. The six values are read one after another, not as
/// one atomic whole: a snapshot taken while work runs may count a chunk in `chunks_done` but
/// not yet its bytes in `bytes_done`. Each value on its own is exact, and `done <= total` holds
/// for each pair.
struct progress_snapshot {
    std::uint64_t items_done = 0;   ///< batch items finished (successfully or not)
    std::uint64_t items_total = 0;  ///< batch items to run
    std::uint64_t chunks_done = 0;  ///< array chunks stored or read
    std::uint64_t chunks_total = 0;
    std::uint64_t bytes_done = 0;  ///< array bytes (uncompressed) of those chunks
    std::uint64_t bytes_total = 0;

    /// Whether every planned item and chunk is done (true for a fresh observer too).
    bool complete() const noexcept {
        return items_done == items_total && chunks_done == chunks_total &&
               bytes_done == bytes_total;
    }
};

/// Counters of planned and finished work, updated by the library and polled by the user.
/// Share it as `std::shared_ptr<progress>`: the library keeps it alive while it reports.
class progress {
  public:
    progress() = default;
    progress(const progress&) = delete;
    progress& operator=(const progress&) = delete;

    /// The current counts. Cheap (six atomic loads, the totals read after the done counts so
    /// that `done <= total` holds); callable from any thread.
    progress_snapshot snapshot() const noexcept {
        progress_snapshot s;
        s.items_done = items_done_.load(std::memory_order_acquire);
        s.chunks_done = chunks_done_.load(std::memory_order_acquire);
        s.bytes_done = bytes_done_.load(std::memory_order_acquire);
        s.items_total = items_total_.load(std::memory_order_acquire);
        s.chunks_total = chunks_total_.load(std::memory_order_acquire);
        s.bytes_total = bytes_total_.load(std::memory_order_acquire);
        return s;
    }

    /// Called by the library (and by user code that reports its own work the same way).
    /// Totals must be added before the done counts they cover.
    void add_items_total(std::uint64_t n) noexcept {
        items_total_.fetch_add(n, std::memory_order_release);
    }
    void add_item_done() noexcept { items_done_.fetch_add(1, std::memory_order_release); }
    void add_array_total(std::uint64_t chunks, std::uint64_t bytes) noexcept {
        chunks_total_.fetch_add(chunks, std::memory_order_release);
        bytes_total_.fetch_add(bytes, std::memory_order_release);
    }
    void add_chunk_done(std::uint64_t bytes) noexcept { add_chunks_done(1, bytes); }
    void add_chunks_done(std::uint64_t chunks, std::uint64_t bytes) noexcept {
        bytes_done_.fetch_add(bytes, std::memory_order_release);
        chunks_done_.fetch_add(chunks, std::memory_order_release);
    }

  private:
    std::atomic<std::uint64_t> items_done_{0};
    std::atomic<std::uint64_t> items_total_{0};
    std::atomic<std::uint64_t> chunks_done_{0};
    std::atomic<std::uint64_t> chunks_total_{0};
    std::atomic<std::uint64_t> bytes_done_{0};
    std::atomic<std::uint64_t> bytes_total_{0};
};

}  // namespace functionfuse
