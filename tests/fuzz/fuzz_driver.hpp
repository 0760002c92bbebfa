// What both fuzz targets do with an input: feed it to a codec in pieces (the first byte sets
// the piece size, so the fuzzer explores split points too), decode everything, answer every
// request, and check the codec's contract on the way. A broken rule traps, which libFuzzer
// reports with the input. A crash it finds becomes a unit test (tests/codec_test.cpp,
// tests/http_test.cpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "protocol.hpp"

namespace labfuzz {

inline void drive(lab::Codec& codec, const std::uint8_t* data, std::size_t size,
                  std::size_t max_buffered) {
    if (size == 0) return;
    std::size_t piece = static_cast<std::size_t>(data[0] % 64) + 1;
    std::size_t at = 1;
    std::string out;
    for (int replies = 0;; ++replies) {
        if (replies > 1'000'000) __builtin_trap();  // decoding must make progress
        lab::Decoded d = codec.next();
        if (d.kind == lab::Decoded::Kind::NeedMore) {
            if (at >= size) return;
            std::span<char> room = codec.input_space();
            // The contract: no room means a request or an error is ready.
            if (room.empty()) __builtin_trap();
            std::size_t n = std::min({piece, size - at, room.size()});
            std::memcpy(room.data(), data + at, n);
            codec.commit(n);
            at += n;
            if (codec.buffered() > max_buffered) __builtin_trap();  // bounded memory
            continue;
        }
        lab::Reply reply;
        if (d.kind == lab::Decoded::Kind::Error) {
            if (d.error.ok) __builtin_trap();
            reply = d.error;
        } else {
            const lab::Request& r = d.request;
            if (r.cpu_us > lab::kMaxCpuUs || r.io_ms > lab::kMaxIoMs ||
                r.reply_bytes > lab::kMaxReplyBytes)
                __builtin_trap();  // limits are checked before a request gets out
            reply = lab::ok_reply(r.text.empty() ? "1" : r.text);
            reply.body_bytes = r.reply_bytes;
        }
        lab::Framing framing = codec.encode(reply, out);
        if (out.empty() || out.size() > 16384) __builtin_trap();
        out.clear();
        if (framing.close_after) return;
    }
}

}  // namespace labfuzz
