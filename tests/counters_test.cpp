// Unit tests of the shared counter block (shared/counters.hpp) and of what service.hpp builds
// on it: creation and read-only mapping, atomic counters under threads and processes, the
// INCR/GET table and its robust lock, the STATS JSON, and burn_cpu.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "counters.hpp"
#include "protocol.hpp"
#include "service.hpp"

namespace {

using lab::StatsBlock;
using lab::StatsRegion;
using lab::TableResult;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "lab-counters-test.XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    fs::path path_;
};

std::optional<StatsRegion> anonymous_region(const std::string& model = "unit") {
    std::string error;
    auto region = StatsRegion::create("", model, 0, error);
    EXPECT_TRUE(region.has_value()) << error;
    return region;
}

// Runs fn in a forked child; its return value is the child's exit code. The child never
// returns into the test framework: it leaves with _exit, also if fn throws.
pid_t fork_child(const std::function<int()>& fn) {
    pid_t pid = fork();
    if (pid == 0) {
        int code = 99;
        try {
            code = fn();
        } catch (...) {
            code = 98;
        }
        _exit(code);
    }
    return pid;
}

// Waits for a child at most `timeout`; on timeout kills and reaps it and returns nullopt.
std::optional<int> wait_child(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0) return std::nullopt;
        if (std::chrono::steady_clock::now() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return std::nullopt;
        }
        std::this_thread::sleep_for(1ms);
    }
}

// "exit 0", "exit 3", "signal 14", or "timed out" for a wait_child() result.
std::string describe_status(const std::optional<int>& status) {
    if (!status) return "timed out";
    if (WIFEXITED(*status)) return "exit " + std::to_string(WEXITSTATUS(*status));
    if (WIFSIGNALED(*status)) return "signal " + std::to_string(WTERMSIG(*status));
    return "status " + std::to_string(*status);
}

// Reads from fd until end of stream, at most `timeout` in all.
std::string read_all(int fd, std::chrono::milliseconds timeout) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

// Reads exactly n bytes from fd, waiting at most `timeout`; returns what arrived.
std::string read_exactly(int fd, std::size_t n, std::chrono::milliseconds timeout) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        char buf[64];
        ssize_t got = read(fd, buf, std::min(sizeof buf, n - out.size()));
        if (got <= 0) break;
        out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
}

void write_file(const std::string& path, const char* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data, static_cast<std::streamsize>(size));
    ASSERT_TRUE(out.good()) << path;
}

// A block built by hand (not by StatsRegion::create), written to `path`.
void write_block_file(const std::string& path, const std::function<void(StatsBlock&)>& edit) {
    auto block = std::make_unique<StatsBlock>();  // value-initialised: all zero
    block->magic = lab::kStatsMagic;
    block->version = lab::kStatsVersion;
    block->size = sizeof(StatsBlock);
    block->pid = getpid();
    std::snprintf(block->model, sizeof block->model, "%s", "by-hand");
    block->ready.store(1);
    edit(*block);
    write_file(path, reinterpret_cast<const char*>(block.get()), sizeof(StatsBlock));
}

std::set<std::string> directory_entries(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
        names.insert(entry.path().filename().string());
    return names;
}

// ---------------------------------------------------------------------------------------
// 1. Creating and opening the block.

void expect_fresh_header(const StatsBlock& b, const std::string& model, std::uint32_t port) {
    EXPECT_EQ(b.magic, lab::kStatsMagic);
    EXPECT_EQ(b.version, lab::kStatsVersion);
    EXPECT_EQ(b.size, sizeof(StatsBlock));
    EXPECT_EQ(b.pid, getpid());
    EXPECT_EQ(b.ready.load(), 1u);
    EXPECT_EQ(b.port, port);
    EXPECT_EQ(std::string(b.model), model);
    EXPECT_GT(b.start_time_ns, 0u);
    EXPECT_GT(b.start_mono_ns, 0u);
    EXPECT_EQ(lab::load(b.requests), 0u);
    EXPECT_EQ(lab::load(b.connections_accepted), 0u);
    EXPECT_EQ(b.key_count, 0u);
}

TEST(StatsRegionCreate, AnonymousHeader) {
    auto region = anonymous_region("thread-per-connection");
    ASSERT_TRUE(region);
    EXPECT_TRUE(region->path().empty());
    expect_fresh_header(region->block(), "thread-per-connection", 0);
}

TEST(StatsRegionCreate, LongModelNameIsTruncatedAndTerminated) {
    const std::string model(40, 'm');
    auto region = anonymous_region(model);
    ASSERT_TRUE(region);
    EXPECT_EQ(std::string(region->block().model), model.substr(0, sizeof(StatsBlock::model) - 1));
}

