#pragma once
/// \file
/// Batches: many saves or reads of one workflow with a bound on how many are in flight, and
/// one outcome per item.
///
/// A task runner with thousands of results calls `save_many` once instead of writing its own
/// parallel group: items start in order, at most `max_in_flight` at a time, and each item's
/// error is kept in its place instead of ending the batch. What happens to the others when one
/// item fails is the `on_failure` option.
///
///     std::vector<ff::save_item> items;
///     items.push_back({"task-1", ff::value(1)});   // built outside any co_await (CONTRIBUTING.md)
///     ff::batch_options opts;
///     opts.max_in_flight = 32;
///     std::vector<std::exception_ptr> errors = co_await ff::save_many(*storage, wf,
///     std::move(items), opts);
///
/// Thread-safety: a batch may be awaited from any executor, also a multi-threaded one: its
/// items are awaited on a strand of the caller's executor, and the batch resumes the caller
/// on the caller's executor.

#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "functionfuse/value.hpp"

namespace functionfuse {

class storage;
class progress;

/// What a batch does with its other items once one fails.
enum class batch_failure {
    /// Every item runs to its own end; the failures are reported per item (the default).
    finish_others,
    /// The first failure cancels the items in flight (terminal cancellation, which each
    /// operation honours as documented in storage.hpp) and starts no further item; those
    /// report `operation_aborted`.
    cancel_others,
};

/// How a batch runs.
struct batch_options {
    /// Most items in flight at once (at least 1). The storage bounds its own resources
    /// (connections, blocking threads) anyway; this bounds the memory and the queueing of the
    /// batch itself.
    std::size_t max_in_flight = 64;
    batch_failure on_failure = batch_failure::finish_others;
    /// Observer of the batch (`functionfuse/progress.hpp`; null: none, at no cost): the
    /// batch adds its item count to `items_total` when awaited, then one `items_done` as each
    /// item ends, whatever its outcome. Items that never start (after a cancellation, or a
    /// failure under `cancel_others`) are not counted done, so `items_done < items_total`
    /// then. Attach the same observer to the arrays of the items (`chunked_array::
    /// with_progress`) to also count their chunks and bytes.
    std::shared_ptr<functionfuse::progress> progress;
};

/// One save of a batch: the task's name and its result.
struct save_item {
    std::string task;
    value result;
};

/// One read of a batch: the value read, or the error (`not_found`, ...) and a None value.
struct read_outcome {
    std::exception_ptr error;
    value result;
};

/// Saves every item as a task of `workflow` (each as `storage::save`, with the same
/// atomicity) and returns one error per item, in the items' order: null where the save
/// succeeded. Items start in order with at most `options.max_in_flight` in flight.
/// `s` must outlive the awaited batch. Throws only what is wrong with the batch itself
/// (`operation_aborted` if it was cancelled before starting); an item's failure is its
/// entry in the result.
/// Cancellation (terminal, through the caller's slot as for every storage operation): no
/// further item starts, the items in flight are cancelled, and the batch still returns its
/// outcomes — saved items succeeded, the others report `operation_aborted` (a batch returns
/// what it did rather than throwing, so a runner knows which tasks are stored).
boost::asio::awaitable<std::vector<std::exception_ptr>> save_many(storage& s, std::string workflow,
                                                                  std::vector<save_item> items,
                                                                  batch_options options);
/// As above with the default `batch_options`.
boost::asio::awaitable<std::vector<std::exception_ptr>> save_many(storage& s, std::string workflow,
                                                                  std::vector<save_item> items);

/// Reads every task of `workflow` named in `tasks` (each as `storage::read_task`) and returns
/// one outcome per task, in order. Bound, failure policy and cancellation as `save_many`
/// (cancelled or unstarted reads report `operation_aborted`, and their buffers are freed).
boost::asio::awaitable<std::vector<read_outcome>> read_many(storage& s, std::string workflow,
                                                            std::vector<std::string> tasks,
                                                            batch_options options);
/// As above with the default `batch_options`.
boost::asio::awaitable<std::vector<read_outcome>> read_many(storage& s, std::string workflow,
                                                            std::vector<std::string> tasks);

/// Rethrows the first error of a batch's outcomes, if any.
void rethrow_first_error(const std::vector<std::exception_ptr>& errors);
void rethrow_first_error(const std::vector<read_outcome>& outcomes);

}  // namespace functionfuse
