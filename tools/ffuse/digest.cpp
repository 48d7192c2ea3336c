#include "digest.hpp"

#include <cstring>

#include <openssl/evp.h>

namespace ffuse {

namespace ff = functionfuse;

namespace {

class hasher {
  public:
    hasher() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
    ~hasher() { EVP_MD_CTX_free(ctx_); }
    hasher(const hasher&) = delete;
    hasher& operator=(const hasher&) = delete;
    void add(const void* p, std::size_t n) { EVP_DigestUpdate(ctx_, p, n); }
    void tag(char c) { add(&c, 1); }
    void u64(std::uint64_t x) { add(&x, sizeof x); }
    void text(std::string_view s) {
        u64(s.size());
        add(s.data(), s.size());
    }
    std::string hex() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_, md, &n);
        static const char* d = "0123456789abcdef";
        std::string out;
        for (unsigned i = 0; i < n; ++i)
            out += {d[md[i] >> 4], d[md[i] & 15]};
        return out;
    }

  private:
    EVP_MD_CTX* ctx_;
};

void shape(hasher& h, const ff::chunked_array::shape_type& s) {
    h.u64(s.size());
    for (auto x : s)
        h.u64(x);
}

void feed(hasher& h, const ff::value& v) {
    using k = ff::value::kind_t;
    auto seq = [&](char t, const std::vector<ff::value>& xs) {
        h.tag(t);
        h.u64(xs.size());
        for (const auto& x : xs)
            feed(h, x);
    };
    switch (v.kind()) {
        case k::none:
            h.tag('N');
            return;
        case k::boolean:
            h.tag(v.get<bool>() ? 'T' : 'F');
            return;
        case k::integer:
            h.tag('I');
            h.u64(static_cast<std::uint64_t>(v.get<std::int64_t>()));
            return;
        case k::floating: {
            const double d = v.get<double>();
            std::uint64_t bits;
            std::memcpy(&bits, &d, sizeof bits);
            h.tag('D');
            h.u64(bits);
            return;
        }
        case k::str:
            h.tag('S');
            h.text(v.get<std::string>());
            return;
        case k::bytes:
            h.tag('B');
            h.text(v.get<ff::bytes>().data);
            return;
        case k::list:
            return seq('L', v.get<ff::list>());
        case k::tuple:
            return seq('U', v.get<ff::tuple>());
        case k::set:
            return seq('E', v.get<ff::set>());
        case k::frozenset:
            return seq('Z', v.get<ff::frozenset>());
        case k::dict:
            h.tag('M');
            h.u64(v.get<ff::dict>().size());
            for (const auto& [key, x] : v.get<ff::dict>().items()) {
                feed(h, key);
                feed(h, x);
            }
            return;
        case k::extension: {
            const auto& e = v.get<ff::extension>();
            if (const auto* a = e.get_if<ff::chunked_array>()) {
                h.tag('A');
                h.text(ff::dtype_name(a->type()));
                shape(h, a->shape());
                shape(h, a->chunks());
                h.add(a->data(), a->nbytes());
            } else if (const auto* l = e.get_if<ff::lazy_array>()) {
                h.tag('P');
                h.text(ff::dtype_name(l->type()));
                shape(h, l->shape());
                shape(h, l->chunks());
            } else {
                h.tag('X');
            }
            return;
        }
        case k::big_integer:
            // The decimal text: equal values hash equal whatever their byte width.
            h.tag('G');
            h.text(v.get<ff::big_int>().to_string());
            return;
        case k::ndarray: {
            const auto& a = v.get<ff::ndarray>();
            h.tag(a.is_scalar() ? 'y' : 'Y');
            h.text(a.typestr());
            shape(h, a.shape());
            h.tag(a.memory_order() == ff::ndarray::order::c ? 'C' : 'F');
            h.text(a.data());
            return;
        }
        case k::python_object:
            // Its repr keeps every field exactly (fold aside, which equality ignores too).
            h.tag('O');
            h.text(v.repr());
            return;
    }
}

}  // namespace

std::string digest(const ff::value& v) {
    hasher h;
    feed(h, v);
    return h.hex();
}

}  // namespace ffuse
