/*
 * pepkit.hpp: a header-only C++17 layer over pepkit.h.
 *
 * It adds ownership and errors, nothing else: every call is the C function of
 * the same name, a failing status becomes a pepkit::error (carrying the status
 * and pepkit_last_error()'s message), and every handle frees what it owns in
 * its destructor.
 *
 *  - pepkit::object: a counted reference (copy = pepkit_incref, destructor =
 *    pepkit_decref), for bytes, bytearray, ndarray, wrap and custom objects.
 *  - pepkit::memoryview: an object that is a memoryview, with its methods.
 *  - pepkit::buffer: one export (pepkit_getbuffer); move-only, the destructor
 *    calls pepkit_releasebuffer.
 *  - pepkit::venv, pepkit::spec, pepkit::finder: move-only owners of the
 *    pepkit_venv / pepkit_spec / pepkit_finder handles.
 *
 * Strings the C API hands out owned (tobytes, hex, tolist, string lists) are
 * copied into std::string / std::vector and freed at once; borrowed strings
 * are copied too, so no C++ value dangles after its handle goes.
 */
#ifndef PEPKIT_HPP
#define PEPKIT_HPP

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pepkit.h"

namespace pepkit {

/** A failed pepkit call: the status it returned and pepkit_last_error(). */
class error : public std::runtime_error {
  public:
    /// Carries `status` and a copy of `message` (pepkit_last_error() at the failure).
    error(pepkit_status status, const char *message)
        : std::runtime_error(message ? message : ""), status_(status) {}
    /** The pepkit_status of the failed call (never PEPKIT_OK). */
    pepkit_status status() const noexcept { return status_; }
    /** The status's name, e.g. "PEPKIT_ERR_VALUE". */
    const char *status_name() const noexcept { return pepkit_status_name(status_); }

  private:
    pepkit_status status_;
};

/** Throws pepkit::error for any status but PEPKIT_OK. */
inline void check(pepkit_status status) {
    if (status != PEPKIT_OK) throw error(status, pepkit_last_error());
}

/** The library's version at run time (compare with PEPKIT_VERSION_STRING). */
inline std::string version() { return pepkit_version(); }

namespace detail {
/* Copies an owned C string or byte block and frees it with pepkit_free. */
inline std::string take_string(char *s, size_t len) {
    std::string out;
    try {
        out.assign(s, len);
    } catch (...) {
        pepkit_free(s);
        throw;
    }
    pepkit_free(s);
    return out;
}
/* Copies an owned pepkit_strings list and frees it. */
inline std::vector<std::string> take_strings(pepkit_strings *list) {
    std::vector<std::string> out;
    try {
        size_t n = pepkit_strings_len(list);
        out.reserve(n);
        for (size_t i = 0; i < n; i++) out.emplace_back(pepkit_strings_get(list, i));
    } catch (...) {
        pepkit_strings_free(list);
        throw;
    }
    pepkit_strings_free(list);
    return out;
}
inline std::vector<const char *> c_strings(const std::vector<std::string> &v) {
    std::vector<const char *> out;
    out.reserve(v.size());
    for (const auto &s : v) out.push_back(s.c_str());
    return out;
}
}  // namespace detail

/** A slice start:stop:step; the defaults are PEPKIT_NONE (Python's None). */
inline pepkit_slice slice(ptrdiff_t start = PEPKIT_NONE, ptrdiff_t stop = PEPKIT_NONE,
                          ptrdiff_t step = PEPKIT_NONE) noexcept {
    return pepkit_slice{start, stop, step};
}

/** A counted reference to a pepkit_object (NULL only after a move). */
class object {
  public:
    /** Takes over a new reference (e.g. from a C call's out-parameter). */
    static object steal(pepkit_object *o) noexcept { return object(o); }
    /** Adds a reference to a borrowed object. */
    static object borrow(pepkit_object *o) noexcept {
        if (o) pepkit_incref(o);
        return object(o);
    }

