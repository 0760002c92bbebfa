// lab-harness timeline: the four classic pictures, checked on measured traces. Each test runs
// the real lab-harness (which starts a traced lab-server) and checks the relation that makes
// its picture what it is, with wide margins: no tight times.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using nlohmann::json;

struct Span {
    double start_us;
    double end_us;
    long pid;
    long tid;
    std::uint64_t task;
    std::string name;
};

std::string harness_path() {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string dir(self, static_cast<std::size_t>(n));
        std::string beside = dir.substr(0, dir.rfind('/')) + "/lab-harness";
        if (access(beside.c_str(), X_OK) == 0) return beside;
    }
    return LAB_HARNESS_PATH;
}

// Runs a binary with arguments, bounded by 60 s; its exit status, or -1.
int run_bounded(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs `lab-harness timeline` and returns the trace's complete spans; fails the test if the
// harness does not finish in 60 s or exits non-zero.
std::vector<Span> run_timeline(const std::string& model, const std::string& scenario) {
    std::string out =
        "/tmp/timeline_test." + std::to_string(getpid()) + "." + model + "." + scenario + ".json";
    int status = run_bounded(
        {harness_path(), "timeline", "--model", model, "--scenario", scenario, "--out", out});
    EXPECT_EQ(status, 0) << "lab-harness timeline failed or took over 60 s";
    std::ifstream in(out);
    json doc = json::parse(in, nullptr, false);
    std::remove(out.c_str());
    EXPECT_FALSE(doc.is_discarded()) << "the timeline is not JSON";
    std::vector<Span> spans;
    if (doc.is_discarded()) return spans;
    for (const json& e : doc["traceEvents"]) {
        if (e["ph"] != "X") continue;
        double ts = e["ts"].get<double>();
        spans.push_back({ts, ts + e["dur"].get<double>(), e["pid"].get<long>(),
                         e["tid"].get<long>(), e["args"]["task"].get<std::uint64_t>(),
                         e["name"].get<std::string>()});
    }
    return spans;
}

std::string beside_this_test(const std::string& name) {
    return harness_path().substr(0, harness_path().rfind('/') + 1) + name;
}

std::vector<Span> named(const std::vector<Span>& spans, const std::string& name) {
    std::vector<Span> out;
    for (const Span& s : spans) {
        if (s.name == name) out.push_back(s);
    }
    std::sort(out.begin(), out.end(),
              [](const Span& a, const Span& b) { return a.start_us < b.start_us; });
    return out;
}

bool overlap(const Span& a, const Span& b) {
    return a.start_us < b.end_us && b.start_us < a.end_us;
}

std::set<std::pair<long, long>> threads_of(const std::vector<Span>& spans) {
    std::set<std::pair<long, long>> threads;
    for (const Span& s : spans)
        threads.insert({s.pid, s.tid});
    return threads;
}

// Picture 1, synchronous: one thread runs the three tasks' CPU work one after another, each
// client's requests together (it serves one client until it leaves).
TEST(Timeline, SequentialCpuIsOneThreadOneTaskAfterAnother) {
    auto cpu = named(run_timeline("sequential", "cpu"), "cpu");
    ASSERT_EQ(cpu.size(), 9u);
    EXPECT_EQ(threads_of(cpu).size(), 1u);
    for (std::size_t i = 1; i < cpu.size(); ++i) {
        EXPECT_FALSE(overlap(cpu[i - 1], cpu[i]));
    }
    // Tasks do not interleave: three runs of three spans of the same client.
    for (std::size_t i = 0; i < cpu.size(); ++i)
        EXPECT_EQ(cpu[i].task, cpu[i / 3 * 3].task);
    EXPECT_NE(cpu[0].task, cpu[3].task);
    EXPECT_NE(cpu[3].task, cpu[6].task);
}

// Picture 2, threaded: a thread per task, and their CPU work overlaps in time (two cores).
TEST(Timeline, ThreadsCpuIsThreeThreadsSideBySide) {
    auto cpu = named(run_timeline("threads", "cpu"), "cpu");
    ASSERT_EQ(cpu.size(), 9u);
    EXPECT_EQ(threads_of(cpu).size(), 3u);
    int overlapping = 0;
    for (std::size_t i = 0; i < cpu.size(); ++i) {
        for (std::size_t j = i + 1; j < cpu.size(); ++j) {
            if (cpu[i].tid != cpu[j].tid && overlap(cpu[i], cpu[j])) ++overlapping;
        }
    }
    EXPECT_GT(overlapping, 0) << "no two threads' work overlapped in time";
}

// Picture 3, asynchronous: one thread serves all three tasks, cut into pieces: the tasks'
// requests interleave (the loop serves client B while client A's I/O is pending).
TEST(Timeline, SelectIoInterleavesTasksOnOneThread) {
    auto spans = run_timeline("select", "io");
    std::vector<Span> server;
    for (const Span& s : spans) {
        if (s.name != "request") server.push_back(s);
    }
    EXPECT_EQ(threads_of(server).size(), 1u) << "the select loop is one thread";
    auto requests = named(spans, "request");
    ASSERT_EQ(requests.size(), 9u);
    int overlapping = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        for (std::size_t j = i + 1; j < requests.size(); ++j) {
            if (requests[i].task != requests[j].task && overlap(requests[i], requests[j]))
                ++overlapping;
        }
    }
    EXPECT_GT(overlapping, 0) << "no two clients' requests were in progress at once";
}

