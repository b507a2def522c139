package io.github.sdlora4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run that fails before it trains leaves nothing that blocks the rerun of the fixed config. */
class FailedStartTest {

    @TempDir
    Path dir;

    @Test
    void aMissingDatasetRootWritesNothingAndTheFixedRunProceeds() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\nmethod: simplecil\n");
        String good = Files.readString(config);
        Files.writeString(config, good.replace(TinyRuns.SYNTHETIC_OPTIONS, "")
                .replace("format: synthetic", "format: image-folder\n  root: "
                + dir.resolve("no-such-folder")));
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        var cl = SdloraCli.commandLine();
        cl.setErr(new PrintWriter(err, true));

        assertEquals(1, cl.execute("run", "--config", config.toString(), "--out", out.toString()));
        assertTrue(err.toString().contains("no-such-folder"), err.toString());
        assertFalse(Files.exists(out.resolve(RunOutputs.STATE)), "a failed start writes no run state");
        assertFalse(Files.exists(out.resolve(RunOutputs.MANIFEST)), "a failed start writes no manifest");

        Files.writeString(config, good);
        assertEquals(0, cl.execute("run", "--config", config.toString(), "--out", out.toString()), err.toString());
        assertTrue(Files.exists(out.resolve(RunOutputs.RESULTS_JSON)));
    }

    @Test
    void whatAnOlderFailedStartLeftBlocksNeitherARerunNorAResume() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\nmethod: simplecil\n");
        Path out = dir.resolve("old");
        // What a start that failed used to leave: a manifest and an empty run state of another configuration.
        Files.createDirectories(out.resolve(RunOutputs.CHECKPOINT_DIR));
        Files.writeString(out.resolve(RunOutputs.MANIFEST), "{\"config\": {}}\n");
        Files.writeString(out.resolve(RunOutputs.STATE), "{\"config\": {\"epochs\": 7}, \"completed\": [],"
                + " \"current\": null}\n");
        StringWriter err = new StringWriter();
        var cl = SdloraCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute("run", "--config", config.toString(), "--out", out.toString(), "--resume"),
                err.toString());
        assertTrue(Files.exists(out.resolve(RunOutputs.RESULTS_JSON)));
        // Now it holds a run that trained: a new run there is refused, as before.
        assertEquals(1, cl.execute("run", "--config", config.toString(), "--out", out.toString()));
        assertTrue(err.toString().contains("already holds a run"), err.toString());
    }
}
