package io.github.sdlora4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a failing command prints, in a fresh JVM as a user sees it: its one error line and nothing of ND4J's start-up
 * unless {@code --verbose}; a config error is answered before ND4J starts at all.
 */
class CliOutputTest {

    @TempDir
    Path dir;

    private record Result(int exit, String err) {
        List<String> lines() {
            // The JVM's own notice of the vector module is not the tool's output.
            return err.lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING: Using incubator modules"))
                    .toList();
        }
    }

    private Result sdlora(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), SdloraCli.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command did not return");
        return new Result(p.exitValue(), err);
    }

    @Test
    void aConfigTypoIsOneLineBeforeNd4jStartsEvenWhenVerbose() throws Exception {
        Path config = TinyRuns.config(dir, "epochz: 1\n");
        Result r = sdlora("run", "--verbose", "--config", config.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.lines().size(), r.err());
        assertTrue(r.err().contains("unknown key 'epochz' (did you mean 'epochs'?)"), r.err());
    }

    @Test
    void aFailureAfterNd4jStartedIsQuietUnlessVerbose() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\n");
        Files.writeString(config, Files.readString(config).replace(TinyRuns.SYNTHETIC_OPTIONS, "")
                .replace("format: synthetic",
                "format: image-folder\n  root: " + dir.resolve("missing")));
        Result quiet = sdlora("run", "--config", config.toString(), "--out", dir.resolve("q").toString());
        assertEquals(1, quiet.exit(), quiet.err());
        assertEquals(1, quiet.lines().size(), quiet.err());
        assertTrue(quiet.lines().get(0).startsWith("sdlora run: ") && quiet.err().contains("missing"), quiet.err());

        Result verbose = sdlora("run", "--verbose", "--config", config.toString(), "--out",
                dir.resolve("v").toString());
        assertEquals(1, verbose.exit(), verbose.err());
        assertTrue(verbose.err().contains("INFO org.nd4j"), "--verbose brings ND4J's banner back: " + verbose.err());
        assertFalse(quiet.err().contains("INFO"), quiet.err());
    }
}
