package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asserts that two run folders' results.json hold the same figures: everything equal but wall times, and the
 * magnitudes equal to float32 rounding. Those are trained float32 values printed in full, and two processes have
 * been seen to end a task's training 2e-7 apart (two `sdlora demo` runs, with the same accuracies).
 */
public final class SameResults {

    private static final double MAGNITUDE_TOLERANCE = 1e-5;

    private SameResults() {
    }

    public static void assertSameResults(Path expectedRun, Path actualRun) throws Exception {
        JsonNode expected = read(expectedRun);
        JsonNode actual = read(actualRun);
        List<JsonNode> expectedMagnitudes = takeMagnitudes(expected);
        List<JsonNode> actualMagnitudes = takeMagnitudes(actual);
        assertEquals(expected, actual);
        assertEquals(expectedMagnitudes.size(), actualMagnitudes.size());
        for (int i = 0; i < expectedMagnitudes.size(); i++) {
            assertClose(expectedMagnitudes.get(i), actualMagnitudes.get(i), "magnitudes");
        }
    }

    private static JsonNode read(Path run) throws Exception {
        JsonNode r = ConfigLoader.JSON.readTree(run.resolve(RunOutputs.RESULTS_JSON).toFile());
        ((ObjectNode) r).remove("task_wall_seconds");
        r.get("runs").forEach(seed -> ((ObjectNode) seed).remove("task_wall_seconds"));
        return r;
    }

    /** Removes and returns the magnitudes (top level, then per seed; absent ones as null). */
    private static List<JsonNode> takeMagnitudes(JsonNode results) {
        List<JsonNode> out = new ArrayList<>();
        out.add(((ObjectNode) results).remove("magnitudes"));
        results.get("runs").forEach(seed -> out.add(((ObjectNode) seed).remove("magnitudes")));
        return out;
    }

    private static void assertClose(JsonNode expected, JsonNode actual, String path) {
        if (expected == null || actual == null) {
            assertEquals(expected, actual, path);
            return;
        }
        if (expected.isNumber()) {
            assertTrue(actual.isNumber(), path + ": " + actual);
            assertEquals(expected.asDouble(), actual.asDouble(), MAGNITUDE_TOLERANCE, path);
            return;
        }
        assertEquals(expected.getNodeType(), actual.getNodeType(), path);
        assertEquals(expected.size(), actual.size(), path);
        if (expected.isArray()) {
            for (int i = 0; i < expected.size(); i++) {
                assertClose(expected.get(i), actual.get(i), path + "[" + i + "]");
            }
        } else {
            Iterator<String> names = expected.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                assertClose(expected.get(name), actual.get(name), path + "." + name);
            }
        }
    }
}
