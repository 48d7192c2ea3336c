// The members of `byte_store` that a kind may leave out: create-only publishing (a store
// without it keeps the read-before-replace save) and maintenance (the sync stores do).
#include "storage/byte_store.hpp"

#include "functionfuse/error.hpp"

namespace functionfuse::detail {

namespace {
[[noreturn]] void unsupported(const char* what) {
    throw error(std::string("this storage cannot ") + what +
                " (maintenance needs the async storage from storage_factory)");
}
}  // namespace

boost::asio::awaitable<create_outcome> byte_store::put_if_absent(const std::string&,
                                                                 const std::string&,
                                                                 const std::string&) {
    co_return create_outcome::unsupported;
}

boost::asio::awaitable<std::vector<std::string>> byte_store::list_workflows() {
    unsupported("list workflows");
    co_return std::vector<std::string>{};
}

boost::asio::awaitable<std::vector<stored_entry>> byte_store::stat_tasks(std::string) {
    unsupported("report task sizes");
    co_return std::vector<stored_entry>{};
}

boost::asio::awaitable<std::vector<leftover>> byte_store::list_leftovers() {
    unsupported("list leftovers");
    co_return std::vector<leftover>{};
}

boost::asio::awaitable<void> byte_store::remove_leftover(leftover) {
    unsupported("remove leftovers");
    co_return;
}

}  // namespace functionfuse::detail
