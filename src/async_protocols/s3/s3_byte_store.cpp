// S3 kind byte store. Saves need no temporary object: an S3 PUT replaces an object
// atomically, so readers see the old bytes or the new ones. Listing asks the server for one
// "directory" level (delimiter '/'), so bigdata and anything nested never come back as tasks.
#include "async_protocols/s3/s3_byte_store.hpp"

#include <fmt/format.h>
#include <boost/asio/error.hpp>

#include "async_protocols/s3/s3_client_protocol.hpp"
#include "functionfuse/error.hpp"
#include "log/log.hpp"

namespace functionfuse::detail {

namespace asio = boost::asio;

void check_s3_task_name(std::string_view task) {
    if (task == "bigdata")
        throw invalid_name(
            "invalid task name 'bigdata': reserved for the workflow's out-of-band data");
}

s3_byte_store::s3_byte_store(std::shared_ptr<s3::client> client, s3_location location,
                             std::shared_ptr<conditional_support> conditional,
                             asio::any_io_executor io, asio::any_io_executor blocking,
                             std::shared_ptr<const void> keepalive)
    : keepalive_(std::move(keepalive)),
      client_(std::move(client)),
      location_(std::move(location)),
      conditional_(std::move(conditional)) {
    if (client_)
        protocols_.emplace(std::string(S3_PROTOCOL),
                           std::make_shared<s3_client_protocol>(client_, location_, std::move(io),
                                                                std::move(blocking)));
}

s3_byte_store::~s3_byte_store() {
    // The protocol holds the client too; drop both before the io context may go.
    protocols_.clear();
    client_.reset();
}

asio::awaitable<void> s3_byte_store::new_workflow(std::string) {
    co_return;
}

asio::awaitable<void> s3_byte_store::put_atomic(std::string workflow, std::string task,
                                                std::string bytes) {
    const std::string key = location_.task_key(workflow, task);
    try {
        co_await client_->put_object(location_.bucket, key, std::string_view(bytes));
    } catch (...) {
        rethrow_naming_bucket(location_.bucket);
    }
}

asio::awaitable<std::optional<bool>> s3_byte_store::probe_conditional_writes() {
    const std::string key = probe_key(location_);
    const std::string body = "probe";
    bool verdict = false;
    std::string failure;
    try {
        const bool first = co_await client_->put_object_if_absent(location_.bucket, key, body);
        const bool second = co_await client_->put_object_if_absent(location_.bucket, key, body);
        verdict = probe_verdict(first, second);
        co_await client_->delete_object(location_.bucket, key);
    } catch (const boost::system::system_error& e) {
        if (e.code() == asio::error::operation_aborted)
            throw;  // the caller's cancellation is not a verdict
        failure = e.what();
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!failure.empty()) {
        log(log_level::warn, "s3.conditional_writes",
            "probing whether {} refuses create-only PUTs failed ({}); saves read before they "
            "replace until a later probe succeeds",
            location_.url(key), failure);
        co_return std::nullopt;
    }
    log(log_level::info, "s3.conditional_writes", "bucket '{}' {}: saves of new tasks {}",
        location_.bucket,
        verdict ? "refuses create-only PUTs over existing keys" : "ignores If-None-Match on PUT",
        verdict ? "take one request" : "read before they replace");
    co_return verdict;
}

asio::awaitable<create_outcome> s3_byte_store::put_if_absent(const std::string& workflow,
                                                             const std::string& task,
                                                             const std::string& bytes) {
    // A multipart upload has no create-only form here: large results keep the read.
    if (bytes.size() > client_->params().multipart.threshold)
        co_return create_outcome::unsupported;
    switch (conditional_->next()) {
        case conditional_support::step::skip:
            co_return create_outcome::unsupported;
        case conditional_support::step::use:
            break;
        case conditional_support::step::probe: {
            std::optional<bool> verdict;
            try {
                verdict = co_await probe_conditional_writes();
            } catch (...) {  // cancelled
                conditional_->probe_cancelled();
                throw;
            }
            if (!conditional_->record_probe(verdict))
                co_return create_outcome::unsupported;
            break;
        }
    }
    const std::string key = location_.task_key(workflow, task);
    bool stored = false;
    try {
        stored = co_await client_->put_object_if_absent(location_.bucket, key, bytes);
    } catch (...) {
        rethrow_naming_bucket(location_.bucket);
    }
    co_return stored ? create_outcome::published : create_outcome::exists;
}

asio::awaitable<std::optional<std::string>> s3_byte_store::get(std::string workflow,
                                                               std::string task) {
    const std::string key = location_.task_key(workflow, task);
    co_return co_await s3_get_or_null(*client_, location_.bucket, key);
}

asio::awaitable<bool> s3_byte_store::exists(std::string workflow, std::string task) {
    const std::string key = location_.task_key(workflow, task);
    try {
        co_return (co_await client_->head_object(location_.bucket, key)).has_value();
    } catch (...) {
        rethrow_naming_bucket(location_.bucket);
    }
}

asio::awaitable<std::vector<std::string>> s3_byte_store::list(std::string workflow) {
    const std::string prefix = location_.workflow_prefix(workflow);
    std::vector<std::string> names;
    try {
        s3::list_result r = co_await client_->list_objects_v2(location_.bucket, prefix, "/");
        for (auto& o : r.objects) {
            // A "directory marker" object named exactly like the prefix is no task.
            if (o.key.size() > prefix.size() && o.key.starts_with(prefix))
                names.push_back(o.key.substr(prefix.size()));
        }
    } catch (...) {
        rethrow_naming_bucket(location_.bucket);
    }
    co_return names;
}

asio::awaitable<void> s3_byte_store::remove(std::string workflow, std::string task) {
    const std::string key = location_.task_key(workflow, task);
    try {
        co_await client_->delete_object(location_.bucket, key);
    } catch (...) {
        rethrow_naming_bucket(location_.bucket);
    }
}

asio::awaitable<void> s3_byte_store::remove_workflow(std::string workflow) {
    const std::string prefix = location_.workflow_prefix(workflow);
    std::vector<std::string> keys;
    try {
        s3::list_result r =
            co_await client_->list_objects_v2(location_.bucket, prefix, std::string_view());
        keys.reserve(r.objects.size());
        for (auto& o : r.objects)
            keys.push_back(std::move(o.key));
    } catch (...) {
        rethrow_naming_bucket(location_.bucket);
    }
    if (!keys.empty())
        co_await s3_delete_keys(*client_, location_.bucket, keys);
}

asio::awaitable<std::vector<std::string>> s3_byte_store::list_workflows() {
    const std::string root = location_.prefix.empty() ? std::string() : location_.prefix + "/";
    std::vector<std::string> names;
    try {
        s3::list_result r = co_await client_->list_objects_v2(location_.bucket, root, "/");
        for (auto& p : r.common_prefixes)
            if (p.size() > root.size() + 1 && p.starts_with(root) && p.back() == '/')
                names.push_back(p.substr(root.size(), p.size() - root.size() - 1));
    } catch (...) {
        rethrow_naming_bucket(location_.bucket);
    }
    co_return names;
}

asio::awaitable<std::vector<stored_entry>> s3_byte_store::stat_tasks(std::string workflow) {
    const std::string prefix = location_.workflow_prefix(workflow);
    std::vector<stored_entry> tasks;
    try {
        s3::list_result r = co_await client_->list_objects_v2(location_.bucket, prefix, "/");
        for (auto& o : r.objects) {
            if (o.key.size() <= prefix.size() || !o.key.starts_with(prefix))
                continue;  // a "directory marker", as in `list`
            stored_entry e;
            e.name = o.key.substr(prefix.size());
            e.location = location_.url(o.key);
            e.size = o.size;
            e.modified = s3_time(o.last_modified);
            tasks.push_back(std::move(e));
        }
    } catch (...) {
        rethrow_naming_bucket(location_.bucket);
    }
    co_return tasks;
}

asio::awaitable<std::vector<leftover>> s3_byte_store::list_leftovers() {
    const std::string root = location_.prefix.empty() ? std::string() : location_.prefix + "/";
    std::vector<leftover> found;
    try {
        auto uploads = co_await client_->list_multipart_uploads(location_.bucket, root);
        for (auto& u : uploads) {
            leftover l;
            l.entry.name = u.key;
            l.entry.location = location_.url(u.key) + " (upload " + u.upload_id + ")";
            l.entry.modified = s3_time(u.initiated);
            const std::string rest = u.key.substr(std::min(root.size(), u.key.size()));
            l.workflow = rest.find('/') == std::string::npos ? "" : rest.substr(0, rest.find('/'));
            l.key = std::move(u.key);
            l.upload_id = std::move(u.upload_id);
            found.push_back(std::move(l));
        }
    } catch (...) {
        rethrow_naming_bucket(location_.bucket);
    }
    co_return found;
}

asio::awaitable<void> s3_byte_store::remove_leftover(leftover l) {
    try {
        co_await client_->abort_multipart_upload(location_.bucket, l.key, l.upload_id);
    } catch (...) {
        rethrow_naming_bucket(location_.bucket);
    }
}

}  // namespace functionfuse::detail
