// See render.hpp.
#include "render.hpp"

#include <unistd.h>

#include <gnuplot-iostream.h>
#include <array>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace lab::plot {
namespace {

// gnuplot's messages beyond this many lines are counted, not shown.
constexpr int kMaxGnuplotLines = 30;
// The longest a PNG's tail or an SVG's head and tail that the checks read.
constexpr std::streamoff kEdgeBytes = 64;

// An executable called name in a directory of PATH, or "".
std::string find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return "";
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        std::filesystem::path candidate = std::filesystem::path(dir) / name;
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0)
            return candidate.string();
    }
    return "";
}

// text as one word for /bin/sh: single-quoted, a ' inside written as '\''.
std::string shell_quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// text as a gnuplot single-quoted string (no escapes inside; '' is a quote).
std::string gnuplot_single_quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text)
        out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// The first and last bytes of a file (at most kEdgeBytes each), or false if unreadable.
bool file_edges(const std::filesystem::path& file, std::string& head, std::string& tail,
                std::streamoff& size) {
    std::ifstream in(file, std::ios::binary | std::ios::ate);
    if (!in) return false;
    size = in.tellg();
    std::streamoff edge = std::min(size, kEdgeBytes);
    head.assign(static_cast<std::size_t>(edge), '\0');
    tail.assign(static_cast<std::size_t>(edge), '\0');
    in.seekg(0);
    in.read(head.data(), edge);
    in.seekg(size - edge);
    in.read(tail.data(), edge);
    return static_cast<bool>(in);
}

std::string trim(const std::string& text) {
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

// Passes gnuplot's messages on to stderr, at most kMaxGnuplotLines of them.
void forward_messages(const std::filesystem::path& log) {
    std::ifstream in(log);
    std::string line;
    int shown = 0;
    int hidden = 0;
    while (std::getline(in, line)) {
        if (trim(line).empty()) continue;
        if (shown < kMaxGnuplotLines) {
            std::cerr << "lab-plot: gnuplot: " << line << "\n";
            ++shown;
        } else {
            ++hidden;
        }
    }
    if (hidden > 0) std::cerr << "lab-plot: gnuplot: (" << hidden << " more lines)\n";
}

}  // namespace

std::string find_gnuplot() {
    return find_on_path("gnuplot");
}

bool is_complete_png(const std::filesystem::path& file) {
    static const std::string kSignature = "\x89PNG\r\n\x1a\n";
    // The last chunk: length 0, type IEND, and the CRC of "IEND".
    static const std::string kEnd("\0\0\0\0IEND\xae\x42\x60\x82", 12);
    std::string head, tail;
    std::streamoff size = 0;
    if (!file_edges(file, head, tail, size)) return false;
    return size > static_cast<std::streamoff>(kSignature.size() + kEnd.size()) &&
           head.rfind(kSignature, 0) == 0 && tail.size() >= kEnd.size() &&
           tail.compare(tail.size() - kEnd.size(), kEnd.size(), kEnd) == 0;
}

bool is_complete_svg(const std::filesystem::path& file) {
    std::string head, tail;
    std::streamoff size = 0;
    if (!file_edges(file, head, tail, size)) return false;
    std::string start = trim(head);
    std::string end = trim(tail);
    const std::string close = "</svg>";
    return (start.rfind("<?xml", 0) == 0 || start.rfind("<svg", 0) == 0) &&
           end.size() >= close.size() &&
           end.compare(end.size() - close.size(), close.size(), close) == 0;
}

bool draw_figures(const std::string& gnuplot, const std::filesystem::path& directory,
                  const std::vector<Figure>& figures, std::string& error) {
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) {
        error = "cannot create " + directory.string() + ": " + ec.message();
        return false;
    }
    for (const Figure& figure : figures) {
        std::filesystem::path script = directory / (figure.stem + ".gp");
        std::ofstream out(script, std::ios::trunc);
        out << gnuplot_script(figure);
        out.close();
        if (!out) {
            error = "cannot write " + script.string();
            return false;
        }
        // An old picture must not pass for a new one if gnuplot fails this time.
        std::filesystem::remove(directory / (figure.stem + ".png"), ec);
        std::filesystem::remove(directory / (figure.stem + ".svg"), ec);
    }

    // gnuplot's messages go to a log read back once it has exited.
    std::string log_template =
        (std::filesystem::temp_directory_path(ec) / "lab-plot-gnuplot.XXXXXX").string();
    int log_fd = mkstemp(log_template.data());
    if (log_fd < 0) {
        error = "cannot create a temporary file for gnuplot's messages in " +
                std::filesystem::temp_directory_path(ec).string();
        return false;
    }
    close(log_fd);
    const std::filesystem::path log = log_template;
    std::string command = shell_quoted(gnuplot) + " >" + shell_quoted(log) + " 2>&1";
    if (std::string timeout = find_on_path("timeout"); !timeout.empty()) {
        command = shell_quoted(timeout) + " --kill-after=5 " +
                  std::to_string(kGnuplotTimeoutSeconds) + " " + command;
    }
    // "; true": gnuplot's exit status is not the verdict (the pictures are checked below), and
    // gnuplot-iostream would print a bare "pclose returned error" for a non-zero one.
    command += "; true";
    try {
        Gnuplot gp(command);
        gp << "cd " << gnuplot_single_quoted(directory.string()) << "\n";
        for (const Figure& figure : figures)
            gp << "load " << gnuplot_single_quoted(figure.stem + ".gp") << "\n";
        gp << "exit\n";
    } catch (const std::exception& e) {  // ~Gnuplot has waited for gnuplot to exit
        std::filesystem::remove(log, ec);
        error = "cannot run " + gnuplot + ": " + e.what();
        return false;
    }
    forward_messages(log);
    std::filesystem::remove(log, ec);

    for (const Figure& figure : figures) {
        for (const char* format : {"png", "svg"}) {
            std::filesystem::path picture = directory / (figure.stem + "." + format);
            bool complete =
                std::string(format) == "png" ? is_complete_png(picture) : is_complete_svg(picture);
            if (!complete) {
                error = "gnuplot did not draw " + picture.string() +
                        " completely (its messages, if any, are above; the script is " +
                        figure.stem + ".gp beside it)";
                return false;
            }
        }
    }
    return true;
}

}  // namespace lab::plot
