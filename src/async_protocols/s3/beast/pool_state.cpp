// Design: the pool's decisions are pure bookkeeping over connection ids, kept apart from the
// sockets so that fairness, the bound and idle expiry are testable without a network.
// - Idle connections are reused most-recently-used first, so surplus ones age and expire.
// - A waiter is queued only when no connection can be handed out; from then on every freed
//   connection or slot goes to the head of the queue (FIFO), never to a newcomer.
// - A connection released to a waiter for another endpoint is closed and the waiter opens a
//   new one in its slot; likewise an idle connection of another endpoint is evicted when the
//   pool is full.
#include "async_protocols/s3/beast/pool_state.hpp"

#include <algorithm>

namespace functionfuse::s3 {

pool_state::pool_state(params p) : params_(p) {
    if (params_.max_connections == 0)
        params_.max_connections = 1;
}

std::size_t pool_state::idle_connections() const noexcept {
    return static_cast<std::size_t>(std::count_if(connections_.begin(), connections_.end(),
                                                  [](const auto& c) { return c.second.idle; }));
}

std::optional<pool_state::connection_id> pool_state::take_idle(std::string_view endpoint) {
    std::optional<connection_id> best;
    clock::time_point best_since{};
    for (auto& [id, info] : connections_) {
        if (info.idle && info.endpoint == endpoint && (!best || info.idle_since >= best_since)) {
            best = id;
            best_since = info.idle_since;
        }
    }
    if (best)
        connections_[*best].idle = false;
    return best;
}

std::optional<pool_state::connection_id> pool_state::oldest_idle() const {
    std::optional<connection_id> best;
    clock::time_point best_since{};
    for (const auto& [id, info] : connections_) {
        if (info.idle && (!best || info.idle_since < best_since)) {
            best = id;
            best_since = info.idle_since;
        }
    }
    return best;
}

pool_state::connection_id pool_state::add_connection(std::string_view endpoint) {
    connection_id id = next_connection_++;
    connections_.emplace(id, connection_info{std::string(endpoint), false, {}});
    return id;
}

std::vector<pool_state::connection_id> pool_state::drop_expired(clock::time_point now) {
    std::vector<connection_id> expired;
    for (auto it = connections_.begin(); it != connections_.end();) {
        if (it->second.idle && now - it->second.idle_since >= params_.idle_timeout) {
            expired.push_back(it->first);
            it = connections_.erase(it);
        } else {
            ++it;
        }
    }
    return expired;
}

std::optional<pool_state::grant> pool_state::serve_first_waiter(
    std::vector<connection_id>& to_close) {
    if (waiters_.empty())
        return std::nullopt;
    const waiter& first = waiters_.front();
    grant g;
    g.waiter = first.id;
    std::optional<connection_id> idle;
    if (!first.fresh)
        idle = take_idle(first.endpoint);
    if (idle) {
        g.what = action::reuse;
        g.connection = *idle;
    } else if (connections_.size() < params_.max_connections) {
        g.what = action::open;
        g.connection = add_connection(first.endpoint);
    } else if (auto victim = oldest_idle()) {
        connections_.erase(*victim);
        to_close.push_back(*victim);
        g.what = action::open;
        g.connection = add_connection(first.endpoint);
    } else {
        return std::nullopt;
    }
    waiters_.pop_front();
    return g;
}

pool_state::acquire_result pool_state::acquire(std::string_view endpoint, clock::time_point now,
                                               bool fresh) {
    acquire_result r;
    r.to_close = drop_expired(now);
    if (!waiters_.empty()) {
        // Someone is already queued: a newcomer never overtakes them.
        r.decision.what = action::wait;
        r.decision.waiter = next_waiter_++;
        waiters_.push_back({r.decision.waiter, std::string(endpoint), fresh});
        return r;
    }
    std::optional<connection_id> idle;
    if (!fresh)
        idle = take_idle(endpoint);
    if (idle) {
        r.decision.what = action::reuse;
        r.decision.connection = *idle;
    } else if (connections_.size() < params_.max_connections) {
        r.decision.what = action::open;
        r.decision.connection = add_connection(endpoint);
    } else if (auto victim = oldest_idle()) {
        connections_.erase(*victim);
        r.to_close.push_back(*victim);
        r.decision.what = action::open;
        r.decision.connection = add_connection(endpoint);
    } else {
        r.decision.what = action::wait;
        r.decision.waiter = next_waiter_++;
        waiters_.push_back({r.decision.waiter, std::string(endpoint), fresh});
    }
    return r;
}

pool_state::release_result pool_state::release(connection_id id, bool reusable,
                                               clock::time_point now) {
    release_result r;
    auto it = connections_.find(id);
    if (it == connections_.end() || it->second.idle)
        return r;  // unknown or double release
    if (reusable && !waiters_.empty() && !waiters_.front().fresh &&
        waiters_.front().endpoint == it->second.endpoint) {
        // Hand the live connection straight to the head of the queue.
        r.granted = grant{action::reuse, id, waiters_.front().id};
        waiters_.pop_front();
        return r;
    }
    if (reusable && waiters_.empty()) {
        it->second.idle = true;
        it->second.idle_since = now;
        return r;
    }
    // Not reusable, or the next waiter wants another endpoint: close it, free the slot.
    connections_.erase(it);
    r.to_close.push_back(id);
    r.granted = serve_first_waiter(r.to_close);
    return r;
}

bool pool_state::cancel_wait(waiter_id id) {
    auto it = std::find_if(waiters_.begin(), waiters_.end(),
                           [id](const waiter& w) { return w.id == id; });
    if (it == waiters_.end())
        return false;
    waiters_.erase(it);
    return true;
}

pool_state::expire_result pool_state::expire(clock::time_point now) {
    expire_result r;
    r.to_close = drop_expired(now);
    while (auto g = serve_first_waiter(r.to_close))
        r.granted.push_back(*g);
    return r;
}

std::optional<pool_state::clock::time_point> pool_state::next_expiry() const {
    std::optional<clock::time_point> next;
    for (const auto& [id, info] : connections_) {
        if (info.idle && (!next || info.idle_since + params_.idle_timeout < *next)) {
            next = info.idle_since + params_.idle_timeout;
        }
    }
    return next;
}

}  // namespace functionfuse::s3
