// A virtual environment from C++ with pepkit.hpp: create it (with a progress
// callback, no pip), open it, and ask where `import json` would come from in
// it, without running its interpreter.
//
//   cxx_venv [ENV_DIR]    (default: a fresh directory under /tmp, removed after)
#include <pepkit.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char **argv) {
    char tmpl[] = "/tmp/pepkit-cxx-venv.XXXXXX";
    std::string tmp = argc > 1 ? std::string() : std::string(mkdtemp(tmpl) ? tmpl : "");
    std::string env = argc > 1 ? argv[1] : tmp + "/env";
    int rc = 0;
    try {
        pepkit::venv_options opts;  // python -m venv's defaults
        opts.with_pip = false;
        opts.progress = [](void *, const char *step) { std::printf("  step: %s\n", step); };
        pepkit::venv::create(env.c_str(), opts);

        auto v = pepkit::venv::open(env.c_str());
        std::printf("version %s, site-packages %s\n", v.get("version").value_or("?").c_str(),
                    v.site_packages().c_str());
        auto json = v.find_spec("json");
        std::printf("import json -> %s\n", json.origin().value_or("(namespace)").c_str());
        if (json.kind() != PEPKIT_MODULE_PACKAGE) rc = 1;
        try {
            (void)v.find_spec("no_such_module_here");
            rc = 1;
        } catch (const pepkit::error &e) {
            std::printf("import no_such_module_here -> %s\n", e.what());
            if (e.status() != PEPKIT_ERR_NOT_FOUND) rc = 1;
        }
    } catch (const pepkit::error &e) {
        std::fprintf(stderr, "%s: %s\n", e.status_name(), e.what());
        rc = 1;
    }
    if (!tmp.empty() && std::system(("rm -rf '" + tmp + "'").c_str()) != 0) rc = 1;
    return rc;
}
