#pragma once
// The file kind's byte store: task results are files `<root>/<workflow>/<task>`, out-of-band
// data goes to `<root>/<workflow>/bigdata/` (the Python original's layout).

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "functionfuse/stored_entry.hpp"
#include "storage/byte_store.hpp"

namespace functionfuse::detail {

/// Prefix of the temporary files a save writes before renaming them over the task; such
/// names are never listed and refused as task names.
inline constexpr std::string_view temp_prefix = ".tmp-";

/// A fresh temporary name: `temp_prefix` and 16 random hex digits. The one temp-name scheme
/// of the file kind (task files and HDF5 array files alike), so one sweep finds what killed
/// writers left behind.
std::string temp_name();

/// How many temporary names `write_temp_file` tries before giving up.
inline constexpr int temp_name_attempts = 100;

/// Writes `bytes` to a new file `dir / next_name()` (created exclusively; with `durable`,
/// fdatasync'ed) and returns its path. A name that already exists is drawn again, at most
/// `temp_name_attempts` times in all; then `io_error` naming `dir`. Other failures are
/// `io_error` naming the file (which is removed). Blocking; thread-safe if `next_name` is.
std::filesystem::path write_temp_file(const std::filesystem::path& dir, std::string_view bytes,
                                      bool durable, const std::function<std::string()>& next_name);

/// One entry of a directory with its size and modification time (from lstat).
struct directory_entry {
    stored_entry entry;  ///< name, location (the path), size, mtime
    bool is_directory = false;
};

/// The entries of `dir` (not recursive), in no particular order; symbolic links are reported
/// as what they are (never followed). A missing directory has none. Blocking. Throws
/// `io_error` naming `dir` for other failures.
std::vector<directory_entry> list_directory(const std::filesystem::path& dir);

class file_byte_store final : public byte_store {
  public:
    /// `root` is made absolute; every file-system call runs on `blocking`. With `fsync`, a
    /// save fsyncs the file before the rename and the directory after it.
    file_byte_store(std::filesystem::path root, boost::asio::any_io_executor blocking, bool fsync);

    boost::asio::awaitable<void> new_workflow(std::string workflow) override;
    boost::asio::awaitable<void> put_atomic(std::string workflow, std::string task,
                                            std::string bytes) override;
    /// `renameat2(RENAME_NOREPLACE)` of the temporary file, in the same blocking step that
    /// writes it; a task that exists already is refused before anything is written. On a file
    /// system without RENAME_NOREPLACE (EINVAL, ENOSYS) the store answers `unsupported` from
    /// then on.
    boost::asio::awaitable<create_outcome> put_if_absent(const std::string& workflow,
                                                         const std::string& task,
                                                         const std::string& bytes) override;
    boost::asio::awaitable<std::optional<std::string>> get(std::string workflow,
                                                           std::string task) override;
    boost::asio::awaitable<bool> exists(std::string workflow, std::string task) override;
    boost::asio::awaitable<std::vector<std::string>> list(std::string workflow) override;
    boost::asio::awaitable<void> remove(std::string workflow, std::string task) override;
    boost::asio::awaitable<void> remove_workflow(std::string workflow) override;
    /// Directories of the root, except hidden ones (names starting with '.').
    boost::asio::awaitable<std::vector<std::string>> list_workflows() override;
    boost::asio::awaitable<std::vector<stored_entry>> stat_tasks(std::string workflow) override;
    /// `.tmp-*` files in every workflow folder and its `bigdata/`.
    boost::asio::awaitable<std::vector<leftover>> list_leftovers() override;
    boost::asio::awaitable<void> remove_leftover(leftover l) override;
    void check_task_name(std::string_view task) const override;
    std::string describe(std::string_view workflow, std::string_view task) const override;
    const protocols& lent_protocols() const override { return protocols_; }

    const std::filesystem::path& root() const noexcept { return root_; }

  private:
    std::filesystem::path root_;
    boost::asio::any_io_executor blocking_;
    bool fsync_;
    protocols protocols_;
    std::atomic<bool> no_replace_works_{true};
};

}  // namespace functionfuse::detail
