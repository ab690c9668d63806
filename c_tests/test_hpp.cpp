// pepkit.hpp under ASan/UBSan (tests/suites/23-cxx.sh): every handle frees
// what it owns (LeakSanitizer would report it otherwise), copies and moves keep
// the counts right, errors arrive as pepkit::error with the C status, and the
// wrappers give the C API's answers.
#include "pepkit.hpp"
#include "pepkit.hpp"  // included twice on purpose

#include <cstdlib>
#include <fstream>
#include <string>
#include <type_traits>
#include <utility>

#include "check.h"

static_assert(!std::is_copy_constructible<pepkit::buffer>::value, "an export is released once");
static_assert(!std::is_copy_constructible<pepkit::venv>::value, "a venv handle is freed once");
static_assert(!std::is_copy_constructible<pepkit::spec>::value, "a spec is freed once");
static_assert(!std::is_copy_constructible<pepkit::finder>::value, "a finder is freed once");
static_assert(std::is_nothrow_move_constructible<pepkit::buffer>::value, "moves do not throw");
static_assert(std::is_copy_constructible<pepkit::object>::value, "objects are counted references");

// Runs `f`; checks it throws pepkit::error with `want`.
template <typename F>
static void check_throws(F f, pepkit_status want, int line) {
    try {
        f();
        check_failed_count++;
        std::fprintf(stderr, "test_hpp.cpp:%d: no exception (wanted %s)\n", line, pepkit_status_name(want));
    } catch (const pepkit::error &e) {
        if (e.status() == want && e.what()[0] != '\0') {
            check_passed_count++;
        } else {
            check_failed_count++;
            std::fprintf(stderr, "test_hpp.cpp:%d: %s \"%s\" (wanted %s)\n", line, e.status_name(), e.what(),
                         pepkit_status_name(want));
        }
    }
}
#define CHECK_THROWS(expr, want) check_throws([&] { (void)(expr); }, want, __LINE__)

static void objects_and_exports() {
    const unsigned char data[] = {1, 2, 3, 4};
    auto b = pepkit::object::bytes(data, sizeof data);
    CHECK(b.refcount() == 1);
    {
        pepkit::object copy = b;
        CHECK(b.refcount() == 2 && copy.get() == b.get());
        pepkit::object moved = std::move(copy);
        CHECK(b.refcount() == 2 && copy.get() == nullptr);
    }
    CHECK(b.refcount() == 1);
    {
        pepkit::buffer view(b, PEPKIT_BUF_FULL_RO);
        CHECK(b.exports() == 1 && view.len() == 4 && view.readonly() && std::string(view.format()) == "B");
        pepkit::buffer other = std::move(view);
        CHECK(b.exports() == 1 && static_cast<unsigned char *>(other.data())[3] == 4);
        other.release();
        CHECK(b.exports() == 0);
        other.release();  // a released export: nothing to do
        CHECK(b.exports() == 0);
    }
    {
        pepkit::buffer view(b, PEPKIT_BUF_SIMPLE);
        CHECK(b.exports() == 1);
    }
    CHECK(b.exports() == 0);
    CHECK_THROWS(pepkit::buffer(b, PEPKIT_BUF_WRITABLE), PEPKIT_ERR_BUFFER);
    CHECK(b.exports() == 0);

    auto ba = pepkit::object::bytearray(data, sizeof data);
    {
        pepkit::buffer view(ba, PEPKIT_BUF_WRITABLE);
        CHECK_THROWS(ba.resize(10), PEPKIT_ERR_BUFFER);
    }
    ba.resize(10);
    CHECK(pepkit::buffer(ba, PEPKIT_BUF_SIMPLE).len() == 10);

    auto nd = pepkit::object::ndarray("d", {2, 3}, 'F');
    pepkit::buffer v(nd, PEPKIT_BUF_FULL);
    CHECK(v.ndim() == 2 && v.itemsize() == 8 && v.is_contiguous('F') && !v.is_contiguous('C'));
    CHECK_THROWS(pepkit::object::ndarray("d", {2}, 'X'), PEPKIT_ERR_VALUE);
}

static int released;
static void on_release(void *ctx) { released += *static_cast<int *>(ctx); }

