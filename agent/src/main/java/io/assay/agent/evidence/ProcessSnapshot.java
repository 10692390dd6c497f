package io.assay.agent.evidence;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;

/**
 * One process as read straight from {@code /proc/PID}. Absent text is "", never null.
 *
 * @param exePath target of {@code /proc/PID/exe}, possibly ending in {@code " (deleted)"} or
 *     starting with {@code /memfd:}; "" for kernel threads, zombies and unreadable links
 * @param exeAccess whether the exe link could be read, and if not, why
 * @param startTicks start time in ticks after boot; with the pid it names the process uniquely
 * @param cpuTicks user + system ticks so far; {@code childTicks} the same for reaped children
 * @param socketInodes inodes of the sockets among the process's open files
 * @param openPaths other open files (regular files and devices), for config and {@code msr} checks
 * @param fdReadable false when {@code /proc/PID/fd} could not be listed (another user's process)
 */
public record ProcessSnapshot(
        int pid, int ppid, String comm, char state, int nice, long startTicks, long cpuTicks, long childTicks,
        int uid, String user, String exePath, Access exeAccess, List<String> cmdline, String cwd, String cgroup,
        long hugetlbBytes, long rssBytes, Set<Long> socketInodes, List<String> openPaths, boolean fdReadable) {

    /** Why an exe link is (not) known. */
    public enum Access { OK, NONE, DENIED }

    public ProcessSnapshot {
        requireNonNull(comm, "comm");
        requireNonNull(user, "user");
        requireNonNull(exePath, "exePath");
        requireNonNull(exeAccess, "exeAccess");
        cmdline = List.copyOf(cmdline);
        requireNonNull(cwd, "cwd");
        requireNonNull(cgroup, "cgroup");
        socketInodes = Set.copyOf(socketInodes);
        openPaths = List.copyOf(openPaths);
    }

    public Key key() {
        return new Key(pid, startTicks);
    }

    /** The command line as one string, arguments separated by spaces. */
    public String commandLine() {
        return String.join(" ", cmdline);
    }

    public boolean isKernelThread() {
        return (ppid == 2 || pid == 2) && cmdline.isEmpty() && exeAccess == Access.NONE;
    }

    public boolean isExeDeleted() {
        return exePath.endsWith(" (deleted)");
    }

    public boolean isExeMemfd() {
        return exePath.startsWith("/memfd:");
    }

    /** The exe path without the kernel's " (deleted)" marker. */
    public String exeFilePath() {
        return isExeDeleted() ? exePath.substring(0, exePath.length() - " (deleted)".length()) : exePath;
    }

    public String exeName() {
        String p = exeFilePath();
        int slash = p.lastIndexOf('/');
        return slash >= 0 ? p.substring(slash + 1) : p;
    }

    /** Identifies one process over its lifetime: pids are reused, (pid, start time) is not. */
    public record Key(int pid, long startTicks) {}
}
