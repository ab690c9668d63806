/* ABI identity with CPython: compiled against each interpreter's Python.h.
 * Every check is a static assertion, so compiling is the test. */
#include <Python.h>
#include <stddef.h>
#include "pepkit.h"

#define SAME_FIELD(f)                                                                   \
    _Static_assert(offsetof(pepkit_buffer, f) == offsetof(Py_buffer, f), "offset of " #f); \
    _Static_assert(sizeof(((pepkit_buffer *)0)->f) == sizeof(((Py_buffer *)0)->f), "size of " #f)

_Static_assert(sizeof(pepkit_buffer) == sizeof(Py_buffer), "sizeof(Py_buffer)");
_Static_assert(_Alignof(pepkit_buffer) == _Alignof(Py_buffer), "alignment of Py_buffer");
SAME_FIELD(buf);
SAME_FIELD(obj);
SAME_FIELD(len);
SAME_FIELD(itemsize);
SAME_FIELD(readonly);
SAME_FIELD(ndim);
SAME_FIELD(format);
SAME_FIELD(shape);
SAME_FIELD(strides);
SAME_FIELD(suboffsets);
SAME_FIELD(internal);
_Static_assert(sizeof(pepkit_ssize) == sizeof(Py_ssize_t), "pepkit_ssize is Py_ssize_t");

_Static_assert(PEPKIT_BUF_MAX_NDIM == PyBUF_MAX_NDIM, "PyBUF_MAX_NDIM");
_Static_assert(PEPKIT_BUF_SIMPLE == PyBUF_SIMPLE, "PyBUF_SIMPLE");
_Static_assert(PEPKIT_BUF_WRITABLE == PyBUF_WRITABLE, "PyBUF_WRITABLE");
_Static_assert(PEPKIT_BUF_WRITEABLE == PyBUF_WRITEABLE, "PyBUF_WRITEABLE");
_Static_assert(PEPKIT_BUF_FORMAT == PyBUF_FORMAT, "PyBUF_FORMAT");
_Static_assert(PEPKIT_BUF_ND == PyBUF_ND, "PyBUF_ND");
_Static_assert(PEPKIT_BUF_STRIDES == PyBUF_STRIDES, "PyBUF_STRIDES");
_Static_assert(PEPKIT_BUF_C_CONTIGUOUS == PyBUF_C_CONTIGUOUS, "PyBUF_C_CONTIGUOUS");
_Static_assert(PEPKIT_BUF_F_CONTIGUOUS == PyBUF_F_CONTIGUOUS, "PyBUF_F_CONTIGUOUS");
_Static_assert(PEPKIT_BUF_ANY_CONTIGUOUS == PyBUF_ANY_CONTIGUOUS, "PyBUF_ANY_CONTIGUOUS");
_Static_assert(PEPKIT_BUF_INDIRECT == PyBUF_INDIRECT, "PyBUF_INDIRECT");
_Static_assert(PEPKIT_BUF_CONTIG == PyBUF_CONTIG, "PyBUF_CONTIG");
_Static_assert(PEPKIT_BUF_CONTIG_RO == PyBUF_CONTIG_RO, "PyBUF_CONTIG_RO");
_Static_assert(PEPKIT_BUF_STRIDED == PyBUF_STRIDED, "PyBUF_STRIDED");
_Static_assert(PEPKIT_BUF_STRIDED_RO == PyBUF_STRIDED_RO, "PyBUF_STRIDED_RO");
_Static_assert(PEPKIT_BUF_RECORDS == PyBUF_RECORDS, "PyBUF_RECORDS");
_Static_assert(PEPKIT_BUF_RECORDS_RO == PyBUF_RECORDS_RO, "PyBUF_RECORDS_RO");
_Static_assert(PEPKIT_BUF_FULL == PyBUF_FULL, "PyBUF_FULL");
_Static_assert(PEPKIT_BUF_FULL_RO == PyBUF_FULL_RO, "PyBUF_FULL_RO");
_Static_assert(PEPKIT_BUF_READ == PyBUF_READ, "PyBUF_READ");
_Static_assert(PEPKIT_BUF_WRITE == PyBUF_WRITE, "PyBUF_WRITE");

int main(void) { return 0; }
