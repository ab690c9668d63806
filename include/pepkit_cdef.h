/* Generated from include/pepkit.h by ffi/artifact/build.rs (build/cdef.rs) -- do not edit; run `make header`.
 * The declarations of pepkit.h for cffi: ffi.cdef(open("pepkit_cdef.h").read()). */

#define PEPKIT_NONE -9223372036854775808

#define DLPACK_MAJOR_VERSION 1
#define DLPACK_MINOR_VERSION 0
typedef struct {
  uint32_t major;
  uint32_t minor;
} DLPackVersion;
typedef enum {
  kDLCPU = 1,
  kDLCUDA = 2,
  kDLCUDAHost = 3,
  kDLOpenCL = 4,
  kDLVulkan = 7,
  kDLMetal = 8,
  kDLVPI = 9,
  kDLROCM = 10,
  kDLROCMHost = 11,
  kDLExtDev = 12,
  kDLCUDAManaged = 13,
  kDLOneAPI = 14,
  kDLWebGPU = 15,
  kDLHexagon = 16,
  kDLMAIA = 17
} DLDeviceType;
typedef struct {
  DLDeviceType device_type;
  int32_t device_id;
} DLDevice;
typedef enum {
  kDLInt = 0U,
  kDLUInt = 1U,
  kDLFloat = 2U,
  kDLOpaqueHandle = 3U,
  kDLBfloat = 4U,
  kDLComplex = 5U,
  kDLBool = 6U
} DLDataTypeCode;
typedef struct {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
} DLDataType;
typedef struct {
  void *data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t *shape;
  int64_t *strides;
  uint64_t byte_offset;
} DLTensor;
typedef struct DLManagedTensor {
  DLTensor dl_tensor;
  void *manager_ctx;
  void (*deleter)(struct DLManagedTensor *self);
} DLManagedTensor;
#define DLPACK_FLAG_BITMASK_READ_ONLY 1
#define DLPACK_FLAG_BITMASK_IS_COPIED 2
typedef struct DLManagedTensorVersioned {
  DLPackVersion version;
  void *manager_ctx;
  void (*deleter)(struct DLManagedTensorVersioned *self);
  uint64_t flags;
  DLTensor dl_tensor;
} DLManagedTensorVersioned;

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4
struct ArrowSchema {
  const char *format;
  const char *name;
  const char *metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema **children;
  struct ArrowSchema *dictionary;
  void (*release)(struct ArrowSchema *);
  void *private_data;
};
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void **buffers;
  struct ArrowArray **children;
  struct ArrowArray *dictionary;
  void (*release)(struct ArrowArray *);
  void *private_data;
};

#define PEPKIT_VERSION_MAJOR 0

#define PEPKIT_VERSION_MINOR 1

#define PEPKIT_VERSION_PATCH 0

#define PEPKIT_VENV_PIP_NATIVE 0

#define PEPKIT_VENV_PIP_ENSUREPIP 1

#define PEPKIT_VENV_SCM_AUTO 0

#define PEPKIT_VENV_SCM_NONE 1

#define PEPKIT_VENV_SCM_GIT 2

#define PEPKIT_VENV_LINK_HARDLINK 0

#define PEPKIT_VENV_LINK_COPY 1

#define PEPKIT_VENV_ACTIVATE_NUSHELL 1

#define PEPKIT_VENV_ACTIVATE_XONSH 2

#define PEPKIT_VENV_ACTIVATE_POWERSHELL 4

#define PEPKIT_VENV_ACTIVATE_THIS 8

#define PEPKIT_VENV_ACTIVATE_ALL 15

#define PEPKIT_VENV_PROBLEM_NONE 0

#define PEPKIT_VENV_PROBLEM_BASE_MISSING 1

#define PEPKIT_VENV_PROBLEM_BASE_VERSION_DIFFERS 2

#define PEPKIT_VENV_PROBLEM_DANGLING_LINK 3

#define PEPKIT_VENV_PROBLEM_SHEBANG_MISSING_INTERPRETER 4

#define PEPKIT_VENV_PROBLEM_SITE_PACKAGES_OTHER_MINOR 5

#define PEPKIT_WHEEL_IGNORE_REQUIRES_PYTHON 1

#define PEPKIT_BUF_MAX_NDIM 64

#define PEPKIT_BUF_SIMPLE 0

#define PEPKIT_BUF_WRITABLE 1

#define PEPKIT_BUF_WRITEABLE 1

#define PEPKIT_BUF_FORMAT 4

