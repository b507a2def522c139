package io.github.sdlora4j.spark;

import io.github.sdlora4j.examples.ComparisonRun;
import io.github.sdlora4j.examples.ConfigLoader;
import io.github.sdlora4j.examples.Invocation;
import io.github.sdlora4j.examples.RunConfig;
import io.github.sdlora4j.examples.DataCheckOption;
import io.github.sdlora4j.examples.SeedResult;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One (method, seed) run of a sweep, as a Spark task ships it: the config's text (the driver validated it), the
 * method, the seed and the run folder, which executors reach through a shared file system. {@link #run} is what an
 * executor does: exactly {@code sdlora run --config C --method M --seed S --out DIR} (with {@code --resume} when
 * the folder holds an earlier attempt's run, so a retried task continues where the failed one stopped).
 *
 * @param configName where the config came from (for error messages)
 * @param configText the config file's content
 * @param method     the method
 * @param seed       the run seed
 * @param dir        the run folder
 * @param verifyData decode every image before training ({@code --verify-data})
 * @param invocation the sweep's command line and working folder on the driver, recorded in the run's manifest (as
 *                   {@code compare} records its own in each method's); null when not started from a command line
 */
record SweepTask(String configName, String configText, String method, long seed, String dir, boolean verifyData,
                 Invocation invocation) implements Serializable {

    /** The console output of the run, next to its results (executors' standard output is rarely at hand). */
    static final String LOG = "run.log";

    /** The sweep entry this task runs. */
    ComparisonRun.Entry entry() throws IOException {
        RunConfig loaded = ConfigLoader.load(configName,
                new ByteArrayInputStream(configText.getBytes(StandardCharsets.UTF_8)));
        return ComparisonRun.Entry.of(loaded, method, List.of(seed), Path.of(dir));
    }

    /** Runs (or continues) the run; returns its final accuracy. */
    double run() throws IOException {
        ComparisonRun.Entry entry = entry();
        Files.createDirectories(entry.dir());
        try (PrintStream log = new PrintStream(Files.newOutputStream(entry.dir().resolve(LOG),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
            ComparisonRun.Planned planned = ComparisonRun.plan(entry, true);
            List<SeedResult> results = ComparisonRun.execute(planned, DataCheckOption.depth(verifyData),
                    invocation, log);
            return results.get(0).finalAccuracy();
        }
    }

    /** How the task is named in logs and Spark's UI. */
    String label() {
        return method + " seed " + seed;
    }
}
