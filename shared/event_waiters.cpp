// The event loops' WAIT and POST. See event_waiters.hpp.
#include "event_waiters.hpp"

#include <algorithm>

#include "event_connection.hpp"

namespace lab {

bool EventWaiters::add(const std::string& key, EventConnection* client) {
    if (count_ >= kMaxWaiters) return false;
    by_key_[key].push_back(client);
    ++count_;
    return true;
}

void EventWaiters::remove(const std::string& key, EventConnection* client) {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return;
    auto& clients = it->second;
    auto found = std::find(clients.begin(), clients.end(), client);
    if (found == clients.end()) return;
    clients.erase(found);
    --count_;
    if (clients.empty()) by_key_.erase(it);
}

std::size_t EventWaiters::post(const std::string& key, const std::string& value) {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return 0;
    // Taken out first: a woken client may WAIT on the same key again before this returns.
    std::vector<EventConnection*> woken = std::move(it->second);
    by_key_.erase(it);
    count_ -= woken.size();
    for (EventConnection* client : woken)
        client->on_posted(value);
    return woken.size();
}

}  // namespace lab