#define PEPKIT_BUF_ND 8

#define PEPKIT_BUF_STRIDES 24

#define PEPKIT_BUF_C_CONTIGUOUS 56

#define PEPKIT_BUF_F_CONTIGUOUS 88

#define PEPKIT_BUF_ANY_CONTIGUOUS 152

#define PEPKIT_BUF_INDIRECT 280

#define PEPKIT_BUF_CONTIG 9

#define PEPKIT_BUF_CONTIG_RO 8

#define PEPKIT_BUF_STRIDED 25

#define PEPKIT_BUF_STRIDED_RO 24

#define PEPKIT_BUF_RECORDS 29

#define PEPKIT_BUF_RECORDS_RO 28

#define PEPKIT_BUF_FULL 285

#define PEPKIT_BUF_FULL_RO 284

#define PEPKIT_BUF_READ 256

#define PEPKIT_BUF_WRITE 512

#define PEPKIT_DEFAULT_PYTHON_MINOR 13

typedef struct pepkit_finder pepkit_finder;

typedef struct pepkit_modules pepkit_modules;

typedef struct pepkit_object pepkit_object;

typedef struct pepkit_spec pepkit_spec;

typedef struct pepkit_strings pepkit_strings;

typedef struct pepkit_venv pepkit_venv;

typedef struct pepkit_venv_report pepkit_venv_report;

typedef int32_t pepkit_status;

typedef ptrdiff_t pepkit_ssize;

typedef struct pepkit_buffer {

  void *buf;

  struct pepkit_object *obj;

  pepkit_ssize len;

  pepkit_ssize itemsize;

  int readonly;

  int ndim;

  char *format;

  pepkit_ssize *shape;

  pepkit_ssize *strides;

  pepkit_ssize *suboffsets;

  void *internal;
} pepkit_buffer;

typedef struct pepkit_layout {

  void *base;

  size_t size;

  pepkit_ssize offset;

  const char *format;

  pepkit_ssize itemsize;

  int ndim;

  const pepkit_ssize *shape;

  const pepkit_ssize *strides;

  const pepkit_ssize *suboffsets;

  int readonly;
} pepkit_layout;

typedef void (*pepkit_release_fn)(void *ctx);

typedef struct pepkit_exporter_vtable {

  pepkit_status (*getbuffer)(void *self_, struct pepkit_buffer *view, int flags);

  void (*releasebuffer)(void *self_, struct pepkit_buffer *view);

  void (*dealloc)(void *self_);
} pepkit_exporter_vtable;

typedef struct pepkit_slice {

  ptrdiff_t start;

  ptrdiff_t stop;

  ptrdiff_t step;
} pepkit_slice;

typedef int pepkit_value_kind;

typedef struct pepkit_value {

  pepkit_value_kind kind;

  int64_t i;

  uint64_t u;

  double f;

  bool b;

  const uint8_t *bytes;

  size_t len;
} pepkit_value;

typedef void (*pepkit_venv_progress_fn)(void *ctx, const char *step);

typedef struct pepkit_venv_options {

  size_t struct_size;

  const char *python;

  bool system_site_packages;

  bool clear;

  bool force;

  bool symlinks;

  bool upgrade;

  bool with_pip;

  bool upgrade_deps;

  int32_t pip_mode;

  int32_t scm_ignore_files;

  int32_t pip_link_mode;

  const char *prompt;

  pepkit_venv_progress_fn progress;

  void *progress_ctx;

  bool use_cache;

  const char *facts_file;

  bool relocatable;

  bool allow_existing;

  bool cachedir_tag;

  uint32_t activators;
} pepkit_venv_options;

typedef struct pepkit_wheel_options {

  size_t struct_size;

  bool compile_bytecode;

  int32_t link_mode;

  bool use_cache;

  pepkit_venv_progress_fn progress;

  void *progress_ctx;

  uint32_t flags;
} pepkit_wheel_options;

typedef int32_t pepkit_module_kind;

#define PEPKIT_OK 0

#define PEPKIT_ERR_BUFFER 1

#define PEPKIT_ERR_VALUE 2

#define PEPKIT_ERR_TYPE 3

#define PEPKIT_ERR_INDEX 4

#define PEPKIT_ERR_NOT_IMPLEMENTED 5

#define PEPKIT_ERR_OVERFLOW 6

#define PEPKIT_ERR_NO_MEMORY 7

#define PEPKIT_ERR_OS 8

#define PEPKIT_ERR_NOT_FOUND 9

#define PEPKIT_ERR_EXISTS 10

