// Pickle codec benchmark: one workload and one direction per process, so that the peak RSS
// reported (getrusage) belongs to that workload alone. scripts/bench_pickle.sh runs it next to
// CPython's C pickle on the same data and prints the comparison.
//
//   pickle_bench <bytes|ints> <encode|decode> <repetitions>
//
// Workloads: `bytes` is one 100 MiB bytes value; `ints` is list(range(1_000_000)).
// Prints one line: impl=cpp workload=... op=... payload_bytes=... pickle_bytes=...
// base_rss_kb=... peak_rss_kb=... ms=<each repetition's wall time, comma-separated>
// cpu_ms=<each repetition's process CPU time> (robust when the machine is shared).

#include <sys/resource.h>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pickle/pickle.hpp"

namespace ff = functionfuse;

namespace {

long peak_rss_kb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

double cpu_now_ms() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

long current_rss_kb() {
    long pages_total = 0, pages_resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2)
            pages_resident = 0;
        std::fclose(f);
    }
    return pages_resident * 4;
}

ff::value make_workload(std::string_view name, std::size_t& payload_bytes) {
    if (name == "bytes") {
        payload_bytes = std::size_t{100} << 20;
        return ff::bytes(std::string(payload_bytes, 'x'));
    }
    ff::list xs;
    xs.reserve(1000000);
    for (int i = 0; i < 1000000; ++i)
        xs.emplace_back(i);
    payload_bytes = 0;  // reported as the pickle size
    return xs;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s <bytes|ints> <encode|decode> <repetitions>\n", argv[0]);
        return 2;
    }
    const std::string_view workload = argv[1], op = argv[2];
    const int reps = std::atoi(argv[3]);
    using clock = std::chrono::steady_clock;
    std::vector<double> ms, cpu_ms;
    std::size_t payload = 0, pickle_size = 0;
    long base_rss = 0;
    // Times one call of `f` (wall and process CPU); repetition 0 is a warm-up.
    auto timed = [&](int repetition, auto&& f) {
        const double c0 = cpu_now_ms();
        const auto t0 = clock::now();
        f();
        const auto t1 = clock::now();
        const double c1 = cpu_now_ms();
        if (repetition > 0) {
            ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            cpu_ms.push_back(c1 - c0);
        }
    };

    if (op == "encode") {
        const ff::value v = make_workload(workload, payload);
        base_rss = current_rss_kb();
        for (int r = 0; r <= reps; ++r) {
            std::string out;
            timed(r, [&] { out = ff::pickle::dumps(v); });
            pickle_size = out.size();
        }
    } else if (op == "decode") {
        std::string data;
        {
            const ff::value v = make_workload(workload, payload);
            data = ff::pickle::dumps(v);
        }
        pickle_size = data.size();
        base_rss = current_rss_kb();
        for (int r = 0; r <= reps; ++r) {
            ff::value back;
            timed(r, [&] { back = ff::pickle::loads(data); });
        }
    } else {
        std::fprintf(stderr, "unknown op %s\n", argv[2]);
        return 2;
    }
    if (payload == 0)
        payload = pickle_size;
    auto join = [](const std::vector<double>& xs) {
        std::string out;
        for (double t : xs)
            out += (out.empty() ? "" : ",") + std::to_string(t);
        return out;
    };
    std::printf(
        "impl=cpp workload=%s op=%s payload_bytes=%zu pickle_bytes=%zu base_rss_kb=%ld "
        "peak_rss_kb=%ld ms=%s cpu_ms=%s\n",
        argv[1], argv[2], payload, pickle_size, base_rss, peak_rss_kb(), join(ms).c_str(),
        join(cpu_ms).c_str());
}
