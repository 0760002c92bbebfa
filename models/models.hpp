// The registry of server models: the one place that lists them, and everything the tools
// need to know of each. lab-server picks one with --model NAME and lists them all with
// --list-models (--json: with their flags and plot styles); lab-harness, lab-plot, ./lab and
// the notebooks learn the models from that listing, never by linking this code. A new model
// is its own file (models/NAME.cpp, with its serve function) and one entry in models.cpp
// (the serve function's declaration and its Model), nothing else. One entry is the student's
// (`student`, models/student_select.cpp), marked as the assignment.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "service.hpp"

namespace lab {

// How lab-plot draws a model, the same in every figure: a colour and a point shape, each the
// model's own (so that a grey-scale print still tells the models apart).
struct PlotStyle {
    std::string_view colour;  // "#RRGGBB", a string literal
    int point_type = 0;       // a gnuplot pointtype, 1 to 15
};

// One model. Each entry in models.cpp is written with designated initializers, naming only
// what the model has: a field left out takes the default below.
struct Model {
    std::string name;                         // --model NAME: a-z, 0-9, - and _, at most 31 bytes
    std::string summary;                      // one line for --help and --list-models
    std::function<void(Server&)> serve;       // runs until the stop latch is set
    PlotStyle plot;                           // its colour and point shape in lab-plot's figures
    Locking table_locking = Locking::Shared;  // SingleTask if one task serves every client
    std::uint64_t default_max_clients = 0;    // 0: no --max-clients (the model ignores it)
    std::uint64_t max_max_clients = 0;        // the most --max-clients may be (0: lab-server's cap)
    bool takes_workers = false;               // a pool: --workers tasks, made at start, serve
    bool takes_thread_stack = false;          // --thread-stack-kb sizes its serving threads
    // One thread, a wait for every client: takes --blocking-io-in-loop and
    // --db-blocking-in-loop.
    bool event_loop = false;
    // Runs --loops N of its loops, --accept says how they get clients (shared/loop_group.hpp);
    // several take the table's lock.
    bool takes_loops = false;
    bool takes_libevent_backend = false;  // --libevent-backend forces libevent's backend
    // A student writes it (README "Write your own model"): not one of the lab's own, so the
    // lab's suites and `--models all` leave it out; ./lab grade-model grades it.
    bool assignment = false;
    bool takes_recv_buffers = false;  // a completion loop: --recv-buffers sizes its buffer ring
    // Why the model cannot run on this machine now ("": it can), asked before lab-server listens
    // (it then exits 2 with this line) and by the test suites (which skip the model with it).
    // Null: it always can.
    std::string (*unavailable)() = nullptr;
};

// --recv-buffers (the models that take it): buffers of a provided buffer ring, a power of two.
// The kernel indexes the ring with 16 bits, so 32,768 at most.
inline constexpr std::uint64_t kDefaultRecvBuffers = 1024;
inline constexpr std::uint64_t kMinRecvBuffers = 1;
inline constexpr std::uint64_t kMaxRecvBuffers = 32768;

// Every model, in the order --list-models prints them.
const std::vector<Model>& models();
// The model called `name`, or nullptr.
const Model* find_model(const std::string& name);
// The names of the models for which `has` is true, comma-separated (for --help and errors).
std::string model_names_where(bool Model::*has);

// The backends the libevent this server is built with can wait with, in libevent's order of
// preference (here epoll, poll, select): what --libevent-backend may name
// (models/libevent_loop.cpp).
std::vector<std::string> libevent_backends();

// --workers when not given: the larger of 8 and 4 x the cores this process may run on (its
// CPU affinity), at most kMaxWorkers. Blocking workers wait most of the time, so a pool needs
// more of them than cores; 8 keeps a small machine from a pool of 4.
std::uint64_t default_workers();

}  // namespace lab
