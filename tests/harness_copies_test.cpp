// The harness's copies of the protocol, checked against the protocol module. The harness
// decodes replies with code of its own on purpose (an instrument must not share code with
// what it checks: harness/engine.cpp), and its workload files carry the protocol's limits as
// numbers of their own. This suite is where the two meet, so that neither drifts silently:
// the workload limits against the protocol's constants, and the engine's reply decoder
// (its reply-line limit and its copy of the WORK body pattern) against bytes that the
// protocol module's own encoder writes, served by a small server made of the protocol module
// alone (no model in between). Includes both sides' headers; the harness links no protocol
// code for this, the test does.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "engine.hpp"
#include "http.hpp"
#include "protocol.hpp"
#include "temp_dir.hpp"
#include "workload.hpp"

namespace {

// ---------------------------------------------------------------------------------------
// The workload format's limits (harness/workload.{hpp,cpp}) against LABP/1's.

// An ECHO of the longest text a workload may ask for fits in one request line, as LABP/1
// (with CR LF) and as the LABP/1 line an HTTP /echo route becomes, and its HTTP form fits the
// header limit (the text is letters: nothing to percent-encode).
static_assert(std::string_view("ECHO ").size() + lab::kMaxEchoBytes + 2 <= lab::kMaxLineBytes);
static_assert(std::string_view("GET /echo?text= HTTP/1.1\r\nHost: 255.255.255.255\r\n\r\n").size() +
                  lab::kMaxEchoBytes <=
              lab::kMaxHeaderBytes);
// INCR spreads over at most as many keys as the server's table holds.
static_assert(lab::kMaxIncrKeys == lab::kMaxKeys);
// QUERY and WAIT (issue 14): the workload format's limits are LABP/1's, and the engine reads a
// QUERY row as the protocol sends it.
static_assert(lab::kWorkloadMaxQueryMs == lab::kMaxQueryMs);
static_assert(lab::kWorkloadMaxQueryRows == lab::kMaxQueryRows);
static_assert(lab::kQueryReplyRowBytes == lab::kQueryRowBytes);
static_assert(lab::kWorkloadMaxWaitMs == lab::kMaxWaitMs);
// A WAIT or POST line on the longest key the harness makes (k1023) and its longest value (a
// slot of 100,000 connections) fits LABP/1's keys.
static_assert(std::string_view("k1023").size() <= lab::kMaxKeyBytes);

// Loads a workload whose mix is the one entry `entry` (JSON); the error, or "" if it loads.
std::string load_error(const std::string& entry) {
    lab::test::TempDir dir("lab-copies");
    std::string path = dir.file("w.json");
    std::ofstream(path) << R"({"name": "w", "description": "limits", "mix": [)" << entry << "]}";
    std::string error;
    auto loaded = lab::load_workload(path, "", error);
    return loaded ? "" : (error.empty() ? "refused without a reason" : error);
}

std::string work_entry(const char* field, std::uint64_t value) {
    return std::string(R"({"request": "WORK", ")") + field + "\": " + std::to_string(value) + "}";
}

TEST(HarnessCopies, WorkloadLimitsAreTheProtocolsLimits) {
    struct Limit {
        const char* field;
        std::uint64_t protocol_limit;
    };
    for (Limit l : {Limit{"cpu_us", lab::kMaxCpuUs}, Limit{"io_ms", lab::kMaxIoMs},
                    Limit{"reply_bytes", lab::kMaxReplyBytes}}) {
        EXPECT_EQ(load_error(work_entry(l.field, l.protocol_limit)), "")
            << l.field << " at the protocol's limit must load";
        EXPECT_NE(load_error(work_entry(l.field, l.protocol_limit + 1)), "")
            << l.field << " over the protocol's limit must be refused";
    }
    EXPECT_EQ(load_error(R"({"request": "INCR", "keys": )" + std::to_string(lab::kMaxKeys) + "}"),
              "");
    EXPECT_NE(
        load_error(R"({"request": "INCR", "keys": )" + std::to_string(lab::kMaxKeys + 1) + "}"),
        "");
}

std::string entry(const char* request, const char* field, std::uint64_t value) {
    return std::string(R"({"request": ")") + request + R"(", ")" + field +
           "\": " + std::to_string(value) + "}";
}

TEST(HarnessCopies, QueryAndWaitLimitsAreTheProtocolsLimits) {
    struct Limit {
        const char* request;
        const char* field;
        std::uint64_t protocol_limit;
    };
    for (Limit l :
         {Limit{"QUERY", "ms", lab::kMaxQueryMs}, Limit{"QUERY", "rows", lab::kMaxQueryRows},
          Limit{"WAIT", "timeout_ms", lab::kMaxWaitMs}}) {
        SCOPED_TRACE(std::string(l.request) + " " + l.field);
        // A request timeout longer than any: the limit is the only fault there can be.
        auto error = [](const std::string& e) {
            lab::test::TempDir dir("lab-copies");
            std::string path = dir.file("w.json");
            std::ofstream(path) << R"({"name": "w", "request_timeout": "2m", "mix": [)" << e
                                << "]}";
            std::string text;
            auto loaded = lab::load_workload(path, "", text);
            return loaded ? "" : (text.empty() ? "refused without a reason" : text);
        };
        EXPECT_EQ(error(entry(l.request, l.field, l.protocol_limit)), "") << "at the limit";
        EXPECT_NE(error(entry(l.request, l.field, l.protocol_limit + 1)), "") << "over it";
    }
    for (const char* request : {"WAIT", "POST"}) {
        EXPECT_EQ(load_error(entry(request, "keys", lab::kMaxKeys)), "") << request;
        EXPECT_NE(load_error(entry(request, "keys", lab::kMaxKeys + 1)), "") << request;
    }
}

// ---------------------------------------------------------------------------------------
// The engine's reply decoder against the protocol module's encoder.

// QUERY's rows as harness/db/schema.sql's lab_rows and lab_query make them (the database is
// not in this test): row i is lpad(i, 6, '0') || ' ' || repeat(chr(97 + i % 26), 92), sent by
// the server with a LF.
std::string schema_rows(std::uint64_t rows) {
    std::string out;
    for (std::uint64_t i = 1; i <= rows; ++i) {
        std::string number = std::to_string(i);
        out += std::string(6 - number.size(), '0') + number + " ";
        out += std::string(92, static_cast<char>(97 + i % 26));
        out += "\n";
    }
    return out;
}

// A server made of the protocol module alone, on 127.0.0.1, one connection at a time on its
// own thread: make_codec() decodes, the codec encodes, fill_pattern streams WORK bodies.
// PING, ECHO and WORK are answered as lab-server answers them (no CPU burnt, no I/O waited).
// With corrupt_body_at set, that byte of every WORK body is made wrong: a control that the
// engine's check can fail.
class ProtocolOnlyServer {
  public:
    explicit ProtocolOnlyServer(std::optional<std::uint64_t> corrupt_body_at = std::nullopt)
        : corrupt_at_(corrupt_body_at) {
        listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (listen_fd_ < 0 ||
            bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            listen(listen_fd_, 16) != 0 ||
            getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            return;
        }
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~ProtocolOnlyServer() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        if (listen_fd_ >= 0) close(listen_fd_);
    }
    ProtocolOnlyServer(const ProtocolOnlyServer&) = delete;
    ProtocolOnlyServer& operator=(const ProtocolOnlyServer&) = delete;

