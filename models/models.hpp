// The registry of server models: the one place that lists them. lab-server picks one with
// --model NAME; tests, the harness and the notebooks list them from here (lab-server
// --list-models), so a new model needs a file and a line in models.cpp, nothing else.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "service.hpp"

namespace lab {

struct Model {
    std::string name;
    std::string summary;                 // one line for --help and --list-models
    std::function<void(Server&)> serve;  // runs until the stop latch is set
    std::uint64_t default_max_clients;   // 0: the model has no --max-clients
    std::uint64_t max_max_clients;       // the most --max-clients may be (0: no limit)
    Locking table_locking;               // Shared if several tasks serve clients at once
    bool takes_workers;                  // a pool: --workers tasks, made at start, serve
    bool takes_thread_stack;             // --thread-stack-kb sizes its serving threads
    bool event_loop;  // one thread, a readiness wait for every client: takes --blocking-io-in-loop
};

const std::vector<Model>& models();
const Model* find_model(const std::string& name);
// The names of the models for which `has` is true, comma-separated (for --help and errors).
std::string model_names_where(bool Model::*has);

// --workers when not given: the larger of 8 and 4 x the cores this process may run on (its
// CPU affinity), at most kMaxWorkers. Blocking workers wait most of the time, so a pool needs
// more of them than cores; 8 keeps a small machine from a pool of 4.
std::uint64_t default_workers();

// Each model's serve function, defined in its own file.
void serve_sequential(Server& server);
void serve_threads(Server& server);
void serve_fork(Server& server);
void serve_select(Server& server);
void serve_threadpool(Server& server);
void serve_prefork(Server& server);
std::uint64_t select_max_clients();
void serve_poll(Server& server);
void serve_epoll(Server& server);

}  // namespace lab
