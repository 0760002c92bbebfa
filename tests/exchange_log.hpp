// What the suites' clients last sent and what came back, so that ./lab grade-model can explain
// a failing case in the student's terms (tests/grader/README.md): "sent PING, expected OK PONG,
// came back nothing within 5 s". Every Client call (server_process.hpp) notes itself here; when a
// test first fails, the exchange in progress is kept, and ModelTest records it as the test's
// properties grade_sent and grade_received, which gtest's JSON and XML output carry. Any thread.
#pragma once

#include <string>
#include <string_view>

namespace labtest::exchange {

// A send: starts a new exchange (the bytes, shortened for a sentence).
void sent(std::string_view bytes);
// A connect: starts a new exchange too ("a connection to the server").
void connected(bool ok);
// What a read brought, described in words ("'OK PONG'", "nothing within 5 s", "EOF").
void received(const std::string& what);

// The bytes as a report quotes them: control characters escaped (a LF as \n), at most about
// 60 characters, with the full length after a longer one.
std::string quote(std::string_view bytes);

// The exchange in progress when the current test first failed ({"", ""} if it has not failed,
// or failed before any exchange). Reset as each test starts.
struct Snapshot {
    std::string sent;
    std::string received;
};
Snapshot at_first_failure();
// Why the current test was skipped (GTEST_SKIP's message), or "": gtest's JSON output has no
// place for it, so ModelTest records it as the property grade_skipped.
std::string skip_reason();

}  // namespace labtest::exchange