    std::uint16_t port() const { return port_; }  // 0 if it could not listen

  private:
    static constexpr int kPollMs = 20;  // how often the thread looks at stop_

    // Waits (bounded by stop_) until fd has `events`; false once stopping.
    bool wait(int fd, short events) const {
        while (!stop_) {
            pollfd p{fd, events, 0};
            if (poll(&p, 1, kPollMs) > 0) return true;
        }
        return false;
    }

    bool send_all(int fd, const char* data, std::size_t n) const {
        while (n > 0) {
            if (!wait(fd, POLLOUT)) return false;
            ssize_t sent = send(fd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent < 0 && errno != EAGAIN && errno != EINTR) return false;
            if (sent <= 0) continue;
            data += sent;
            n -= static_cast<std::size_t>(sent);
        }
        return true;
    }

    static lab::Reply answer(const lab::Request& request) {
        switch (request.command) {
            case lab::Command::Ping:
                return lab::ok_reply("PONG");
            case lab::Command::Echo:
                return lab::ok_reply(request.text);
            case lab::Command::Work: {
                lab::Reply reply = lab::ok_reply(std::to_string(request.reply_bytes));
                reply.body_bytes = request.reply_bytes;
                return reply;
            }
            // QUERY: with ms 1 the database is "down"; else the rows, made as
            // harness/db/schema.sql makes them. WAIT: nobody POSTs. POST: nobody waited.
            case lab::Command::Query: {
                if (request.query_ms == 1) return lab::backend_unavailable_reply();
                lab::Reply reply = lab::ok_reply(std::to_string(request.rows));
                reply.rows = schema_rows(request.rows);
                return reply;
            }
            case lab::Command::Wait:
                return lab::wait_timeout_reply();
            case lab::Command::Post:
                return lab::ok_reply("0");
            default:
                return lab::error_reply(lab::ErrorCode::BadRequest, "not in this test");
        }
    }