TEST(StatsRegionCreate, FileHeaderSizeAndNoTempLeft) {
    TempDir dir;
    const std::string path = dir.file("stats");
    std::string error;
    auto region = StatsRegion::create(path, "prefork", 4242, error);
    ASSERT_TRUE(region) << error;
    EXPECT_EQ(region->path(), path);
    expect_fresh_header(region->block(), "prefork", 4242);
    EXPECT_EQ(fs::file_size(path), sizeof(StatsBlock));
    EXPECT_EQ(directory_entries(dir.path()), std::set<std::string>{"stats"});
}

TEST(StatsRegionCreate, FailsInMissingDirectory) {
    TempDir dir;
    std::string error;
    auto region = StatsRegion::create(dir.file("no/such/dir/stats"), "x", 0, error);
    EXPECT_FALSE(region);
    EXPECT_FALSE(error.empty());
}

TEST(StatsRegionOpen, ReaderSeesWriterUpdates) {
    TempDir dir;
    const std::string path = dir.file("stats");
    std::string error;
    auto writer = StatsRegion::create(path, "select", 8080, error);
    ASSERT_TRUE(writer) << error;
    auto reader = StatsRegion::open_readonly(path, error);
    ASSERT_TRUE(reader) << error;
    EXPECT_NE(&reader->block(), &writer->block());  // a mapping of its own
    expect_fresh_header(reader->block(), "select", 8080);

    StatsBlock& w = writer->block();
    const StatsBlock& r = reader->block();
    lab::add(w.requests, 5);
    lab::add(w.bytes_in, 123);
    lab::add_blocking(w, lab::Blocking::Read, 777);
    std::uint64_t value = 0;
    ASSERT_EQ(lab::incr_key(w, "hits", value), TableResult::Ok);
    EXPECT_EQ(lab::load(r.requests), 5u);
    EXPECT_EQ(lab::load(r.bytes_in), 123u);
    EXPECT_EQ(lab::load(r.blocking_ns[static_cast<std::size_t>(lab::Blocking::Read)]), 777u);
    EXPECT_EQ(r.key_count, 1u);

    // STATS can be built from a read-only mapping (as an outside tool would).
    auto j = nlohmann::json::parse(lab::stats_json(r));
    EXPECT_EQ(j["requests"], 5u);
    EXPECT_EQ(j["model"], "select");
}

// The event library's mechanism is written after the block is ready (the library picks it when
// the loop starts): a reader sees none until it is published, then all of it; STATS says null,
// then the name; a name longer than the field is cut, never left without its NUL.
TEST(StatsRegionOpen, ReaderSeesTheEventMethodOncePublished) {
    TempDir dir;
    const std::string path = dir.file("stats");
    std::string error;
    auto writer = StatsRegion::create(path, "libevent", 8080, error);
    ASSERT_TRUE(writer) << error;
    auto reader = StatsRegion::open_readonly(path, error);
    ASSERT_TRUE(reader) << error;
    EXPECT_EQ(lab::event_method(reader->block()), "");
    EXPECT_TRUE(nlohmann::json::parse(lab::stats_json(reader->block()))["event_method"].is_null());
    lab::publish_event_method(writer->block(), "epoll");
    EXPECT_EQ(lab::event_method(reader->block()), "epoll");
    EXPECT_EQ(nlohmann::json::parse(lab::stats_json(reader->block()))["event_method"], "epoll");
    lab::publish_event_method(writer->block(), std::string(40, 'x'));
    EXPECT_EQ(lab::event_method(reader->block()), std::string(15, 'x'));
}

TEST(StatsRegionOpen, HandBuiltBlockOpens) {
    // The control for the refusals below: the same hand-built file, unedited, is accepted.
    TempDir dir;
    const std::string path = dir.file("stats");
    write_block_file(path, [](StatsBlock&) {});
    std::string error;
    auto reader = StatsRegion::open_readonly(path, error);
    ASSERT_TRUE(reader) << error;
    EXPECT_EQ(std::string(reader->block().model), "by-hand");
}

TEST(StatsRegionOpen, RefusesStaleFileOfDeadServer) {
    // A block left behind by a server that has exited (killed, so it could not remove it) is
    // refused: its pid is no longer running.
    TempDir dir;
    const std::string path = dir.file("stats");
    pid_t child = fork_child([&] {
        std::string child_error;
        return StatsRegion::create(path, "threads", 1, child_error) ? 0 : 1;
    });
    ASSERT_EQ(describe_status(wait_child(child, 10s)), "exit 0");
    std::string error;
    EXPECT_FALSE(StatsRegion::open_readonly(path, error));
    EXPECT_NE(error.find("no longer running"), std::string::npos) << error;
    // The same file with a live pid (this process) opens: the pid is what was refused.
    write_block_file(path, [](StatsBlock&) {});
    EXPECT_TRUE(StatsRegion::open_readonly(path, error)) << error;
}

