// lazy_array: region validation in front of a store's source, and the progress totals of a
// region read (counted here once, so every store reports against the same totals).
#include <string>

#include "functionfuse/array_serializer.hpp"
#include "functionfuse/progress.hpp"

namespace functionfuse {

lazy_array::lazy_array(dtype type, chunked_array::shape_type shape,
                       chunked_array::shape_type chunks, std::shared_ptr<const source> src)
    : type_(type), shape_(std::move(shape)), chunks_(std::move(chunks)), src_(std::move(src)) {}

void lazy_array::check_region(const array_region& r) const {
    if (!src_)
        throw not_found("read from an empty lazy_array");
    if (r.start.size() != shape_.size() || r.count.size() != shape_.size())
        throw config_error("region", "region start " + to_string(r.start) + " / count " +
                                         to_string(r.count) + " does not match the " +
                                         std::to_string(shape_.size()) + "-d array " +
                                         to_string(shape_) + " in " + describe());
    for (std::size_t i = 0; i < shape_.size(); ++i) {
        if (r.start[i] > shape_[i] || r.count[i] > shape_[i] - r.start[i])
            throw config_error("region", "region start " + to_string(r.start) + " count " +
                                             to_string(r.count) + " exceeds shape " +
                                             to_string(shape_) + " of " + describe());
    }
}

boost::asio::awaitable<chunked_array> lazy_array::read(array_region r) const {
    check_region(r);
    chunked_array out = co_await src_->read(std::move(r));
    co_return out;
}

boost::asio::awaitable<chunked_array> lazy_array::read(array_region r,
                                                       std::shared_ptr<progress> p) const {
    check_region(r);
    if (!p) {
        chunked_array out = co_await src_->read(std::move(r));
        co_return out;
    }
    // The chunks the region touches, and its own bytes (not the whole chunks').
    std::uint64_t chunks = 1;
    std::uint64_t bytes = itemsize(type_);
    for (std::size_t d = 0; d < shape_.size(); ++d) {
        bytes *= r.count[d];
        chunks *= r.count[d] == 0
                      ? 0
                      : (r.start[d] + r.count[d] - 1) / chunks_[d] - r.start[d] / chunks_[d] + 1;
    }
    p->add_array_total(chunks, bytes);
    chunked_array out = co_await src_->read(std::move(r), p.get(), chunks);
    co_return out;
}

boost::asio::awaitable<chunked_array> lazy_array::read(std::shared_ptr<progress> p) const {
    array_region all{chunked_array::shape_type(shape_.size(), 0), shape_};
    chunked_array out = co_await read(std::move(all), std::move(p));
    co_return out;
}

boost::asio::awaitable<chunked_array> lazy_array::source::read(array_region r, progress* p,
                                                               std::uint64_t chunks) const {
    std::uint64_t bytes = 1;
    for (auto c : r.count)
        bytes *= c;
    chunked_array out = co_await read(std::move(r));
    p->add_chunks_done(chunks, bytes * out.itemsize());
    co_return out;
}

boost::asio::awaitable<chunked_array> lazy_array::read() const {
    array_region all{chunked_array::shape_type(shape_.size(), 0), shape_};
    chunked_array out = co_await read(std::move(all));
    co_return out;
}

}  // namespace functionfuse
