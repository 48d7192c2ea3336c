#pragma once
// A progress display for the examples: polls a functionfuse::progress every 100 ms from a
// coroutine of the program's own io_context (no locks, no callbacks on library threads) and
// draws a bar on a terminal, or prints a plain line per 10 % when the output is a file or
// pipe. It ends, after one last line, when `done` becomes true.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functionfuse/progress.hpp>

namespace example {

/// What the bar counts: batch items, or array bytes.
enum class progress_unit { items, bytes };

inline void draw(const functionfuse::progress_snapshot& s, progress_unit unit, bool tty,
                 int& last_decile, bool final) {
    const std::uint64_t done = unit == progress_unit::items ? s.items_done : s.bytes_done;
    const std::uint64_t total = unit == progress_unit::items ? s.items_total : s.bytes_total;
    const double fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 0;
    char counts[96];
    if (unit == progress_unit::items)
        std::snprintf(counts, sizeof counts, "%llu/%llu results",
                      static_cast<unsigned long long>(done),
                      static_cast<unsigned long long>(total));
    else
        std::snprintf(counts, sizeof counts, "%.1f/%.1f MiB, %llu/%llu chunks", done / 1048576.0,
                      total / 1048576.0, static_cast<unsigned long long>(s.chunks_done),
                      static_cast<unsigned long long>(s.chunks_total));
    if (tty) {
        constexpr int width = 40;
        const int filled = static_cast<int>(fraction * width);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(width, '.');
        std::printf("\r[%s] %3.0f%% %s", bar.c_str(), fraction * 100, counts);
        if (final)
            std::printf("\n");
        std::fflush(stdout);
        return;
    }
    const int decile = static_cast<int>(fraction * 10);
    // The last line is printed once, also when the 100 % line was printed already.
    if (decile > last_decile || (final && decile != 10)) {
        last_decile = decile;
        std::printf("progress: %3.0f%% %s\n", fraction * 100, counts);
        std::fflush(stdout);
    }
}

/// Shows `p` until `done` is set (by the coroutine doing the work, on the same io_context).
inline boost::asio::awaitable<void> show_progress(const functionfuse::progress& p, const bool& done,
                                                  progress_unit unit) {
    const bool tty = ::isatty(1) == 1;
    int last_decile = -1;
    boost::asio::steady_timer tick(co_await boost::asio::this_coro::executor);
    while (!done) {
        draw(p.snapshot(), unit, tty, last_decile, false);
        tick.expires_after(std::chrono::milliseconds(100));
        co_await tick.async_wait(boost::asio::use_awaitable);
    }
    draw(p.snapshot(), unit, tty, last_decile, true);
}

}  // namespace example