TEST(StatsRegionOpen, RefusesWrongMagic) {
    TempDir dir;
    const std::string path = dir.file("stats");
    write_block_file(path, [](StatsBlock& b) { b.magic = lab::kStatsMagic ^ 1; });
    std::string error;
    EXPECT_FALSE(StatsRegion::open_readonly(path, error));
    EXPECT_FALSE(error.empty());
}

TEST(StatsRegionOpen, RefusesWrongVersionAndNotReady) {
    TempDir dir;
    std::string error;
    write_block_file(dir.file("version"),
                     [](StatsBlock& b) { b.version = lab::kStatsVersion + 1; });
    EXPECT_FALSE(StatsRegion::open_readonly(dir.file("version"), error));
    EXPECT_FALSE(error.empty());
    error.clear();
    write_block_file(dir.file("unready"), [](StatsBlock& b) { b.ready.store(0); });
    EXPECT_FALSE(StatsRegion::open_readonly(dir.file("unready"), error));
    EXPECT_FALSE(error.empty());
    error.clear();
    write_block_file(dir.file("size-field"), [](StatsBlock& b) { b.size = 1; });
    EXPECT_FALSE(StatsRegion::open_readonly(dir.file("size-field"), error));
    EXPECT_FALSE(error.empty());
}

TEST(StatsRegionOpen, RefusesWrongFileSize) {
    TempDir dir;
    for (std::size_t size : {std::size_t{0}, std::size_t{10}, sizeof(StatsBlock) - 1,
                             sizeof(StatsBlock) + 1, 2 * sizeof(StatsBlock)}) {
        const std::string path = dir.file("stats-" + std::to_string(size));
        // A valid block's bytes, cut short or padded.
        auto block = std::make_unique<StatsBlock>();
        block->magic = lab::kStatsMagic;
        block->version = lab::kStatsVersion;
        block->size = sizeof(StatsBlock);
        block->ready.store(1);
        std::vector<char> bytes(size, 0);
        std::copy_n(reinterpret_cast<const char*>(block.get()), std::min(size, sizeof(StatsBlock)),
                    bytes.begin());
        write_file(path, bytes.data(), bytes.size());
        std::string error;
        EXPECT_FALSE(StatsRegion::open_readonly(path, error)) << "size " << size;
        EXPECT_FALSE(error.empty()) << "size " << size;
    }
}

TEST(StatsRegionOpen, RefusesMissingFile) {
    TempDir dir;
    std::string error;
    EXPECT_FALSE(StatsRegion::open_readonly(dir.file("missing"), error));
    EXPECT_FALSE(error.empty());
}

TEST(StatsRegionMove, MovedRegionKeepsTheMapping) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock* block = &region->block();
    StatsRegion moved(std::move(*region));
    region.reset();  // the moved-from region must not unmap
    EXPECT_EQ(&moved.block(), block);
    lab::add(moved.block().requests, 1);
    EXPECT_EQ(lab::load(moved.block().requests), 1u);
}

// ---------------------------------------------------------------------------------------
// 2. Counters under threads.

TEST(Counters, AddFromEightThreadsLosesNothing) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    lab::Counter& c = region->block().requests;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&c] {
            for (int i = 0; i < 100000; ++i)
                lab::add(c, 1);
        });
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(lab::load(c), 800000u);
}

TEST(Counters, StoreMaxKeepsTheMaximum) {
    lab::Counter c{10};
    lab::store_max(c, 5);
    EXPECT_EQ(lab::load(c), 10u);
    lab::store_max(c, 11);
    EXPECT_EQ(lab::load(c), 11u);
    lab::store_max(c, 11);
    EXPECT_EQ(lab::load(c), 11u);
}

TEST(Counters, StoreMaxUnderConcurrentUpdates) {
    constexpr std::uint64_t kThreads = 4;
    constexpr std::uint64_t kPerThread = 100000;
    lab::Counter c{0};
    std::atomic<bool> done{false};
    std::atomic<bool> went_down{false};
    std::thread watcher([&] {
        std::uint64_t last = 0;
        while (!done.load()) {
            std::uint64_t now = lab::load(c);
            if (now < last) went_down = true;
            last = now;
        }
    });
    std::vector<std::thread> threads;
    for (std::uint64_t t = 0; t < kThreads; ++t) {
        threads.emplace_back([&c, t] {
            // Rising values interleaved with falling ones, racing with the other threads.
            for (std::uint64_t i = 0; i < kPerThread; ++i) {
                lab::store_max(c, i * kThreads + t);
                lab::store_max(c, (kPerThread - i) / 2);
            }
        });
    }
    for (auto& t : threads)
        t.join();
    done = true;
    watcher.join();
    EXPECT_EQ(lab::load(c), (kPerThread - 1) * kThreads + (kThreads - 1));
    EXPECT_FALSE(went_down.load());
}

