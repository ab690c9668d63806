/* Compiled by tests/suites/55-interchange-header.sh once per include order of
 * pepkit.h against a real dlpack.h and Arrow abi.h (those pyarrow ships), as C11
 * and as C++11. It prints the layout of every shared struct; the suite checks
 * that every order prints the same, so pepkit's declarations are ABI-identical
 * to the originals, and that pepkit's functions accept either's types. */
#ifdef DLPACK_FIRST
#include <arrow/c/dlpack_abi.h>
#endif
#ifdef ABI_FIRST
#include <arrow/c/abi.h>
#endif
#include "pepkit.h"
#ifdef DLPACK_AFTER
#include <arrow/c/dlpack_abi.h>
#endif
#ifdef ABI_AFTER
#include <arrow/c/abi.h>
#endif
#include <stddef.h>
#include <stdio.h>

#define LAYOUT(T, f) printf("%s.%s %zu %zu\n", #T, #f, offsetof(T, f), sizeof(((T *)0)->f))

int main(void) {
    printf("DLPackVersion %zu DLDevice %zu DLDataType %zu DLTensor %zu\n", sizeof(DLPackVersion),
           sizeof(DLDevice), sizeof(DLDataType), sizeof(DLTensor));
    printf("DLManagedTensor %zu DLManagedTensorVersioned %zu\n", sizeof(DLManagedTensor),
           sizeof(DLManagedTensorVersioned));
    LAYOUT(DLDevice, device_type);
    LAYOUT(DLDevice, device_id);
    LAYOUT(DLDataType, code);
    LAYOUT(DLDataType, bits);
    LAYOUT(DLDataType, lanes);
    LAYOUT(DLTensor, data);
    LAYOUT(DLTensor, device);
    LAYOUT(DLTensor, ndim);
    LAYOUT(DLTensor, dtype);
    LAYOUT(DLTensor, shape);
    LAYOUT(DLTensor, strides);
    LAYOUT(DLTensor, byte_offset);
    LAYOUT(DLManagedTensor, dl_tensor);
    LAYOUT(DLManagedTensor, manager_ctx);
    LAYOUT(DLManagedTensor, deleter);
    LAYOUT(DLManagedTensorVersioned, version);
    LAYOUT(DLManagedTensorVersioned, manager_ctx);
    LAYOUT(DLManagedTensorVersioned, deleter);
    LAYOUT(DLManagedTensorVersioned, flags);
    LAYOUT(DLManagedTensorVersioned, dl_tensor);
    printf("kDLCPU %d kDLCUDA %d kDLCUDAManaged %d kDLInt %d kDLFloat %d kDLBfloat %d kDLComplex %d kDLBool %d\n",
           (int)kDLCPU, (int)kDLCUDA, (int)kDLCUDAManaged, (int)kDLInt, (int)kDLFloat, (int)kDLBfloat,
           (int)kDLComplex, (int)kDLBool);
    printf("DLPACK_MAJOR_VERSION %d READ_ONLY %lu IS_COPIED %lu\n", DLPACK_MAJOR_VERSION,
           (unsigned long)DLPACK_FLAG_BITMASK_READ_ONLY, (unsigned long)DLPACK_FLAG_BITMASK_IS_COPIED);
    printf("ArrowSchema %zu ArrowArray %zu NULLABLE %d\n", sizeof(struct ArrowSchema), sizeof(struct ArrowArray),
           ARROW_FLAG_NULLABLE);
    LAYOUT(struct ArrowSchema, format);
    LAYOUT(struct ArrowSchema, metadata);
    LAYOUT(struct ArrowSchema, children);
    LAYOUT(struct ArrowSchema, release);
    LAYOUT(struct ArrowSchema, private_data);
    LAYOUT(struct ArrowArray, length);
    LAYOUT(struct ArrowArray, buffers);
    LAYOUT(struct ArrowArray, dictionary);
    LAYOUT(struct ArrowArray, release);
    LAYOUT(struct ArrowArray, private_data);

    /* The functions take either side's types. */
    pepkit_object *arr = NULL, *back = NULL;
    pepkit_ssize shape[2] = {2, 3};
    DLManagedTensorVersioned *t = NULL;
    struct ArrowSchema schema;
    struct ArrowArray array;
    DLDataType dt;
    int ok = pepkit_ndarray_new("f", 2, shape, 'C', 0, &arr) == PEPKIT_OK &&
             pepkit_dlpack_export(arr, 0, &t) == PEPKIT_OK && pepkit_dlpack_import(t, &back) == PEPKIT_OK;
    pepkit_decref(back);
    back = NULL;
    ok = ok && pepkit_arrow_export(arr, &schema, &array) == PEPKIT_OK &&
         pepkit_arrow_import(&schema, &array, &back) == PEPKIT_OK &&
         pepkit_format_to_dlpack("f", &dt) == PEPKIT_OK && dt.code == kDLFloat && pepkit_exports(arr) == 1;
    pepkit_decref(back);
    ok = ok && pepkit_exports(arr) == 0;
    pepkit_decref(arr);
    printf("calls %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
