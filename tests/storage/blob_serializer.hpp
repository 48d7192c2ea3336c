#pragma once
// A persistent serializer for tests: stores a `blob` out of band as one file in the workflow's
// bigdata directory through FILE_PROTOCOL, and returns the persistent id payload
// ("0.0.0", <filename>) — the shape Python's serializers use. Counts its calls and records
// the threads its blocking work ran on.

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "functionfuse/serializer.hpp"

namespace ff_test {

/// The extension type the blob serializer handles.
struct blob {
    std::string data;
};

class blob_serializer : public functionfuse::persistent_serializer {
  public:
    static constexpr const char* tag = "BlobSerializer";
    static constexpr const char* version = "0.0.0";

    std::string name() const override { return tag; }
    std::type_index serializer_class() const override { return typeid(blob); }
    boost::asio::awaitable<functionfuse::value> pickle(const functionfuse::protocols& protos,
                                                       std::string workflow,
                                                       functionfuse::extension obj) override;
    boost::asio::awaitable<functionfuse::value> unpickle(const functionfuse::protocols& protos,
                                                         std::string workflow,
                                                         functionfuse::value payload) override;
    boost::asio::awaitable<void> remove(const functionfuse::protocols& protos, std::string workflow,
                                        functionfuse::value payload) override;

    std::atomic<int> pickles{0}, unpickles{0}, removes{0};
    /// Threads on which the file work of `pickle` ran.
    std::set<std::thread::id> blocking_threads() const {
        std::lock_guard lock(mutex_);
        return threads_;
    }

  private:
    void note_thread() {
        std::lock_guard lock(mutex_);
        threads_.insert(std::this_thread::get_id());
    }
    mutable std::mutex mutex_;
    std::set<std::thread::id> threads_;
};

/// Wraps `data` as an extension value the blob serializer handles.
functionfuse::value make_blob(std::string data);

}  // namespace ff_test
