// The list of models. A new model is one entry here and its own file with its serve function;
// nothing else needs to change (README: "Adding a model").
#include "models.hpp"

#include <sched.h>

#include <algorithm>

#include "uring_probe.hpp"

namespace lab {

inline constexpr std::uint64_t kDefaultMaxClients = 1024;
inline constexpr std::uint64_t kMinDefaultWorkers = 8;
inline constexpr std::uint64_t kDefaultWorkersPerCore = 4;

// Each model's serve function, in its own file (models/NAME.cpp): it runs until the stop
// latch is set.
void serve_sequential(Server& server);
void serve_threads(Server& server);
void serve_fork(Server& server);
void serve_select(Server& server);
std::uint64_t select_max_clients();  // what FD_SETSIZE leaves (select_loop.cpp)
void serve_poll(Server& server);
void serve_epoll(Server& server);
void serve_threadpool(Server& server);
void serve_prefork(Server& server);
// The assignment's model (README "Write your own model"): the student's file,
// models/student_select.cpp, or in lab-server-solution the reference solution in its place.
void serve_student(Server& server);
std::uint64_t student_max_clients();  // its --max-clients: what FD_SETSIZE leaves
void serve_libevent(Server& server);
void serve_uring(Server& server);
void serve_coroutines(Server& server);

// The plot styles: seven colours of the Okabe-Ito palette (all of it but its yellow, too pale
// on white), which stay apart for colour-blind readers, and for the eighth Tableau 10's brown,
// darker than all of them but black; where two colours still look alike, the point shapes
// differ. The pool variants take the hollow shape of their classic model: threadpool the
// circle of threads, prefork the triangle of fork; libevent Paul Tol's indigo and the plus,
// uring his green and the cross, coroutines his teal and the open diamond (which lab-plot gave
// up for it); the student's model his wine and the star, in no lab figure unless named. A new
// model takes a colour and a shape no other model has; lab-plot keeps three further colours
// with hollow shapes 4, 10 and 14 for names that are not in the registry
// (tests/registry_test.cpp checks both).
const std::vector<Model>& models() {
    static const std::vector<Model> list = {
        {.name = "sequential",
         .summary = "one client at a time; the others wait in the listen backlog",
         .serve = serve_sequential,
         .plot = {.colour = "#D55E00", .point_type = 5},  // vermillion, filled square
         .table_locking = Locking::SingleTask},
        {.name = "threads",
         .summary = "one thread per client, blocking I/O",
         .serve = serve_threads,
         .plot = {.colour = "#0072B2", .point_type = 7},  // blue, filled circle
         .table_locking = Locking::Shared,
         .default_max_clients = kDefaultMaxClients,
         .takes_thread_stack = true},
        {.name = "fork",
         .summary = "one child process per client, blocking I/O",
         .serve = serve_fork,
         .plot = {.colour = "#009E73", .point_type = 9},  // bluish green, filled triangle
         .table_locking = Locking::Shared,
         .default_max_clients = kDefaultMaxClients},
        {.name = "select",
         .summary = "one thread, non-blocking sockets and a select() loop",
         .serve = serve_select,
         .plot = {.colour = "#CC79A7", .point_type = 13},  // reddish purple, filled diamond
         .table_locking = Locking::SingleTask,
         .default_max_clients = select_max_clients(),
         .max_max_clients = select_max_clients(),
         .event_loop = true},
        {.name = "poll",
         .summary =
             "one thread, a poll() loop: no FD_SETSIZE limit, but each turn looks at every client",
         .serve = serve_poll,
         .plot = {.colour = "#E69F00", .point_type = 11},  // orange, filled inverted triangle
         .table_locking = Locking::SingleTask,
         .default_max_clients = kDefaultMaxClients,
         .event_loop = true},
        {.name = "epoll",
         .summary = "one thread, an epoll loop: each turn looks only at the ready clients",
         .serve = serve_epoll,
         .plot = {.colour = "#56B4E9", .point_type = 15},  // sky blue, filled pentagon
         .table_locking = Locking::SingleTask,             // --loops N > 1: Shared (main.cpp)
         .default_max_clients = kDefaultMaxClients,
         .event_loop = true,
         .takes_loops = true},
        {.name = "threadpool",
         .summary = "a fixed pool of worker threads fed from a queue, blocking I/O",
         .serve = serve_threadpool,
         .plot = {.colour = "#000000", .point_type = 6},  // black, open circle
         .table_locking = Locking::Shared,
         .default_max_clients = kDefaultMaxClients,
         .takes_workers = true,
         .takes_thread_stack = true},
        {.name = "prefork",
         .summary = "a fixed set of worker processes forked at start, each accepting, blocking I/O",
         .serve = serve_prefork,
         .plot = {.colour = "#8C564B", .point_type = 8},  // brown, open triangle
         .table_locking = Locking::Shared,
         .takes_workers = true},
        {.name = "libevent",
         .summary = "one thread, callbacks on libevent's event loop (its epoll, poll or select)",
         .serve = serve_libevent,
         .plot = {.colour = "#332288", .point_type = 1},  // indigo (Paul Tol's), plus
         .table_locking = Locking::SingleTask,
         .default_max_clients = kDefaultMaxClients,
         .event_loop = true,
         .takes_libevent_backend = true},
        {.name = "uring",
         .summary = "one thread, io_uring: the kernel accepts, receives and sends, and reports "
                    "each completion",
         .serve = serve_uring,
         .plot = {.colour = "#117733", .point_type = 2},  // green (Paul Tol's), cross
         .table_locking = Locking::SingleTask,
         .default_max_clients = kDefaultMaxClients,
         .event_loop = true,
         .takes_recv_buffers = true,
         .unavailable = uring_unavailable},
        {.name = "coroutines",
         .summary = "one thread, each client a coroutine: blocking-style code on an epoll loop",
         .serve = serve_coroutines,
         .plot = {.colour = "#44AA99", .point_type = 12},  // teal (Paul Tol's), open diamond
         .table_locking = Locking::SingleTask,
         .default_max_clients = kDefaultMaxClients,
         .event_loop = true},
        // The student's select loop: an event loop like select, on one thread (so no lock on the
        // INCR table), marked as the assignment. The student writes serve_student and keeps this.
        {.name = "student",
         .summary = "the assignment: your own select() loop in models/student_select.cpp "
                    "(./lab grade-model student)",
         .serve = serve_student,
         .plot = {.colour = "#882255", .point_type = 3},  // wine (Paul Tol's), star
         .table_locking = Locking::SingleTask,
         .default_max_clients = student_max_clients(),
         .max_max_clients = student_max_clients(),
         .event_loop = true,
         .assignment = true},
    };
    return list;
}

const Model* find_model(const std::string& name) {
    for (const Model& m : models()) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

std::string model_names_where(bool Model::*has) {
    std::string names;
    for (const Model& m : models()) {
        if (!(m.*has)) continue;
        if (!names.empty()) names += ", ";
        names += m.name;
    }
    return names;
}

std::uint64_t default_workers() {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    std::uint64_t cores = 1;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
        cores = static_cast<std::uint64_t>(std::max(1, CPU_COUNT(&allowed)));
    }
    return std::min<std::uint64_t>(std::max(kMinDefaultWorkers, kDefaultWorkersPerCore * cores),
                                   kMaxWorkers);
}

}  // namespace lab
