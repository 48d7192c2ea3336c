// File kind byte store. Saves are atomic and crash-safe: the bytes go to a uniquely named
// temporary file in the task's own directory (same file system, so rename is atomic), which
// is fsynced, renamed over the task, and then the directory is fsynced so the rename itself
// survives a power loss. A killed process leaves at most a stray `.tmp-*` file, which is
// never listed. A create-only save (put_if_absent) renames with RENAME_NOREPLACE instead, so
// the kernel refuses to replace a task that exists. All system calls run on the blocking
// executor.
#include "async_protocols/file/file_byte_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>  // renameat2
#include <cstring>
#include <functional>
#include <random>

#include <fmt/format.h>

#include "async_protocols/file/posix_file.hpp"
#include "functionfuse/error.hpp"
#include "storage/async_util.hpp"
#include "value/error_text.hpp"

namespace functionfuse::detail {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void throw_errno(const char* what, const fs::path& path, int err) {
    throw io_error(fmt::format("{} '{}': {}", what, shown(path.string()), std::strerror(err)));
}

/// Closes a descriptor on every path out of a scope.
class fd_guard {
  public:
    explicit fd_guard(int fd) : fd_(fd) {}
    ~fd_guard() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    int get() const noexcept { return fd_; }
    /// Closes now, reporting the error (close can report a failed delayed write).
    int close() {
        int r = ::close(fd_);
        fd_ = -1;
        return r;
    }

  private:
    int fd_;
};

void write_all(int fd, std::string_view bytes, const fs::path& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), std::min<std::size_t>(bytes.size(), 1 << 30));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw_errno("cannot write", path, errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void make_dirs(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw io_error(
            fmt::format("cannot create directory '{}': {}", shown(dir.string()), ec.message()));
}

}  // namespace

std::string temp_name() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{}{:016x}", temp_prefix, rng());
}

fs::path write_temp_file(const fs::path& dir, std::string_view bytes, bool durable,
                         const std::function<std::string()>& next_name) {
    // Bounded: a clash of two random 64-bit names is all but impossible, so a name that
    // "exists" attempt after attempt means open() is not looking where we think (a path the
    // OS reads differently), and retrying forever would only burn a core.
    for (int attempt = 0; attempt < temp_name_attempts; ++attempt) {
        fs::path temp = dir / next_name();
        fd_guard fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        if (fd.get() < 0) {
            if (errno == EEXIST)
                continue;  // a name clash: draw another
            throw_errno("cannot create", temp, errno);
        }
        try {
            write_all(fd.get(), bytes, temp);
            if (durable && ::fdatasync(fd.get()) != 0)
                throw_errno("cannot fsync", temp, errno);
            if (fd.close() != 0)
                throw_errno("cannot close", temp, errno);
        } catch (...) {
            ::unlink(temp.c_str());
            throw;
        }
        return temp;
    }
    throw io_error(fmt::format(
        "cannot create a temporary file in directory '{}': {} names in a row already existed",
        shown(dir.string()), temp_name_attempts));
}

namespace {

fs::path write_temp(const fs::path& dir, std::string_view bytes, bool durable) {
    static const std::function<std::string()> random_name = &temp_name;
    return write_temp_file(dir, bytes, durable, random_name);
}

/// The temporary file of a save into `dir`, creating the workflow's directory if needed
/// (saving does not require new_workflow first).
fs::path write_task_temp(const fs::path& dir, std::string_view bytes, bool durable) {
    try {
        return write_temp(dir, bytes, durable);
    } catch (const io_error&) {
        std::error_code ec;
        if (fs::is_directory(dir, ec))
            throw;
        make_dirs(dir);
        return write_temp(dir, bytes, durable);
    }
}

}  // namespace

file_byte_store::file_byte_store(fs::path root, boost::asio::any_io_executor blocking, bool fsync)
    : root_(fs::absolute(std::move(root)).lexically_normal()),
      blocking_(std::move(blocking)),
      fsync_(fsync) {
    protocols_.emplace(std::string(FILE_PROTOCOL),
                       std::make_shared<file_protocol>(root_, blocking_, fsync_));
}