#define PEPKIT_ERR_SUBPROCESS 11

#define PEPKIT_ERR_NULL_ARGUMENT 12

#define PEPKIT_ERR_PANIC 13

#define PEPKIT_VALUE_INT 0

#define PEPKIT_VALUE_UINT 1

#define PEPKIT_VALUE_FLOAT 2

#define PEPKIT_VALUE_BOOL 3

#define PEPKIT_VALUE_BYTES 4

#define PEPKIT_MODULE_NONE 0

#define PEPKIT_MODULE_SOURCE 1

#define PEPKIT_MODULE_BYTECODE 2

#define PEPKIT_MODULE_EXTENSION 3

#define PEPKIT_MODULE_PACKAGE 4

#define PEPKIT_MODULE_NAMESPACE 5

const char *pepkit_last_error(void);

const char *pepkit_status_name(pepkit_status status);

const char *pepkit_version(void);

pepkit_status pepkit_set_error(pepkit_status status, const char *message);

pepkit_status pepkit_getbuffer(struct pepkit_object *exporter,
                               struct pepkit_buffer *view,
                               int flags);

pepkit_status pepkit_releasebuffer(struct pepkit_buffer *view);

int pepkit_buffer_is_contiguous(const struct pepkit_buffer *view, char order);

pepkit_status pepkit_buffer_get_pointer(const struct pepkit_buffer *view,
                                        const pepkit_ssize *indices,
                                        size_t nindices,
                                        void **out);

pepkit_status pepkit_buffer_to_contiguous(void *dst,
                                          const struct pepkit_buffer *view,
                                          pepkit_ssize len,
                                          char order);

pepkit_status pepkit_buffer_from_contiguous(const struct pepkit_buffer *view,
                                            const void *src,
                                            pepkit_ssize len,
                                            char order);

pepkit_status pepkit_buffer_fill_contiguous_strides(int ndim,
                                                    const pepkit_ssize *shape,
                                                    pepkit_ssize *strides,
                                                    int itemsize,
                                                    char order);

pepkit_status pepkit_buffer_fill_info(struct pepkit_buffer *view,
                                      struct pepkit_object *obj,
                                      void *buf,
                                      pepkit_ssize len,
                                      int readonly,
                                      int flags);

void pepkit_incref(struct pepkit_object *obj);

void pepkit_decref(struct pepkit_object *obj);

pepkit_ssize pepkit_refcount(const struct pepkit_object *obj);

pepkit_ssize pepkit_exports(const struct pepkit_object *obj);

const char *pepkit_type_name(const struct pepkit_object *obj);

void pepkit_free(void *ptr);

pepkit_status pepkit_bytes_new(const uint8_t *data,
                               size_t len,
                               struct pepkit_object **out);

pepkit_status pepkit_bytearray_new(const uint8_t *data,
                                   size_t len,
                                   struct pepkit_object **out);

pepkit_status pepkit_bytearray_resize(struct pepkit_object *obj, size_t new_len);

pepkit_status pepkit_ndarray_new(const char *format,
                                 int ndim,
                                 const pepkit_ssize *shape,
                                 char order,
                                 int readonly,
                                 struct pepkit_object **out);

pepkit_status pepkit_wrap_new(const struct pepkit_layout *layout,
                              pepkit_release_fn release_fn,
                              void *ctx,
                              struct pepkit_object **out);

pepkit_status pepkit_custom_new(const struct pepkit_exporter_vtable *vt,
                                void *self_,
                                struct pepkit_object **out);

pepkit_status pepkit_format_calcsize(const char *format, pepkit_ssize *out);

pepkit_status pepkit_memoryview_new(struct pepkit_object *exporter,
                                    struct pepkit_object **out);

pepkit_status pepkit_memoryview_from_buffer(struct pepkit_buffer *view,
                                            struct pepkit_object **out);

pepkit_status pepkit_memoryview_from_memory(void *mem,
                                            pepkit_ssize size,
                                            int flags,
                                            struct pepkit_object **out);

const struct pepkit_buffer *pepkit_memoryview_buffer(struct pepkit_object *mv);

pepkit_ssize pepkit_memoryview_len(struct pepkit_object *mv);

pepkit_status pepkit_memoryview_slice(struct pepkit_object *mv,
                                      const struct pepkit_slice *slices,
                                      size_t nslices,
                                      struct pepkit_object **out);

pepkit_status pepkit_memoryview_subview(struct pepkit_object *mv,
                                        pepkit_ssize index,
                                        struct pepkit_object **out);

