#pragma once
// A plain POSIX file descriptor for the raw chunk I/O that bypasses HDF5's lock: positioned,
// thread-safe pread/pwrite (many threads may use one descriptor), fsync, and the directory
// fsync that makes a rename durable. Failures are io_error naming the file.
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace functionfuse::file_detail {

class posix_file {
  public:
    enum class access { read, write };
    posix_file(const std::filesystem::path& path, access a);
    ~posix_file();
    posix_file(const posix_file&) = delete;
    posix_file& operator=(const posix_file&) = delete;

    /// Writes all `n` bytes at `offset`.
    void pwrite_all(const void* p, std::size_t n, std::uint64_t offset);
    /// Reads exactly `n` bytes at `offset`; a short file is an io_error ("truncated").
    void pread_all(void* p, std::size_t n, std::uint64_t offset);
    void fsync();
    /// Closes, reporting errors.
    void close();

  private:
    std::filesystem::path path_;
    int fd_ = -1;
};

/// fsyncs directory `dir` (after a rename into it).
void fsync_directory(const std::filesystem::path& dir);

}  // namespace functionfuse::file_detail
