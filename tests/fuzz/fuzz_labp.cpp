// libFuzzer target: the LABP/1 decoder (LabpCodec) and its line parser. See fuzz_driver.hpp.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_driver.hpp"
#include "protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    lab::LabpCodec codec;
    labfuzz::drive(codec, data, size, lab::kMaxLineBytes);
    lab::parse_line(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