    // Sends the reply's head and its body, chunk by chunk as lab-server streams it.
    bool send_reply(int fd, lab::Codec& codec, const lab::Reply& reply) const {
        std::string bytes;
        lab::Framing framing = codec.encode(reply, bytes);
        if (!send_all(fd, bytes.data(), bytes.size())) return false;
        for (std::uint64_t offset = 0; offset < framing.body_bytes;) {
            std::size_t n = static_cast<std::size_t>(
                std::min<std::uint64_t>(lab::kBodyChunkBytes, framing.body_bytes - offset));
            bytes.resize(n);
            lab::fill_pattern(bytes.data(), n, offset);
            if (corrupt_at_ && *corrupt_at_ >= offset && *corrupt_at_ < offset + n) {
                bytes[static_cast<std::size_t>(*corrupt_at_ - offset)] ^= 1;
            }
            if (!send_all(fd, bytes.data(), n)) return false;
            offset += n;
        }
        return !framing.close_after;
    }

    void serve(int fd) const {
        std::unique_ptr<lab::Codec> codec = lab::make_codec();
        while (wait(fd, POLLIN)) {
            std::span<char> room = codec->input_space();
            ssize_t got = recv(fd, room.data(), room.size(), MSG_DONTWAIT);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) return;
            if (got > 0) codec->commit(static_cast<std::size_t>(got));
            for (lab::Decoded d = codec->next(); d.kind != lab::Decoded::Kind::NeedMore;
                 d = codec->next()) {
                lab::Reply reply =
                    d.kind == lab::Decoded::Kind::Error ? d.error : answer(d.request);
                if (!send_reply(fd, *codec, reply)) return;
            }
        }
    }

    void run() {
        while (wait(listen_fd_, POLLIN)) {
            int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            serve(fd);
            close(fd);
        }
    }

