package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.learner.SdLoraLearner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run killed (SIGKILL) in the middle of a task and resumed ends with the same results.json, wall times aside, as
 * an uninterrupted run.
 */
class ResumeTest {

    @TempDir
    Path dir;

    @Test
    void killedRunResumesToIdenticalResults() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 3\ncheckpointEverySteps: 2\n");
        Path straight = dir.resolve("straight");
        assertEquals(0, SdloraCli.commandLine().execute("run", "--config", config.toString(), "--out",
                straight.toString()));

        Path killed = dir.resolve("killed");
        Process child = startChild(config, killed);
        Path state = killed.resolve(RunOutputs.STATE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        // Wait until the child is inside task 2 and has written a step snapshot of it, then kill it there.
        RunOutputs killedOutputs = new RunOutputs(killed);
        while (tasksDone(state) < 1 || !hasSnapshot(killedOutputs, 1)) {
            assertTrue(child.isAlive(), "the child run ended before it could be killed");
            assertTrue(System.nanoTime() < deadline, "the child run made no step snapshot of task 2 in time");
            Thread.sleep(20);
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(killed.resolve(RunOutputs.RESULTS_JSON)), "the child finished before the kill");
        int doneAtKill = tasksDone(state);
        assertTrue(doneAtKill >= 1 && doneAtKill < 3, "killed after " + doneAtKill + " tasks");
        // The every-N-steps snapshot survived the kill whole (atomic rename), holds a learner inside a task with its
        // optimizer state, and names where training stood; the resumed run continues exactly from there.
        var snapshot = new RunOutputs(killed).findStepSnapshot(1993, doneAtKill);
        assertTrue(snapshot.isPresent(), "no step snapshot of the interrupted task");
        SdLoraLearner inTask = LearnerCheckpoint.load(snapshot.get().getKey());
        assertTrue(inTask.inTask());
        assertEquals(doneAtKill, inTask.currentTask());
        assertTrue(snapshot.get().getValue().iteration() >= 2);
        assertFalse(inTask.optimizerState().isEmpty(), "momentum is part of the snapshot");

        assertEquals(0, SdloraCli.commandLine().execute("run", "--config", config.toString(), "--out",
                killed.toString(), "--resume"));
        JsonNode lossesA = ConfigLoader.JSON.readTree(straight.resolve(RunOutputs.RESULTS_JSON).toFile())
                .get("epoch_train_loss");
        JsonNode lossesB = ConfigLoader.JSON.readTree(killed.resolve(RunOutputs.RESULTS_JSON).toFile())
                .get("epoch_train_loss");
        JsonNode a = withoutWallTimes(straight);
        JsonNode b = withoutWallTimes(killed);
        assertEquals(a, b);
        assertSameLossesButTheSplitEpochs(lossesA, lossesB, doneAtKill);
        assertTrue(a.get("accuracy_matrix").size() == 3);
        try (var files = Files.list(killed.resolve(RunOutputs.CHECKPOINT_DIR))) {
            assertEquals(List.of("run-state.json"), files.map(p -> p.getFileName().toString()).toList(),
                    "finished seeds leave no task checkpoints behind");
        }
    }

    @Test
    void resumeRefusesAChangedConfigAndANewRunRefusesAnOldFolder() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\nmethod: simplecil\n");
        Path out = dir.resolve("out");
        assertEquals(0, SdloraCli.commandLine().execute("run", "--config", config.toString(), "--out", out.toString()));
        var err = new java.io.StringWriter();
        var cl = SdloraCli.commandLine();
        cl.setErr(new java.io.PrintWriter(err, true));
        assertEquals(1, cl.execute("run", "--config", config.toString(), "--out", out.toString()));
        assertTrue(err.toString().contains("already holds a run"), err.toString());
        assertEquals(1, cl.execute("run", "--config", config.toString(), "--out", out.toString(), "--resume",
                "--seed", "7"));
        assertTrue(err.toString().contains("configuration differs") && err.toString().contains("seeds"),
                err.toString());
    }

    private static Process startChild(Path config, Path out) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx2g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SdloraCli.class.getName());
        cmd.addAll(List.of("run", "--config", config.toString(), "--out", out.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(out.resolveSibling("child.log").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    private static boolean hasSnapshot(RunOutputs outputs, int task) {
        try {
            return outputs.findStepSnapshot(1993, task).isPresent();
        } catch (java.io.IOException e) {
            return false; // the checkpoint folder may not exist yet
        }
    }

    private static int tasksDone(Path state) {
        try {
            if (!Files.exists(state)) {
                return 0;
            }
            JsonNode s = ConfigLoader.JSON.readTree(state.toFile());
            JsonNode current = s.get("current");
            return current == null || current.isNull() ? s.get("completed").size() * 100
                    : current.get("tasksDone").asInt();
        } catch (Exception e) {
            return 0; // Never half-written (atomic), but it may vanish between exists and read; try again.
        }
    }

    /** Wall times and training losses left out (losses are compared with a tolerance). */
    private static JsonNode withoutWallTimes(Path out) throws Exception {
        JsonNode r = ConfigLoader.JSON.readTree(out.resolve(RunOutputs.RESULTS_JSON).toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) r).remove(List.of("task_wall_seconds", "epoch_train_loss"));
        r.get("runs").forEach(run -> ((com.fasterxml.jackson.databind.node.ObjectNode) run)
                .remove(List.of("task_wall_seconds", "epoch_train_loss")));
        return r;
    }

    /**
     * The resumed run's epoch losses equal the uninterrupted run's up to float rounding (the child process ran with
     * another thread count), except in the interrupted task, where the epochs the step-snapshot resume split or
     * skipped have none.
     */
    private static void assertSameLossesButTheSplitEpochs(JsonNode straight, JsonNode resumed, int interrupted) {
        assertEquals(straight.size(), resumed.size());
        int nulls = 0;
        for (int t = 0; t < straight.size(); t++) {
            assertEquals(straight.get(t).size(), resumed.get(t).size());
            for (int e = 0; e < straight.get(t).size(); e++) {
                JsonNode l = resumed.get(t).get(e);
                if (l.isNull()) {
                    assertEquals(interrupted, t, "only the interrupted task lacks losses, task " + t + " epoch " + e);
                    nulls++;
                } else {
                    assertEquals(straight.get(t).get(e).asDouble(), l.asDouble(), 1e-5, "task " + t + " epoch " + e);
                }
            }
        }
        assertTrue(nulls >= 1 && nulls < straight.get(interrupted).size() + 1, "nulls: " + nulls);
    }
}