pepkit_status pepkit_memoryview_cast(struct pepkit_object *mv,
                                     const char *format,
                                     const pepkit_ssize *shape,
                                     int ndim,
                                     struct pepkit_object **out);

pepkit_status pepkit_memoryview_toreadonly(struct pepkit_object *mv,
                                           struct pepkit_object **out);

pepkit_status pepkit_memoryview_tobytes(struct pepkit_object *mv,
                                        char order,
                                        uint8_t **out,
                                        size_t *out_len);

pepkit_status pepkit_memoryview_tobytes_into(struct pepkit_object *mv,
                                             char order,
                                             void *dst,
                                             size_t len);

pepkit_status pepkit_memoryview_hex(struct pepkit_object *mv,
                                    const char *sep,
                                    int bytes_per_sep,
                                    char **out,
                                    size_t *out_len);

pepkit_status pepkit_memoryview_release(struct pepkit_object *mv);

pepkit_status pepkit_memoryview_get_item(struct pepkit_object *mv,
                                         const pepkit_ssize *index,
                                         size_t nindex,
                                         struct pepkit_value *out);

pepkit_status pepkit_memoryview_set_item(struct pepkit_object *mv,
                                         const pepkit_ssize *index,
                                         size_t nindex,
                                         const struct pepkit_value *value);

pepkit_status pepkit_memoryview_tolist(struct pepkit_object *mv,
                                       char **out,
                                       size_t *out_len);

pepkit_status pepkit_memoryview_equal(struct pepkit_object *a,
                                      struct pepkit_object *b,
                                      bool *out);

pepkit_status pepkit_memoryview_hash(struct pepkit_object *mv, pepkit_ssize *out);

pepkit_status pepkit_memoryview_assign(struct pepkit_object *mv,
                                       const struct pepkit_slice *slices,
                                       size_t nslices,
                                       struct pepkit_object *src);

pepkit_status pepkit_venv_options_init(struct pepkit_venv_options *opts);

pepkit_status pepkit_venv_options_init_sized(struct pepkit_venv_options *opts,
                                             size_t size);

pepkit_status pepkit_venv_create(const char *env_dir,
                                 const struct pepkit_venv_options *opts);

pepkit_status pepkit_venv_open(const char *dir, struct pepkit_venv **out);

pepkit_status pepkit_venv_locate(const char *executable, struct pepkit_venv **out);

pepkit_status pepkit_venv_get(const struct pepkit_venv *v,
                              const char *key,
                              const char **out);

pepkit_status pepkit_venv_site_packages(const struct pepkit_venv *v,
                                        const char **out);

pepkit_status pepkit_venv_dir(const struct pepkit_venv *v,
                              const char **out,
                              const char **cfg_path);

pepkit_status pepkit_venv_system_site_packages(const struct pepkit_venv *v,
                                               bool *out);

void pepkit_venv_free(struct pepkit_venv *v);

pepkit_status pepkit_venv_check(const char *env_dir,
                                struct pepkit_venv_report **out);

size_t pepkit_venv_report_len(const struct pepkit_venv_report *r);

int32_t pepkit_venv_report_kind(const struct pepkit_venv_report *r, size_t index);

const char *pepkit_venv_report_message(const struct pepkit_venv_report *r, size_t index);

const char *pepkit_venv_report_path(const struct pepkit_venv_report *r, size_t index);

void pepkit_venv_report_free(struct pepkit_venv_report *r);

pepkit_status pepkit_wheel_options_init(struct pepkit_wheel_options *opts);

pepkit_status pepkit_wheel_options_init_sized(struct pepkit_wheel_options *opts,
                                              size_t size);

pepkit_status pepkit_venv_install_wheel(const char *env_dir,
                                        const char *wheel_path,
                                        const struct pepkit_wheel_options *opts);

pepkit_status pepkit_find_python(const char *request, char **out);

pepkit_status pepkit_find_spec(const char *fullname,
                               const char *const *path,
                               size_t npath,
                               struct pepkit_spec **out);

pepkit_status pepkit_find_spec_ex(const char *fullname,
                                  const char *const *path,
                                  size_t npath,
                                  const char *const *ext_suffixes,
                                  size_t n_ext,
                                  struct pepkit_spec **out);

pepkit_status pepkit_finder_new(const char *const *path,
                                size_t npath,
                                const char *const *ext_suffixes,
                                size_t n_ext,
                                struct pepkit_finder **out);

