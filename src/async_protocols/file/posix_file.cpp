#include "async_protocols/file/posix_file.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "functionfuse/error.hpp"
#include "value/error_text.hpp"

namespace functionfuse::file_detail {

namespace {
[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path) {
    int e = errno;
    throw io_error(what + " '" + detail::shown(path.string()) + "': " + std::strerror(e));
}
}  // namespace

posix_file::posix_file(const std::filesystem::path& path, access a) : path_(path) {
    fd_ = ::open(path.c_str(), (a == access::read ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
    if (fd_ < 0)
        throw_errno("cannot open", path_);
}

posix_file::~posix_file() {
    if (fd_ >= 0)
        ::close(fd_);
}

void posix_file::pwrite_all(const void* p, std::size_t n, std::uint64_t offset) {
    auto* c = static_cast<const char*>(p);
    while (n > 0) {
        ssize_t w = ::pwrite(fd_, c, n, static_cast<off_t>(offset));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            throw_errno("cannot write", path_);
        }
        c += w;
        n -= static_cast<std::size_t>(w);
        offset += static_cast<std::uint64_t>(w);
    }
}

void posix_file::pread_all(void* p, std::size_t n, std::uint64_t offset) {
    auto* c = static_cast<char*>(p);
    while (n > 0) {
        ssize_t r = ::pread(fd_, c, n, static_cast<off_t>(offset));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            throw_errno("cannot read", path_);
        }
        if (r == 0)
            throw io_error("cannot read '" + detail::shown(path_.string()) +
                           "': file is truncated (" + std::to_string(n) +
                           " bytes missing at offset " + std::to_string(offset) + ")");
        c += r;
        n -= static_cast<std::size_t>(r);
        offset += static_cast<std::uint64_t>(r);
    }
}

void posix_file::fsync() {
    if (::fsync(fd_) != 0)
        throw_errno("cannot fsync", path_);
}

void posix_file::close() {
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0)
        throw_errno("cannot close", path_);
}

void fsync_directory(const std::filesystem::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throw_errno("cannot open directory", dir);
    int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0)
        throw_errno("cannot fsync directory", dir);
}

}  // namespace functionfuse::file_detail