// Picture 4, blocking: one thread, each task's I/O wait a stretch in which nothing else runs:
// the waits follow one another, and the whole takes at least nine waits.
TEST(Timeline, SequentialIoWaitsOneAfterAnother) {
    auto spans = run_timeline("sequential", "io");
    auto waits = named(spans, "io_wait");
    ASSERT_EQ(waits.size(), 9u);
    EXPECT_EQ(threads_of(waits).size(), 1u);
    for (std::size_t i = 1; i < waits.size(); ++i)
        EXPECT_FALSE(overlap(waits[i - 1], waits[i]));
    auto requests = named(spans, "request");
    ASSERT_EQ(requests.size(), 9u);
    double first = requests.front().start_us;
    double last = 0;
    for (const Span& r : requests)
        last = std::max(last, r.end_us);
    EXPECT_GE(last - first, 9 * 100'000.0 * 0.95) << "nine 100 ms waits cannot overlap here";
}

// lab-plot timeline draws a chart per trace and one with both models on one axis; a file
// that is not a timeline trace is refused with exit status 2.
TEST(Timeline, LabPlotDrawsTheCharts) {
    std::string dir = "/tmp/timeline_test." + std::to_string(getpid()) + ".plots";
    std::vector<std::string> traces;
    for (const char* model : {"sequential", "select"}) {
        std::string out = dir + "." + model + ".json";
        ASSERT_EQ(run_bounded({harness_path(), "timeline", "--model", model, "--scenario", "io",
                               "--out", out}),
                  0);
        traces.push_back(out);
    }
    std::vector<std::string> plot = {beside_this_test("lab-plot"), "timeline", "--out", dir};
    plot.insert(plot.end(), traces.begin(), traces.end());
    ASSERT_EQ(run_bounded(plot), 0);
    for (const char* stem : {"timeline-sequential-io", "timeline-select-io", "timeline-all-io"}) {
        std::ifstream png(dir + "/" + stem + ".png", std::ios::binary);
        std::stringstream content;
        content << png.rdbuf();
        std::string bytes = content.str();
        ASSERT_GT(bytes.size(), 5000u) << stem;
        EXPECT_EQ(bytes.substr(1, 3), "PNG") << stem;
        EXPECT_NE(bytes.find("IEND", bytes.size() - 12), std::string::npos)
            << stem << " is cut short";
    }
    // Not a timeline trace: refused, nothing drawn.
    std::ofstream(dir + "/bad.json") << "{\"runs\": []}";
    EXPECT_EQ(run_bounded({beside_this_test("lab-plot"), "timeline", "--out", dir + "/x",
                           dir + "/bad.json"}),
              2);
    for (const std::string& t : traces)
        std::remove(t.c_str());
    std::filesystem::remove_all(dir);
}

// The thread pool's wait for a worker is no thread's span: each connection's queue wait is an
// async slice, and the chart gives it a row of its own per client, as the select loop's I/O
// timers have.
TEST(Timeline, ThreadPoolQueueWaitsGetARowPerClient) {
    std::string dir = "/tmp/timeline_test." + std::to_string(getpid()) + ".queue";
    std::string trace = dir + ".threadpool.json";
    ASSERT_EQ(run_bounded({harness_path(), "timeline", "--model", "threadpool", "--scenario", "io",
                           "--out", trace}),
              0);
    ASSERT_EQ(run_bounded({beside_this_test("lab-plot"), "timeline", "--out", dir, trace}), 0);
    std::ifstream script(dir + "/timeline-threadpool-io.gp");
    std::stringstream text;
    text << script.rdbuf();
    for (const char* row : {"queue: client 1", "queue: client 2", "queue: client 3"})
        EXPECT_NE(text.str().find(row), std::string::npos) << "no row '" << row << "'";
    std::remove(trace.c_str());
    std::filesystem::remove_all(dir);
}

}  // namespace
