#include "cli.h"

#include "cli_options.h"

#include "core/atomic_file.h"
#include "core/gabor_bank.h"
#include "core/image_io.h"
#include "core/kernel_io.h"
#include "core/kernels.h"

#include <opencv2/core/utility.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace ks {

namespace {

namespace fs = std::filesystem;

void printError(const std::string &message)
{
    std::fprintf(stderr, "kernelscope: %s\n", message.c_str());
}

std::string quoted(const fs::path &path)
{
    return "'" + path.string() + "'";
}

/// Messages on stderr from any thread, one whole line at a time, and a
/// progress line ("\r[12/345] name.png") when stderr is a terminal.
class Reporter {
public:
    explicit Reporter(std::size_t total) : total_(total) {}

    ~Reporter()
    {
        if (progressShown_)
            std::fputc('\n', stderr);
    }

    Reporter(const Reporter &) = delete;
    Reporter &operator=(const Reporter &) = delete;

    void message(std::string text)
    {
        // One line each, whatever the exception text holds (cv::Exception
        // spans lines).
        std::replace(text.begin(), text.end(), '\n', ' ');
        const std::lock_guard lock(mutex_);
        if (progressShown_)
            std::fputs("\r\x1b[K", stderr); // the next progress update redraws it
        progressShown_ = false;
        printError(text);
    }

