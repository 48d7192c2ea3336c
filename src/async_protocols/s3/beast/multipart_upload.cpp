// Design: parts are views into the caller's body; a fixed number of worker coroutines take
// the next part number from a shared counter, so at most `max_concurrent_parts` requests are
// in flight for one object while the pool bounds the connections overall. The workers are run
// as a ranged parallel group and all of them are awaited; after the first failure the others
// stop taking parts, the upload is aborted (so the server frees the stored parts) and the
// first failure is rethrown.
#include "async_protocols/s3/beast/multipart_upload.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log/log.hpp"
#include "storage/async_util.hpp"
#include "value/error_text.hpp"

namespace functionfuse::s3 {

namespace asio = boost::asio;

namespace {

struct upload_job {
    client* c;
    std::string bucket, key, upload_id;
    std::string_view body;
    std::uint64_t part_size;
    std::size_t part_count;
    std::atomic<std::size_t> next_part{0};  // workers may run on several threads
    std::atomic<bool> failed{false};
    std::vector<completed_part> parts;
};

asio::awaitable<void> upload_worker(upload_job& job) {
    while (!job.failed) {
        const std::size_t index = job.next_part++;
        if (index >= job.part_count)
            break;
        const std::uint64_t offset = index * job.part_size;
        const std::string_view piece = job.body.substr(
            offset, std::min<std::uint64_t>(job.part_size, job.body.size() - offset));
        try {
            std::string etag = co_await job.c->upload_part(job.bucket, job.key, job.upload_id,
                                                           static_cast<int>(index + 1), piece);
            job.parts[index] = {static_cast<int>(index + 1), std::move(etag)};
        } catch (...) {
            job.failed = true;
            throw;
        }
    }
}

}  // namespace

asio::awaitable<std::string> upload_multipart(client& c, std::string_view bucket,
                                              std::string_view key, std::string_view body,
                                              std::string_view content_type) {
    const auto& mp = c.params().multipart;
    // S3 allows at most 10,000 parts: grow the part size for huge bodies.
    const std::uint64_t part_size =
        std::max<std::uint64_t>({mp.part_size, 5ull << 20, (body.size() + 9999) / 10000});
    upload_job job;
    job.c = &c;
    job.bucket = std::string(bucket);
    job.key = std::string(key);
    job.body = body;
    job.part_size = part_size;
    job.part_count = std::max<std::size_t>(1, (body.size() + part_size - 1) / part_size);
    job.parts.resize(job.part_count);
    const put_options options{std::string(content_type)};  // a named object, not a temporary
    job.upload_id = co_await c.create_multipart_upload(bucket, key, options);
    detail::log(log_level::debug, "s3.multipart",
                "started the multipart upload of {}/{}: {} bytes in {} part(s)",
                detail::shown(job.bucket), detail::shown(job.key), body.size(), job.part_count);

    auto executor = co_await asio::this_coro::executor;
    const std::size_t workers = std::clamp<std::size_t>(mp.max_concurrent_parts, 1, job.part_count);
    std::vector<decltype(asio::co_spawn(executor, upload_worker(job), asio::deferred))> ops;
    for (std::size_t i = 0; i < workers; ++i) {
        ops.push_back(asio::co_spawn(executor, upload_worker(job), asio::deferred));
    }
    auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                               .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    std::exception_ptr failure;
    for (auto& e : errors) {
        if (e && !failure)
            failure = e;
    }
    std::string etag;
    if (!failure) {
        try {
            etag =
                co_await c.complete_multipart_upload(job.bucket, job.key, job.upload_id, job.parts);
        } catch (...) {
            failure = std::current_exception();
        }
    }
    if (failure) {
        detail::log(log_level::info, "s3.multipart",
                    "aborting the multipart upload of {}/{} after a failure",
                    detail::shown(job.bucket), detail::shown(job.key));
        try {
            // Shielded: a cancelled upload must still be aborted, or its parts stay stored.
            auto abort = c.abort_multipart_upload(job.bucket, job.key, job.upload_id);
            FF_AWAIT_SHIELDED(std::move(abort));
        } catch (const std::exception& e) {
            // Best effort: the original failure is what the caller needs to see; gc finds the
            // upload later (it is older than its grace period by then).
            detail::log(log_level::warn, "s3.multipart",
                        "could not abort the multipart upload of {}/{}: {}",
                        detail::shown(job.bucket), detail::shown(job.key), e.what());
        }
        std::rethrow_exception(failure);
    }
    co_return etag;
}

}  // namespace functionfuse::s3
