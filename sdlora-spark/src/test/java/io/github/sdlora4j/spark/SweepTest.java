package io.github.sdlora4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sdlora4j.examples.Invocation;
import io.github.sdlora4j.examples.Methods;
import io.github.sdlora4j.examples.SameResults;
import io.github.sdlora4j.examples.TinyRuns;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sdlora sweep} on local Spark with the tiny synthetic config. */
class SweepTest {

    /** A baseline whose first learner of each seed fails to build: Spark's retry must carry the run. */
    static final String FLAKY = "flaky-simplecil";
    /** A baseline that always fails. */
    static final String BROKEN = "broken-simplecil";
    private static final Map<Long, AtomicInteger> FLAKY_CALLS = new ConcurrentHashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void methodsAndSpark() {
        Methods.Method simple = Methods.require("simplecil");
        Methods.register(new Methods.Method(FLAKY, "test: fails once per seed", (c, b, seed, tasks) -> {
            if (FLAKY_CALLS.computeIfAbsent(seed, s -> new AtomicInteger()).getAndIncrement() == 0) {
                throw new IllegalStateException("flaky learner of seed " + seed);
            }
            return simple.factory().create(c, b, seed, tasks);
        }, null, false));
        Methods.register(new Methods.Method(BROKEN, "test: always fails", (c, b, seed, tasks) -> {
            throw new IllegalStateException("broken learner");
        }, null, false));
        LocalSpark.session();
    }

    @Test
    void eachPairIsARunAsRunDoesItAndTheSummaryIsTheirTable() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\n");
        Path out = dir.resolve("sweep");
        String[] args = {"--config", config.toString(), "--method", "sdlora", "--method", FLAKY, "--seed", "1993",
                "--seed", "1994", "--out", out.toString()};
        assertEquals(0, sweep(new StringWriter(), args));

        // results.json of a sweep run = that of `run --method M --seed S`.
        Path single = dir.resolve("single");
        TinyRuns.run(config, single, "--method", "sdlora", "--seed", "1994");
        SameResults.assertSameResults(single, Sweep.runDir(out, "sdlora", 1994));
        // Its manifest records the command that made it: the sweep's, as compare's runs record compare's.
        List<String> typed = new ArrayList<>(List.of("sdlora", "sweep", "--master", LocalSpark.MASTER));
        typed.addAll(List.of(args));
        for (String method : List.of("sdlora", FLAKY)) {
            JsonNode manifest = new ObjectMapper().readTree(Sweep.runDir(out, method, 1993).resolve("manifest.json")
                    .toFile());
            assertEquals(new ObjectMapper().valueToTree(typed), manifest.get("command_line"), method);
            assertEquals(Path.of("").toAbsolutePath().toString(), manifest.get("working_directory").asText(), method);
        }

        JsonNode summary = new ObjectMapper().readTree(out.resolve(Sweep.JSON).toFile());
        List<String> csv = Files.readAllLines(out.resolve(Sweep.CSV));
        List<String> header = Arrays.asList(csv.get(0).split(","));
        assertEquals(3, csv.size(), csv.toString());
        for (int row = 0; row < 2; row++) {
            String method = List.of("sdlora", FLAKY).get(row);
            double[] finals = new double[2];
            for (int s = 0; s < 2; s++) {
                finals[s] = new ObjectMapper().readTree(Sweep.runDir(out, method, 1993 + s).resolve("results.json")
                        .toFile()).get("final_accuracy").asDouble();
            }
            String[] cells = csv.get(row + 1).split(",");
            assertEquals(method, cells[0]);
            assertEquals("2", cells[header.indexOf("seeds")]);
            assertEquals((finals[0] + finals[1]) / 2, Double.parseDouble(cells[header.indexOf("final_accuracy_mean")]),
                    1e-12);
            assertEquals(Math.abs(finals[0] - finals[1]) / Math.sqrt(2),
                    Double.parseDouble(cells[header.indexOf("final_accuracy_std")]), 1e-9);
            JsonNode jsonRow = summary.get("rows").get(row);
            assertEquals(method, jsonRow.get("method").asText());
            assertEquals(2, jsonRow.get("n").asInt());
            assertEquals(Double.parseDouble(cells[header.indexOf("final_accuracy_mean")]),
                    jsonRow.get("final_accuracy").get("mean").asDouble());
        }
        assertTrue(Files.readAllLines(out.resolve(Sweep.MARKDOWN))
                .contains("| method | seeds | final accuracy | AAA | forgetting |"));
        // Every flaky run failed once and was retried by Spark; the summary says so.
        int retried = 0;
        for (JsonNode run : summary.get("runs")) {
            assertEquals("finished", run.get("status").asText(), run.toString());
            if (run.get("method").asText().equals(FLAKY)) {
                assertEquals(1, run.get("failed_attempts").size(), run.toString());
                assertTrue(run.get("failed_attempts").get(0).asText().contains("flaky learner"), run.toString());
                retried++;
            } else {
                assertEquals(0, run.get("failed_attempts").size(), run.toString());
            }
        }
        assertEquals(2, retried);

