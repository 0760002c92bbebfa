// Transitional, to be deleted: shared/net.{hpp,cpp} is split by job into listener, signals,
// fd_limit, accept_client, refusal, drain, connection_io and accept_queue. This header stays
// only while harness/server_sampler.cpp (work in progress elsewhere) still includes it for
// accept_queue_length; include the room you need instead, never this.
#pragma once

#include "accept_queue.hpp"