    /// Another reference to the same object (pepkit_incref).
    object(const object &other) noexcept : obj_(other.obj_) {
        if (obj_) pepkit_incref(obj_);
    }
    /// Takes over `other`'s reference; `other` is left empty.
    object(object &&other) noexcept : obj_(std::exchange(other.obj_, nullptr)) {}
    /// Drops this reference and takes `other`'s (copy-and-swap).
    object &operator=(object other) noexcept {
        std::swap(obj_, other.obj_);
        return *this;
    }
    ~object() {
        if (obj_) pepkit_decref(obj_);
    }

    /** The C handle, borrowed: valid while this object holds it. */
    pepkit_object *get() const noexcept { return obj_; }
    /** Gives up the reference to the caller (who must pepkit_decref it). */
    pepkit_object *release() noexcept { return std::exchange(obj_, nullptr); }
    /// Whether this holds an object (false only after a move or release()).
    explicit operator bool() const noexcept { return obj_ != nullptr; }

    /// pepkit_type_name(): "bytes", "bytearray", "ndarray", "memoryview", ... (static string).
    const char *type_name() const noexcept { return pepkit_type_name(obj_); }
    /// pepkit_refcount(): the number of references, exports included.
    pepkit_ssize refcount() const noexcept { return pepkit_refcount(obj_); }
    /// pepkit_exports(): the number of live exports.
    pepkit_ssize exports() const noexcept { return pepkit_exports(obj_); }

    /** pepkit_bytes_new: an immutable copy of `len` bytes. */
    static object bytes(const void *data, size_t len) {
        pepkit_object *o = nullptr;
        check(pepkit_bytes_new(static_cast<const uint8_t *>(data), len, &o));
        return steal(o);
    }
    /** pepkit_bytearray_new: a mutable copy of `len` bytes. */
    static object bytearray(const void *data, size_t len) {
        pepkit_object *o = nullptr;
        check(pepkit_bytearray_new(static_cast<const uint8_t *>(data), len, &o));
        return steal(o);
    }
    /** pepkit_ndarray_new: a zero-filled array of `shape`. */
    static object ndarray(const char *format, const std::vector<pepkit_ssize> &shape, char order = 'C',
                          bool readonly = false) {
        pepkit_object *o = nullptr;
        check(pepkit_ndarray_new(format, static_cast<int>(shape.size()), shape.empty() ? nullptr : shape.data(),
                                 order, readonly ? 1 : 0, &o));
        return steal(o);
    }
    /** pepkit_wrap_new: exports caller memory; `release_fn(ctx)` runs once
     *  when the last reference and export are gone (never if this throws). */
    static object wrap(const pepkit_layout &layout, pepkit_release_fn release_fn, void *ctx) {
        pepkit_object *o = nullptr;
        check(pepkit_wrap_new(&layout, release_fn, ctx, &o));
        return steal(o);
    }
    /** pepkit_custom_new: an exporter implemented by C callbacks. */
    static object custom(const pepkit_exporter_vtable &vt, void *self) {
        pepkit_object *o = nullptr;
        check(pepkit_custom_new(&vt, self, &o));
        return steal(o);
    }

    /** pepkit_bytearray_resize. */
    void resize(size_t new_len) { check(pepkit_bytearray_resize(obj_, new_len)); }

  protected:
    /// Takes over the reference `o` (may be NULL).
    explicit object(pepkit_object *o) noexcept : obj_(o) {}
    /// The reference this handle owns, or NULL.
    pepkit_object *obj_;
};

/** One export of an object's memory: pepkit_getbuffer in the constructor,
 *  pepkit_releasebuffer in the destructor (or release()). Move-only. */
class buffer {
  public:
    /// pepkit_getbuffer(exporter, flags): throws pepkit::error when refused; `exporter` is borrowed for the call (the export holds its own reference).
    buffer(const object &exporter, int flags) : view_{} {
        check(pepkit_getbuffer(exporter.get(), &view_, flags));
    }
    buffer(const buffer &) = delete;
    buffer &operator=(const buffer &) = delete;
    /// Takes over `other`'s export; `other` is left released.
    buffer(buffer &&other) noexcept : view_(other.view_) { other.view_.obj = nullptr; }
    /// Releases this export and takes over `other`'s.
    buffer &operator=(buffer &&other) noexcept {
        if (this != &other) {
            reset();
            view_ = other.view_;
            other.view_.obj = nullptr;
        }
        return *this;
    }
    ~buffer() { reset(); }

