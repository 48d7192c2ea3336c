// lazy_array: region validation in front of a store's source.
#include <string>

#include "functionfuse/array_serializer.hpp"

namespace functionfuse {

lazy_array::lazy_array(dtype type, chunked_array::shape_type shape,
                       chunked_array::shape_type chunks, std::shared_ptr<const source> src)
    : type_(type), shape_(std::move(shape)), chunks_(std::move(chunks)), src_(std::move(src)) {}

boost::asio::awaitable<chunked_array> lazy_array::read(array_region r) const {
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
    chunked_array out = co_await src_->read(std::move(r));
    co_return out;
}

boost::asio::awaitable<chunked_array> lazy_array::read() const {
    array_region all{chunked_array::shape_type(shape_.size(), 0), shape_};
    chunked_array out = co_await read(std::move(all));
    co_return out;
}

}  // namespace functionfuse