void file_byte_store::check_task_name(std::string_view task) const {
    if (task == "bigdata")
        throw invalid_name(
            "invalid task name 'bigdata': reserved for the workflow's out-of-band data");
    if (task.starts_with(temp_prefix))
        throw invalid_name(fmt::format(
            "invalid task name '{}': names starting with '{}' are reserved for temporary files",
            shown(task), temp_prefix));
}

std::string file_byte_store::describe(std::string_view workflow, std::string_view task) const {
    return shown((root_ / std::string(workflow) / std::string(task)).string());
}

awaitable<void> file_byte_store::new_workflow(std::string workflow) {
    co_await run_blocking(blocking_, [&] { make_dirs(root_ / workflow / "bigdata"); });
}

awaitable<void> file_byte_store::put_atomic(std::string workflow, std::string task,
                                            std::string bytes) {
    co_await run_blocking(blocking_, [&] {
        const fs::path dir = root_ / workflow;
        const fs::path target = dir / task;
        const fs::path temp = write_task_temp(dir, bytes, fsync_);
        if (::rename(temp.c_str(), target.c_str()) != 0) {
            const int err = errno;
            ::unlink(temp.c_str());
            throw_errno("cannot publish", target, err);
        }
        if (fsync_)
            file_detail::fsync_directory(dir);
    });
}

awaitable<create_outcome> file_byte_store::put_if_absent(const std::string& workflow,
                                                         const std::string& task,
                                                         const std::string& bytes) {
    if (!no_replace_works_.load(std::memory_order_relaxed))
        co_return create_outcome::unsupported;
    // One blocking step, as put_atomic: a new task's save costs no extra pool hop.
    co_return co_await run_blocking(blocking_, [&] {
        const fs::path dir = root_ / workflow;
        const fs::path target = dir / task;
        // A task that exists needs no temporary file written only to be refused; one that
        // appears after this look is still refused by the rename below.
        struct stat st {};
        if (::lstat(target.c_str(), &st) == 0)
            return create_outcome::exists;
        const fs::path temp = write_task_temp(dir, bytes, fsync_);
        if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
            const int err = errno;
            ::unlink(temp.c_str());
            if (err == EEXIST)
                return create_outcome::exists;
            if (err == EINVAL || err == ENOSYS) {
                // The file system (or kernel) cannot refuse to replace: this store stops trying.
                no_replace_works_.store(false, std::memory_order_relaxed);
                return create_outcome::unsupported;
            }
            throw_errno("cannot publish", target, err);
        }
        if (fsync_)
            file_detail::fsync_directory(dir);
        return create_outcome::published;
    });
}

awaitable<std::optional<std::string>> file_byte_store::get(std::string workflow, std::string task) {
    co_return co_await run_blocking(blocking_, [&]() -> std::optional<std::string> {
        const fs::path path = root_ / workflow / task;
        fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.get() < 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                return std::nullopt;
            throw_errno("cannot open", path, errno);
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0)
            throw_errno("cannot stat", path, errno);
        if (!S_ISREG(st.st_mode))
            return std::nullopt;  // e.g. the bigdata directory
        std::string out;
        out.resize(static_cast<std::size_t>(st.st_size));
        std::size_t have = 0;
        for (;;) {
            if (have == out.size())
                out.resize(out.size() + 65536);  // grew while reading
            const ssize_t n = ::read(fd.get(), out.data() + have, out.size() - have);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw_errno("cannot read", path, errno);
            }
            if (n == 0)
                break;
            have += static_cast<std::size_t>(n);
        }
        out.resize(have);
        return out;
    });
}

awaitable<bool> file_byte_store::exists(std::string workflow, std::string task) {
    co_return co_await run_blocking(blocking_, [&] {
        struct stat st {};
        const fs::path path = root_ / workflow / task;
        return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    });
}

awaitable<std::vector<std::string>> file_byte_store::list(std::string workflow) {
    co_return co_await run_blocking(blocking_, [&] {
        std::vector<std::string> names;
        const fs::path dir = root_ / workflow;
        std::error_code ec;
        fs::directory_iterator it(dir, ec);
        if (ec) {
            if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory)
                return names;
            throw io_error(fmt::format("cannot list '{}': {}", shown(dir.string()), ec.message()));
        }
        for (const auto& e : it) {
            std::string name = e.path().filename().string();
            if (name.starts_with(temp_prefix))
                continue;
            // Regular files only (not following links): never bigdata or other directories.
            if (!e.is_regular_file(ec) || e.is_symlink(ec))
                continue;
            names.push_back(std::move(name));
        }
        return names;
    });
}

