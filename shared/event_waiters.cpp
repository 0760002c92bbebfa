// The event loops' WAIT and POST. See event_waiters.hpp.
#include "event_waiters.hpp"

#include <algorithm>

#include "loop_inbox.hpp"

namespace lab {

// ---------------------------------------------------------------------------------------
// The board of several loops

CrossLoopWaiters::CrossLoopWaiters(std::vector<LoopInbox*> inboxes)
    : inboxes_(std::move(inboxes)) {}

std::uint64_t CrossLoopWaiters::add(const std::string& key, std::size_t loop) {
    std::lock_guard lock(lock_);
    if (count_ >= kMaxWaiters) return 0;
    std::uint64_t number = next_number_++;
    by_key_[key].push_back({loop, number});
    ++count_;
    return number;
}

bool CrossLoopWaiters::remove(const std::string& key, std::uint64_t number) {
    std::lock_guard lock(lock_);
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return false;
    auto& waiters = it->second;
    auto found = std::find_if(waiters.begin(), waiters.end(),
                              [number](const Waiter& w) { return w.number == number; });
    if (found == waiters.end()) return false;
    waiters.erase(found);
    --count_;
    if (waiters.empty()) by_key_.erase(it);
    return true;
}

std::vector<CrossLoopWaiters::Waiter> CrossLoopWaiters::take(const std::string& key) {
    std::lock_guard lock(lock_);
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return {};
    std::vector<Waiter> taken = std::move(it->second);
    by_key_.erase(it);
    count_ -= taken.size();
    return taken;
}

// ---------------------------------------------------------------------------------------
// One loop's waiters

void EventWaiters::share(CrossLoopWaiters& board, std::size_t loop) {
    board_ = &board;
    loop_ = loop;
}

bool EventWaiters::add(const std::string& key, ParkedClient* client) {
    if (board_ != nullptr) {
        std::uint64_t number = board_->add(key, loop_);
        if (number == 0) return false;
        by_number_[number] = client;
        numbers_[client] = number;
        return true;
    }
    if (count_ >= kMaxWaiters) return false;
    by_key_[key].push_back(client);
    ++count_;
    return true;
}

bool EventWaiters::remove(const std::string& key, ParkedClient* client) {
    if (board_ != nullptr) {
        auto it = numbers_.find(client);
        if (it == numbers_.end()) return true;               // not parked here
        if (!board_->remove(key, it->second)) return false;  // its value is on the way
        by_number_.erase(it->second);
        numbers_.erase(it);
        return true;
    }
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return true;
    auto& clients = it->second;
    auto found = std::find(clients.begin(), clients.end(), client);
    if (found == clients.end()) return true;
    clients.erase(found);
    --count_;
    if (clients.empty()) by_key_.erase(it);
    return true;
}

void EventWaiters::forget(const std::string& key, ParkedClient* client) {
    if (remove(key, client) || board_ == nullptr) return;
    // A POST took it, and its value will come for a number that no longer has a client.
    auto it = numbers_.find(client);
    by_number_.erase(it->second);
    numbers_.erase(it);
}

std::size_t EventWaiters::post(const std::string& key, const std::string& value) {
    if (board_ != nullptr) {
        std::vector<CrossLoopWaiters::Waiter> taken = board_->take(key);
        for (const CrossLoopWaiters::Waiter& w : taken) {
            if (w.loop == loop_) {
                deliver(w.number, value);
            } else {
                board_->inbox(w.loop).hand_post(w.number, value);  // that loop resumes it
            }
        }
        return taken.size();
    }
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return 0;
    // Taken out first: a woken client may WAIT on the same key again before this returns.
    std::vector<ParkedClient*> woken = std::move(it->second);
    by_key_.erase(it);
    count_ -= woken.size();
    for (ParkedClient* client : woken)
        client->on_posted(value);
    return woken.size();
}

void EventWaiters::deliver(std::uint64_t number, const std::string& value) {
    auto it = by_number_.find(number);
    if (it == by_number_.end()) return;  // it left after the POST took it
    ParkedClient* client = it->second;
    numbers_.erase(client);
    by_number_.erase(it);
    client->on_posted(value);
}

}  // namespace lab
