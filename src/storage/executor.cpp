// The library's threads: one io_context kept alive by a work guard and run by `io_threads`
// threads, and a thread_pool for blocking work. Nothing else in the library creates threads.
#include "functionfuse/executor.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

namespace functionfuse {

namespace {
std::size_t pool_size(std::size_t requested) {
    if (requested != 0)
        return requested;
    return std::max<std::size_t>(2, std::thread::hardware_concurrency());
}
}  // namespace

struct shared_executor::impl {
    explicit impl(options opts)
        : io(static_cast<int>(std::max<std::size_t>(1, opts.io_threads))),
          guard(io.get_executor()),
          blocking_threads(pool_size(opts.blocking_threads)),
          pool(std::make_unique<boost::asio::thread_pool>(blocking_threads)) {
        const std::size_t n = std::max<std::size_t>(1, opts.io_threads);
        io_threads.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            io_threads.emplace_back([this] { io.run(); });
    }

    ~impl() {
        guard.reset();
        io.stop();
        for (auto& t : io_threads) {
            // The last owner may let go from inside a completion on one of our own threads;
            // joining it would deadlock, so that one thread is left to finish on its own.
            if (t.get_id() == std::this_thread::get_id()) {
                t.detach();
            } else {
                t.join();
            }
        }
        pool->stop();
        if (pool->get_executor().running_in_this_thread()) {
            // Same situation on the blocking pool: a thread cannot join itself. The pool is
            // stopped; its object is intentionally leaked rather than destroyed while running.
            (void)pool.release();
        } else {
            pool->join();
        }
    }

    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard;
    std::vector<std::thread> io_threads;
    std::size_t blocking_threads;
    std::unique_ptr<boost::asio::thread_pool> pool;
};

shared_executor::shared_executor() : shared_executor(options{}) {}

shared_executor::shared_executor(options opts) : impl_(std::make_unique<impl>(opts)) {}

shared_executor::~shared_executor() = default;

boost::asio::any_io_executor shared_executor::io() const {
    return impl_->io.get_executor();
}

boost::asio::any_io_executor shared_executor::blocking() const {
    return impl_->pool->get_executor();
}

std::size_t shared_executor::blocking_threads() const noexcept {
    return impl_->blocking_threads;
}

std::shared_ptr<shared_executor> shared_executor::default_instance() {
    static const std::shared_ptr<shared_executor> instance = std::make_shared<shared_executor>();
    return instance;
}

}  // namespace functionfuse
