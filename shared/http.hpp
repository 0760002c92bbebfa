// An HTTP/1.1 subset on the same protocol module, sans-I/O like LABP/1: curl, wrk and a
// browser can talk to every model, and no model has a line of HTTP in it. Each route is a
// LABP/1 request in other clothes (GET /work?cpu_us=1&io_ms=2&bytes=3 is WORK 1 2 3), so the
// limits, errors and work are LABP/1's own. The format is specified in PROTOCOL.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "protocol.hpp"

namespace lab {

// Limits of the HTTP subset. Input beyond them is refused with a status.
inline constexpr std::size_t kMaxHeaderBytes = 8192;            // request line + headers: 431
inline constexpr std::uint64_t kMaxRequestBodyBytes = 1 << 20;  // Content-Length: 413
inline constexpr std::size_t kMaxPendingReplies = 64;           // decoded requests not yet answered

// True if `line` (a connection's first line, without CR LF) is an HTTP request line:
// an uppercase method token, a space, a target beginning with '/', a space, HTTP/d.d.
bool is_http_request_line(std::string_view line);

// Percent-decodes a query component ('+' is a space); false on a bad % escape.
bool percent_decode(std::string_view in, std::string& out);

class HttpCodec final : public Codec {
  public:
    std::span<char> input_space() override;
    bool has_input_space() const override { return !failed_ && buffered() < sizeof buffer_; }
    void commit(std::size_t n) override;
    Decoded next() override;
    std::size_t buffered() const override { return end_ - start_; }
    Framing encode(const Reply& reply, std::string& out) override;
    // The HTTP form of a reply to no request (a 503 refusal, a 408): it closes the connection.
    static Framing encode_unrequested(const Reply& reply, std::string& out);

    // How a request's reply is framed, remembered from its decoding to its encoding: text,
    // WORK's streamed pattern, the STATS JSON, or QUERY's rows (Reply::rows).
    enum class Body { Text, Pattern, Json, Rows };

  private:
    struct Pending {
        Body body = Body::Text;
        bool keep_alive = false;
        bool http10 = false;
    };

    static Framing encode_for(const Reply& reply, const Pending& request, std::string& out);
    Decoded parse(std::string_view head);
    Decoded answer(Decoded d, Pending pending);
    Decoded fail(ErrorCode code, std::string_view message);
    void discard_body();

    char buffer_[kMaxHeaderBytes];
    std::size_t start_ = 0;        // first byte not yet decoded
    std::size_t end_ = 0;          // one past the last received byte
    std::size_t scanned_ = 0;      // bytes from start_ already searched for the head's end
    std::size_t line_start_ = 0;   // where the line being searched begins, from start_
    std::uint64_t body_left_ = 0;  // request body bytes still to read and ignore
    bool failed_ = false;          // after an error that closes: no more requests
    Decoded failure_;
    std::deque<Pending> pending_;  // one per decoded request not yet encoded
};

}  // namespace lab