    std::optional<std::uint64_t> corrupt_at_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// The requests driven: the largest ECHO a workload allows, and a WORK whose body is several
// chunks long and ends mid-alphabet.
lab::RequestSpec largest_echo() {
    lab::RequestSpec echo;
    echo.kind = lab::RequestSpec::Kind::Echo;
    echo.echo_bytes = lab::kMaxEchoBytes;
    return echo;
}
lab::RequestSpec long_work() {
    lab::RequestSpec work;
    work.kind = lab::RequestSpec::Kind::Work;
    work.reply_bytes = 3 * lab::kBodyChunkBytes + 7;
    return work;
}

lab::RequestSpec query(std::uint64_t ms, std::uint64_t rows) {
    lab::RequestSpec spec;
    spec.kind = lab::RequestSpec::Kind::Query;
    spec.query_ms = ms;
    spec.rows = rows;
    return spec;
}
lab::RequestSpec of_kind(lab::RequestSpec::Kind kind) {
    lab::RequestSpec spec;
    spec.kind = kind;
    spec.timeout_ms = 1;
    return spec;
}

// A closed loop of one connection sending `request` to `server` for `duration_ns`.
lab::EngineResult drive(const ProtocolOnlyServer& server, const lab::RequestSpec& request,
                        bool http, std::uint64_t duration_ns) {
    lab::EngineConfig config;
    config.port = server.port();
    config.workload.name = "copies";
    config.workload.mix = {request};
    config.connections = 1;
    config.duration_ns = duration_ns;
    config.http = http;
    std::atomic<bool> interrupted{false};
    return lab::run_engine(config, {}, interrupted);
}

TEST(HarnessCopies, EngineAcceptsEveryReplyTheProtocolModuleEncodes) {
    for (bool http : {false, true}) {
        for (const lab::RequestSpec& request : {lab::RequestSpec{}, largest_echo(), long_work()}) {
            SCOPED_TRACE(std::string(http ? "HTTP/1.1, " : "LABP/1, ") +
                         (request.kind == lab::RequestSpec::Kind::Ping   ? "PING"
                          : request.kind == lab::RequestSpec::Kind::Echo ? "ECHO"
                                                                         : "WORK"));
            ProtocolOnlyServer server;
            ASSERT_NE(server.port(), 0) << "the test server could not listen";
            lab::EngineResult result = drive(server, request, http, 150'000'000);
            EXPECT_GE(result.requests, 1u);
            EXPECT_EQ(result.errors.total(), 0u) << result.first_wrong_reply;
        }
    }
}

// QUERY's rows (the most a QUERY may ask for) and POST's count, as the protocol module frames
// them in each protocol; and the two errors after which a connection stays open, as the
// protocol module encodes them (backend_unavailable_reply, wait_timeout_reply): each counted as
// its own kind, on the one connection.
TEST(HarnessCopies, EngineReadsQueryRowsPostCountsAndTheKeptErrors) {
    using Kind = lab::RequestSpec::Kind;
    for (bool http : {false, true}) {
        SCOPED_TRACE(http ? "HTTP/1.1" : "LABP/1");
        {
            ProtocolOnlyServer server;
            ASSERT_NE(server.port(), 0);
            lab::EngineResult r = drive(server, query(0, lab::kMaxQueryRows), http, 150'000'000);
            EXPECT_GE(r.requests, 1u);
            EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
        }
        {
            ProtocolOnlyServer server;
            lab::EngineResult r = drive(server, of_kind(Kind::Post), http, 100'000'000);
            EXPECT_GE(r.requests, 1u);
            EXPECT_EQ(r.errors.total(), 0u) << r.first_wrong_reply;
        }
        {
            ProtocolOnlyServer server;  // one connection at a time: a reconnect would hang
            lab::EngineResult r = drive(server, query(1, 0), http, 200'000'000);
            EXPECT_GE(r.errors.backend_unavailable, 2u);
            EXPECT_EQ(r.errors.total(), r.errors.backend_unavailable) << r.first_wrong_reply;
            EXPECT_LE(r.connect.count(), 1u);
        }
        {
            ProtocolOnlyServer server;
            lab::EngineResult r = drive(server, of_kind(Kind::Wait), http, 100'000'000);
            EXPECT_GE(r.errors.wait_timeout, 2u);
            EXPECT_EQ(r.errors.total(), r.errors.wait_timeout) << r.first_wrong_reply;
            EXPECT_LE(r.connect.count(), 1u);
        }
    }
}

TEST(HarnessCopies, EngineNoticesABodyByteOffThePattern) {
    const std::uint64_t wrong = lab::kBodyChunkBytes + 30;  // in the second chunk
    for (bool http : {false, true}) {
        SCOPED_TRACE(http ? "HTTP/1.1" : "LABP/1");
        ProtocolOnlyServer server(wrong);
        ASSERT_NE(server.port(), 0) << "the test server could not listen";
        lab::EngineResult result = drive(server, long_work(), http, 150'000'000);
        EXPECT_GE(result.errors.wrong_reply, 1u);
        EXPECT_NE(result.first_wrong_reply.find("WORK body byte " + std::to_string(wrong)),
                  std::string::npos)
            << result.first_wrong_reply;
    }
}

}  // namespace
