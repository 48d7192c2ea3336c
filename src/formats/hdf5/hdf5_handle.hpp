#pragma once
// A move-only owner of one HDF5 identifier (file, dataset, dataspace, datatype, property
// list), closed with the matching H5?close when it goes out of scope.
#include <utility>

#include <hdf5.h>

namespace functionfuse::hdf5 {

class handle {
  public:
    using closer = herr_t (*)(hid_t);
    handle() = default;
    handle(hid_t id, closer close) noexcept : id_(id), close_(close) {}
    handle(handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
    handle& operator=(handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
            close_ = o.close_;
        }
        return *this;
    }
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    ~handle() { reset(); }

    hid_t get() const noexcept { return id_; }
    operator hid_t() const noexcept { return id_; }
    explicit operator bool() const noexcept { return id_ >= 0; }
    /// Closes now; returns the close call's result (negative on failure, e.g. a failed flush).
    herr_t reset() noexcept {
        herr_t r = 0;
        if (id_ >= 0 && close_)
            r = close_(id_);
        id_ = H5I_INVALID_HID;
        return r;
    }

  private:
    hid_t id_ = H5I_INVALID_HID;
    closer close_ = nullptr;
};

inline handle file_handle(hid_t id) {
    return {id, H5Fclose};
}
inline handle dataset_handle(hid_t id) {
    return {id, H5Dclose};
}
inline handle dataspace_handle(hid_t id) {
    return {id, H5Sclose};
}
inline handle datatype_handle(hid_t id) {
    return {id, H5Tclose};
}
inline handle plist_handle(hid_t id) {
    return {id, H5Pclose};
}

}  // namespace functionfuse::hdf5
