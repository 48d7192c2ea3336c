// `dict`: insertion-ordered entries plus an open-addressing index of entry positions.
//
// Entries live in one vector in insertion order (what iteration and pickling see); beside them
// each entry's hash is cached and a power-of-two table of slots (0 = empty, else index + 1)
// maps hashes to entries with linear probing, kept at most half full. Erase is rare for
// results, so it removes the entry and rebuilds the table (O(n)) instead of using tombstones.
// A moved-from or default dict has no impl at all: empty dicts (very common in results) cost
// one null pointer.

#include <cstdint>

#include "functionfuse/value.hpp"

namespace functionfuse {

struct dict::impl {
    std::vector<entry> entries;
    std::vector<std::size_t> hashes;  // hashes[i] is entries[i].first.hash()
    std::vector<std::uint32_t> slots;

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    static std::size_t spread(std::size_t h) noexcept {
        // Fibonacci mixing so that small consecutive integer hashes spread over the table.
        return (h * 0x9E3779B97F4A7C15ull) >> 16 ^ h;
    }

    std::size_t find_index(const value& key, std::size_t h) const {
        if (slots.empty())
            return npos;
        const std::size_t mask = slots.size() - 1;
        for (std::size_t i = spread(h) & mask;; i = (i + 1) & mask) {
            const std::uint32_t s = slots[i];
            if (s == 0)
                return npos;
            const std::size_t idx = s - 1;
            if (hashes[idx] == h && entries[idx].first == key)
                return idx;
        }
    }

    void place(std::size_t idx) noexcept {
        const std::size_t mask = slots.size() - 1;
        std::size_t i = spread(hashes[idx]) & mask;
        while (slots[i] != 0)
            i = (i + 1) & mask;
        slots[i] = static_cast<std::uint32_t>(idx + 1);
    }

    void rebuild(std::size_t capacity_entries) {
        std::size_t n = 8;
        while (n < capacity_entries * 2)
            n *= 2;
        slots.assign(n, 0);
        for (std::size_t i = 0; i < entries.size(); ++i)
            place(i);
    }

    value& append(value key, std::size_t h) {
        if ((entries.size() + 1) * 2 > slots.size())
            rebuild(entries.size() + 1);
        if (entries.size() >= UINT32_MAX - 1)
            throw type_error("dict too large");
        entries.emplace_back(std::move(key), value());
        hashes.push_back(h);
        place(entries.size() - 1);
        return entries.back().second;
    }
};

namespace {
const std::vector<dict::entry>& no_entries() {
    static const std::vector<dict::entry> empty;
    return empty;
}
}  // namespace

dict::dict() = default;

dict::dict(std::initializer_list<entry> entries) {
    reserve(entries.size());
    for (const auto& [k, v] : entries)
        insert_or_assign(k, v);
}

dict::dict(const dict& other)
    : impl_(other.impl_ && !other.impl_->entries.empty() ? std::make_unique<impl>(*other.impl_)
                                                         : nullptr),
      ordered_dict_(other.ordered_dict_) {}

dict::dict(dict&&) noexcept = default;

dict& dict::operator=(const dict& other) {
    if (this != &other) {
        dict copy(other);
        impl_ = std::move(copy.impl_);
        ordered_dict_ = other.ordered_dict_;
    }
    return *this;
}

dict& dict::operator=(dict&&) noexcept = default;
dict::~dict() = default;

std::size_t dict::size() const noexcept {
    return impl_ ? impl_->entries.size() : 0;
}

const std::vector<dict::entry>& dict::items() const noexcept {
    return impl_ ? impl_->entries : no_entries();
}

std::vector<dict::entry>::const_iterator dict::begin() const noexcept {
    return items().begin();
}
std::vector<dict::entry>::const_iterator dict::end() const noexcept {
    return items().end();
}

const value* dict::find(const value& key) const {
    if (!impl_) {
        (void)key.hash();  // an unhashable key is a type_error even on an empty dict
        return nullptr;
    }
    const std::size_t idx = impl_->find_index(key, key.hash());
    return idx == impl::npos ? nullptr : &impl_->entries[idx].second;
}

value* dict::find(const value& key) {
    return const_cast<value*>(static_cast<const dict*>(this)->find(key));
}

const value& dict::at(const value& key) const {
    if (const value* v = find(key))
        return *v;
    throw not_found("key " + key.repr() + " not in dict");
}

value& dict::operator[](const value& key) {
    const std::size_t h = key.hash();
    if (!impl_)
        impl_ = std::make_unique<impl>();
    const std::size_t idx = impl_->find_index(key, h);
    if (idx != impl::npos)
        return impl_->entries[idx].second;
    return impl_->append(key, h);
}

void dict::insert_or_assign(value key, value v) {
    const std::size_t h = key.hash();
    if (!impl_)
        impl_ = std::make_unique<impl>();
    const std::size_t idx = impl_->find_index(key, h);
    if (idx != impl::npos) {
        impl_->entries[idx].second = std::move(v);
    } else {
        impl_->append(std::move(key), h) = std::move(v);
    }
}

bool dict::erase(const value& key) {
    const std::size_t h = key.hash();
    if (!impl_)
        return false;
    const std::size_t idx = impl_->find_index(key, h);
    if (idx == impl::npos)
        return false;
    impl_->entries.erase(impl_->entries.begin() + static_cast<std::ptrdiff_t>(idx));
    impl_->hashes.erase(impl_->hashes.begin() + static_cast<std::ptrdiff_t>(idx));
    impl_->rebuild(impl_->entries.size());
    return true;
}

void dict::reserve(std::size_t n) {
    if (n == 0)
        return;
    if (!impl_)
        impl_ = std::make_unique<impl>();
    impl_->entries.reserve(n);
    impl_->hashes.reserve(n);
    if (n * 2 > impl_->slots.size())
        impl_->rebuild(n);
}

bool operator==(const dict& a, const dict& b) {
    if (a.size() != b.size())
        return false;
    if (a.ordered_dict_ && b.ordered_dict_) {  // OrderedDict == OrderedDict: order matters
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!(a.items()[i].first == b.items()[i].first) ||
                !(a.items()[i].second == b.items()[i].second))
                return false;
        return true;
    }
    // Python compares dicts as mappings: order does not matter.
    for (const auto& [k, v] : a) {
        const value* other = b.find(k);
        if (!other || !(*other == v))
            return false;
    }
    return true;
}

}  // namespace functionfuse