        // Without --resume the folder is refused; with it every finished run is skipped (its files untouched).
        StringWriter err = new StringWriter();
        assertEquals(1, sweep(err, "--config", config.toString(), "--method", "sdlora", "--seed", "1993", "--out",
                out.toString()));
        assertTrue(err.toString().contains("already holds a comparison"), err.toString());
        Path results = Sweep.runDir(out, "sdlora", 1993).resolve("results.json");
        Files.setLastModifiedTime(results, FileTime.fromMillis(0));
        assertEquals(0, sweep(new StringWriter(), "--config", config.toString(), "--method", "sdlora", "--method",
                FLAKY, "--seed", "1993", "--seed", "1994", "--out", out.toString(), "--resume"));
        assertEquals(FileTime.fromMillis(0), Files.getLastModifiedTime(results));
        JsonNode resumed = new ObjectMapper().readTree(out.resolve(Sweep.JSON).toFile());
        resumed.get("runs").forEach(r -> assertEquals("skipped", r.get("status").asText()));
        assertEquals(summary.get("rows"), resumed.get("rows"));
    }

    @Test
    void aRunRecordsTheDriversCommandLineAndWorkingFolderNotTheExecutors() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\n");
        Path run = dir.resolve("run");
        Invocation driver = new Invocation(List.of("sweep", "--config", "tiny.yaml"), "/driver/folder");
        new SweepTask(config.toString(), Files.readString(config), "simplecil", 1993, run.toString(), false, driver)
                .run();
        JsonNode manifest = new ObjectMapper().readTree(run.resolve("manifest.json").toFile());
        assertEquals(new ObjectMapper().valueToTree(List.of("sdlora", "sweep", "--config", "tiny.yaml")),
                manifest.get("command_line"));
        assertEquals("/driver/folder", manifest.get("working_directory").asText());
    }

    @Test
    void aRunThatFailsForGoodIsReportedAndTheOthersAreSummarised() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\n");
        Path out = dir.resolve("sweep");
        StringWriter err = new StringWriter();
        assertEquals(1, sweep(err, "--config", config.toString(), "--method", "simplecil", "--method", BROKEN,
                "--out", out.toString()));
        assertTrue(err.toString().contains("1 of 2 runs failed") && err.toString().contains("broken learner"),
                err.toString());
        JsonNode summary = new ObjectMapper().readTree(out.resolve(Sweep.JSON).toFile());
        assertEquals(1, summary.get("rows").size());
        assertEquals("simplecil", summary.get("rows").get(0).get("method").asText());
        JsonNode broken = summary.get("runs").get(1);
        assertEquals("failed", broken.get("status").asText());
        assertEquals(2, broken.get("failed_attempts").size(), "local[2,2]: two attempts");
        assertTrue(broken.get("error").asText().contains("broken learner"), broken.toString());
    }

    @Test
    void aBadConfigFailsBeforeAnySparkJobNamingTheKey() throws Exception {
        Path config = TinyRuns.config(dir, "epochz: 1\n");
        Path out = dir.resolve("sweep");
        List<Integer> jobs = new ArrayList<>();
        SparkListener count = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                jobs.add(start.jobId());
            }
        };
        LocalSpark.session().sparkContext().addSparkListener(count);
        try {
            StringWriter err = new StringWriter();
            assertEquals(1, sweep(err, "--config", config.toString(), "--method", "sdlora", "--out", out.toString()));
            assertTrue(err.toString().contains("unknown key 'epochz'"), err.toString());
            StringWriter usage = new StringWriter();
            assertEquals(2, sweep(usage, "--config", config.toString(), "--method", "sdlroa", "--out",
                    out.toString()));
            assertTrue(usage.toString().contains("unknown method 'sdlroa'"), usage.toString());
            LocalSpark.session().sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            LocalSpark.session().sparkContext().removeSparkListener(count);
        }
        assertEquals(List.of(), jobs);
        assertFalse(Files.exists(out));
    }

    static int sweep(StringWriter err, String... args) {
        return LocalSpark.execute("sweep", err, args);
    }
}
