// The protocol module, sans-I/O: bytes go in, requests come out; replies go in, bytes come
// out. Nothing here makes a system call, so every model uses the very same code. Two wire
// formats sit behind one Codec: LABP/1 (here and protocol.cpp) and an HTTP/1.1 subset
// (http.hpp); make_codec() picks one per connection. Every byte the server writes to a
// client is encoded here, refusals included. The wire formats are specified in
// shared/PROTOCOL.md; the limits below are quoted there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace lab {

// Limits of LABP/1. Input beyond them is refused with an ERR reply.
inline constexpr std::size_t kMaxLineBytes = 4096;  // a request line, counting its CR and LF
inline constexpr std::uint64_t kMaxCpuUs = 1'000'000;
inline constexpr std::uint64_t kMaxIoMs = 60'000;
inline constexpr std::uint64_t kMaxReplyBytes = 16'777'216;
inline constexpr std::size_t kMaxKeyBytes = 64;
inline constexpr std::size_t kMaxKeys = 1024;
// QUERY (a real query to the database behind the server, shared/backend.hpp): at most this
// long in the database, at most this many rows, each sent as kQueryRowBytes (its 99-byte
// payload and a LF: harness/db/schema.sql).
inline constexpr std::uint64_t kMaxQueryMs = 10'000;
inline constexpr std::uint64_t kMaxQueryRows = 1'000;
inline constexpr std::size_t kQueryRowBytes = 100;
// WAIT (tasks that wait on each other): at most this long, and at most this many clients
// waiting at once in one server (more: ERR 503 until one leaves).
inline constexpr std::uint64_t kMaxWaitMs = 60'000;
inline constexpr std::size_t kMaxWaiters = 1'000;
// WORK bodies are generated and sent in chunks of this size, never built whole.
inline constexpr std::size_t kBodyChunkBytes = std::size_t{64} * 1024;

enum class Command { Ping, Echo, Work, Incr, Get, Stats, Quit, Query, Wait, Post };

// One decoded request. Which fields mean something depends on the command.
struct Request {
    Command command = Command::Ping;
    std::string
        text;  // ECHO: the line after its first four characters; INCR/GET/WAIT/POST: the key
    std::uint64_t cpu_us = 0;       // WORK
    std::uint64_t io_ms = 0;        // WORK
    std::uint64_t reply_bytes = 0;  // WORK
    std::uint64_t query_ms = 0;     // QUERY: time in the database
    std::uint64_t rows = 0;         // QUERY
    std::uint64_t timeout_ms = 0;   // WAIT
    std::string value;              // POST
};

// Error codes of `ERR <code> <message>` replies (see PROTOCOL.md for when each is sent).
enum class ErrorCode : int {
    BadRequest = 400,
    IdleTimeout = 408,
    LineTooLong = 413,
    OverLimit = 422,
    Internal = 500,
    OverCapacity = 503,
    // HTTP/1.1 only (shared/http.hpp): LineTooLong (413) is also its "body over 1 MiB".
    NotFound = 404,
    MethodNotAllowed = 405,
    HeadersTooLarge = 431,
    NotImplemented = 501,
    VersionNotSupported = 505,
};

// True for the errors after which the server replies, closes its side and drains the client.
constexpr bool closes_connection(ErrorCode code) {
    return code == ErrorCode::LineTooLong || code == ErrorCode::IdleTimeout ||
           code == ErrorCode::OverCapacity || code == ErrorCode::HeadersTooLarge ||
           code == ErrorCode::NotImplemented;
}

// A reply before encoding. `ok` picks OK or ERR; `text` is what follows the word (may be
// empty); `body_bytes` pattern bytes ('a' + i % 26) follow the line and are streamed by the
// caller with fill_pattern(), never built whole. `rows` (QUERY) is a body of real bytes that
// the encoder appends whole: at most kMaxQueryRows * kQueryRowBytes (100 KB).
struct Reply {
    bool ok = true;
    std::string text;
    std::uint64_t body_bytes = 0;
    std::string rows;
    bool close_after = false;  // QUIT, and the errors of closes_connection()
};

Reply ok_reply(std::string text);
Reply error_reply(ErrorCode code, std::string_view message);
// The errors a request may end in while its connection stays open, although their codes close
// a connection elsewhere: a database that does not answer (503), a WAIT that no POST ended
// (408), too many clients waiting (503). See PROTOCOL.md.
Reply backend_unavailable_reply();
Reply wait_timeout_reply();
Reply too_many_waiters_reply();

