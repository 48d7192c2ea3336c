#include "async_protocols/s3/credentials/credentials_cache.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "async_protocols/s3/credentials/credential_values.hpp"
#include "log/log.hpp"

namespace functionfuse::s3 {

namespace asio = boost::asio;

credentials_cache::credentials_cache(std::shared_ptr<credentials_provider> provider,
                                     std::optional<timed_credentials> first)
    : provider_(std::move(provider)) {
    if (first) {
        std::lock_guard lock(mutex_);
        store(std::move(*first));
    }
}

credentials_cache::~credentials_cache() {
    background_.join();
}

void credentials_cache::store(timed_credentials fresh) {
    const auto now = clock::now();
    current_ = std::move(fresh);
    forced_stale_ = false;
    last_error_ = nullptr;
    if (current_->expiration) {
        const auto expiration = *current_->expiration;
        const auto lifetime = std::max(clock::duration::zero(), expiration - now);
        const auto prefetch = std::min<clock::duration>(std::chrono::minutes(5), lifetime / 2);
        const auto stale = std::min<clock::duration>(std::chrono::minutes(1), lifetime / 10);
        prefetch_at_ = expiration - prefetch;
        stale_at_ = expiration - stale;
        detail::log(log_level::info, "s3.credentials",
                    "temporary credentials from {} fetched; they expire at {}",
                    provider_->describe(), format_iso8601(expiration));
    }
}

bool credentials_cache::usable(clock::time_point now) const {
    return current_ && !forced_stale_ && (!current_->expiration || now < stale_at_);
}

bool credentials_cache::due(clock::time_point now) const {
    return current_ && current_->expiration && now >= prefetch_at_ && now >= next_background_try_;
}

std::size_t credentials_cache::fetches() const {
    std::lock_guard lock(mutex_);
    return fetches_;
}

bool credentials_cache::temporary() {
    std::lock_guard lock(mutex_);
    return current_ && current_->expiration;
}

// Runs the provider with the lock released; one refresh at a time.
void credentials_cache::refresh_locked(std::unique_lock<std::mutex>& lock) {
    refreshing_ = true;
    ++fetches_;
    lock.unlock();
    std::optional<timed_credentials> fresh;
    std::exception_ptr error;
    try {
        fresh = provider_->fetch();
    } catch (...) {
        error = std::current_exception();
    }
    lock.lock();
    refreshing_ = false;
    ++generation_;
    if (fresh) {
        store(std::move(*fresh));
    } else {
        last_error_ = error;
        // A failed background refresh is tried again later, not on every request.
        const auto now = clock::now();
        auto pause = std::chrono::duration_cast<clock::duration>(std::chrono::seconds(10));
        if (current_ && current_->expiration)
            pause = std::min(pause, (stale_at_ - prefetch_at_) / 4);
        next_background_try_ = now + pause;
    }
    refreshed_.notify_all();
}

std::optional<credentials> credentials_cache::try_current() {
    std::unique_lock lock(mutex_);
    const auto now = clock::now();
    if (!usable(now))
        return std::nullopt;
    if (due(now) && !refreshing_) {
        refreshing_ = true;  // claimed here, so concurrent callers start no second one
        asio::post(background_, [this] {
            std::unique_lock inner(mutex_);
            try {
                refresh_locked(inner);
            } catch (...) {
            }
            if (last_error_) {
                try {
                    std::rethrow_exception(last_error_);
                } catch (const std::exception& e) {
                    // Provider errors never hold a secret (see provider.hpp).
                    detail::log(log_level::warn, "s3.credentials",
                                "background refresh of the credentials failed (the current "
                                "ones are used until they are nearly expired): {}",
                                e.what());
                }
            }
        });
    }
    return current_->creds;
}

credentials credentials_cache::current() {
    std::unique_lock lock(mutex_);
    for (;;) {
        const auto now = clock::now();
        if (usable(now))
            return current_->creds;
        if (refreshing_) {
            const std::size_t seen = generation_;
            refreshed_.wait(lock, [&] { return generation_ != seen; });
            if (last_error_)
                std::rethrow_exception(last_error_);
            return current_->creds;  // what that refresh brought, even if short-lived
        }
        refresh_locked(lock);
        if (last_error_)
            std::rethrow_exception(last_error_);
        return current_->creds;  // fresh from the provider: used even if its lifetime is short
    }
}

void credentials_cache::invalidate(const credentials& used) {
    std::lock_guard lock(mutex_);
    if (current_ && current_->creds.access_key_id == used.access_key_id &&
        current_->creds.session_token == used.session_token) {
        forced_stale_ = true;
    }
}

asio::awaitable<credentials> async_current(credentials_cache& cache) {
    if (auto c = cache.try_current())
        co_return *c;
    credentials_cache* target = &cache;
    auto wait = [target]() -> asio::awaitable<credentials> { co_return target->current(); };
    // GCC 12 coroutine rule, CONTRIBUTING.md: the lambda is named before the co_await.
    credentials c =
        co_await asio::co_spawn(cache.background_executor(), std::move(wait), asio::use_awaitable);
    co_return c;
}

}  // namespace functionfuse::s3
