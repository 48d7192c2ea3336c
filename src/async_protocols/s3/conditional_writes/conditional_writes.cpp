#include "async_protocols/s3/conditional_writes/conditional_writes.hpp"

#include <random>

#include <fmt/format.h>

#include "functionfuse/error.hpp"
#include "log/log.hpp"

namespace functionfuse::detail {

conditional_writes_mode parse_conditional_writes(const boost::json::value& v,
                                                 const std::string& field) {
    if (v.is_bool())
        return v.get_bool() ? conditional_writes_mode::on : conditional_writes_mode::off;
    if (v.is_string() && v.get_string() == "auto")
        return conditional_writes_mode::automatic;
    throw config_error(field, "must be \"auto\", true or false");
}

bool refused_as_existing(int http_status, std::string_view s3_code) {
    return http_status == 412 || (http_status == 409 && s3_code == "ConditionalRequestConflict");
}

std::string probe_key(const s3_location& location) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    const std::string name = fmt::format(".tmp-probe-{:016x}", rng());
    return location.prefix.empty() ? name : location.prefix + "/" + name;
}

conditional_support::conditional_support(conditional_writes_mode mode)
    : state_(mode == conditional_writes_mode::on    ? supported
             : mode == conditional_writes_mode::off ? unsupported
                                                    : unknown) {}

conditional_support::step conditional_support::next() noexcept {
    int s = state_.load(std::memory_order_acquire);
    if (s == supported)
        return step::use;
    if (s == unknown && state_.compare_exchange_strong(s, probing, std::memory_order_acq_rel))
        return step::probe;
    return step::skip;
}

void conditional_support::probed(bool ok) noexcept {
    state_.store(ok ? supported : unsupported, std::memory_order_release);
}

void conditional_support::probe_failed() noexcept {
    // A failure that will not go away (no permission to write or delete at the storage's root)
    // must not cost every save a probe: after a few, the read-first path for good.
    const bool give_up = failures_.fetch_add(1, std::memory_order_relaxed) + 1 >= max_failed_probes;
    if (give_up)
        log(log_level::warn, "s3.conditional_writes",
            "{} probes failed; saves read before they replace from now on (set "
            "\"conditional_writes\" to true or false to skip the probe)",
            max_failed_probes);
    state_.store(give_up ? unsupported : unknown, std::memory_order_release);
}

bool conditional_support::record_probe(std::optional<bool> verdict) noexcept {
    if (!verdict) {
        probe_failed();  // undecided: a later save probes again (a few times)
        return false;
    }
    probed(*verdict);
    return *verdict;
}

void conditional_support::probe_cancelled() noexcept {
    state_.store(unknown, std::memory_order_release);
}

}  // namespace functionfuse::detail
