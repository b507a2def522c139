package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sdlora4j.data.DataCheck;
import io.github.sdlora4j.io.ClassifierMetadata;
import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.vit.VitWeights;
import io.github.sdlora4j.learner.SdLoraLearner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
        TinyRuns.run(config, straight);

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

        assertOneLearnerOnResume(config, killed);
        TinyRuns.run(config, killed, "--resume");
        SameResults.assertSameResumedResults(straight, killed, doneAtKill);
        JsonNode a = ConfigLoader.JSON.readTree(straight.resolve(RunOutputs.RESULTS_JSON).toFile());
        assertEquals(3, a.get("accuracy_matrix").size());
        assertEquals(3, a.get("magnitudes").get("alpha").size(), "the resumed run kept the finished tasks' magnitudes");
        assertEquals(3, a.get("task_il_accuracy_matrix").size(),
                "the resumed run kept the finished tasks' task-IL rows");
        try (var files = Files.list(killed.resolve(RunOutputs.CHECKPOINT_DIR))) {
            assertEquals(List.of("run-state.json"), files.map(p -> p.getFileName().toString()).toList(),
                    "finished seeds leave no task checkpoints behind");
        }
    }

    /** A resume from a step snapshot, on a copy of the folder, builds or loads one learner: the snapshot's. */
    private void assertOneLearnerOnResume(Path config, Path killed) throws Exception {
        Path copy = dir.resolve("killed-copy");
        try (var paths = Files.walk(killed)) {
            for (Path p : paths.toList()) {
                Files.copy(p, copy.resolve(killed.relativize(p).toString()));
            }
        }
        Methods.Method sdlora = Methods.require("sdlora");
        AtomicInteger created = new AtomicInteger();
        List<Path> loaded = new ArrayList<>();
        Methods.Store store = new Methods.Store() {
            @Override
            public String format() {
                return sdlora.store().format();
            }

            @Override
            public void save(ClassIncrementalLearner learner, Path file, ClassifierMetadata classes) throws IOException {
                sdlora.store().save(learner, file, classes);
            }

            @Override
            public ClassIncrementalLearner load(Path file, RunConfig c, VitWeights b, long seed, int tasks)
                    throws IOException {
                loaded.add(file);
                return sdlora.store().load(file, c, b, seed, tasks);
            }
        };
        Methods.Method counting = new Methods.Method(sdlora.name(), sdlora.description(), sdlora.settings(),
                (c, b, s, n) -> {
                    created.incrementAndGet();
                    return sdlora.factory().create(c, b, s, n);
                }, store, true);
        new ProtocolRunner(ConfigLoader.load(config), counting, copy, new PrintStream(new ByteArrayOutputStream()),
                null).run(true, DataCheck.Depth.HEADERS);
        assertEquals(0, created.get(), "nothing built afresh");
        assertEquals(1, loaded.size(), "one learner loaded: " + loaded);
        assertTrue(loaded.get(0).getFileName().toString().contains("-at-"), "the step snapshot: " + loaded);
    }

    @Test
    void resumeRefusesAChangedConfigAndANewRunRefusesAnOldFolder() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\nmethod: simplecil\n");
        Path out = dir.resolve("out");
        TinyRuns.run(config, out);
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
        // The same training engine as this JVM's (the fused one needs the vector module), so that the resumed run
        // can be compared with the straight one to the last bit, magnitudes included.
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
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
}
