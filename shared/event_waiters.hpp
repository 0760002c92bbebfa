// WAIT and POST in the event loops (select, poll, epoll, uring): nothing blocks. A WAIT parks its
// connection here (with its timeout as the connection's deadline); a POST, executed by the
// loop for another connection, hands the value to every connection parked on its key and
// replies with how many. The blocking models' version is wait_board.hpp. Not thread-safe:
// belongs to the loop's one thread.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace lab {

class EventConnection;

class EventWaiters {
  public:
    // Parks `client` on `key`; false when kMaxWaiters already wait (the client gets ERR 503).
    bool add(const std::string& key, EventConnection* client);
    // Forgets a parked client (its timeout passed, or it left).
    void remove(const std::string& key, EventConnection* client);
    // Wakes every client parked on `key` (EventConnection::on_posted) and forgets them.
    std::size_t post(const std::string& key, const std::string& value);
    std::size_t size() const { return count_; }

  private:
    std::unordered_map<std::string, std::vector<EventConnection*>> by_key_;
    std::size_t count_ = 0;
};

}  // namespace lab
