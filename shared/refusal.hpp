// Turning a client away before it is served (ERR 503): the one place that does it, for the
// blocking accept loop (over --max-clients), the event loops (over --max-clients; select: a
// descriptor over FD_SETSIZE) and accept_client (out of descriptors). Nothing here exits.
#pragma once

#include "counters.hpp"
#include "protocol.hpp"

namespace lab {

// Counts the refusal (connections_rejected and errors), writes the refusal's reply with one
// non-blocking send (a fresh socket has room for it), and shuts down writing. The reply is
// encoded by the protocol module from what the client has already sent (a peek, without
// blocking): HTTP/1.1 503 if that is a complete HTTP request line, LABP/1's ERR 503 line
// otherwise (encode_before_codec, PROTOCOL.md). The caller still owns fd and then drains it
// (drain.hpp) or takes the short way (read_once_and_close). Any thread.
void send_refusal(int fd, Refusal why, StatsBlock& stats);

}  // namespace lab
