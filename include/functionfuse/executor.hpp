#pragma once
/// \file
/// `shared_executor`: the threads functionfuse owns. An I/O context (sockets, timers) run by
/// `io_threads` threads, and a thread pool of `blocking_threads` for blocking work (file
/// writes, HDF5, compression, hashing), so none of it ever runs on an I/O thread.

#include <cstddef>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

namespace functionfuse {

/// Owns the library's threads. Storages hold a shared pointer to one; many storages may share
/// one instance. Thread-safety: all members are safe to call concurrently.
class shared_executor {
  public:
    struct options {
        /// Threads running the I/O context. Default 1: one thread drives thousands of sockets.
        std::size_t io_threads = 1;
        /// Threads of the blocking pool. Default 0 means `std::thread::hardware_concurrency()`
        /// (at least 2).
        std::size_t blocking_threads = 0;
    };

    shared_executor();
    explicit shared_executor(options opts);
    /// Stops the I/O context and joins every thread; pending work is abandoned.
    ~shared_executor();
    shared_executor(const shared_executor&) = delete;
    shared_executor& operator=(const shared_executor&) = delete;

    /// Executor of the I/O context (sockets, timers, coroutines that only wait).
    boost::asio::any_io_executor io() const;
    /// Executor of the blocking pool (file I/O, HDF5, compression, hashing).
    boost::asio::any_io_executor blocking() const;
    /// Number of threads in the blocking pool.
    std::size_t blocking_threads() const noexcept;

    /// The process-wide default instance, created on first use with default options.
    static std::shared_ptr<shared_executor> default_instance();

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace functionfuse
