// memoryview from C++ with pepkit.hpp: the C example memoryview.c in a few
// lines. Handles free themselves; a refused operation throws pepkit::error.
#include <pepkit.hpp>

#include <cstdio>
#include <numeric>
#include <vector>

int main() {
    try {
        std::vector<unsigned char> init(12);
        std::iota(init.begin(), init.end(), 0);
        auto data = pepkit::object::bytearray(init.data(), init.size());
        pepkit::memoryview m(data);

        auto every3 = m.slice({pepkit::slice(PEPKIT_NONE, PEPKIT_NONE, 3)});
        auto grid = m.cast("B", {3, 4});
        std::printf("m[::3]               %s\n", every3.tolist().c_str());
        std::printf("m.cast('B', (3, 4))  %s\n", grid.tolist().c_str());

        const unsigned char patch[] = {100, 101, 102, 103};
        m.assign({pepkit::slice(0, 4)}, pepkit::object::bytes(patch, sizeof patch));
        m.assign({pepkit::slice(8, 12)}, m.slice({pepkit::slice(0, 4)}));
        std::printf("after assignments    %s\n", m.tolist().c_str());
        std::printf("g[2]                 %s\n", grid.subview(2).tolist().c_str());
        if (grid.subview(2).tolist() != "[100, 101, 102, 103]" || grid.get({1, 1}).u != 5) return 1;

        try {
            m.assign({pepkit::slice(0, 3)}, pepkit::object::bytes(patch, sizeof patch));
            return 1;  // not reached: the structures differ
        } catch (const pepkit::error &e) {
            std::printf("m[0:3] = 4 bytes     %s: %s\n", e.status_name(), e.what());
            if (e.status() != PEPKIT_ERR_VALUE) return 1;
        }
        return 0;
    } catch (const pepkit::error &e) {
        std::fprintf(stderr, "%s: %s\n", e.status_name(), e.what());
        return 1;
    }
}