static void wrap_and_custom() {
    static int block[6] = {0, 1, 2, 3, 4, 5};
    static int one = 1;
    pepkit_ssize shape[] = {6};
    pepkit_layout layout{};
    layout.base = block;
    layout.size = sizeof block;
    layout.format = "i";
    layout.itemsize = sizeof(int);
    layout.ndim = 1;
    layout.shape = shape;
    released = 0;
    {
        auto w = pepkit::object::wrap(layout, on_release, &one);
        pepkit::memoryview m(w);
        pepkit::object keep = w;
        CHECK(m.tolist() == "[0, 1, 2, 3, 4, 5]");
        CHECK(released == 0);
    }
    CHECK(released == 1);
    layout.size = 4;  // too small for six ints: refused, release never called
    CHECK_THROWS(pepkit::object::wrap(layout, on_release, &one), PEPKIT_ERR_VALUE);
    CHECK(released == 1);

    pepkit_exporter_vtable vt{};
    vt.getbuffer = [](void *self, pepkit_buffer *view, int flags) -> pepkit_status {
        return pepkit_buffer_fill_info(view, nullptr, self, 3, 1, flags);
    };
    static char text[] = "abc";
    auto c = pepkit::object::custom(vt, text);
    CHECK(pepkit::memoryview(c).tolist() == "[97, 98, 99]");
}

static void memoryviews() {
    const unsigned char data[] = {1, 2, 3, 4, 5, 6, 7, 8};
    auto ba = pepkit::object::bytearray(data, sizeof data);
    pepkit::memoryview m(ba);
    CHECK(m.len() == 8 && m.format() == "B");
    auto evens = m.slice({pepkit::slice(1, PEPKIT_NONE, 2)});
    CHECK(evens.tolist() == "[2, 4, 6, 8]");
    CHECK(m.slice({pepkit::slice(PEPKIT_NONE, PEPKIT_NONE, -1)}).hex() == "0807060504030201");
    CHECK(m.hex(":", 2) == "0102:0304:0506:0708");
    auto grid = m.cast("B", {2, 4});
    CHECK(grid.shape() == (std::vector<pepkit_ssize>{2, 4}));
    CHECK(grid.subview(1).tolist() == "[5, 6, 7, 8]");
    CHECK(grid.tobytes('F') == (std::vector<uint8_t>{1, 5, 2, 6, 3, 7, 4, 8}));
    CHECK(grid.get({1, -1}).kind == PEPKIT_VALUE_UINT && grid.get({1, -1}).u == 8);
    grid.set({0, 0}, pepkit::int_value(200));
    CHECK(m.get({0}).u == 200);
    CHECK_THROWS(grid.set({0, 0}, pepkit::int_value(256)), PEPKIT_ERR_VALUE);
    CHECK_THROWS(grid.get({2, 0}), PEPKIT_ERR_INDEX);
    CHECK_THROWS(m.cast("q", {3}), PEPKIT_ERR_TYPE);
    CHECK_THROWS(m.slice({pepkit::slice(0, 4, 0)}), PEPKIT_ERR_VALUE);

    // m[0:4] = m[4:8], then equality with another exporter.
    m.assign({pepkit::slice(0, 4)}, m.slice({pepkit::slice(4, 8)}));
    const unsigned char want[] = {5, 6, 7, 8, 5, 6, 7, 8};
    CHECK(m == pepkit::object::bytes(want, sizeof want));
    CHECK(m != pepkit::object::bytes(data, sizeof data));
    CHECK_THROWS(m.hash(), PEPKIT_ERR_VALUE);  // writable
    auto frozen = pepkit::memoryview(pepkit::object::bytes(want, sizeof want));
    CHECK(frozen.hash() == frozen.toreadonly().hash());

    double values[3] = {0.5, 1.5, 2.5};
    auto fm = pepkit::memoryview::from_memory(values, sizeof values, true).cast("d");
    fm.set({2}, pepkit::float_value(-1.0));
    CHECK(values[2] == -1.0 && fm.tolist() == "[0.5, 1.5, -1.0]");

    pepkit::memoryview held(ba);
    {
        pepkit::buffer export_of_view(held, PEPKIT_BUF_SIMPLE);
        CHECK_THROWS(held.release_view(), PEPKIT_ERR_BUFFER);
    }
    held.release_view();
    CHECK_THROWS(held.tolist(), PEPKIT_ERR_VALUE);
    CHECK_THROWS(held.view(), PEPKIT_ERR_VALUE);
}

