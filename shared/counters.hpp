// The server's counters: one block of shared memory that every thread and every child
// process updates, and that STATS (or any tool outside the server) reads at any moment.
// Its layout is documented in shared/PROTOCOL.md ("The counter block"); bump kStatsVersion
// whenever it changes. Part of lab_measure_shared, which lab-harness links as well as the
// servers; the INCR/GET table's operations, a server's alone, are in key_table.hpp.
#pragma once

#include <pthread.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace lab {

inline constexpr std::uint64_t kStatsMagic =
    0x314B4C4241424C43;  // the bytes "CLBABLK1" in little-endian order
inline constexpr std::uint32_t kStatsVersion = 7;

// Only lock-free 8-byte atomics may live in memory shared between processes: a lock-based
// atomic would keep its lock in one process's private memory.
using Counter = std::atomic<std::uint64_t>;
static_assert(Counter::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

// Kinds of waiting a server can do. Each model wraps its blocking calls in BlockingTimer
// (blocking.hpp), which adds the time to the matching counter as soon as the call returns.
enum class Blocking : std::size_t {
    Accept,   // waiting in accept() for a client
    Read,     // waiting for a client's request bytes
    Write,    // waiting for room to send a reply
    IoWait,   // WORK's simulated I/O (a sleep in the blocking models)
    Lock,     // waiting for the INCR/GET table's lock
    Wait,     // an event loop's readiness wait (select, poll, epoll, libevent)
    Queue,    // a connection waiting for a worker (pool models)
    Backend,  // QUERY: waiting for the database's answer (a blocking libpq call, or an event
              // loop's parked query)
    Pool,     // QUERY: waiting for a free database connection of the server's pool
    Peer,     // WAIT: waiting for another client's POST
    Count
};
inline constexpr std::array<const char*, static_cast<std::size_t>(Blocking::Count)> kBlockingNames =
    {"accept", "read", "write", "io_wait", "lock", "wait", "queue", "backend", "pool", "peer"};

// The queue of a pool (threadpool): how many connections wait in it now and the sum of the
// moments (CLOCK_MONOTONIC ns) each began to wait, so that a reader can count a wait before it
// ends (with kept-open connections a wait may last the whole run: added only at its end, it
// would never be seen). Written by one task at a time (the pool's queue lock), read by anyone
// as a seqlock: `sequence` is odd while a write is under way. See read_queue.
struct QueueGauge {
    Counter sequence;
    Counter waiting;
    Counter since_sum_ns;
};

// Resource usage, as integers so that it can be summed with atomics.
struct RusageCounters {
    Counter user_us;
    Counter system_us;
    Counter voluntary_ctx_switches;
    Counter involuntary_ctx_switches;
    Counter max_rss_kb;  // a maximum, kept with compare-and-swap
};

// A plain copy of one rusage reading.
struct Rusage {
    std::uint64_t user_us = 0;
    std::uint64_t system_us = 0;
    std::uint64_t voluntary_ctx_switches = 0;
    std::uint64_t involuntary_ctx_switches = 0;
    std::uint64_t max_rss_kb = 0;
};

// One INCR/GET counter. Written only under StatsBlock::table_lock.
struct KeySlot {
    std::uint64_t value;
    std::uint8_t length;  // 0 = unused; set last when a key is added
    char key[71];
};
inline constexpr std::size_t kMaxTableKeys = 1024;           // = kMaxKeys of protocol.hpp
inline constexpr std::size_t kKeySlots = 2 * kMaxTableKeys;  // open addressing, at most half full

// The most workers a pool model may have (--workers), and so the number of worker slots.
inline constexpr std::size_t kMaxWorkers = 1024;

// One long-lived worker process's own figures (prefork). The parent fills `pid` when it
// forks the worker and clears the whole slot when it reaps it; in between only the worker
// writes the rest. A slot with pid 0 is free.
struct WorkerSlot {
    std::atomic<std::int64_t> pid;
    Counter connections_active;  // 1 while the worker serves a client (the parent's repair
                                 // of connections_active when a worker dies mid-connection)
    RusageCounters usage;        // the worker's RUSAGE_SELF, overwritten as it goes
};
static_assert(std::atomic<std::int64_t>::is_always_lock_free);

// The most event loops one server runs (epoll --loops N), and so the number of loop slots.
inline constexpr std::size_t kMaxLoops = 64;

// One event loop's own figures (select, poll and epoll: slot 0; epoll --loops N: slot i for
// loop i), so that how the loops share the clients out is visible. The server-wide counters
// above count the same events again.
struct LoopSlot {
    // The inode of the socket the loop accepts from (its own with SO_REUSEPORT, else the
    // server's), so that a reader can ask the kernel for that socket's accept queue alone
    // (accept_queue_length); 0: none, its clients are handed to it. Written once by the main
    // thread, before the listening line.
    Counter listen_inode;
    Counter connections_handed;    // clients the accepting thread handed it (--accept dispatch)
    Counter connections_accepted;  // clients the loop took in (refused ones included)
    Counter connections_active;    // clients it serves now
    Counter requests;              // request lines it decoded
};

struct StatsBlock {
    // Header. Everything but `ready` is written once, before `ready` is stored (release).
    std::uint64_t magic;
    std::uint32_t version;
    std::uint32_t size;           // sizeof(StatsBlock)
    std::int64_t pid;             // the server's main process
    std::uint64_t start_time_ns;  // CLOCK_REALTIME at start
    std::uint64_t start_mono_ns;  // CLOCK_MONOTONIC at start (uptime)
    std::uint32_t port;           // the listening port (for accept_queue)
    std::atomic<std::uint32_t> ready;
    char model[32];
    std::uint32_t loop_count;  // event loops whose slots of `loops` are in use (0: none)
    // The mechanism an event library waits with (libevent: event_base_get_method(), "epoll",
    // "poll" or "select"), NUL-terminated; empty in a model that waits by hand. Written once by
    // the loop before it serves a client, after `ready`, then published by a release store of
    // event_method_set: see publish_event_method and event_method.
    char event_method[16];
    std::atomic<std::uint32_t> event_method_set;

    Counter connections_accepted;
    Counter connections_active;
    Counter connections_rejected;
    Counter requests;
    Counter errors;
    Counter bytes_in;
    Counter bytes_out;
    std::array<Counter, static_cast<std::size_t>(Blocking::Count)> blocking_ns;
    QueueGauge queue;  // blocking_ns[queue] is its waits that ended
    // QUERY in every model, whoever waits (a thread, or a parked connection of an event
    // loop): queries answered by the database, queries that got ERR 503 instead, and the sums
    // of each query's time from sending it to its answer and of its wait for a free pool
    // connection. (blocking_ns[backend] and [pool] count only what threads spent blocked.)
    Counter backend_queries;
    Counter backend_failures;
    Counter backend_query_ns;
    Counter backend_pool_wait_ns;
    // The coroutines model's frames (coro_task.hpp): those alive now, the bytes they take
    // (each frame's size as the compiler asked its promise's operator new for it), and the
    // frames made since start. All 0 in every other model, which makes none.
    Counter coroutine_frames;
    Counter coroutine_frame_bytes;
    Counter coroutine_frames_made;
    RusageCounters children;        // sum of wait4() of every reaped child (max_rss: largest)
    RusageCounters exited_threads;  // sum of RUSAGE_THREAD of every thread that has exited
    RusageCounters main_process;    // the main process's own RUSAGE_SELF, published as it goes
    // Live worker processes of a pool (prefork), each publishing its own RUSAGE_SELF. A
    // reaped worker's slot is cleared when its wait4 rusage is added to `children`, so each
    // worker is counted in one place at a time.
    std::array<WorkerSlot, kMaxWorkers> workers;

    std::array<LoopSlot, kMaxLoops> loops;  // the first loop_count are in use

    // The INCR/GET table, guarded by a process-shared robust mutex, and how many times INCR or
    // GET took that mutex (0 in a model with one task, which takes none).
    pthread_mutex_t table_lock;
    Counter table_locks;
    std::uint32_t key_count;
    std::array<KeySlot, kKeySlots> slots;
};

// Owns the mapping of a StatsBlock. Created by the server; the mapping is inherited by
// children across fork(). Movable, not copyable.
class StatsRegion {
  public:
    // Creates the block. With a path: a file written under a temporary name and renamed
    // into place (readers never see a half-made block); otherwise anonymous shared memory.
    // `loops`: the server's event loops (loop_count; at most kMaxLoops). Returns nullopt and
    // fills `error` on failure.
    static std::optional<StatsRegion> create(const std::string& path, const std::string& model,
                                             std::uint32_t port, std::string& error,
                                             std::uint32_t loops = 0);
    // Maps an existing block read-only after checking magic, version, size and readiness.
    static std::optional<StatsRegion> open_readonly(const std::string& path, std::string& error);

    StatsRegion(StatsRegion&& other) noexcept;
    StatsRegion& operator=(StatsRegion&&) = delete;
    StatsRegion(const StatsRegion&) = delete;
    ~StatsRegion();

    StatsBlock& block() const { return *block_; }
    const std::string& path() const { return path_; }

  private:
    StatsRegion(StatsBlock* block, std::string path) : block_(block), path_(std::move(path)) {}
    StatsBlock* block_;
    std::string path_;
};

// Publishes the event library's mechanism (at most 15 bytes; longer is cut) into the block:
// once, by the loop's thread, before it serves a client.
void publish_event_method(StatsBlock& stats, const std::string& method);
// The published mechanism, or "" when none is (a loop written by hand, or not yet).
std::string event_method(const StatsBlock& stats);

// Counter helpers: relaxed atomics, since each counter is independent.
inline void add(Counter& c, std::uint64_t n) {
    c.fetch_add(n, std::memory_order_relaxed);
}
inline std::uint64_t load(const Counter& c) {
    return c.load(std::memory_order_relaxed);
}
void store_max(Counter& c, std::uint64_t value);
// Adds one to c unless it has reached `limit`; true if it added. A compare-and-swap, so that
// several threads admitting clients at once (epoll --loops N) never pass the limit together.
bool add_below(Counter& c, std::uint64_t limit);
void add_blocking(StatsBlock& stats, Blocking kind, std::uint64_t ns);

// The pool's queue (one writer at a time: call under the queue's lock). A connection begins
// to wait at since_ns; when a worker takes it, its whole wait goes to blocking_ns[queue].
void queue_wait_begins(StatsBlock& stats, std::uint64_t since_ns);
void queue_wait_ends(StatsBlock& stats, std::uint64_t since_ns, std::uint64_t now_ns);

// One consistent reading of the queue at now_ns (CLOCK_MONOTONIC): connections waiting, and
// the time spent waiting so far, ended waits and the ones still in progress together (so the
// difference of two readings is exactly the queue's wait between them).
struct QueueReading {
    std::uint64_t waiting = 0;
    std::uint64_t wait_ns = 0;
};
QueueReading read_queue(const StatsBlock& stats, std::uint64_t now_ns);

// Rusage of RUSAGE_SELF, RUSAGE_THREAD or RUSAGE_CHILDREN.
Rusage read_rusage(int who);
Rusage from_rusage(const struct rusage& ru);
void add_rusage(RusageCounters& into, const Rusage& r);    // sums; max_rss by maximum
void store_rusage(RusageCounters& into, const Rusage& r);  // overwrites
Rusage load_rusage(const RusageCounters& from);
// The sum of every occupied worker slot's rusage (max_rss: the largest).
Rusage live_workers_rusage(const StatsBlock& stats);

}  // namespace lab
