// libFuzzer target: the HTTP/1.1 decoder (HttpCodec) on its own, and the codec a connection
// starts with (make_codec), which picks LABP/1 or HTTP from the first line. See
// fuzz_driver.hpp.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_driver.hpp"
#include "http.hpp"
#include "protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    lab::HttpCodec http;
    labfuzz::drive(http, data, size, lab::kMaxHeaderBytes);
    std::unique_ptr<lab::Codec> chosen = lab::make_codec();
    labfuzz::drive(*chosen, data, size, lab::kMaxHeaderBytes);
    std::string decoded;
    lab::percent_decode(std::string_view(reinterpret_cast<const char*>(data), size), decoded);
    return 0;
}
