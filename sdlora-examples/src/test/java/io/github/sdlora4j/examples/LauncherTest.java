package io.github.sdlora4j.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code ./sdlora} launcher's own checks, which run before it builds or starts anything. */
class LauncherTest {

    @Test
    void anUnknownBackendIsAUsageErrorBeforeAnyBuild() throws IOException, InterruptedException {
        assertUsageError("SDLORA_BACKEND", "rocm", "SDLORA_BACKEND must be cpu or cuda, got 'rocm'");
    }

    @Test
    void anUnknownEngineIsAUsageErrorBeforeAnyBuild() throws IOException, InterruptedException {
        assertUsageError("SDLORA_ENGINE", "tensorflow", "SDLORA_ENGINE must be auto, fused or samediff, got 'tensorflow'");
    }

    private static void assertUsageError(String variable, String value, String message)
            throws IOException, InterruptedException {
        // Surefire runs in the module folder; the launcher sits at the repository root.
        Path launcher = Path.of("").toAbsolutePath().getParent().resolve("sdlora");
        assertTrue(Files.isRegularFile(launcher), launcher + " not found");
        ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "--help").redirectErrorStream(true);
        pb.environment().put(variable, value);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not return");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains(message), out);
        assertFalse(out.contains("building"), out);
    }
}
