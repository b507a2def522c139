package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --resume} of a run folder written before the {@code method:} block and {@code engine:}: the fixture
 * {@code older-run/} holds such a run's state (a top-level kdThreshold, no engine, one task of seed 1993 done) and
 * its config as rewritten for today's version.
 */
class OlderRunStateTest {

    @TempDir
    Path dir;

    /** Copies the fixture's config and run state into {@code dir}; returns the config file. */
    private Path fixture(String stateText) throws IOException {
        Path out = dir.resolve("older-run");
        Files.createDirectories(out.resolve(RunOutputs.CHECKPOINT_DIR));
        Files.writeString(out.resolve(RunOutputs.STATE), stateText);
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, resource("config.yaml"));
        return config;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = OlderRunStateTest.class.getResourceAsStream("/older-run/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static String oldState() throws IOException {
        return resource(RunOutputs.STATE);
    }

    @Test
    void equivalentSettingsResumeAndTheStateIsCarriedOnInTodaysShape() throws Exception {
        Path config = fixture(oldState());
        JsonNode effective = ConfigLoader.effective(ConfigLoader.load(config));
        RunState state = new RunOutputs(dir.resolve("older-run")).prepare(true, effective);
        assertEquals(effective, state.config());
        assertEquals(1993, state.current().seed());
        assertEquals(1, state.current().tasksDone());

        Path out = dir.resolve("older-run");
        TinyRuns.run(config, out, "--resume");
        JsonNode results = ConfigLoader.JSON.readTree(out.resolve(RunOutputs.RESULTS_JSON).toFile());
        assertEquals(3, results.get("accuracy_matrix").size(), "the seed ran to its end");
        JsonNode written = ConfigLoader.JSON.readTree(out.resolve(RunOutputs.STATE).toFile()).get("config");
        assertEquals(effective, written);
        assertFalse(RunState.olderShape(written), written.toString());
    }

    @Test
    void theUnreadKdThresholdOfAnotherMethodIsDropped() throws Exception {
        Path config = fixture(oldState().replace("\"method\":\"sdlora-kd\"", "\"method\":\"sdlora\""));
        Files.writeString(config, Files.readString(config).replace("method: {name: sdlora-kd, kdThreshold: 0.01}",
                "method: sdlora"));
        JsonNode effective = ConfigLoader.effective(ConfigLoader.load(config));
        assertEquals(effective, new RunOutputs(dir.resolve("older-run")).prepare(true, effective).config());
    }

    @Test
    void otherSettingsAreRefusedSayingTheRunIsFromAnOlderVersionAndWhatToDo() throws Exception {
        Path config = fixture(oldState());
        Files.writeString(config, Files.readString(config).replace("epochs: 1", "epochs: 2"));
        JsonNode effective = ConfigLoader.effective(ConfigLoader.load(config));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RunOutputs(dir.resolve("older-run")).prepare(true, effective));
        assertTrue(e.getMessage().contains("written by an older sdlora4j") && e.getMessage().contains("[epochs]")
                && e.getMessage().contains("method: {name: sdlora-kd, kdThreshold: X}"), e.getMessage());

        // A config that kept the old top-level key is answered by the config loader, before any run state is read.
        Files.writeString(config, resource("config.yaml").replace("method: {name: sdlora-kd, kdThreshold: 0.01}",
                "method: sdlora-kd\nkdThreshold: 0.01"));
        ConfigException old = assertThrows(ConfigException.class, () -> ConfigLoader.load(config));
        assertTrue(old.getMessage().contains("method: {name: sdlora-kd, kdThreshold: 0.01}"), old.getMessage());
    }
}
