#pragma once
// One exchange with a server of this process over loopback TCP, for the targets that fuzz a
// listener as a client reaches it (the edge, the Runtime API): connect, send the bytes, end the
// sending side, read until the server closes. A server that neither answers nor closes within
// 10 s is a bug (a stalled connection), reported as a crash.

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace kemu::fuzz {

inline void exchange(int port, std::string_view bytes) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) std::abort();
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    // No TIME_WAIT pile-up over millions of connections: close with a reset.
    linger lg{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // EINPROGRESS
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    size_t sent = 0;
    bool shut = false;
    char buf[16 * 1024];
    for (;;) {
        if (!shut && sent == bytes.size()) {
            ::shutdown(fd, SHUT_WR);
            shut = true;
        }
        pollfd p{fd, static_cast<short>(POLLIN | (shut ? 0 : POLLOUT)), 0};
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) {
            std::fprintf(stderr, "fuzz: the server neither answered nor closed in 10 s\n");
            std::abort();
        }
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        if (p.revents & POLLOUT) {
            ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n > 0) {
                sent += static_cast<size_t>(n);
            } else if (n < 0 && errno != EAGAIN) {
                sent = bytes.size();  // the server closed on us: read what it said
                shut = true;
            }
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN)) break;
        }
    }
    ::close(fd);
}

}  // namespace kemu::fuzz