static void imports_and_venvs() {
    char tmpl[] = "/tmp/pepkit-hpp.XXXXXX";
    const char *dir = mkdtemp(tmpl);
    CHECK(dir != nullptr);
    if (!dir) return;
    std::string root = dir;
    std::string pkg = root + "/pkg";
    CHECK(std::system(("mkdir -p " + pkg + "/ns").c_str()) == 0);
    std::ofstream(pkg + "/__init__.py").put('\n');
    std::ofstream(root + "/mod.py").put('\n');

    auto s = pepkit::find_spec("pkg", {root});
    CHECK(s.kind() == PEPKIT_MODULE_PACKAGE && s.name() == "pkg" && s.origin() == pkg + "/__init__.py");
    CHECK(s.search_locations() == std::vector<std::string>{pkg});
    auto ns = pepkit::find_spec("pkg.ns", {root});
    CHECK(ns.kind() == PEPKIT_MODULE_NAMESPACE && !ns.origin().has_value());
    CHECK_THROWS(pepkit::find_spec("missing", {root}), PEPKIT_ERR_NOT_FOUND);

    std::ofstream(root + "/fast.abi3.so").put('\n');
    CHECK(pepkit::find_spec("fast", {root}, {".abi3.so"}).kind() == PEPKIT_MODULE_EXTENSION);
    CHECK_THROWS(pepkit::find_spec("fast", {root}, {".cpython-313-x86_64-linux-gnu.so"}), PEPKIT_ERR_NOT_FOUND);
    auto suffixes = pepkit::default_extension_suffixes();
    CHECK(!suffixes.empty() && suffixes.back() == ".so");
    CHECK(pepkit::format_calcsize("<iq") == 12 && pepkit::format_calcsize("@iq") == 16);
    CHECK_THROWS(pepkit::format_calcsize("y"), PEPKIT_ERR_VALUE);

    pepkit::finder f({root});
    CHECK(f.find_spec("mod").kind() == PEPKIT_MODULE_SOURCE);
    pepkit::finder moved = std::move(f);
    CHECK(moved.find_spec("pkg").name() == "pkg");
    moved.invalidate_caches();

    CHECK_THROWS(pepkit::venv::open(root.c_str()), PEPKIT_ERR_NOT_FOUND);
    // A real env, when python3 is on PATH: create, open, read it back.
    if (std::system("command -v python3 >/dev/null 2>&1") == 0) {
        pepkit::venv_options opts;
        opts.with_pip = false;
        opts.use_cache = false;
        std::string env = root + "/env";
        pepkit::venv::create(env.c_str(), opts);
        auto v = pepkit::venv::open(env.c_str());
        CHECK(v.dir() == env && v.get("home").has_value() && !v.get("no-such-key").has_value());
        CHECK(!v.system_site_packages());
        CHECK(v.site_packages().find(env + "/lib/python3.") == 0);
        CHECK(!v.sys_path().empty());
        CHECK(v.find_spec("json").kind() == PEPKIT_MODULE_PACKAGE);
        std::ofstream(v.site_packages() + "/hook.pth") << "import os\n";
        auto imports = v.pth_imports();
        CHECK(!imports.empty() && imports[0].first == v.site_packages() + "/hook.pth" &&
              imports[0].second == "import os");
        pepkit::venv other = std::move(v);
        CHECK(other.get() != nullptr && v.get() == nullptr);
    } else {
        std::printf("SKIPPED: venv creation (no python3 on PATH)\n");
    }
    CHECK(std::system(("rm -rf " + root).c_str()) == 0);
}

int main() {
    CHECK(pepkit::version() == PEPKIT_VERSION_STRING);
    objects_and_exports();
    wrap_and_custom();
    memoryviews();
    imports_and_venvs();
    return check_summary("test_hpp");
}
