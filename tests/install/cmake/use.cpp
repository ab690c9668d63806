// A C++17 consumer of pepkit.hpp: RAII objects, a memoryview slice and cast,
// and an error as an exception carrying the status.
#include <pepkit.hpp>

#include <cstdio>
#include <string>

int main() {
    const unsigned char data[] = {1, 2, 3, 4, 5, 6, 7, 8};
    auto b = pepkit::object::bytearray(data, sizeof data);
    pepkit::memoryview m(b);
    auto odd = m.slice({pepkit::slice(0, PEPKIT_NONE, 2)});
    if (odd.tolist() != "[1, 3, 5, 7]") return 1;
    auto words = m.cast("H", {2, 2});
    if (words.shape() != std::vector<pepkit_ssize>{2, 2}) return 1;
    try {
        (void)m.cast("q", {3});  // 24 bytes from 8: refused
        return 1;
    } catch (const pepkit::error &e) {
        if (e.status() != PEPKIT_ERR_TYPE && e.status() != PEPKIT_ERR_VALUE) return 1;
        std::printf("expected error: %s: %s\n", e.status_name(), e.what());
    }
    std::printf("%s %s\n", pepkit::version().c_str(), odd.tolist().c_str());
    return pepkit::version() == PEPKIT_VERSION_STRING ? 0 : 1;
}
