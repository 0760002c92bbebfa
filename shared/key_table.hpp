// The INCR/GET table: kKeySlots slots inside the counter block (counters.hpp), shared by
// every thread and child process of a server. A server's part of the block, not a reader's:
// it times its lock waits (BlockingTimer, which also traces), so it lives in lab_server_core
// while the block's layout and readers are in lab_measure_shared.
#pragma once

#include <cstdint>
#include <string>

#include "counters.hpp"

namespace lab {

// The INCR/GET table. With Locking::Shared both take the robust lock, counting it in
// table_locks; time spent waiting for it is added to blocking_ns[lock]. A model whose only
// task touches the table (the sequential server, an event loop alone) passes
// Locking::SingleTask and takes no lock at all; epoll with several loops takes it again.
// incr_key returns Full when the key is new and kMaxKeys keys exist.
enum class TableResult { Ok, Full };
enum class Locking { Shared, SingleTask };
TableResult incr_key(StatsBlock& stats, const std::string& key, std::uint64_t& value,
                     Locking locking = Locking::Shared);
std::uint64_t get_key(StatsBlock& stats, const std::string& key, Locking locking = Locking::Shared);

}  // namespace lab
