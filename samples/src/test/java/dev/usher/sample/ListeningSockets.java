package dev.usher.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP ports a set of processes listens on, read from Linux's {@code /proc}: which sockets the
 * processes hold ({@code /proc/PID/fd}) and which of those listen, on what address
 * ({@code /proc/net/tcp}, {@code tcp6}). The server matrix uses it to check that a server listens
 * on loopback only.
 */
final class ListeningSockets {

    private ListeningSockets() {
    }

    /** @return {@code address:port} of every listening socket of the processes that is not on loopback */
    static List<String> notOnLoopback(List<Long> pids) throws IOException {
        Set<String> inodes = new HashSet<>();
        for (long pid : pids) {
            Path fds = Path.of("/proc", String.valueOf(pid), "fd");
            if (!Files.isDirectory(fds)) {
                continue;
            }
            try (var links = Files.list(fds)) {
                for (Path fd : links.toList()) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }
        List<String> found = new ArrayList<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path p = Path.of(table);
            if (!Files.isReadable(p)) {
                continue;
            }
            List<String> rows = Files.readAllLines(p);
            for (String row : rows.subList(Math.min(1, rows.size()), rows.size())) {
                String[] f = row.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                if (f.length < 10 || !f[3].equals("0A") || !inodes.contains(f[9])) {
                    continue;
                }
                String[] local = f[1].split(":");
                if (!loopback(local[0])) {
                    found.add(local[0] + ":" + Integer.parseInt(local[1], 16));
                }
            }
        }
        return found;
    }

    /** An address as /proc writes it: IPv4 as 8 hex digits (bytes reversed), IPv6 as four such words. */
    static boolean loopback(String hex) {
        if (hex.length() == 8) {
            return hex.endsWith("7F"); // 127.x.x.x
        }
        return hex.equals("00000000000000000000000001000000") // ::1
                || hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F"); // ::ffff:127.x.x.x
    }
}
