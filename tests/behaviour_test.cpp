// The behaviour suite: what tells the models apart (Models/Behaviour.NAME/MODEL). The
// machine may be small and busy, so only relations and orders of magnitude are asserted:
// "at least the sum of the waits" for sequential, "a fraction of it" for the others.
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "server_process.hpp"

namespace labtest {
namespace {

using Behaviour = ModelTest;

// Eight clients each ask for 300 ms of simulated I/O at once. Sequential serves them one
// after another (>= 8 x 0.3 s); every other model overlaps the waits.
TEST_P(Behaviour, EightSlowClientsOverlapExceptSequential) {
    ASSERT_NO_FATAL_FAILURE(start());
    constexpr std::size_t kClients = 8;
    std::vector<Client> clients(kClients);
    for (Client& c : clients)
        ASSERT_TRUE(c.connect(port()));
    auto t0 = Clock::now();
    for (Client& c : clients)
        ASSERT_TRUE(c.send_all("WORK 0 300 16\nQUIT\n"));
    auto transcripts = read_all_until_eof(clients, t0, 15s);
    double total = 0;
    for (std::size_t i = 0; i < kClients; ++i) {
        SCOPED_TRACE("client " + std::to_string(i));
        EXPECT_EQ(transcripts[i].bytes, "OK 16\n" + pattern(16) + "OK BYE\n");
        ASSERT_GE(transcripts[i].eof_at, 0.0) << "no EOF within 15 s";
        total = std::max(total, transcripts[i].eof_at);
    }
    RecordProperty("total_ms", static_cast<int>(total * 1000));
    if (sequential()) {
        EXPECT_GE(total, 2.3) << "sequential cannot overlap 8 waits of 0.3 s";
    } else {
        EXPECT_GE(total, 0.3) << "no client can be done before its own 0.3 s";
        EXPECT_LT(total, 2.3 / 3) << model() << " did not overlap the waits";
    }
}

// A client that does not read its 16 MiB reply holds only its own connection.
TEST_P(Behaviour, StalledReaderDoesNotDelayOthers) {
    if (sequential()) GTEST_SKIP() << "sequential serves one client at a time by design";
    ASSERT_NO_FATAL_FAILURE(start());
    Client stalled = connect();
    ASSERT_TRUE(stalled.send_all("WORK 0 0 16777216\n"));
    std::this_thread::sleep_for(200ms);  // the server fills the socket buffers meanwhile

    Client other = connect();
    auto t0 = Clock::now();
    auto reply = other.request("PING", 10s);
    double took = seconds_since(t0);
    EXPECT_EQ(reply, "OK PONG");
    EXPECT_LT(took, 2.0) << "a PING waited behind a reader that does not read";
    RecordProperty("ping_ms", static_cast<int>(took * 1000));

    // The first client still holds its unread reply: its first bytes are all there.
    EXPECT_EQ(stalled.read_line(), "OK 16777216");
    EXPECT_EQ(stalled.read_exact(4096), pattern(4096));
    stalled.set_linger_zero();
    stalled.close();
    other.close();
    Client fresh = connect();
    EXPECT_EQ(fresh.request("PING"), "OK PONG");
}

// While one client's WORK waits 1 s of simulated I/O, another client's PING is answered at
// once by every model but sequential, where it waits for the slow client to finish.
TEST_P(Behaviour, PingDuringSlowWork) {
    ASSERT_NO_FATAL_FAILURE(start());
    std::vector<Client> clients(2);
    Client& slow = clients[0];
    Client& quick = clients[1];
    ASSERT_TRUE(slow.connect(port()));
    auto t0 = Clock::now();
    ASSERT_TRUE(slow.send_all("WORK 0 1000 1\nQUIT\n"));
    std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(quick.connect(port()));
    ASSERT_TRUE(quick.send_all("PING\n"));

    // Read both at once: the slow client is closed at its EOF, so that sequential moves on.
    double slow_done = -1;
    double quick_done = -1;
    std::string slow_bytes;
    std::string quick_reply;
    auto deadline = Clock::now() + 10s;
    while ((slow_done < 0 || quick_done < 0) && Clock::now() < deadline) {
        pump_any(clients, deadline);
        if (quick_done < 0) {
            if (auto line = quick.take_line()) {
                quick_done = seconds_since(t0);
                quick_reply = *line;
            }
        }
        if (slow_done < 0 && slow.at_eof()) {
            slow_done = seconds_since(t0);
            slow_bytes = slow.read_until_eof(0ms).value_or("");
            slow.close();
        }
        if (quick.at_eof()) break;
    }
    ASSERT_GE(slow_done, 0.0) << "the slow client got no EOF within 10 s";
    ASSERT_GE(quick_done, 0.0) << "the PING got no reply within 10 s";
    EXPECT_EQ(slow_bytes, "OK 1\naOK BYE\n");
    EXPECT_EQ(quick_reply, "OK PONG");
    EXPECT_GE(slow_done, 0.9) << "the WORK's 1 s of I/O was cut short";
    RecordProperty("ping_ms", static_cast<int>(quick_done * 1000));
    if (sequential()) {
        EXPECT_GE(quick_done, 0.9) << "sequential answered a second client mid-WORK";
        EXPECT_GE(quick_done, slow_done) << "sequential answered a second client first";
    } else {
        EXPECT_LT(quick_done, 0.5) << "the PING waited for another client's simulated I/O";
        EXPECT_LT(quick_done, slow_done);
    }
}

INSTANTIATE_TEST_SUITE_P(Models, Behaviour, testing::ValuesIn(all_models()), model_test_name);

}  // namespace
}  // namespace labtest
