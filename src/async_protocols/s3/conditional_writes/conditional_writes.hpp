#pragma once
// Create-only PUTs (`If-None-Match: *`) for the S3 kind: whether a storage uses them. S3 added
// conditional writes in 2024; servers that predate them (s3rver 4.0.4 among them) ignore the
// header and replace the object — a save that believed it created a task would then leak what
// the replaced result referenced. So support is never assumed: the option
// `"conditional_writes"` says "auto" (the default: probe once), true (the server is known to
// honour it) or false (never send it). The probe PUTs one fresh object twice with the header,
// at the first save that could use it; the server supports conditional writes only if the
// second PUT is refused with 412. Saves that race the probe take the read-before-replace path.

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "async_protocols/s3/s3_location.hpp"

namespace functionfuse::detail {

/// The `"conditional_writes"` option of the S3 kind.
enum class conditional_writes_mode { automatic, on, off };

/// Reads the option's value: "auto", true or false. Anything else is a `config_error` naming
/// `field`.
conditional_writes_mode parse_conditional_writes(const boost::json::value& v,
                                                 const std::string& field);

/// Whether an S3 error answer to a create-only PUT means "the key exists": 412
/// PreconditionFailed, or 409 ConditionalRequestConflict (AWS, when a conditional write races
/// another write of the key).
bool refused_as_existing(int http_status, std::string_view s3_code);

/// The probe's verdict from its two create-only PUTs of one fresh key: supported only if the
/// first stored the object and the second was refused.
inline bool probe_verdict(bool first_stored, bool second_stored) {
    return first_stored && !second_stored;
}

/// A fresh key for a probe object: `<prefix>/.tmp-probe-<16 hex digits>`, directly under the
/// storage's root — in no workflow, so `list_workflows` (folders only), `ls` and `gc` never
/// see it, and named like the file kind's temporary files.
std::string probe_key(const s3_location& location);

/// One storage's decision, shared by its byte stores (the sync path makes one per call).
/// Thread-safety: all members may be called from many threads at once.
class conditional_support {
  public:
    explicit conditional_support(conditional_writes_mode mode);

    enum class step {
        use,    ///< send create-only PUTs
        skip,   ///< don't: off, proven unsupported, or a probe is in flight
        probe,  ///< the caller runs the probe now, then reports with `probed`/`probe_failed`
    };
    /// What a save does now. Exactly one caller gets `probe` while undecided.
    step next() noexcept;
    /// The probe's verdict (see `probe_verdict`); decides for the storage's lifetime.
    void probed(bool supported) noexcept;
    /// The probe could not finish (transport failure, permissions, cancellation): undecided
    /// again, so a later save probes anew — until `max_failed_probes` have failed, after
    /// which the storage stays on the read-first path (and says so, once, at warn).
    void probe_failed() noexcept;

    static constexpr int max_failed_probes = 3;

    /// Records a probe's outcome — a verdict, or none if it failed — and returns whether saves
    /// now use create-only PUTs. The one place both byte stores report to.
    bool record_probe(std::optional<bool> verdict) noexcept;
    /// The caller's cancellation ended the probe: undecided again, and not counted as a
    /// failure (a cancel-heavy workload must not switch conditional writes off).
    void probe_cancelled() noexcept;

  private:
    enum state : int { unknown, probing, supported, unsupported };
    std::atomic<int> state_;
    std::atomic<int> failures_{0};
};

}  // namespace functionfuse::detail
