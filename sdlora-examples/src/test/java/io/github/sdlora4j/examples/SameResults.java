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
 * magnitudes and epoch training losses equal to float32 rounding. Those are trained float32 values printed in full,
 * and two processes have been seen to end a task's training 2e-7 apart (two `sdlora demo` runs, with the same
 * accuracies).
 */
public final class SameResults {

    private static final double FLOAT32_TOLERANCE = 1e-5;
    private static final String[] ROUNDED = {"magnitudes", "epoch_train_loss"};

    private SameResults() {
    }

    /** Two runs of the same config, neither resumed. */
    public static void assertSameResults(Path expectedRun, Path actualRun) throws Exception {
        assertSame(expectedRun, actualRun, -1);
    }

    /**
     * {@code resumedRun} was interrupted in task {@code interruptedTask} (0-based) and resumed from a step snapshot:
     * that task's epochs the resume split or skipped have no training loss (null), and only they.
     */
    static void assertSameResumedResults(Path straightRun, Path resumedRun, int interruptedTask) throws Exception {
        assertSame(straightRun, resumedRun, interruptedTask);
    }

    private static void assertSame(Path expectedRun, Path actualRun, int interruptedTask) throws Exception {
        JsonNode expected = read(expectedRun);
        JsonNode actual = read(actualRun);
        for (String field : ROUNDED) {
            List<JsonNode> e = take(expected, field);
            List<JsonNode> a = take(actual, field);
            assertEquals(e.size(), a.size(), field);
            int nulls = 0;
            for (int i = 0; i < e.size(); i++) {
                nulls += assertClose(e.get(i), a.get(i), field, interruptedTask);
            }
            if (field.equals("epoch_train_loss") && interruptedTask >= 0) {
                assertTrue(nulls >= 1, "the interrupted task's split epoch has no training loss");
            }
        }
        assertEquals(expected, actual);
    }

    private static JsonNode read(Path run) throws Exception {
        JsonNode r = ConfigLoader.JSON.readTree(run.resolve(RunOutputs.RESULTS_JSON).toFile());
        ((ObjectNode) r).remove("task_wall_seconds");
        r.get("runs").forEach(seed -> ((ObjectNode) seed).remove("task_wall_seconds"));
        return r;
    }

    /** Removes and returns one field (top level, then per seed; absent ones as null). */
    private static List<JsonNode> take(JsonNode results, String field) {
        List<JsonNode> out = new ArrayList<>();
        out.add(((ObjectNode) results).remove(field));
        results.get("runs").forEach(seed -> out.add(((ObjectNode) seed).remove(field)));
        return out;
    }

    /**
     * Compares to float32 rounding; an actual null number is accepted only at {@code [interruptedTask][epoch]} of
     * the epoch losses. Returns how many such nulls it accepted.
     */
    private static int assertClose(JsonNode expected, JsonNode actual, String path, int interruptedTask) {
        if (expected == null || actual == null) {
            assertEquals(expected, actual, path);
            return 0;
        }
        if (expected.isNumber()) {
            if (actual.isNull() && path.startsWith("epoch_train_loss[" + interruptedTask + "][")) {
                return 1;
            }
            assertTrue(actual.isNumber(), path + ": " + actual);
            assertEquals(expected.asDouble(), actual.asDouble(), FLOAT32_TOLERANCE, path);
            return 0;
        }
        assertEquals(expected.getNodeType(), actual.getNodeType(), path);
        assertEquals(expected.size(), actual.size(), path);
        int nulls = 0;
        if (expected.isArray()) {
            for (int i = 0; i < expected.size(); i++) {
                nulls += assertClose(expected.get(i), actual.get(i), path + "[" + i + "]", interruptedTask);
            }
        } else {
            Iterator<String> names = expected.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                nulls += assertClose(expected.get(name), actual.get(name), path + "." + name, interruptedTask);
            }
        }
        return nulls;
    }
}
