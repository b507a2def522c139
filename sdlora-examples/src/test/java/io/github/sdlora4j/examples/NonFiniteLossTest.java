package io.github.sdlora4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A diverging run stops with a message naming task, epoch and step, and leaves what it wrote intact. */
class NonFiniteLossTest {

    @TempDir
    Path dir;

    @Test
    void hugeLearningRateStopsTheRunCleanly() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 2\n").resolveSibling("tiny.yaml");
        Files.writeString(config, Files.readString(config)
                .replace("{type: sgd, learningRate: 0.05}", "{type: adam, learningRate: 1.0e39}"));
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        var cl = SdloraCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("run", "--config", config.toString(), "--out", out.toString());
        assertEquals(SdloraCli.EXIT_TRAINING_STOPPED, code, err.toString());
        String message = err.toString();
        assertTrue(message.matches("(?s).*task \\d+, epoch \\d+, step \\d+.*"), message);
        assertTrue(message.contains("finite"), message);

        byte[] manifest = Files.readAllBytes(out.resolve(RunOutputs.MANIFEST));
        byte[] state = Files.readAllBytes(out.resolve(RunOutputs.STATE));
        var s = ConfigLoader.JSON.readTree(state);
        assertTrue(ConfigLoader.JSON.readTree(manifest).has("config"));
        assertFalse(Files.exists(out.resolve(RunOutputs.RESULTS_JSON)), "no results for a failed run");
        try (Stream<Path> files = Files.walk(out)) {
            List<Path> temps = files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertTrue(temps.isEmpty(), "left temporary files: " + temps);
        }
        // A resume hits the same loss at the same place and again changes nothing already written.
        int again = cl.execute("run", "--config", config.toString(), "--out", out.toString(), "--resume");
        assertEquals(SdloraCli.EXIT_TRAINING_STOPPED, again);
        assertEquals(s, ConfigLoader.JSON.readTree(out.resolve(RunOutputs.STATE).toFile()));
        assertArrayEquals(state, Files.readAllBytes(out.resolve(RunOutputs.STATE)));
    }
}