    /** Ends the export now; a released buffer's release() does nothing. */
    void release() { check(pepkit_releasebuffer(&view_)); }

    /** The descriptor (borrowed, valid until release or destruction). */
    const pepkit_buffer &view() const noexcept { return view_; }
    /// The first item (view().buf).
    void *data() const noexcept { return view_.buf; }
    /// The size in bytes: product(shape) * itemsize.
    pepkit_ssize len() const noexcept { return view_.len; }
    /// The size of one item in bytes.
    pepkit_ssize itemsize() const noexcept { return view_.itemsize; }
    /// Whether the memory must not be written.
    bool readonly() const noexcept { return view_.readonly != 0; }
    /// The number of dimensions.
    int ndim() const noexcept { return view_.ndim; }
    /// The struct-module format of one item ("B" when the export has none); borrowed from the export.
    const char *format() const noexcept { return view_.format ? view_.format : "B"; }
    /// pepkit_buffer_is_contiguous(): 'C', 'F' or 'A'.
    bool is_contiguous(char order) const noexcept { return pepkit_buffer_is_contiguous(&view_, order) == 1; }

  private:
    void reset() noexcept {
        // A destructor cannot throw, and a release pepkit refuses changes
        // nothing, so a failure is dropped here (release() reports it). The
        // status is tested rather than cast to void: GCC's warn_unused_result
        // ignores such casts.
        if (view_.obj && pepkit_releasebuffer(&view_) != PEPKIT_OK) view_.obj = nullptr;
    }
    pepkit_buffer view_;
};

/** A memoryview object with memoryview's methods. Copies share the view (as
 *  Python names do); release() ends it for every copy. */
class memoryview : public object {
  public:
    /** memoryview(exporter). */
    explicit memoryview(const object &exporter) : object(nullptr) {
        check(pepkit_memoryview_new(exporter.get(), &obj_));
    }
    /** PyMemoryView_FromMemory: `mem` is borrowed until every view made from
     *  this one is released or destroyed. */
    static memoryview from_memory(void *mem, pepkit_ssize size, bool writable) {
        pepkit_object *o = nullptr;
        check(pepkit_memoryview_from_memory(mem, size, writable ? PEPKIT_BUF_WRITE : PEPKIT_BUF_READ, &o));
        return memoryview(o);
    }

    /** The view's descriptor, borrowed until the view is released. */
    const pepkit_buffer &view() const {
        const pepkit_buffer *b = pepkit_memoryview_buffer(obj_);
        if (!b) throw error(PEPKIT_ERR_VALUE, pepkit_last_error());
        return *b;
    }
    /// len(m): pepkit_memoryview_len().
    pepkit_ssize len() const {
        pepkit_ssize n = pepkit_memoryview_len(obj_);
        if (n < 0) throw error(PEPKIT_ERR_VALUE, pepkit_last_error());
        return n;
    }
    /// m.shape, copied.
    std::vector<pepkit_ssize> shape() const {
        const pepkit_buffer &b = view();
        return std::vector<pepkit_ssize>(b.shape, b.shape + b.ndim);
    }
    /// m.format, copied.
    std::string format() const { return view().format; }