    void finished(const fs::path &input)
    {
        const std::lock_guard lock(mutex_);
        ++done_;
        if (!terminal_)
            return;
        std::fprintf(stderr, "\r[%zu/%zu] %s\x1b[K", done_, total_,
                     input.filename().string().c_str());
        std::fflush(stderr);
        progressShown_ = true;
    }

private:
    std::mutex mutex_;
    const bool terminal_ = isatty(2) == 1;
    const std::size_t total_;
    std::size_t done_ = 0;
    bool progressShown_ = false;
};

/// One image to filter.
struct Job {
    fs::path input;
    fs::path output;
};

bool isImageFile(const fs::path &path, const std::vector<std::string> &extensions)
{
    std::string extension = path.extension().string();
    if (extension.size() < 2)
        return false;
    extension.erase(0, 1);
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::find(extensions.begin(), extensions.end(), extension) != extensions.end();
}

/// The inputs with each folder replaced by the image files directly inside
/// it, sorted by path string. Anything that is not a folder is kept as it is
/// (a missing file fails when it is loaded). A folder that cannot be listed
/// is reported and sets failed.
std::vector<fs::path> expandInputs(const std::vector<fs::path> &inputs, bool &failed)
{
    const std::vector<std::string> extensions = readableImageExtensions();
    std::vector<fs::path> files;
    for (const fs::path &input : inputs) {
        std::error_code error;
        if (!fs::is_directory(input, error)) {
            files.push_back(input);
            continue;
        }
        std::size_t found = 0;
        for (fs::directory_iterator it(input, error), end; !error && it != end;
             it.increment(error)) {
            std::error_code statusError;
            if (it->is_regular_file(statusError) && isImageFile(it->path(), extensions)) {
                files.push_back(it->path());
                ++found;
            }
        }
        if (error) {
            printError("cannot read the folder " + quoted(input) + ": " + error.message());
            failed = true;
        } else if (found == 0) {
            printError("warning: no image files in " + quoted(input));
        }
    }
    std::sort(files.begin(), files.end(),
              [](const fs::path &a, const fs::path &b) { return a.string() < b.string(); });
    return files;
}

/// Output paths for every input; UsageError when an output cannot be named
/// or two inputs would write the same file.
std::vector<Job> planJobs(const ApplySettings &settings, const std::vector<fs::path> &inputs)
{
    if (settings.output) {
        if (inputs.size() != 1)
            throw UsageError("-o needs exactly one input image, got " +
                             std::to_string(inputs.size()) + "; use --out-dir for several");
        return {{inputs.front(), *settings.output}};
    }
    std::vector<Job> jobs;
    std::map<fs::path, fs::path> claimed; // output -> input
    for (const fs::path &input : inputs) {
        const std::string extension =
            settings.format.empty() ? input.extension().string() : "." + settings.format;
        if (settings.format.empty())
            if (const auto problem = outputFormatProblem(extension, settings.depth))
                throw UsageError(quoted(input) + ": " + *problem +
                                 "; choose a format with --format");
        fs::path output = *settings.outDir / input.stem();
        output += extension;
        if (const auto [it, added] = claimed.emplace(output, input); !added)
            throw UsageError(quoted(it->second) + " and " + quoted(input) +
                             " would both be written to " + quoted(output));
        jobs.push_back({input, output});
    }
    return jobs;
}

/// The jobs of shard K of N: job i belongs to shard i % N + 1.
std::vector<Job> shardOf(const std::vector<Job> &jobs, Shard shard)
{
    std::vector<Job> mine;
    for (std::size_t i = 0; i < jobs.size(); ++i)
        if (static_cast<int>(i % static_cast<std::size_t>(shard.count)) + 1 == shard.index)
            mine.push_back(jobs[i]);
    return mine;
}

/// Calls work(i) for every i in [0, count) on `workers` threads that take the
/// next index from a shared counter. work must not throw.
void forEachIndex(std::size_t count, unsigned workers, const std::function<void(std::size_t)> &work)
{
    std::atomic<std::size_t> next = 0;
    const auto drain = [&] {
        for (std::size_t i = next++; i < count; i = next++)
            work(i);
    };
    if (workers <= 1) {
        drain();
        return;
    }
    std::vector<std::jthread> threads;
    for (unsigned w = 0; w < workers; ++w)
        threads.emplace_back(drain);
}

/// Filters one image: loadImage -> runPipeline -> saveImage, nothing else.
/// Reports a failure and returns false.
bool processImage(const Job &job, const ApplySettings &settings, Reporter &reporter)
{
    try {
        std::error_code error;
        if (!settings.overwrite && fs::exists(fs::symlink_status(job.output, error))) {
            reporter.message(quoted(job.output) + " exists; use --overwrite");
            return false;
        }
        const cv::Mat source = loadImage(job.input);
        const PipelineOutput result = runPipeline(source, settings.document, settings.depth);
        for (const std::string &warning : result.warnings)
            reporter.message("warning: " + quoted(job.input) + ": " + warning);
        SaveOptions options;
        options.jpegQuality = settings.jpegQuality;
        options.source = job.input;
        options.force = settings.force;
        saveImage(job.output, result.output, options);
        return true;
    } catch (const FileError &e) {
        reporter.message(e.what()); // names the file already
    } catch (const cv::Exception &e) {
        reporter.message("cannot filter " + quoted(job.input) + ": " + e.err);
    } catch (const std::exception &e) {
        reporter.message("cannot filter " + quoted(job.input) + ": " + e.what());
    }
    return false;
}

int runApply(std::span<const std::string> arguments)
{
    ApplySettings settings;
    std::vector<Job> jobs;
    bool failed = false;
    try {
        settings = parseApplyArguments(arguments);
        for (const std::string &warning : settings.warnings)
            printError(warning);
        jobs = shardOf(planJobs(settings, expandInputs(settings.inputs, failed)), settings.shard);
    } catch (const std::exception &e) {
        printError(e.what());
        return 2;
    }

    if (settings.outDir && !jobs.empty()) {
        std::error_code error;
        fs::create_directories(*settings.outDir, error);
        if (error) {
            printError("cannot create the folder " + quoted(*settings.outDir) + ": " +
                       error.message());
            return 1;
        }
    }

    const unsigned workers = static_cast<unsigned>(
        std::min<std::size_t>(settings.jobs, std::max<std::size_t>(jobs.size(), 1)));
    if (workers > 1)
        cv::setNumThreads(1); // the workers use the cores; OpenCV's own threads would oversubscribe
    std::atomic<std::size_t> failures = 0;
    {
        Reporter reporter(jobs.size());
        forEachIndex(jobs.size(), workers, [&](std::size_t i) {
            if (!processImage(jobs[i], settings, reporter))
                ++failures;
            reporter.finished(jobs[i].input);
        });
    }
    return failed || failures > 0 ? 1 : 0;
}

/// Writes text to standard output; false (with the reason printed) on failure.
bool writeStandardOutput(const std::string &text)
{
    const bool written = std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
    if (std::fflush(stdout) != 0 || !written || std::ferror(stdout)) {
        printError("cannot write to standard output");
        return false;
    }
    return true;
}

int runKernel(std::span<const std::string> arguments)
{
    KernelSettings settings;
    std::vector<cv::Mat> kernels;
    try {
        settings = parseKernelArguments(arguments);
        for (const std::string &warning : settings.warnings)
            printError(warning);
        if (const std::optional<BankSpec> &bank = settings.bank)
            kernels = bank->scales == 1
                          ? gaborBank(std::get<GaborSpec>(settings.filter), bank->orientations)
                          : bankKernels(std::get<GaborSpec>(settings.filter), *bank);
        else
            kernels.push_back(makeKernel(settings.filter));
    } catch (const std::exception &e) {
        printError(e.what());
        return 2;
    }
    if (settings.output == "-")
        return writeStandardOutput(kernelsToCsv(kernels)) ? 0 : 1;
    try {
        saveKernels(settings.output, kernels, settings.filter, settings.layout, settings.npyType);
    } catch (const std::exception &e) {
        printError(e.what());
        return 1;
    }
    return 0;
}

} // namespace

std::optional<int> runCommandLine(int argc, char *argv[])
{
    if (argc < 2)
        return std::nullopt;
    const std::string_view name = argv[1];
    const std::string version = "kernelscope " KERNELSCOPE_VERSION "\n";
    if (argc == 2 && name == "--version") // answered here too, so that it needs no display
        return writeStandardOutput(version) ? 0 : 1;
    if (name != "apply" && name != "kernel")
        return std::nullopt;
    const Subcommand command = name == "apply" ? Subcommand::Apply : Subcommand::Kernel;
    const std::vector<std::string> arguments(argv + 2, argv + argc);
    try {
        if (const std::optional<InfoRequest> request = infoRequest(arguments))
            return writeStandardOutput(*request == InfoRequest::Help ? helpText(command) : version)
                       ? 0
                       : 1;
        return command == Subcommand::Apply ? runApply(arguments) : runKernel(arguments);
    } catch (const std::exception &e) {
        printError(e.what());
        return 1;
    }
}

} // namespace ks
