#pragma once
// The conformance suite's blocking interface over a real storage, written once for every
// kind: `async_kind<Raw>` drives a `functionfuse::storage` (each call run to completion with
// run_awaitable), `sync_kind<Raw>` a `functionfuse::sync::storage`. `Raw` is the kind's raw
// access to its bytes (file_raw_access, s3_raw_access); the concrete kind's constructor sets
// `storage_`.
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"
#include "run_awaitable.hpp"
#include "storage_under_test.hpp"

namespace ff_test {

/// Forwards the suite's calls to a storage `S` (async or sync), and serializer registration.
template <class Raw, class S>
class storage_kind : public Raw {
  public:
    using Raw::Raw;

    void register_serializer(std::shared_ptr<functionfuse::persistent_serializer> s) override {
        storage_->register_persistent_serializers(std::move(s));
    }
    bool always_read() const override { return storage_->always_read(); }
    void set_always_read(bool on) override { storage_->set_always_read(on); }

  protected:
    std::shared_ptr<S> storage_;
};

template <class Raw>
class async_kind : public storage_kind<Raw, functionfuse::storage> {
  public:
    using storage_kind<Raw, functionfuse::storage>::storage_kind;

    void new_workflow(const std::string& wf) override { run_awaitable(s().new_workflow(wf)); }
    void save(const std::string& wf, const std::string& task,
              const functionfuse::value& v) override {
        run_awaitable(s().save(wf, task, v));
    }
    functionfuse::value read_task(const std::string& wf, const std::string& task) override {
        return run_awaitable(s().read_task(wf, task));
    }
    bool file_exists(const std::string& wf, const std::string& task) override {
        return run_awaitable(s().file_exists(wf, task));
    }
    std::vector<std::string> list_tasks(const std::string& wf,
                                        const std::string& pattern) override {
        return run_awaitable(s().list_tasks(wf, pattern));
    }
    void remove_task(const std::string& wf, const std::string& task) override {
        run_awaitable(s().remove_task(wf, task));
    }
    void remove_task(const std::string& wf, const functionfuse::glob& pattern) override {
        run_awaitable(s().remove_task(wf, pattern));
    }
    void remove_workflow(const std::string& wf) override { run_awaitable(s().remove_workflow(wf)); }
    /// Every save co_spawned at once on one io_context.
    void save_all(const std::string& wf,
                  const std::vector<std::pair<std::string, functionfuse::value>>& items) override {
        boost::asio::io_context ctx;
        std::exception_ptr first;
        for (const auto& [task, v] : items)
            boost::asio::co_spawn(ctx, s().save(wf, task, v), [&](std::exception_ptr e) {
                if (e && !first)
                    first = e;
            });
        ctx.run();
        if (first)
            std::rethrow_exception(first);
    }

  private:
    functionfuse::storage& s() { return *this->storage_; }
};

template <class Raw>
class sync_kind : public storage_kind<Raw, functionfuse::sync::storage> {
  public:
    using storage_kind<Raw, functionfuse::sync::storage>::storage_kind;

    void new_workflow(const std::string& wf) override { s().new_workflow(wf); }
    void save(const std::string& wf, const std::string& task,
              const functionfuse::value& v) override {
        s().save(wf, task, v);
    }
    functionfuse::value read_task(const std::string& wf, const std::string& task) override {
        return s().read_task(wf, task);
    }
    bool file_exists(const std::string& wf, const std::string& task) override {
        return s().file_exists(wf, task);
    }
    std::vector<std::string> list_tasks(const std::string& wf,
                                        const std::string& pattern) override {
        return s().list_tasks(wf, pattern);
    }
    void remove_task(const std::string& wf, const std::string& task) override {
        s().remove_task(wf, task);
    }
    void remove_task(const std::string& wf, const functionfuse::glob& pattern) override {
        s().remove_task(wf, pattern);
    }
    void remove_workflow(const std::string& wf) override { s().remove_workflow(wf); }
    /// One save after another.
    void save_all(const std::string& wf,
                  const std::vector<std::pair<std::string, functionfuse::value>>& items) override {
        for (const auto& [task, v] : items)
            s().save(wf, task, v);
    }

  private:
    functionfuse::sync::storage& s() { return *this->storage_; }
};

}  // namespace ff_test