    /** m[s0, s1, ...]. */
    memoryview slice(std::initializer_list<pepkit_slice> slices) const {
        return make(pepkit_memoryview_slice, slices.begin(), slices.size());
    }
    /** m[index] as a view with one dimension fewer. */
    memoryview subview(pepkit_ssize index) const { return make(pepkit_memoryview_subview, index); }
    /** m.cast(format) */
    memoryview cast(const char *format) const {
        return make(pepkit_memoryview_cast, format, static_cast<const pepkit_ssize *>(nullptr), -1);
    }
    /** m.cast(format, shape) */
    memoryview cast(const char *format, const std::vector<pepkit_ssize> &shape) const {
        return make(pepkit_memoryview_cast, format, shape.data(), static_cast<int>(shape.size()));
    }
    /// m.toreadonly(): pepkit_memoryview_toreadonly().
    memoryview toreadonly() const { return make(pepkit_memoryview_toreadonly); }

    /** m.tobytes(order) */
    std::vector<uint8_t> tobytes(char order = 'C') const {
        const pepkit_buffer &b = view();
        std::vector<uint8_t> out(static_cast<size_t>(b.len));
        check(pepkit_memoryview_tobytes_into(obj_, order, out.data(), out.size()));
        return out;
    }
    /** m.hex(sep, bytes_per_sep); sep nullptr for none. */
    std::string hex(const char *sep = nullptr, int bytes_per_sep = 1) const {
        char *s = nullptr;
        size_t n = 0;
        check(pepkit_memoryview_hex(obj_, sep, bytes_per_sep, &s, &n));
        return detail::take_string(s, n);
    }
    /** repr(m.tolist()) */
    std::string tolist() const {
        char *s = nullptr;
        size_t n = 0;
        check(pepkit_memoryview_tolist(obj_, &s, &n));
        return detail::take_string(s, n);
    }
    /** m[i, j, ...]; a bytes value points into the view's memory. */
    pepkit_value get(std::initializer_list<pepkit_ssize> index) const {
        pepkit_value v{};
        check(pepkit_memoryview_get_item(obj_, index.begin(), index.size(), &v));
        return v;
    }
    /** m[i, j, ...] = value */
    void set(std::initializer_list<pepkit_ssize> index, const pepkit_value &value) {
        check(pepkit_memoryview_set_item(obj_, index.begin(), index.size(), &value));
    }
    /** m[slices] = src (all of m when `slices` is empty). */
    void assign(std::initializer_list<pepkit_slice> slices, const object &src) {
        check(pepkit_memoryview_assign(obj_, slices.begin(), slices.size(), src.get()));
    }
    /** m == other (any exporter). */
    bool operator==(const object &other) const {
        bool eq = false;
        check(pepkit_memoryview_equal(obj_, other.get(), &eq));
        return eq;
    }
    /// not (m == other).
    bool operator!=(const object &other) const { return !(*this == other); }
    /// hash(m): pepkit_memoryview_hash().
    pepkit_ssize hash() const {
        pepkit_ssize h = 0;
        check(pepkit_memoryview_hash(obj_, &h));
        return h;
    }
    /** m.release() */
    void release_view() { check(pepkit_memoryview_release(obj_)); }

