// The measured timelines (lab-harness timeline): a Gantt chart per trace, one row per server
// thread or process that ran work and one per client; and one chart with every given model
// on a common time axis. A server row shows whose task each span was: CPU work in the
// client's colour, a wait for a client's task (read, I/O, lock, queue, its I/O timer) in a
// lighter tint of it, a wait for any client (accept, the loop's select) in neutral gray. A
// client's row splits each request at the moment the server first worked on it: hatched
// while it waited to be served (listen backlog, queue, the loop busy with others), filled while
// it was served (to the reply).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "figure.hpp"

namespace lab::plot {

// Reads the traces written by `lab-harness timeline` and returns one figure per trace
// (timeline-MODEL-SCENARIO) and, for each scenario with more than one model, one with them
// all (timeline-all-SCENARIO). nullopt with a one-line error naming the file on bad input.
std::optional<std::vector<Figure>> timeline_figures(const std::vector<std::string>& files,
                                                    std::string& error);

// One client request, as the chart splits it. Times in ms since the first request was sent.
struct TimelineRequest {
    int client = 0;          // 1, 2, 3, ... as lab-harness numbered the clients
    int request = 0;         // 1, 2, ... of that client
    std::uint64_t task = 0;  // the client's local port: the server spans' args.task
    double sent_ms = 0;
    // When the server first worked on this request: the send itself if a server thread was
    // already sitting in a read of this task then, else the start of the first span of a
    // server thread for this task that starts between the send and the reply. Async waits
    // (a pool's queue, a loop's timer) are not work on it. nullopt: no such span in the trace,
    // and the request is drawn unsplit (TimelineBar::Kind::ClientUnsplit), never as served.
    std::optional<double> served_ms;
    double replied_ms = 0;
};

// One box of a chart.
struct TimelineBar {
    enum class Kind {
        ServerWork,     // a span of CPU work for a client: the client's colour
        ServerWait,     // a wait for a client's task (a thread's or an async one): its tint
        ServerIdle,     // a span for no client (accept, select/poll/epoll's wait): gray
        ClientWaiting,  // a request from its send until the server first worked on it
        ClientServed,   // ... from then to its reply
        ClientUnsplit,  // a request whose task has no server span: send to reply, unsplit
    };
    double start_ms = 0;
    double end_ms = 0;
    int row = 0;  // index into Timeline::rows
    // "#RRGGBB": what a server box is filled with; a client box's is its client's colour,
    // drawn in the kind's style (hatched, pale, outlined).
    std::string colour;
    Kind kind = Kind::ServerWork;
    std::uint64_t task = 0;  // the client connection (0: none)
    std::string phase;       // the span's name: cpu, read, io_wait, ..., or request
};

// What a chart shows, read from one trace.
struct Timeline {
    std::string model;
    std::string scenario;
    std::string request;            // the WORK line each client sent
    std::vector<std::string> rows;  // labels, top to bottom: clients, server threads, async
    std::vector<TimelineBar> bars;
    std::vector<TimelineRequest> requests;  // by client, then request
    double end_ms = 0;                      // the last reply
};

// Reads one trace of `lab-harness timeline`. nullopt with a one-line error naming the file
// if it is not one.
std::optional<Timeline> read_timeline(const std::string& file, std::string& error);

// The colour of client 1, 2, 3, ...: "#RRGGBB", the same in every chart.
std::string client_colour(int client);

// The lighter tint of colour (a "#RRGGBB") that a wait for that client's task is drawn in.
std::string wait_tint(const std::string& colour);

}  // namespace lab::plot
