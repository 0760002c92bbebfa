// Tests of the /proc sampler (harness/proc_sampler.hpp) against threads and child processes
// the tests start themselves, and against independent sources: the children's own rusage,
// memory the test touches, and the wall clock. The machine may be a busy 2-core box: only
// lower bounds and wide factors are asserted about time, and every wait is bounded.
#include "proc_sampler.hpp"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using lab::TreeSample;
using namespace std::chrono_literals;

// A child kills itself after this long whatever happens (alarm), so none outlives its test.
constexpr unsigned kChildGuardS = 10;
// The longest a test waits for a child to report.
constexpr auto kReportTimeout = 9s;
constexpr std::uint64_t kNsPerMs = 1'000'000;
constexpr std::uint64_t kUsPerMs = 1'000;

std::uint64_t clock_ns(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

// ---------------------------------------------------------------------------------------
// Child processes. The test process may have threads (gtest, TSan), so a child calls only
// async-signal-safe functions (system call wrappers) and never returns into the test.

// The child's ends of its two pipes: it waits for a byte on go, and writes 8-byte reports.
struct ChildPipes {
    int go = -1;
    int report = -1;
};

void wait_for_go(const ChildPipes& pipes) {
    char byte = 0;
    while (read(pipes.go, &byte, 1) < 0 && errno == EINTR) {
    }
}

void send_report(const ChildPipes& pipes, std::uint64_t value) {
    // 8 bytes on a pipe are written at once (less than PIPE_BUF).
    while (write(pipes.report, &value, sizeof value) < 0 && errno == EINTR) {
    }
}

[[noreturn]] void stay_alive() {
    for (;;)
        pause();  // until the parent's SIGKILL, or the alarm guard
}

// Spins until the calling thread has used ns of CPU time.
void burn_cpu(std::uint64_t ns) {
    const std::uint64_t start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    volatile std::uint64_t sink = 0;
    while (clock_ns(CLOCK_THREAD_CPUTIME_ID) - start < ns) {
        for (int i = 0; i < 10'000; ++i)
            sink = sink * 31 + 7;
    }
}

// User plus system time of the calling process, from getrusage (not from /proc).
std::uint64_t rusage_cpu_us() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto us = [](const timeval& tv) {
        return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000u +
               static_cast<std::uint64_t>(tv.tv_usec);
    };
    return us(usage.ru_utime) + us(usage.ru_stime);
}

// Makes the calling child safe to leave running: it dies with its parent (the thread that
// forked it, here the test's main thread) and after kChildGuardS in any case.
void guard_child() {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    alarm(kChildGuardS);
}

using ChildBody = void (*)(const ChildPipes& pipes, std::uint64_t arg);

// A forked child running body(pipes, arg). The destructor kills and reaps it, so that no
// test leaves a child behind, also when an assertion fails.
class Child {
  public:
    explicit Child(ChildBody body, std::uint64_t arg = 0) {
        int go[2];
        int report[2];
        if (pipe2(go, O_CLOEXEC) != 0 || pipe2(report, O_CLOEXEC) != 0) {
            ADD_FAILURE() << "pipe2: " << std::strerror(errno);
            return;
        }
        pid_ = fork();
        if (pid_ == 0) {
            guard_child();
            body(ChildPipes{go[0], report[1]}, arg);
            _exit(0);
        }
        if (pid_ < 0) ADD_FAILURE() << "fork: " << std::strerror(errno);
        close(go[0]);
        close(report[1]);
        go_ = go[1];
        report_ = report[0];
    }
    ~Child() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
        if (go_ >= 0) close(go_);
        if (report_ >= 0) close(report_);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    void go() const {
        const char byte = 'g';
        EXPECT_EQ(write(go_, &byte, 1), 1);
    }
    // The child's next report, or nullopt if none comes within kReportTimeout.
    std::optional<std::uint64_t> next_report() const {
        pollfd p{report_, POLLIN, 0};
        const auto timeout_ms = std::chrono::milliseconds(kReportTimeout).count();
        if (poll(&p, 1, static_cast<int>(timeout_ms)) != 1) return std::nullopt;
        std::uint64_t value = 0;
        if (read(report_, &value, sizeof value) != sizeof value) return std::nullopt;
        return value;
    }

  private:
    pid_t pid_ = -1;
    int go_ = -1;
    int report_ = -1;
};

void sleep_body(const ChildPipes&, std::uint64_t) {
    stay_alive();
}

// Waits for go, burns arg ns of CPU, reports its rusage user+system µs, stays alive.
void burn_body(const ChildPipes& pipes, std::uint64_t arg) {
    wait_for_go(pipes);
    burn_cpu(arg);
    send_report(pipes, rusage_cpu_us());
    stay_alive();
}

// Waits for go, sleeps 20 times 5 ms (each sleep one voluntary switch), reports, stays alive.
void nap_body(const ChildPipes& pipes, std::uint64_t) {
    wait_for_go(pipes);
    for (int i = 0; i < 20; ++i) {
        timespec nap{0, 5 * static_cast<long>(kNsPerMs)};
        while (nanosleep(&nap, &nap) < 0 && errno == EINTR) {
        }
    }
    send_report(pipes, 0);
    stay_alive();
}

// A name the stat parser must get past: spaces and parentheses, as in "pid (comm) state".
constexpr char kAwkwardName[] = ") (x) 1 2 (";

// Renames itself, starts a grandchild that does likewise, reports the grandchild's pid.
void grandparent_body(const ChildPipes& pipes, std::uint64_t) {
    prctl(PR_SET_NAME, kAwkwardName);
    const pid_t grandchild = fork();
    if (grandchild == 0) {
        guard_child();  // dies with this child, which dies with the test
        prctl(PR_SET_NAME, kAwkwardName);
        stay_alive();
    }
    send_report(pipes, static_cast<std::uint64_t>(grandchild));
    stay_alive();
}

void exit_body(const ChildPipes&, std::uint64_t) {
    _exit(0);
}

std::optional<TreeSample> sample_child(const Child& child) {
    auto sample = lab::sample_tree(child.pid());
    EXPECT_TRUE(sample.has_value()) << "pid " << child.pid();
    return sample;
}

std::uint64_t cpu_us(const TreeSample& s) {
    return s.user_us + s.system_us;
}

// "/proc/<pid>/<leaf>". Built with += rather than "/proc/" + to_string(pid): g++ 12 -O2
// gives a false -Wrestrict warning for that operator+ (GCC bug 105651).
std::string proc_file(pid_t pid, const char* leaf) {
    std::string path = "/proc/";
    path += std::to_string(pid);
    path += '/';
    path += leaf;
    return path;
}

// The "Threads:" line of /proc/PID/status: the kernel's own count of the process's threads,
// an independent check of the task walk. 0 if the process is gone.
std::uint64_t status_threads(pid_t pid) {
    std::ifstream in(proc_file(pid, "status"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("Threads:", 0) == 0) return std::stoull(line.substr(8));
    }
    return 0;
}

// True if the kernel fills /proc/PID/schedstat (CONFIG_SCHED_INFO); "0 0 0" otherwise.
bool kernel_has_schedstat() {
    // Three numbers (on-CPU ns, run-queue ns, timeslices). Not "on-CPU > 0": a task reading
    // its own file during its first timeslice can see 0, its time not yet accounted.
    std::ifstream in("/proc/self/schedstat");
    std::uint64_t oncpu_ns = 0, runqueue_ns = 0, slices = 0;
    return static_cast<bool>(in >> oncpu_ns >> runqueue_ns >> slices);
}

// ---------------------------------------------------------------------------------------
// 1. Which tasks and processes a sample covers.

TEST(ProcSamplerTree, CountsEveryThreadOfTheProcess) {
    constexpr std::ptrdiff_t kExtraThreads = 4;
    std::latch started(kExtraThreads);
    std::latch release(1);
    std::vector<std::thread> threads;
    for (std::ptrdiff_t i = 0; i < kExtraThreads; ++i) {
        threads.emplace_back([&] {
            started.count_down();
            release.wait();  // alive until the sample is taken
        });
    }
    started.wait();
    const auto sample = lab::sample_tree(getpid());
    const std::uint64_t kernel_threads = status_threads(getpid());
    release.count_down();
    for (auto& t : threads)
        t.join();

    ASSERT_TRUE(sample.has_value());
    EXPECT_GE(sample->threads, static_cast<std::uint64_t>(kExtraThreads) + 1);
    EXPECT_EQ(sample->threads, kernel_threads);
    EXPECT_GE(sample->processes, 1u);
}

TEST(ProcSamplerTree, CountsChildProcesses) {
    std::vector<std::unique_ptr<Child>> children;
    for (int i = 0; i < 3; ++i)
        children.push_back(std::make_unique<Child>(sleep_body));
    const auto sample = lab::sample_tree(getpid());
    ASSERT_TRUE(sample.has_value());
    EXPECT_GE(sample->processes, 4u);
    EXPECT_GE(sample->threads, 4u);
    for (const auto& child : children) {  // a child alone: one process
        const auto alone = sample_child(*child);
        ASSERT_TRUE(alone.has_value());
        EXPECT_EQ(alone->processes, 1u);
        // One thread, or two under ThreadSanitizer, which restarts its own in a forked child.
        EXPECT_EQ(alone->threads, status_threads(child->pid()));
    }
}

// The tasks of this process that the kernel named as io_uring's workers ("iou-wrk-TID",
// "iou-sqp-TID" in /proc/self/task/TID/comm): a source independent of the flag the sampler
// reads.
std::uint64_t io_uring_workers_by_name() {
    std::uint64_t workers = 0;
    std::unique_ptr<DIR, int (*)(DIR*)> tasks(opendir("/proc/self/task"), closedir);
    if (!tasks) return 0;
    while (const dirent* entry = readdir(tasks.get())) {
        std::ifstream comm(std::string("/proc/self/task/") + entry->d_name + "/comm");
        std::string name;
        if (std::getline(comm, name) && name.rfind("iou-", 0) == 0) ++workers;
    }
    return workers;
}

// A read of an empty pipe forced to an io-wq worker (IOSQE_ASYNC) makes the kernel start a
// worker thread in this process: the sampler counts it among the threads and, apart, as the
// kernel's (PF_IO_WORKER), as many as the tasks named so.
TEST(ProcSamplerTree, CountsIoUringWorkersApart) {
    io_uring ring{};
    if (int r = io_uring_queue_init(4, &ring, 0); r < 0) {
        GTEST_SKIP() << "io_uring is unavailable here: io_uring_queue_init: " << std::strerror(-r);
    }
    const auto before = lab::sample_tree(getpid());
    ASSERT_TRUE(before.has_value());
    EXPECT_EQ(before->kernel_threads, io_uring_workers_by_name());
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    char byte = 0;
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    ASSERT_NE(sqe, nullptr);
    io_uring_prep_read(sqe, fds[0], &byte, 1, 0);
    sqe->flags |= IOSQE_ASYNC;
    ASSERT_EQ(io_uring_submit(&ring), 1);
    bool started = false;
    for (int tries = 0; tries < 1000 && !started; ++tries) {  // 5 s at most
        started = io_uring_workers_by_name() > 0;
        if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const auto during = lab::sample_tree(getpid());
    const std::uint64_t by_name = io_uring_workers_by_name();
    ASSERT_EQ(write(fds[1], "x", 1), 1);  // the read completes; the worker idles, then ends
    io_uring_cqe* cqe = nullptr;
    EXPECT_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
    io_uring_queue_exit(&ring);
    close(fds[0]);
    close(fds[1]);
    ASSERT_TRUE(started) << "no iou-wrk task appeared";
    ASSERT_TRUE(during.has_value());
    EXPECT_GE(during->kernel_threads, 1u);
    EXPECT_EQ(during->kernel_threads, by_name);
    EXPECT_GE(during->threads, during->kernel_threads + 1) << "the workers are among the threads";
}

TEST(ProcSamplerTree, FollowsGrandchildrenWithParenthesesInTheirNames) {
    Child child(grandparent_body);
    const auto grandchild = child.next_report();
    ASSERT_TRUE(grandchild.has_value());
    const auto grandchild_pid = static_cast<pid_t>(*grandchild);
    // The grandchild renames itself after the fork: wait until its stat shows the new name.
    const std::string stat_path = proc_file(grandchild_pid, "stat");
    const auto deadline = std::chrono::steady_clock::now() + kReportTimeout;
    std::string line;
    while (line.find(kAwkwardName) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(stat_path);
        std::getline(in, line);
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_NE(line.find(kAwkwardName), std::string::npos) << line;

    const auto tree = sample_child(child);
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(tree->processes, 2u);  // found through the grandchild's ppid, after the name
    EXPECT_EQ(tree->threads, status_threads(child.pid()) + status_threads(grandchild_pid));
    const auto leaf = lab::sample_tree(grandchild_pid);
    ASSERT_TRUE(leaf.has_value());
    EXPECT_EQ(leaf->processes, 1u);
    EXPECT_EQ(leaf->threads, status_threads(grandchild_pid));
    EXPECT_LT(cpu_us(*leaf), 1'000'000u);  // a parse off by one field would read garbage
    kill(grandchild_pid, SIGKILL);         // not ours to reap: its new parent does
}

TEST(ProcSamplerTree, NonexistentPidGivesNullopt) {
    pid_t gone = -1;
    {
        Child child(exit_body);
        gone = child.pid();
    }  // reaped: the pid is free
    EXPECT_FALSE(lab::sample_tree(gone).has_value());
    EXPECT_FALSE(lab::sample_tree(INT_MAX).has_value());  // above any pid_max
    EXPECT_FALSE(lab::sample_tree(0).has_value());
    EXPECT_FALSE(lab::sample_tree(-1).has_value());
}

TEST(ProcSamplerTree, ZombieRootGivesNullopt) {
    Child child(exit_body);
    siginfo_t info{};
    // Waits for the exit but leaves the child a zombie (WNOWAIT): its /proc entry remains.
    ASSERT_EQ(waitid(P_PID, static_cast<id_t>(child.pid()), &info, WEXITED | WNOWAIT), 0);
    EXPECT_FALSE(lab::sample_tree(child.pid()).has_value());
}

// ---------------------------------------------------------------------------------------
// 2. CPU time, context switches, schedstat.

TEST(ProcSamplerCpu, BurnInChildShowsInUserPlusSystem) {
    constexpr std::uint64_t kBurnMs = 200;
    Child child(burn_body, kBurnMs * kNsPerMs);
    const auto before = sample_child(child);
    const std::uint64_t wall_start_ns = clock_ns(CLOCK_MONOTONIC);
    child.go();
    ASSERT_TRUE(child.next_report().has_value()) << "the child did not finish burning";
    const auto after = sample_child(child);
    const std::uint64_t wall_us = (clock_ns(CLOCK_MONOTONIC) - wall_start_ns) / 1000;
    ASSERT_TRUE(before && after);

    const std::uint64_t grew_us = cpu_us(*after) - cpu_us(*before);
    EXPECT_GE(grew_us, kBurnMs / 2 * kUsPerMs);
    // One thread cannot use more CPU than wall time; 20 ms for rounding to clock ticks.
    EXPECT_LE(grew_us, wall_us + 20 * kUsPerMs);
    EXPECT_GT(after->sample_cpu_ns, 0u);
}

TEST(ProcSamplerCpu, SleepingChildCountsVoluntarySwitches) {
    Child child(nap_body);
    const auto before = sample_child(child);
    child.go();
    ASSERT_TRUE(child.next_report().has_value()) << "the child did not finish its naps";
    const auto after = sample_child(child);
    ASSERT_TRUE(before && after);
    EXPECT_GE(after->voluntary_ctx_switches - before->voluntary_ctx_switches, 15u);
}

// The cross-check of the two switch counters: every time a task is scheduled in (a timeslice
// in schedstat) it was switched out before (a voluntary or involuntary context switch).
TEST(ProcSamplerCpu, TimeslicesAgreeWithContextSwitches) {
    if (!kernel_has_schedstat()) GTEST_SKIP() << "no per-task schedstat on this kernel";
    Child child(nap_body);
    const auto before = sample_child(child);
    child.go();
    ASSERT_TRUE(child.next_report().has_value()) << "the child did not finish its naps";
    const auto after = sample_child(child);
    ASSERT_TRUE(before && after);
    const double slices = static_cast<double>(after->timeslices - before->timeslices);
    const double switches =
        static_cast<double>((after->voluntary_ctx_switches - before->voluntary_ctx_switches) +
                            (after->involuntary_ctx_switches - before->involuntary_ctx_switches));
    ASSERT_GE(switches, 15.0);
    // Wide margins: a switch at either edge of the interval may fall on either side.
    EXPECT_GE(slices, 0.8 * switches - 2) << "timeslices " << slices << ", switches " << switches;
    EXPECT_LE(slices, 1.25 * switches + 2) << "timeslices " << slices << ", switches " << switches;
}

TEST(ProcSamplerCpu, SchedstatOnCpuAgreesWithUserPlusSystemAndRusage) {
    if (!kernel_has_schedstat()) GTEST_SKIP() << "this kernel reports no schedstat";
    constexpr std::uint64_t kBurnMs = 300;
    Child child(burn_body, kBurnMs * kNsPerMs);
    const auto before = sample_child(child);
    child.go();
    const auto rusage_us = child.next_report();
    ASSERT_TRUE(rusage_us.has_value()) << "the child did not finish burning";
    const auto after = sample_child(child);
    ASSERT_TRUE(before && after);

    EXPECT_GE(after->oncpu_ns - before->oncpu_ns, kBurnMs / 2 * kNsPerMs);
    EXPECT_GE(after->timeslices, before->timeslices);
    // The child's whole life is the burn: three views of the same CPU time.
    const auto oncpu = static_cast<double>(after->oncpu_ns);
    const auto stat_ns = static_cast<double>(cpu_us(*after) * 1000);
    const auto rusage_ns = static_cast<double>(*rusage_us * 1000);
    EXPECT_GE(oncpu, 0.5 * stat_ns);
    EXPECT_LE(oncpu, 2.0 * stat_ns);
    EXPECT_GE(oncpu, 0.5 * rusage_ns);
    EXPECT_LE(oncpu, 2.0 * rusage_ns);
    std::printf("schedstat on-CPU %.1f ms, stat user+system %.1f ms, rusage %.1f ms\n", oncpu / 1e6,
                stat_ns / 1e6, rusage_ns / 1e6);
}

// ---------------------------------------------------------------------------------------
// 3. Memory.

TEST(ProcSamplerMemory, OfTheTestProcess) {
    const auto sample = lab::sample_tree(getpid());
    ASSERT_TRUE(sample.has_value());
    EXPECT_GT(sample->rss_kb, 0u);
    EXPECT_GE(sample->vm_kb, sample->rss_kb);
    EXPECT_GT(sample->pss_kb, 0u);
    // The peak RSS from getrusage bounds the current one (4 MiB for the kernel's per-CPU
    // counter batching).
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    EXPECT_LE(sample->rss_kb, static_cast<std::uint64_t>(usage.ru_maxrss) + 4096);

    const auto light = lab::sample_tree(getpid(), /*with_memory=*/false);
    ASSERT_TRUE(light.has_value());
    EXPECT_EQ(light->pss_kb, 0u);
    EXPECT_GT(light->rss_kb, 0u);
}

TEST(ProcSamplerMemory, TouchedPagesShowInRssAndPss) {
    constexpr std::size_t kTouchedKb = 64 * 1024;
    constexpr std::size_t kPageBytes = 4096;
    const auto before = lab::sample_tree(getpid());
    // mmap, not the heap: an allocator (or a sanitizer's) might reuse pages already resident.
    void* block = mmap(nullptr, kTouchedKb * 1024, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(block, MAP_FAILED) << std::strerror(errno);
    auto* bytes = static_cast<char*>(block);
    for (std::size_t i = 0; i < kTouchedKb * 1024; i += kPageBytes)
        bytes[i] = 1;  // every page
    const auto after = lab::sample_tree(getpid());
    munmap(block, kTouchedKb * 1024);
    ASSERT_TRUE(before && after);
    EXPECT_GE(after->rss_kb, before->rss_kb + kTouchedKb * 3 / 4);
    EXPECT_GE(after->pss_kb, before->pss_kb + kTouchedKb * 3 / 4);  // private pages count whole
    EXPECT_GE(after->vm_kb, before->vm_kb + kTouchedKb);
}

// ---------------------------------------------------------------------------------------
// 4. CPU steal from /proc/stat.

TEST(ProcSamplerSteal, ShareOfTwoRealReadings) {
    const std::uint64_t start_ns = clock_ns(CLOCK_MONOTONIC);
    const lab::CpuTimes before = lab::read_cpu_times();
    std::this_thread::sleep_for(200ms);
    const lab::CpuTimes after = lab::read_cpu_times();
    const double elapsed_s = static_cast<double>(clock_ns(CLOCK_MONOTONIC) - start_ns) / 1e9;

    EXPECT_GT(before.total, 0u);
    EXPECT_GE(after.steal, before.steal);
    const double pct = lab::steal_pct(before, after);
    EXPECT_GE(pct, 0.0);
    EXPECT_LE(pct, 100.0);
    // Independent check of the total: every CPU in /proc/stat adds CLK_TCK ticks a second.
    std::ifstream in("/proc/stat");
    std::string line;
    double cpus = 0;
    while (std::getline(in, line) && line.rfind("cpu", 0) == 0) {
        if (line.rfind("cpu ", 0) != 0) ++cpus;  // cpu0, cpu1, ...
    }
    const double expected_ticks = cpus * elapsed_s * static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto ticks = static_cast<double>(after.total - before.total);
    EXPECT_GE(ticks, 0.5 * expected_ticks);
    EXPECT_LE(ticks, 1.5 * expected_ticks);
}

TEST(ProcSamplerSteal, Arithmetic) {
    EXPECT_DOUBLE_EQ(lab::steal_pct({1000, 10}, {2000, 60}), 5.0);
    EXPECT_DOUBLE_EQ(lab::steal_pct({1000, 10}, {1100, 110}), 100.0);
    EXPECT_EQ(lab::steal_pct({1000, 10}, {1000, 10}), 0.0);  // no time passed
    EXPECT_EQ(lab::steal_pct({1000, 10}, {0, 0}), 0.0);      // a failed reading
    EXPECT_EQ(lab::steal_pct({1000, 50}, {2000, 40}), 0.0);  // steal went backwards
}

// ---------------------------------------------------------------------------------------
// 5. What a sample costs.

TEST(ProcSamplerCost, OneSampleOfTheTestProcess) {
    constexpr int kRounds = 20;
    for (const bool with_memory : {true, false}) {
        std::vector<std::uint64_t> wall_ns;
        std::vector<std::uint64_t> cpu_ns;
        for (int i = 0; i < kRounds; ++i) {
            const std::uint64_t start = clock_ns(CLOCK_MONOTONIC);
            const auto sample = lab::sample_tree(getpid(), with_memory);
            const std::uint64_t end = clock_ns(CLOCK_MONOTONIC);
            ASSERT_TRUE(sample.has_value());
            EXPECT_GE(sample->mono_ns, start);
            EXPECT_LE(sample->mono_ns, end);
            EXPECT_GT(sample->sample_cpu_ns, 0u);
            EXPECT_LE(sample->sample_cpu_ns, end - start);  // CPU time never exceeds wall time
            wall_ns.push_back(end - start);
            cpu_ns.push_back(sample->sample_cpu_ns);
        }
        std::sort(wall_ns.begin(), wall_ns.end());
        std::sort(cpu_ns.begin(), cpu_ns.end());
        const std::string what = with_memory ? "with_memory" : "without_memory";
        RecordProperty(std::string("median_wall_us_").append(what),
                       static_cast<int>(wall_ns[kRounds / 2] / 1000));
        RecordProperty(std::string("median_cpu_us_").append(what),
                       static_cast<int>(cpu_ns[kRounds / 2] / 1000));
        std::printf("sample_tree(self, %s): median %.0f us wall, %.0f us CPU (of %d)\n",
                    what.c_str(), static_cast<double>(wall_ns[kRounds / 2]) / 1e3,
                    static_cast<double>(cpu_ns[kRounds / 2]) / 1e3, kRounds);
    }
}

}  // namespace