  private:
    explicit memoryview(pepkit_object *o) noexcept : object(o) {}
    template <typename F, typename... A>
    memoryview make(F f, A... args) const {
        pepkit_object *o = nullptr;
        check(f(obj_, args..., &o));
        return memoryview(o);
    }
};

/** A pepkit_value of kind PEPKIT_VALUE_INT, for memoryview::set(). */
inline pepkit_value int_value(int64_t i) {
    pepkit_value v{};
    v.kind = PEPKIT_VALUE_INT;
    v.i = i;
    return v;
}
/// A pepkit_value of kind PEPKIT_VALUE_FLOAT.
inline pepkit_value float_value(double f) {
    pepkit_value v{};
    v.kind = PEPKIT_VALUE_FLOAT;
    v.f = f;
    return v;
}

/** A module spec (pepkit_spec), move-only. */
class spec {
  public:
    /// Takes ownership of `s` (freed with pepkit_spec_free; NULL is fine).
    explicit spec(pepkit_spec *s) noexcept : s_(s) {}
    spec(const spec &) = delete;
    spec &operator=(const spec &) = delete;
    /// Takes over `o`'s spec; `o` is left empty.
    spec(spec &&o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    /// Swaps with `o`; the spec given up is freed when `o` goes.
    spec &operator=(spec &&o) noexcept {
        std::swap(s_, o.s_);
        return *this;
    }
    ~spec() { pepkit_spec_free(s_); }

    /// pepkit_spec_kind().
    pepkit_module_kind kind() const noexcept { return pepkit_spec_kind(s_); }
    /// pepkit_spec_loader(): for a package, what its __init__ is.
    pepkit_module_kind loader() const noexcept { return pepkit_spec_loader(s_); }
    /// pepkit_spec_name(), copied.
    std::string name() const { return pepkit_spec_name(s_); }
    /** The origin; empty for a namespace package (Python's None). */
    std::optional<std::string> origin() const {
        const char *o = pepkit_spec_origin(s_);
        return o ? std::optional<std::string>(o) : std::nullopt;
    }
    /// spec.submodule_search_locations (empty for a plain module).
    std::vector<std::string> search_locations() const {
        pepkit_strings *l = nullptr;
        check(pepkit_spec_search_locations(s_, &l));
        return l ? detail::take_strings(l) : std::vector<std::string>{};
    }
    /// The C handle, borrowed: valid while this spec lives.
    pepkit_spec *get() const noexcept { return s_; }

  private:
    pepkit_spec *s_;
};

/** importlib.util.find_spec(name) with sys.path = path (pepkit_find_spec). */
inline spec find_spec(const char *name, const std::vector<std::string> &path) {
    auto p = detail::c_strings(path);
    pepkit_spec *s = nullptr;
    check(pepkit_find_spec(name, p.data(), p.size(), &s));
    return spec(s);
}

/** pepkit_find_spec_ex: find_spec with an interpreter's extension suffixes, in order. */
inline spec find_spec(const char *name, const std::vector<std::string> &path,
                      const std::vector<std::string> &ext_suffixes) {
    auto p = detail::c_strings(path);
    auto e = detail::c_strings(ext_suffixes);
    pepkit_spec *s = nullptr;
    check(pepkit_find_spec_ex(name, p.data(), p.size(), e.data(), e.size(), &s));
    return spec(s);
}

/** pepkit_default_extension_suffixes: those find_spec uses without suffixes given. */
inline std::vector<std::string> default_extension_suffixes() {
    pepkit_strings *l = nullptr;
    check(pepkit_default_extension_suffixes(&l));
    return detail::take_strings(l);
}

/** struct.calcsize(format): pepkit_format_calcsize. */
inline pepkit_ssize format_calcsize(const char *format) {
    pepkit_ssize n = 0;
    check(pepkit_format_calcsize(format, &n));
    return n;
}

/** A cached finder over one path (pepkit_finder), move-only. */
class finder {
  public:
    /** `ext_suffixes` empty: pepkit_find_spec's default suffixes. */
    explicit finder(const std::vector<std::string> &path, const std::vector<std::string> &ext_suffixes = {}) {
        auto p = detail::c_strings(path);
        auto e = detail::c_strings(ext_suffixes);
        check(pepkit_finder_new(p.data(), p.size(), e.empty() ? nullptr : e.data(), e.size(), &f_));
    }
    finder(const finder &) = delete;
    finder &operator=(const finder &) = delete;
    /// Takes over `o`'s finder; `o` is left empty.
    finder(finder &&o) noexcept : f_(std::exchange(o.f_, nullptr)) {}
    /// Swaps with `o`; the finder given up is freed when `o` goes.
    finder &operator=(finder &&o) noexcept {
        std::swap(f_, o.f_);
        return *this;
    }
    ~finder() { pepkit_finder_free(f_); }

    /// pepkit_finder_find_spec(): throws pepkit::error (PEPKIT_ERR_NOT_FOUND, ...).
    spec find_spec(const char *name) const {
        pepkit_spec *s = nullptr;
        check(pepkit_finder_find_spec(f_, name, &s));
        return spec(s);
    }
    /// pepkit_finder_invalidate_caches(): list every directory again on the next lookups.
    void invalidate_caches() const { check(pepkit_finder_invalidate_caches(f_)); }

