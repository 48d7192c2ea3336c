#include "blob_serializer.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "functionfuse/error.hpp"
#include "functionfuse/s3_protocol.hpp"
#include "storage/async_util.hpp"

namespace ff = functionfuse;
namespace fs = std::filesystem;

namespace ff_test {

namespace {

/// The S3 protocol if the storage lends one (S3 kinds), else nullptr.
ff::s3_protocol* s3_proto(const ff::protocols& protos) {
    auto it = protos.find(ff::S3_PROTOCOL);
    return it == protos.end() ? nullptr : dynamic_cast<ff::s3_protocol*>(it->second.get());
}

const ff::file_protocol& file_proto(const ff::protocols& protos) {
    auto it = protos.find(ff::FILE_PROTOCOL);
    if (it == protos.end())
        throw ff::error("blob_serializer: no FILE_PROTOCOL lent");
    auto* p = dynamic_cast<const ff::file_protocol*>(it->second.get());
    if (!p)
        throw ff::error("blob_serializer: FILE_PROTOCOL is not a file_protocol");
    return *p;
}

std::string filename_of(const ff::value& payload) {
    const auto& t = payload.get<ff::tuple>();
    if (t.size() != 2 || t[0] != ff::value(blob_serializer::version))
        throw ff::invalid_pickle("blob_serializer: bad payload " + payload.repr());
    return t[1].get<std::string>();
}

}  // namespace

ff::value make_blob(std::string data) {
    return ff::value(ff::extension::make(blob{std::move(data)}));
}

boost::asio::awaitable<ff::value> blob_serializer::pickle(const ff::protocols& protos,
                                                          std::string workflow, ff::extension obj) {
    ++pickles;
    thread_local std::mt19937_64 rng{std::random_device{}()};
    const std::string filename = fmt::format("{:016x}{:016x}", rng(), rng());
    if (auto* s3 = s3_proto(protos)) {
        note_thread();
        std::string key = s3->bigdata_prefix(workflow) + "/" + filename;
        auto body = std::make_shared<const std::string>(obj.get_if<blob>()->data);
        co_await s3->put(std::move(key), std::move(body));
        co_return ff::value(ff::tuple{ff::value(version), ff::value(filename)});
    }
    const auto& p = file_proto(protos);
    const fs::path dir = p.bigdata_dir(workflow);
    co_await ff::detail::run_blocking(p.blocking(), [&] {
        note_thread();
        fs::create_directories(dir);
        std::ofstream out(dir / filename, std::ios::binary);
        const auto& data = obj.get_if<blob>()->data;
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        if (!out.flush())
            throw ff::io_error("blob_serializer: cannot write " + filename);
    });
    co_return ff::value(ff::tuple{ff::value(version), ff::value(filename)});
}

boost::asio::awaitable<ff::value> blob_serializer::unpickle(const ff::protocols& protos,
                                                            std::string workflow,
                                                            ff::value payload) {
    ++unpickles;
    if (auto* s3 = s3_proto(protos)) {
        const std::string key = s3->bigdata_prefix(workflow) + "/" + filename_of(payload);
        std::string arg = key;
        auto data = co_await s3->get(std::move(arg));
        if (!data)
            throw ff::not_found("blob_serializer: missing " + key);
        co_return make_blob(std::move(*data));
    }
    const auto& p = file_proto(protos);
    const fs::path path = p.bigdata_dir(workflow) / filename_of(payload);
    std::string data = co_await ff::detail::run_blocking(p.blocking(), [&] {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw ff::not_found("blob_serializer: missing " + path.string());
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    });
    co_return make_blob(std::move(data));
}

boost::asio::awaitable<void> blob_serializer::remove(const ff::protocols& protos,
                                                     std::string workflow, ff::value payload) {
    ++removes;
    if (auto* s3 = s3_proto(protos)) {
        std::vector<std::string> keys{s3->bigdata_prefix(workflow) + "/" + filename_of(payload)};
        co_await s3->remove(std::move(keys));
        co_return;
    }
    const auto& p = file_proto(protos);
    const fs::path path = p.bigdata_dir(workflow) / filename_of(payload);
    co_await ff::detail::run_blocking(p.blocking(), [&] { fs::remove(path); });
}

}  // namespace ff_test
