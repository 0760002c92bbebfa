// lab-server --trace FILE: a record of what every thread and process of the server did, span
// by span (waiting to read, CPU work, simulated I/O, lock waits, writing), in Chrome
// trace-event JSON that the Perfetto UI (ui.perfetto.dev) opens. Off by default. When on,
// spans go into a per-thread buffer in memory and are written once, at exit, so the cost
// while serving is two clock reads and a vector append per span.
//
// Each span carries the thread's CPU time spent inside it (CLOCK_THREAD_CPUTIME_ID), so a
// span whose CPU time is less than its length shows that the thread was preempted or
// waiting; and the client connection it served ("task"), so a picture can colour by client.
#pragma once

#include <cstdint>
#include <string>

namespace lab::trace {

// What a span is. The first seven match the blocking kinds of counters.hpp, in order
// (blocking.hpp casts one to the other; service.cpp static_asserts the order).
enum class Phase : std::uint8_t {
    Accept,
    Read,
    Write,
    IoWait,
    Lock,
    Wait,
    Queue,
    Backend,
    Pool,
    Peer,
    Cpu,
    Count
};

// At most this many spans are kept per process; later ones are counted as dropped.
inline constexpr std::size_t kMaxSpansPerProcess = 1'000'000;

// Turns tracing on for this process and the children it forks; `path` is written at exit.
// Call from main before any thread starts. `process_name` labels the main process.
void enable(const std::string& path, const std::string& process_name);
bool enabled();

// The client connection the calling thread is serving now (0: none). Spans carry it.
void set_task(std::uint64_t task);
std::uint64_t current_task();

// Sets the calling thread's task for its lifetime, then back to none.
class TaskScope {
  public:
    explicit TaskScope(std::uint64_t task) { set_task(task); }
    ~TaskScope() { set_task(0); }
    TaskScope(const TaskScope&) = delete;
    TaskScope& operator=(const TaskScope&) = delete;
};

// Names the calling thread in the trace ("accept loop", "client 12").
void name_thread(const std::string& name);

// Records one span of the calling thread. start_ns/dur_ns on CLOCK_MONOTONIC; cpu_ns is the
// thread's CPU time inside it. No-op when tracing is off.
void record(Phase phase, std::uint64_t start_ns, std::uint64_t dur_ns, std::uint64_t cpu_ns);

// Records a wait that no thread sits in: an event loop's timer for simulated I/O (category
// "timer"), or a connection waiting in a pool's queue for a worker (phase Queue, category
// "queue"). Shown on a track of its own per client, not on any thread.
void record_async_wait(Phase phase, std::uint64_t task, std::uint64_t start_ns,
                       std::uint64_t dur_ns);

// In a child right after fork(): forget the parent's spans (they are the parent's to write)
// and name the child process.
void after_fork_in_child(const std::string& process_name);
// In a child before _exit(): write its spans to PATH.part.PARENT.PID (via a temporary name)
// for the parent to merge.
void write_child_part();
// In the main process at exit, after threads are joined and children reaped: writes PATH
// (via a temporary file and rename) with its own spans and every child's part, then removes
// the parts. Returns false and fills error if the file cannot be written.
bool write_trace(std::string& error);

// Times a piece of work as one span of the calling thread (the CPU work of WORK).
class Span {
  public:
    explicit Span(Phase phase);
    ~Span();
    Span(const Span&) = delete;
    Span& operator=(const Span&) = delete;

  private:
    Phase phase_;
    std::uint64_t start_ns_ = 0;
    std::uint64_t start_cpu_ns_ = 0;
};

}  // namespace lab::trace