  private:
    pepkit_finder *f_ = nullptr;
};

/** pepkit_venv_options, initialised with python -m venv's defaults. */
struct venv_options : pepkit_venv_options {
    venv_options() : pepkit_venv_options{} { check(pepkit_venv_options_init_sized(this, sizeof(pepkit_venv_options))); }
};

/** An opened virtual environment (pepkit_venv), move-only. */
class venv {
  public:
    /** pepkit_venv_create, then nothing to own: a static function. */
    static void create(const char *env_dir, const pepkit_venv_options &opts = venv_options()) {
        check(pepkit_venv_create(env_dir, &opts));
    }
    /** pepkit_venv_open */
    static venv open(const char *dir) {
        pepkit_venv *v = nullptr;
        check(pepkit_venv_open(dir, &v));
        return venv(v);
    }
    /** pepkit_venv_locate */
    static venv locate(const char *executable) {
        pepkit_venv *v = nullptr;
        check(pepkit_venv_locate(executable, &v));
        return venv(v);
    }
    venv(const venv &) = delete;
    venv &operator=(const venv &) = delete;
    /// Takes over `o`'s handle; `o` is left empty.
    venv(venv &&o) noexcept : v_(std::exchange(o.v_, nullptr)) {}
    /// Swaps with `o`; the handle given up is freed when `o` goes.
    venv &operator=(venv &&o) noexcept {
        std::swap(v_, o.v_);
        return *this;
    }
    ~venv() { pepkit_venv_free(v_); }

    /** A pyvenv.cfg value; std::nullopt when the key is absent. */
    std::optional<std::string> get(const char *key) const {
        const char *out = nullptr;
        pepkit_status st = pepkit_venv_get(v_, key, &out);
        if (st == PEPKIT_ERR_NOT_FOUND) return std::nullopt;
        check(st);
        return std::string(out);
    }
    /// pepkit_venv_dir(): the environment's absolute directory, copied.
    std::string dir() const {
        const char *out = nullptr;
        check(pepkit_venv_dir(v_, &out, nullptr));
        return out;
    }
    /// pepkit_venv_site_packages(), copied.
    std::string site_packages() const {
        const char *out = nullptr;
        check(pepkit_venv_site_packages(v_, &out));
        return out;
    }
    /// pepkit_venv_system_site_packages().
    bool system_site_packages() const {
        bool out = false;
        check(pepkit_venv_system_site_packages(v_, &out));
        return out;
    }
    /// pepkit_venv_sys_path(): the import path the env's interpreter starts with.
    std::vector<std::string> sys_path() const {
        pepkit_strings *l = nullptr;
        check(pepkit_venv_sys_path(v_, &l));
        return detail::take_strings(l);
    }
    /// pepkit_venv_pth_imports(): the .pth `import` lines the env's interpreter
    /// would run, as (file, line) pairs, in order.
    std::vector<std::pair<std::string, std::string>> pth_imports() const {
        pepkit_strings *l = nullptr;
        check(pepkit_venv_pth_imports(v_, &l));
        auto flat = detail::take_strings(l);
        std::vector<std::pair<std::string, std::string>> out;
        for (size_t i = 0; i + 1 < flat.size(); i += 2) out.emplace_back(flat[i], flat[i + 1]);
        return out;
    }
    /// pepkit_venv_find_spec(): where `import name` would come from in the env.
    spec find_spec(const char *name) const {
        pepkit_spec *s = nullptr;
        check(pepkit_venv_find_spec(v_, name, &s));
        return spec(s);
    }
    /// The C handle, borrowed: valid while this venv lives.
    pepkit_venv *get() const noexcept { return v_; }

  private:
    explicit venv(pepkit_venv *v) noexcept : v_(v) {}
    pepkit_venv *v_;
};

}  // namespace pepkit

#endif /* PEPKIT_HPP */
