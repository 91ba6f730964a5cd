#include "child.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace kemu::scenario {
namespace {

constexpr std::string_view kListening = "kemu listening on ";

// The endpoint of the listening line in `log_file`, or empty.
std::string listening_endpoint(const std::string& log_file) {
    std::ifstream in(log_file);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(kListening)) return line.substr(kListening.size());
    }
    return "";
}

std::string tail_of(const std::string& log_file) {
    std::ifstream in(log_file);
    std::stringstream ss;
    ss << in.rdbuf();
    auto s = ss.str();
    return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

}  // namespace

KemuChild::~KemuChild() {
    stop();
}

bool KemuChild::start(const std::vector<std::string>& args, const std::string& log_file,
                      std::string* why, bool own_group) {
    std::vector<std::string> argv_s{"kemu", "up"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        *why = "cannot write " + log_file;
        return false;
    }
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
        // The child dies with the runner: a killed `kemu test` leaves no kemu behind.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(1);
        if (own_group) ::setpgid(0, 0);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::execv("/proc/self/exe", argv.data());
        ::_exit(127);
    }
    ::close(fd);
    if (pid_ < 0) {
        *why = "cannot fork";
        return false;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        endpoint_ = listening_endpoint(log_file);
        if (!endpoint_.empty()) return true;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            *why = "kemu up exited before listening:\n" + tail_of(log_file);
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    *why = "kemu up did not listen within 30 s:\n" + tail_of(log_file);
    stop();
    return false;
}

void KemuChild::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

void KemuChild::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
}

}  // namespace kemu::scenario
