// The pool's bookkeeping without sockets: bound, reuse, FIFO waiters, endpoints, expiry.
#include <gtest/gtest.h>

#include "async_protocols/s3/beast/pool_state.hpp"

using functionfuse::s3::pool_state;
using action = pool_state::action;
using namespace std::chrono_literals;

namespace {
pool_state make(std::size_t max, pool_state::clock::duration idle = 10s) {
    return pool_state({max, idle});
}
const pool_state::clock::time_point t0{};
}  // namespace

TEST(PoolState, OpensUpToTheMaximumThenQueues) {
    auto p = make(2);
    auto a = p.acquire("h:80", t0);
    auto b = p.acquire("h:80", t0);
    auto c = p.acquire("h:80", t0);
    EXPECT_EQ(a.decision.what, action::open);
    EXPECT_EQ(b.decision.what, action::open);
    EXPECT_NE(a.decision.connection, b.decision.connection);
    EXPECT_EQ(c.decision.what, action::wait);
    EXPECT_EQ(p.open_connections(), 2u);
    EXPECT_EQ(p.waiting(), 1u);
}

TEST(PoolState, ReleasedConnectionIsReusedWhenNobodyWaits) {
    auto p = make(2);
    auto a = p.acquire("h:80", t0);
    auto r = p.release(a.decision.connection, true, t0 + 1s);
    EXPECT_FALSE(r.granted);
    EXPECT_TRUE(r.to_close.empty());
    EXPECT_EQ(p.idle_connections(), 1u);
    auto b = p.acquire("h:80", t0 + 2s);
    EXPECT_EQ(b.decision.what, action::reuse);
    EXPECT_EQ(b.decision.connection, a.decision.connection);
}

TEST(PoolState, WaitersAreServedInArrivalOrder) {
    auto p = make(1);
    auto a = p.acquire("h:80", t0);
    auto w1 = p.acquire("h:80", t0);
    auto w2 = p.acquire("h:80", t0);
    auto w3 = p.acquire("h:80", t0);
    ASSERT_EQ(w1.decision.what, action::wait);
    auto r1 = p.release(a.decision.connection, true, t0);
    ASSERT_TRUE(r1.granted);
    EXPECT_EQ(r1.granted->waiter, w1.decision.waiter);
    EXPECT_EQ(r1.granted->what, action::reuse);
    EXPECT_EQ(r1.granted->connection, a.decision.connection);
    // A newcomer does not overtake the queue even when a connection is released meanwhile.
    auto late = p.acquire("h:80", t0);
    EXPECT_EQ(late.decision.what, action::wait);
    auto r2 = p.release(r1.granted->connection, true, t0);
    ASSERT_TRUE(r2.granted);
    EXPECT_EQ(r2.granted->waiter, w2.decision.waiter);
    auto r3 = p.release(r2.granted->connection, true, t0);
    EXPECT_EQ(r3.granted->waiter, w3.decision.waiter);
    auto r4 = p.release(r3.granted->connection, true, t0);
    EXPECT_EQ(r4.granted->waiter, late.decision.waiter);
}

TEST(PoolState, FailedConnectionFreesItsSlotForTheNextWaiter) {
    auto p = make(1);
    auto a = p.acquire("h:80", t0);
    auto w = p.acquire("h:80", t0);
    auto r = p.release(a.decision.connection, false, t0);
    EXPECT_EQ(r.to_close, std::vector<pool_state::connection_id>{a.decision.connection});
    ASSERT_TRUE(r.granted);
    EXPECT_EQ(r.granted->waiter, w.decision.waiter);
    EXPECT_EQ(r.granted->what, action::open);
    EXPECT_NE(r.granted->connection, a.decision.connection);
    EXPECT_EQ(p.open_connections(), 1u);
}

TEST(PoolState, WaiterForAnotherEndpointGetsTheSlotNotTheConnection) {
    auto p = make(1);
    auto a = p.acquire("a:80", t0);
    auto w = p.acquire("b:80", t0);
    auto r = p.release(a.decision.connection, true, t0);
    EXPECT_EQ(r.to_close, std::vector<pool_state::connection_id>{a.decision.connection});
    ASSERT_TRUE(r.granted);
    EXPECT_EQ(r.granted->what, action::open);
    EXPECT_EQ(r.granted->waiter, w.decision.waiter);
}

TEST(PoolState, IdleConnectionOfAnotherEndpointIsEvictedWhenFull) {
    auto p = make(1);
    auto a = p.acquire("a:80", t0);
    p.release(a.decision.connection, true, t0);
    auto b = p.acquire("b:80", t0);
    EXPECT_EQ(b.decision.what, action::open);
    EXPECT_EQ(b.to_close, std::vector<pool_state::connection_id>{a.decision.connection});
    EXPECT_EQ(p.open_connections(), 1u);
}

TEST(PoolState, IdleConnectionsExpire) {
    auto p = make(4, 5s);
    auto a = p.acquire("h:80", t0);
    auto b = p.acquire("h:80", t0);
    p.release(a.decision.connection, true, t0);
    p.release(b.decision.connection, true, t0 + 3s);
    EXPECT_EQ(p.next_expiry(), t0 + 5s);
    auto e = p.expire(t0 + 6s);
    EXPECT_EQ(e.to_close, std::vector<pool_state::connection_id>{a.decision.connection});
    EXPECT_EQ(p.open_connections(), 1u);
    // An acquisition past the expiry of the last one opens anew and closes the stale one.
    auto c = p.acquire("h:80", t0 + 9s);
    EXPECT_EQ(c.decision.what, action::open);
    EXPECT_EQ(c.to_close, std::vector<pool_state::connection_id>{b.decision.connection});
}

TEST(PoolState, MostRecentlyUsedIdleConnectionIsReusedFirst) {
    auto p = make(4);
    auto a = p.acquire("h:80", t0);
    auto b = p.acquire("h:80", t0);
    p.release(a.decision.connection, true, t0);
    p.release(b.decision.connection, true, t0 + 1s);
    EXPECT_EQ(p.acquire("h:80", t0 + 2s).decision.connection, b.decision.connection);
}

TEST(PoolState, FreshAcquisitionNeverReusesAnIdleConnection) {
    auto p = make(1);
    auto a = p.acquire("h:80", t0);
    p.release(a.decision.connection, true, t0);
    auto f = p.acquire("h:80", t0, /*fresh=*/true);
    EXPECT_EQ(f.decision.what, action::open);
    EXPECT_EQ(f.to_close, std::vector<pool_state::connection_id>{a.decision.connection});
}

TEST(PoolState, CancelledWaiterIsSkipped) {
    auto p = make(1);
    auto a = p.acquire("h:80", t0);
    auto w1 = p.acquire("h:80", t0);
    auto w2 = p.acquire("h:80", t0);
    EXPECT_TRUE(p.cancel_wait(w1.decision.waiter));
    EXPECT_FALSE(p.cancel_wait(w1.decision.waiter));
    auto r = p.release(a.decision.connection, true, t0);
    ASSERT_TRUE(r.granted);
    EXPECT_EQ(r.granted->waiter, w2.decision.waiter);
}

TEST(PoolState, DoubleReleaseIsIgnored) {
    auto p = make(2);
    auto a = p.acquire("h:80", t0);
    p.release(a.decision.connection, true, t0);
    auto r = p.release(a.decision.connection, true, t0);
    EXPECT_FALSE(r.granted);
    EXPECT_EQ(p.open_connections(), 1u);
}