awaitable<void> file_byte_store::remove(std::string workflow, std::string task) {
    co_await run_blocking(blocking_, [&] {
        const fs::path path = root_ / workflow / task;
        if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR)
            throw_errno("cannot remove", path, errno);
    });
}

awaitable<void> file_byte_store::remove_workflow(std::string workflow) {
    co_await run_blocking(blocking_, [&] {
        const fs::path dir = root_ / workflow;
        std::error_code ec;
        fs::remove_all(dir, ec);
        if (ec && ec != std::errc::no_such_file_or_directory)
            throw io_error(
                fmt::format("cannot remove '{}': {}", shown(dir.string()), ec.message()));
    });
}

std::vector<directory_entry> list_directory(const fs::path& dir) {
    std::vector<directory_entry> out;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory)
            return out;
        throw io_error(fmt::format("cannot list '{}': {}", shown(dir.string()), ec.message()));
    }
    for (const auto& e : it) {
        struct stat st {};
        if (::lstat(e.path().c_str(), &st) != 0)
            continue;  // removed since it was listed
        directory_entry d;
        d.entry.name = e.path().filename().string();
        d.entry.location = e.path().string();
        d.entry.size = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
        d.entry.modified = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::seconds(st.st_mtim.tv_sec) +
                std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
        d.is_directory = S_ISDIR(st.st_mode);
        out.push_back(std::move(d));
    }
    return out;
}

awaitable<std::vector<std::string>> file_byte_store::list_workflows() {
    auto scan = [&] {
        std::vector<std::string> names;
        for (auto& d : list_directory(root_))
            if (d.is_directory && !d.entry.name.starts_with('.'))
                names.push_back(std::move(d.entry.name));
        return names;
    };
    co_return co_await run_blocking(blocking_, std::move(scan));
}

awaitable<std::vector<stored_entry>> file_byte_store::stat_tasks(std::string workflow) {
    // The same selection as `list`: regular files that are not temporaries.
    auto scan = [&] {
        std::vector<stored_entry> tasks;
        for (auto& d : list_directory(root_ / workflow)) {
            struct stat st {};
            if (d.is_directory || d.entry.name.starts_with(temp_prefix) ||
                ::lstat(d.entry.location.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            tasks.push_back(std::move(d.entry));
        }
        return tasks;
    };
    co_return co_await run_blocking(blocking_, std::move(scan));
}

awaitable<std::vector<leftover>> file_byte_store::list_leftovers() {
    auto scan = [&] {
        std::vector<leftover> found;
        for (auto& wf : list_directory(root_)) {
            if (!wf.is_directory || wf.entry.name.starts_with('.'))
                continue;
            for (const fs::path dir : {root_ / wf.entry.name, root_ / wf.entry.name / "bigdata"})
                for (auto& d : list_directory(dir))
                    if (!d.is_directory && d.entry.name.starts_with(temp_prefix)) {
                        leftover l;
                        l.key = d.entry.location;
                        l.entry = std::move(d.entry);
                        l.workflow = wf.entry.name;
                        found.push_back(std::move(l));
                    }
        }
        return found;
    };
    co_return co_await run_blocking(blocking_, std::move(scan));
}

awaitable<void> file_byte_store::remove_leftover(leftover l) {
    auto unlink = [&] {
        // Only what list_leftovers reports: a temporary file inside this store.
        const fs::path path(l.key);
        if (!path.filename().string().starts_with(temp_prefix) ||
            path.lexically_relative(root_).string().starts_with(".."))
            throw io_error(fmt::format("refusing to remove '{}': not a temporary file of '{}'",
                                       shown(l.key), shown(root_.string())));
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            throw_errno("cannot remove", path, errno);
    };
    co_await run_blocking(blocking_, std::move(unlink));
}

}  // namespace functionfuse::detail
