package io.github.sdlora4j.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Resident memory of this process from {@code /proc/self/status} (Linux only; empty elsewhere). */
final class PeakMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private PeakMemory() {
    }

    /** Peak resident set size so far (VmHWM), in bytes. */
    static OptionalLong peakResidentBytes() {
        return field("VmHWM:");
    }

    /** Current resident set size (VmRSS), in bytes. */
    static OptionalLong residentBytes() {
        return field("VmRSS:");
    }

    private static OptionalLong field(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024L); // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