pepkit_status pepkit_finder_new_snapshot(const char *const *path,
                                         size_t npath,
                                         const char *const *ext_suffixes,
                                         size_t n_ext,
                                         uint64_t interval_ms,
                                         struct pepkit_finder **out);

pepkit_status pepkit_finder_find_spec(const struct pepkit_finder *finder,
                                      const char *fullname,
                                      struct pepkit_spec **out);

pepkit_status pepkit_finder_invalidate_caches(const struct pepkit_finder *finder);

void pepkit_finder_free(struct pepkit_finder *finder);

pepkit_status pepkit_default_extension_suffixes(struct pepkit_strings **out);

pepkit_module_kind pepkit_spec_kind(const struct pepkit_spec *spec);

pepkit_module_kind pepkit_spec_loader(const struct pepkit_spec *spec);

const char *pepkit_spec_name(const struct pepkit_spec *spec);

const char *pepkit_spec_origin(const struct pepkit_spec *spec);

pepkit_status pepkit_spec_search_locations(const struct pepkit_spec *spec,
                                           struct pepkit_strings **out);

void pepkit_spec_free(struct pepkit_spec *spec);

size_t pepkit_strings_len(const struct pepkit_strings *list);

const char *pepkit_strings_get(const struct pepkit_strings *list, size_t index);

void pepkit_strings_free(struct pepkit_strings *list);

pepkit_status pepkit_venv_sys_path(const struct pepkit_venv *v,
                                   struct pepkit_strings **out);

pepkit_status pepkit_venv_pth_imports(const struct pepkit_venv *v,
                                      struct pepkit_strings **out);

pepkit_status pepkit_venv_find_spec(const struct pepkit_venv *v,
                                    const char *fullname,
                                    struct pepkit_spec **out);

pepkit_status pepkit_iter_modules(const char *const *path,
                                  size_t npath,
                                  const char *const *ext_suffixes,
                                  size_t n_ext,
                                  struct pepkit_modules **out);

pepkit_status pepkit_walk_packages(const char *const *path,
                                   size_t npath,
                                   const char *const *ext_suffixes,
                                   size_t n_ext,
                                   struct pepkit_modules **out);

pepkit_status pepkit_finder_iter_modules(const struct pepkit_finder *finder,
                                         struct pepkit_modules **out);

pepkit_status pepkit_finder_walk_packages(const struct pepkit_finder *finder,
                                          struct pepkit_modules **out);

pepkit_status pepkit_venv_iter_modules(const struct pepkit_venv *v,
                                       struct pepkit_modules **out);

pepkit_status pepkit_venv_walk_packages(const struct pepkit_venv *v,
                                        struct pepkit_modules **out);

size_t pepkit_modules_len(const struct pepkit_modules *list);

const char *pepkit_modules_name(const struct pepkit_modules *list, size_t index);

pepkit_module_kind pepkit_modules_kind(const struct pepkit_modules *list, size_t index);

const char *pepkit_modules_location(const struct pepkit_modules *list, size_t index);

void pepkit_modules_free(struct pepkit_modules *list);

pepkit_status pepkit_module_name(const char *file,
                                 const char *const *path,
                                 size_t npath,
                                 char **out);

pepkit_status pepkit_module_name_ex(const char *file,
                                    const char *const *path,
                                    size_t npath,
                                    const char *const *ext_suffixes,
                                    size_t n_ext,
                                    char **out);

pepkit_status pepkit_dlpack_export(struct pepkit_object *exporter,
                                   int flags,
                                   DLManagedTensorVersioned **out);

pepkit_status pepkit_dlpack_export_legacy(struct pepkit_object *exporter,
                                          int flags,
                                          DLManagedTensor **out);

pepkit_status pepkit_dlpack_import(DLManagedTensorVersioned *tensor,
                                   struct pepkit_object **out);

pepkit_status pepkit_dlpack_import_legacy(DLManagedTensor *tensor,
                                          struct pepkit_object **out);

pepkit_status pepkit_arrow_export(struct pepkit_object *exporter,
                                  struct ArrowSchema *schema_out,
                                  struct ArrowArray *array_out);

pepkit_status pepkit_arrow_import(struct ArrowSchema *schema,
                                  struct ArrowArray *array,
                                  struct pepkit_object **out);

pepkit_status pepkit_format_to_dlpack(const char *format, DLDataType *out);

pepkit_status pepkit_format_from_dlpack(DLDataType dtype, char **out);

pepkit_status pepkit_format_to_arrow(const char *format, char **out);

pepkit_status pepkit_format_from_arrow(const char *arrow_format, char **out);

