// The header compiles as C++11 with every warning an error, included twice.
#include "pepkit.h"
#include "pepkit.h"

#include <cstring>

static_assert(sizeof(pepkit_buffer) == 10 * sizeof(void *), "pepkit_buffer is Py_buffer's size");
static_assert(PEPKIT_BUF_FULL_RO == 284, "flag values are CPython's");

extern "C" pepkit_status cxx_callback(void *self, pepkit_buffer *view, int flags) {
    return pepkit_buffer_fill_info(view, nullptr, self, 1, 1, flags);
}

int main() {
    pepkit_exporter_vtable vt = {cxx_callback, nullptr, nullptr};
    static char byte = 'x';
    pepkit_object *obj = nullptr;
    if (pepkit_custom_new(&vt, &byte, &obj) != PEPKIT_OK) return 1;
    pepkit_buffer view;
    std::memset(&view, 0, sizeof view);
    if (pepkit_getbuffer(obj, &view, PEPKIT_BUF_SIMPLE) != PEPKIT_OK) return 1;
    int ok = view.len == 1 && static_cast<char *>(view.buf)[0] == 'x';
    if (pepkit_releasebuffer(&view) != PEPKIT_OK) return 1;

    // The memoryview API from C++: slice with PEPKIT_NONE, tolist, values.
    pepkit_object *mv = nullptr, *rev = nullptr;
    if (pepkit_memoryview_new(obj, &mv) != PEPKIT_OK) return 1;
    pepkit_slice all = {PEPKIT_NONE, PEPKIT_NONE, -1};
    if (pepkit_memoryview_slice(mv, &all, 1, &rev) != PEPKIT_OK) return 1;
    char *text = nullptr;
    size_t n = 0;
    if (pepkit_memoryview_tolist(rev, &text, &n) != PEPKIT_OK) return 1;
    ok = ok && std::strcmp(text, "[120]") == 0;
    pepkit_free(text);
    pepkit_value v{};
    pepkit_ssize zero = 0;
    if (pepkit_memoryview_get_item(rev, &zero, 1, &v) != PEPKIT_OK) return 1;
    ok = ok && v.kind == PEPKIT_VALUE_UINT && v.u == 120;
    pepkit_decref(rev);
    pepkit_decref(mv);
    pepkit_decref(obj);
    return ok ? 0 : 1;
}
