// Signals turned into descriptors that every wait can include, for the whole process: the
// stop latch (SIGTERM, SIGINT) and the child-event pipe (SIGCHLD). SIGPIPE is ignored, so a
// write to a closed connection returns EPIPE instead of killing the server. Used by every
// model and by every blocking wait in shared/. Nothing here exits the process.
#pragma once

#include <string>

namespace lab {

// Installs the handlers and makes the two pipes. SIGTERM and SIGINT make stop_fd() readable
// for good, so every poll() that includes it wakes, now or later. SIGCHLD makes
// child_event_fd() readable until drain_child_events() is called. Call before any thread
// starts. A forked child calls it again to get a latch of its own: the inherited one is
// shared with the parent, and a signal to one child must not stop the whole server. Returns
// false and a one-line reason in `error` if a pipe cannot be made (out of descriptors): the
// process then has no way to stop cleanly and should not serve.
bool install_signal_handlers(std::string& error);

// The read end of the stop latch: readable once the server is stopping. Any thread.
int stop_fd();
// Whether the server is stopping. Any thread.
bool stop_requested();
// Sets the stop latch: what the signal handler does; also for tests and fatal paths.
// Async-signal-safe; any thread.
void request_stop();

// Readable after a SIGCHLD, until drain_child_events(). For the one thread that reaps.
int child_event_fd();
void drain_child_events();

}  // namespace lab