TEST(Counters, RusageSumsAndKeepsMaxRss) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    lab::RusageCounters& rc = region->block().children;
    lab::add_rusage(rc, lab::Rusage{100, 200, 3, 4, 5000});
    lab::add_rusage(rc, lab::Rusage{1, 2, 30, 40, 700});
    lab::Rusage r = lab::load_rusage(rc);
    EXPECT_EQ(r.user_us, 101u);
    EXPECT_EQ(r.system_us, 202u);
    EXPECT_EQ(r.voluntary_ctx_switches, 33u);
    EXPECT_EQ(r.involuntary_ctx_switches, 44u);
    EXPECT_EQ(r.max_rss_kb, 5000u);
    lab::store_rusage(rc, lab::Rusage{9, 8, 7, 6, 5});
    r = lab::load_rusage(rc);
    EXPECT_EQ(r.user_us, 9u);
    EXPECT_EQ(r.max_rss_kb, 5u);
}

// The pool's queue gauge: waits in progress count as they go, ended ones once, and the
// difference of two readings is the wait between them.
TEST(QueueGauge, CountsWaitsInProgressAndEnded) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    EXPECT_EQ(lab::read_queue(b, 1'000).waiting, 0u);
    EXPECT_EQ(lab::read_queue(b, 1'000).wait_ns, 0u);
    lab::queue_wait_begins(b, 1'000);
    lab::queue_wait_begins(b, 3'000);
    lab::QueueReading at5 = lab::read_queue(b, 5'000);
    EXPECT_EQ(at5.waiting, 2u);
    EXPECT_EQ(at5.wait_ns, 4'000u + 2'000u);
    lab::queue_wait_ends(b, 1'000, 6'000);  // waited 5,000
    lab::QueueReading at9 = lab::read_queue(b, 9'000);
    EXPECT_EQ(at9.waiting, 1u);
    EXPECT_EQ(at9.wait_ns, 5'000u + 6'000u);
    EXPECT_EQ(lab::load(b.blocking_ns[static_cast<std::size_t>(lab::Blocking::Queue)]), 5'000u);
    // Between 5,000 and 9,000: the first waited 1,000 more, the second 4,000.
    EXPECT_EQ(at9.wait_ns - at5.wait_ns, 5'000u);
    lab::queue_wait_ends(b, 3'000, 10'000);
    lab::queue_wait_begins(b, 9'500);
    lab::queue_wait_ends(b, 9'500, 10'000);
    EXPECT_EQ(lab::read_queue(b, 20'000).waiting, 0u);
    EXPECT_EQ(lab::read_queue(b, 20'000).wait_ns, 5'000u + 7'000u + 500u);
}

// A wait that began after the reader read its clock (a race of a few ns) is no wait yet:
// not the huge number that unsigned arithmetic would make of it.
TEST(QueueGauge, AWaitBegunAfterTheReadersClockIsNoWait) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    lab::queue_wait_begins(b, 9'500);
    EXPECT_EQ(lab::read_queue(b, 9'000).wait_ns, 0u);
    EXPECT_EQ(lab::read_queue(b, 9'000).waiting, 1u);
}

// Far into a machine's uptime, waiting x now overflows 64 bits; the modular sum stays right.
TEST(QueueGauge, RightWhenWaitingTimesNowOverflows) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    constexpr std::uint64_t kNow = std::uint64_t{1} << 62;
    for (int i = 0; i < 8; ++i)
        lab::queue_wait_begins(b, kNow - 1'000);
    EXPECT_EQ(lab::read_queue(b, kNow).wait_ns, 8'000u);
}

// A reader in another thread never sees a half-written change: with pairs of waits that
// begin and end at the same moment, every reading's wait is a multiple of the pair's.
TEST(QueueGauge, ReaderNeverSeesAHalfWrite) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (std::uint64_t i = 0; i < 200'000; ++i) {
            lab::queue_wait_begins(b, 100);
            lab::queue_wait_ends(b, 100, 110);  // 10 ns each
        }
        done = true;
    });
    std::uint64_t readings = 0, torn = 0;
    while (!done.load()) {
        lab::QueueReading r = lab::read_queue(b, 110);
        ++readings;
        // At 110: in progress 10 (one waiting) or none; ended 10 per finished wait.
        if (r.wait_ns % 10 != 0 || r.waiting > 1) ++torn;
    }
    writer.join();
    EXPECT_GT(readings, 0u);
    EXPECT_EQ(torn, 0u);
    EXPECT_EQ(lab::read_queue(b, 110).wait_ns, 200'000u * 10);
}

// ---------------------------------------------------------------------------------------
// 3. The INCR/GET table.

TEST(KeyTable, IncrCountsUpAndGetReads) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    std::uint64_t value = 0;
    EXPECT_EQ(lab::get_key(b, "a"), 0u);
    for (std::uint64_t i = 1; i <= 5; ++i) {
        ASSERT_EQ(lab::incr_key(b, "a", value), TableResult::Ok);
        EXPECT_EQ(value, i);
    }
    EXPECT_EQ(lab::get_key(b, "a"), 5u);
    EXPECT_EQ(lab::get_key(b, "b"), 0u);
    EXPECT_EQ(lab::get_key(b, "A"), 0u);   // keys are case-sensitive
    EXPECT_EQ(lab::get_key(b, "aa"), 0u);  // and compared whole
    ASSERT_EQ(lab::incr_key(b, "aa", value), TableResult::Ok);
    EXPECT_EQ(value, 1u);
    const std::string longest(lab::kMaxKeyBytes, 'z');
    ASSERT_EQ(lab::incr_key(b, longest, value), TableResult::Ok);
    EXPECT_EQ(lab::get_key(b, longest), 1u);
    EXPECT_EQ(lab::get_key(b, "a"), 5u);
    EXPECT_EQ(b.key_count, 3u);
}

TEST(KeyTable, HoldsExactly1024Keys) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    auto key = [](std::size_t i) { return "key-" + std::to_string(i); };
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < lab::kMaxKeys; ++i) {
        ASSERT_EQ(lab::incr_key(b, key(i), value), TableResult::Ok) << key(i);
        ASSERT_EQ(value, 1u) << key(i);
    }
    EXPECT_EQ(b.key_count, lab::kMaxKeys);
    EXPECT_EQ(lab::incr_key(b, "one-too-many", value), TableResult::Full);
    EXPECT_EQ(lab::incr_key(b, key(lab::kMaxKeys), value), TableResult::Full);
    EXPECT_EQ(b.key_count, lab::kMaxKeys);
    EXPECT_EQ(lab::get_key(b, "one-too-many"), 0u);
    // Every existing key still counts.
    for (std::size_t i = 0; i < lab::kMaxKeys; ++i) {
        ASSERT_EQ(lab::incr_key(b, key(i), value), TableResult::Ok) << key(i);
        ASSERT_EQ(value, 2u) << key(i);
    }
    for (std::size_t i = 0; i < lab::kMaxKeys; ++i)
        ASSERT_EQ(lab::get_key(b, key(i)), 2u) << key(i);
    EXPECT_EQ(lab::incr_key(b, "still-full", value), TableResult::Full);
}

TEST(KeyTable, IncrFromThreadsLosesNothing) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&b, &failures, t] {
            std::uint64_t value = 0;
            for (int i = 0; i < 5000; ++i) {
                if (lab::incr_key(b, "shared", value) != TableResult::Ok) ++failures;
                if (lab::incr_key(b, "own-" + std::to_string(t), value) != TableResult::Ok)
                    ++failures;
            }
        });
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(lab::get_key(b, "shared"), 20000u);
    for (int t = 0; t < 4; ++t)
        EXPECT_EQ(lab::get_key(b, "own-" + std::to_string(t)), 5000u);
}

// ---------------------------------------------------------------------------------------
// 4. INCR from several processes.

TEST(KeyTable, IncrFromForkedChildrenLosesNothing) {
    constexpr int kChildren = 4;
    constexpr std::uint64_t kIncrements = 2000;
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    std::vector<pid_t> children;
    for (int c = 0; c < kChildren; ++c) {
        pid_t pid = fork_child([&b, c] {
            std::uint64_t last = 0;
            for (std::uint64_t i = 0; i < kIncrements; ++i) {
                std::uint64_t value = 0;
                if (lab::incr_key(b, "shared", value) != TableResult::Ok) return 2;
                if (value <= last) return 3;  // values only rise
                last = value;
                if (lab::incr_key(b, "child-" + std::to_string(c), value) != TableResult::Ok)
                    return 4;
                if (value != i + 1) return 5;
            }
            return 0;
        });
        ASSERT_GT(pid, 0) << "fork failed";
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        auto status = wait_child(pid, 120s);
        EXPECT_EQ(describe_status(status), "exit 0") << "child " << pid;
    }
    EXPECT_EQ(lab::get_key(b, "shared"), static_cast<std::uint64_t>(kChildren) * kIncrements);
    for (int c = 0; c < kChildren; ++c)
        EXPECT_EQ(lab::get_key(b, "child-" + std::to_string(c)), kIncrements);
    EXPECT_EQ(b.key_count, static_cast<std::uint32_t>(kChildren + 1));
}

// ---------------------------------------------------------------------------------------
// 5. The robust table lock.

// In a child limited by alarm(10) (a hang ends in SIGALRM, not in a stuck suite): INCR the
// key `key` and expect `expected`, then GET it.
int guarded_incr(StatsBlock& b, const std::string& key, std::uint64_t expected) {
    alarm(10);
    std::uint64_t value = 0;
    if (lab::incr_key(b, key, value) != TableResult::Ok) return 2;
    if (value != expected) return 3;
    if (lab::get_key(b, key) != expected) return 4;
    return 0;
}

TEST(RobustLock, HolderExitingWithoutUnlockDoesNotHangOthers) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    std::uint64_t value = 0;
    ASSERT_EQ(lab::incr_key(b, "k", value), TableResult::Ok);

    pid_t holder = fork_child([&b] {
        // Take the lock and leave without unlocking it.
        return pthread_mutex_lock(&b.table_lock) == 0 ? 0 : 1;
    });
    ASSERT_GT(holder, 0);
    ASSERT_EQ(describe_status(wait_child(holder, 30s)), "exit 0");

    pid_t user = fork_child([&b] { return guarded_incr(b, "k", 2); });
    ASSERT_GT(user, 0);
    ASSERT_EQ(describe_status(wait_child(user, 30s)), "exit 0")
        << "signal 14 (SIGALRM) means incr_key hung on the dead holder's lock";

    // The lock is usable again from here, by this process too.
    ASSERT_EQ(lab::incr_key(b, "k", value), TableResult::Ok);
    EXPECT_EQ(value, 3u);
    EXPECT_EQ(lab::get_key(b, "k"), 3u);
}

TEST(RobustLock, HolderKilledWhileHoldingDoesNotHangOthers) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    std::uint64_t value = 0;
    ASSERT_EQ(lab::incr_key(b, "k", value), TableResult::Ok);

    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t holder = fork_child([&b, &fds] {
        alarm(60);  // never outlives a broken test for long
        close(fds[0]);
        if (pthread_mutex_lock(&b.table_lock) != 0) return 1;
        char c = 'L';
        if (write(fds[1], &c, 1) != 1) return 2;
        while (true)
            pause();
    });
    ASSERT_GT(holder, 0);
    close(fds[1]);
    const std::string said = read_exactly(fds[0], 1, 30s);
    close(fds[0]);
    kill(holder, SIGKILL);
    EXPECT_EQ(said, "L") << "the holder did not get the lock";
    EXPECT_EQ(describe_status(wait_child(holder, 30s)), "signal 9");

    // The holder died with the lock held: INCR must still complete.
    pid_t user = fork_child([&b] { return guarded_incr(b, "k", 2); });
    ASSERT_GT(user, 0);
    ASSERT_EQ(describe_status(wait_child(user, 30s)), "exit 0")
        << "signal 14 (SIGALRM) means incr_key hung on the killed holder's lock";

    ASSERT_EQ(lab::incr_key(b, "k", value), TableResult::Ok);
    EXPECT_EQ(value, 3u);
}

// ---------------------------------------------------------------------------------------
// 6. The STATS object.

void expect_rusage_object(const nlohmann::json& r, const std::string& where) {
    ASSERT_TRUE(r.is_object()) << where;
    EXPECT_EQ(r.size(), 5u) << where << ": " << r.dump();
    EXPECT_TRUE(r.at("user_s").is_number()) << where;
    EXPECT_TRUE(r.at("system_s").is_number()) << where;
    EXPECT_TRUE(r.at("voluntary_ctx_switches").is_number_unsigned()) << where;
    EXPECT_TRUE(r.at("involuntary_ctx_switches").is_number_unsigned()) << where;
    EXPECT_TRUE(r.at("max_rss_kb").is_number_unsigned()) << where;
}

TEST(StatsJson, HasEveryField) {
    auto region = anonymous_region("event-loop");
    ASSERT_TRUE(region);
    nlohmann::json j = nlohmann::json::parse(lab::stats_json(region->block()));
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j.at("model"), "event-loop");
    EXPECT_EQ(j.at("pid"), getpid());
    EXPECT_TRUE(j.at("uptime_s").is_number());
    EXPECT_GE(j.at("uptime_s").get<double>(), 0.0);
    for (const char* key :
         {"connections_accepted", "connections_active", "connections_rejected",
          "connections_queued", "requests", "errors", "bytes_in", "bytes_out", "accept_queue"}) {
        ASSERT_TRUE(j.contains(key)) << key;
        EXPECT_TRUE(j[key].is_number_unsigned()) << key;
        if (std::string(key) != "accept_queue") {
            EXPECT_EQ(j[key], 0u) << key;
        }
    }
    const nlohmann::json& blocking = j.at("blocking_ns");
    ASSERT_TRUE(blocking.is_object());
    std::set<std::string> keys;
    for (const auto& item : blocking.items()) {
        keys.insert(item.key());
        EXPECT_TRUE(item.value().is_number_unsigned()) << item.key();
    }
    EXPECT_EQ(keys, (std::set<std::string>{"accept", "read", "write", "io_wait", "lock", "wait",
                                           "queue", "backend", "pool", "peer"}));
    const nlohmann::json& backend = j.at("backend");
    for (const char* key : {"queries", "failures", "query_ns", "pool_wait_ns"}) {
        ASSERT_TRUE(backend.contains(key)) << key;
        EXPECT_EQ(backend[key], 0u) << key;
    }
    const nlohmann::json& rusage = j.at("rusage");
    ASSERT_TRUE(rusage.is_object());
    expect_rusage_object(rusage.at("self"), "rusage.self");
    expect_rusage_object(rusage.at("children"), "rusage.children");
    expect_rusage_object(rusage.at("workers"), "rusage.workers");
    EXPECT_GT(rusage.at("self").at("max_rss_kb").get<std::uint64_t>(), 0u);  // read live
}

TEST(StatsJson, CounterChangesShowUp) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    lab::add(b.connections_accepted, 3);
    lab::add(b.connections_active, 2);
    lab::add(b.connections_rejected, 1);
    lab::add(b.requests, 10);
    lab::add(b.errors, 4);
    lab::add(b.bytes_in, 100);
    lab::add(b.bytes_out, 200);
    for (std::size_t i = 0; i < lab::kBlockingNames.size(); ++i)
        lab::add_blocking(b, static_cast<lab::Blocking>(i), (i + 1) * 1000);
    lab::add_rusage(b.children, lab::Rusage{1'500'000, 250'000, 7, 8, 9000});
    lab::add(b.backend_queries, 6);
    lab::add(b.backend_failures, 2);
    lab::add(b.backend_query_ns, 7000);
    lab::add(b.backend_pool_wait_ns, 800);

    nlohmann::json j = nlohmann::json::parse(lab::stats_json(b));
    EXPECT_EQ(j["backend"]["queries"], 6u);
    EXPECT_EQ(j["backend"]["failures"], 2u);
    EXPECT_EQ(j["backend"]["query_ns"], 7000u);
    EXPECT_EQ(j["backend"]["pool_wait_ns"], 800u);
    EXPECT_EQ(j["connections_accepted"], 3u);
    EXPECT_EQ(j["connections_active"], 2u);
    EXPECT_EQ(j["connections_rejected"], 1u);
    EXPECT_EQ(j["requests"], 10u);
    EXPECT_EQ(j["errors"], 4u);
    EXPECT_EQ(j["bytes_in"], 100u);
    EXPECT_EQ(j["bytes_out"], 200u);
    for (std::size_t i = 0; i < lab::kBlockingNames.size(); ++i)
        EXPECT_EQ(j["blocking_ns"][lab::kBlockingNames[i]], (i + 1) * 1000)
            << lab::kBlockingNames[i];
    nlohmann::json children = j["rusage"]["children"];
    EXPECT_DOUBLE_EQ(children["user_s"].get<double>(), 1.5);
    EXPECT_DOUBLE_EQ(children["system_s"].get<double>(), 0.25);
    EXPECT_EQ(children["voluntary_ctx_switches"], 7u);
    EXPECT_EQ(children["involuntary_ctx_switches"], 8u);
    EXPECT_EQ(children["max_rss_kb"], 9000u);

    lab::add(b.requests, 1);
    lab::add(b.connections_active, 1);
    lab::add_blocking(b, lab::Blocking::Lock, 5);
    nlohmann::json k = nlohmann::json::parse(lab::stats_json(b));
    EXPECT_EQ(k["requests"], 11u);
    EXPECT_EQ(k["connections_active"], 3u);
    EXPECT_EQ(k["blocking_ns"]["lock"], 5005u);
    EXPECT_GE(k["uptime_s"].get<double>(), j["uptime_s"].get<double>());
}

TEST(StatsJson, ChildReportsThePublishedMainRusage) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    lab::store_rusage(b.main_process, lab::Rusage{2'000'000, 500'000, 11, 12, 13});
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork_child([&b, &fds] {
        alarm(20);
        close(fds[0]);
        std::string json = lab::stats_json(b);
        return write(fds[1], json.data(), json.size()) == static_cast<ssize_t>(json.size()) ? 0 : 1;
    });
    ASSERT_GT(child, 0);
    close(fds[1]);
    const std::string json = read_all(fds[0], 30s);
    close(fds[0]);
    EXPECT_EQ(describe_status(wait_child(child, 30s)), "exit 0");
    nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << json;
    EXPECT_EQ(j["pid"], getpid());  // the server's pid, not the child's
    nlohmann::json self = j["rusage"]["self"];
    EXPECT_DOUBLE_EQ(self["user_s"].get<double>(), 2.0);
    EXPECT_DOUBLE_EQ(self["system_s"].get<double>(), 0.5);
    EXPECT_EQ(self["voluntary_ctx_switches"], 11u);
    EXPECT_EQ(self["involuntary_ctx_switches"], 12u);
    EXPECT_EQ(self["max_rss_kb"], 13u);
}

// rusage.workers: the live workers' published slots, summed (max_rss by maximum); a free
// slot (pid 0, such as a reaped worker's) is not counted even if it still holds figures.
TEST(StatsJson, WorkersSumTheOccupiedSlots) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    StatsBlock& b = region->block();
    b.workers[0].pid.store(101);
    lab::store_rusage(b.workers[0].usage, lab::Rusage{1'000'000, 100'000, 1, 2, 3000});
    b.workers[7].pid.store(107);
    lab::store_rusage(b.workers[7].usage, lab::Rusage{500'000, 50'000, 10, 20, 5000});
    lab::store_rusage(b.workers[3].usage, lab::Rusage{9'000'000, 9'000'000, 99, 99, 99'000});
    nlohmann::json workers = nlohmann::json::parse(lab::stats_json(b))["rusage"]["workers"];
    EXPECT_DOUBLE_EQ(workers["user_s"].get<double>(), 1.5);
    EXPECT_DOUBLE_EQ(workers["system_s"].get<double>(), 0.15);
    EXPECT_EQ(workers["voluntary_ctx_switches"], 11u);
    EXPECT_EQ(workers["involuntary_ctx_switches"], 22u);
    EXPECT_EQ(workers["max_rss_kb"], 5000u);
    b.workers[7].pid.store(0);  // reaped: its figures are in children now
    workers = nlohmann::json::parse(lab::stats_json(b))["rusage"]["workers"];
    EXPECT_EQ(workers["voluntary_ctx_switches"], 1u);
}

// ---------------------------------------------------------------------------------------
// execute(): each command against the block.

lab::Request parsed(const std::string& line) {
    lab::Decoded d = lab::parse_line(line);
    EXPECT_EQ(d.kind, lab::Decoded::Kind::Request) << line;
    return d.request;
}

TEST(Execute, EveryCommandAndItsCounters) {
    auto region = anonymous_region("unit");
    ASSERT_TRUE(region);
    lab::Server server;
    server.stats = &region->block();
    StatsBlock& b = region->block();

    auto r = lab::execute(parsed("PING"), server);
    EXPECT_TRUE(r.reply.ok);
    EXPECT_EQ(r.reply.text, "PONG");
    r = lab::execute(parsed("ECHO  a b"), server);
    EXPECT_EQ(r.reply.text, "  a b");
    r = lab::execute(parsed("WORK 0 25 1234"), server);
    EXPECT_EQ(r.reply.text, "1234");
    EXPECT_EQ(r.reply.body_bytes, 1234u);
    EXPECT_EQ(r.io_wait_ms, 25u);
    r = lab::execute(parsed("INCR k"), server);
    EXPECT_EQ(r.reply.text, "1");
    r = lab::execute(parsed("INCR k"), server);
    EXPECT_EQ(r.reply.text, "2");
    r = lab::execute(parsed("GET k"), server);
    EXPECT_EQ(r.reply.text, "2");
    r = lab::execute(parsed("GET other"), server);
    EXPECT_EQ(r.reply.text, "0");
    r = lab::execute(parsed("STATS"), server);
    EXPECT_TRUE(r.reply.ok);
    EXPECT_EQ(nlohmann::json::parse(r.reply.text)["requests"], 8u);  // counted before STATS runs
    EXPECT_FALSE(r.reply.close_after);
    r = lab::execute(parsed("QUIT"), server);
    EXPECT_EQ(r.reply.text, "BYE");
    EXPECT_TRUE(r.reply.close_after);
    EXPECT_EQ(lab::load(b.requests), 9u);
    EXPECT_EQ(lab::load(b.errors), 0u);

    lab::count_error(server, true);
    lab::count_error(server, false);
    EXPECT_EQ(lab::load(b.requests), 10u);
    EXPECT_EQ(lab::load(b.errors), 2u);
}

TEST(Execute, IncrOnFullTableIs422) {
    auto region = anonymous_region();
    ASSERT_TRUE(region);
    lab::Server server;
    server.stats = &region->block();
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < lab::kMaxKeys; ++i) {
        // Built with += rather than "k" + to_string(i): g++ 12 -O2 gives a false -Wrestrict
        // warning for that operator+ (GCC bug 105651), which -Werror would turn into an error.
        std::string key = "k";
        key += std::to_string(i);
        ASSERT_EQ(lab::incr_key(region->block(), key, value), TableResult::Ok);
    }
    auto r = lab::execute(parsed("INCR new"), server);
    EXPECT_FALSE(r.reply.ok);
    EXPECT_EQ(r.reply.text.substr(0, 4), "422 ");
    EXPECT_FALSE(r.reply.close_after);
    EXPECT_EQ(lab::load(region->block().errors), 1u);
    r = lab::execute(parsed("INCR k7"), server);
    EXPECT_EQ(r.reply.text, "2");
}

// ---------------------------------------------------------------------------------------
// 7. burn_cpu.

std::uint64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

TEST(BurnCpu, SpendsAtLeastTheAskedCpuTime) {
    // Only a lower bound: on a busy machine the wall time may be far longer.
    const std::uint64_t before = thread_cpu_ns();
    lab::burn_cpu(20000);
    EXPECT_GE(thread_cpu_ns() - before, 20'000'000u);
}

}  // namespace