// Why a client is turned away before it is served. Each is an ERR 503 (OverCapacity) with
// its own message: "server at --max-clients", "server out of file descriptors",
// "descriptor over FD_SETSIZE" (a descriptor select() cannot watch).
enum class Refusal { MaxClients, OutOfDescriptors, OverFdSetSize };
Reply refusal_reply(Refusal why);

// What the decoder yields for each call of next().
struct Decoded {
    enum class Kind { NeedMore, Request, Error };
    Kind kind = Kind::NeedMore;
    Request request;   // when kind == Request
    Reply error;       // when kind == Error: a ready ERR reply
    ErrorCode code{};  // when kind == Error
};

// What the caller does after sending an encoded reply's head: stream `body_bytes` pattern
// bytes (fill_pattern), then close (drain and close) if `close_after`.
struct Framing {
    std::uint64_t body_bytes = 0;
    bool close_after = false;
};

// A per-connection codec: a decoder for requests and an encoder for replies. Two wire formats
// implement it, LABP/1 (below) and an HTTP/1.1 subset (http.hpp); make_codec() picks one per
// connection from its first line, so no model knows which one it speaks.
//
// Input contract: the caller copies received bytes into input_space() and then calls
// commit(n); or calls feed(). The codec holds at most kMaxLineBytes of input, so a connection
// never holds more than one request's worth: when input_space() is empty, next() has a
// complete request or an error ready. Not thread-safe; one codec belongs to one connection.
class Codec {
  public:
    virtual ~Codec() = default;

    // Free room for incoming bytes; empty while the buffer holds a full line's worth. May
    // move the buffered bytes to the front to make room (so it is not const).
    virtual std::span<char> input_space() = 0;
    // Whether input_space() would be non-empty, asked without changing anything: a loop
    // deciding whether to watch the socket for reading.
    virtual bool has_input_space() const = 0;
    // Declares that the first n bytes of input_space() now hold received data.
    virtual void commit(std::size_t n) = 0;
    // The next request, an error, or NeedMore. After an error that closes the connection
    // (413), the codec stays failed and returns that error again.
    virtual Decoded next() = 0;
    // Bytes received but not yet decoded.
    virtual std::size_t buffered() const = 0;
    // Appends the reply's head (LABP/1: its line; HTTP: status line, headers and a text
    // body) to out; says what follows it. Replies are encoded in the order of the requests.
    virtual Framing encode(const Reply& reply, std::string& out) = 0;

    // Copies as much of bytes as fits; returns how many bytes were taken.
    std::size_t feed(std::string_view bytes);
};

// LABP/1: one request per LF-terminated line.
class LabpCodec final : public Codec {
  public:
    std::span<char> input_space() override;
    bool has_input_space() const override { return !failed_ && buffered() < sizeof buffer_; }
    void commit(std::size_t n) override;
    Decoded next() override;
    std::size_t buffered() const override { return end_ - start_; }
    Framing encode(const Reply& reply, std::string& out) override;
    // The received bytes not yet decoded (for the codec chooser).
    std::string_view pending() const { return {buffer_ + start_, end_ - start_}; }
    // LABP/1's encoder, needing no connection (encode_before_codec uses it).
    static Framing encode_labp(const Reply& reply, std::string& out);

  private:
    char buffer_[kMaxLineBytes];
    std::size_t start_ = 0;    // first byte not yet decoded
    std::size_t end_ = 0;      // one past the last received byte
    std::size_t scanned_ = 0;  // bytes from start_ known to hold no LF: each byte is scanned once
    bool failed_ = false;      // after 413 the stream has no more request boundaries
};

// The codec a new connection starts with: it reads the first line, then becomes HTTP/1.1 if
// that line is an HTTP request line and LABP/1 otherwise (shared/http.cpp, PROTOCOL.md).
std::unique_ptr<Codec> make_codec();

// Encodes a reply sent before a connection's codec is chosen (a refusal right after accept,
// a 408 before the first line is complete), given the bytes the client has sent so far (may
// be none): in HTTP/1.1 form, closing, when they hold a complete first line that is an HTTP
// request line (make_codec's own rule), and in LABP/1 form otherwise. Says what follows the
// head, as Codec::encode does.
Framing encode_before_codec(const Reply& reply, std::string_view first_bytes, std::string& out);

// Parses one request line (without CR/LF). Returns Request or Error; exposed for tests.
Decoded parse_line(std::string_view line);

// Writes n bytes of the WORK reply body into out, starting at body offset `offset`:
// byte i of the body is 'a' + i % 26.
void fill_pattern(char* out, std::size_t n, std::uint64_t offset);

}  // namespace lab
