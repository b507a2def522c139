package io.github.sdlora4j.spark;

import io.github.sdlora4j.examples.ChecksBeforeBackend;
import io.github.sdlora4j.examples.ComparisonRun;
import io.github.sdlora4j.examples.DataCheckOption;
import io.github.sdlora4j.examples.MethodsOptions;
import io.github.sdlora4j.examples.RunOptions;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code sdlora sweep}: every (method, seed) pair of a config as a Spark task, and the table of all of them. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run every --method with every --seed on the config's benchmark, each pair as a Spark task"
                + " doing exactly what 'run --config C --method M --seed S' does (outputs in"
                + " --out/runs/<method>/seed-<S>/), and write summary.json, summary.csv and summary.md to --out (per"
                + " method: n and mean ± std of final accuracy, AAA and forgetting, as 'compare' reports them).",
                "The config's data and backbone paths, like --out, must be reachable by every executor. With"
                        + " --master local[N], N runs go at a time in this JVM; local[N,F] retries a failed run F-1"
                        + " times."})
final class SweepCommand implements Callable<Integer>, ChecksBeforeBackend {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    MasterOption master;

    @Mixin
    MethodsOptions runs;

    @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "sdlora-sweep")
    Path out;

    @Option(names = "--resume", description = "Continue the sweep in --out: finished runs are skipped, interrupted"
            + " or failed ones continue (same config).")
    boolean resume;

    @Mixin
    DataCheckOption dataCheck;

    private String configText;
    private List<ComparisonRun.Planned> plan;

    /** Everything is checked before Spark or ND4J start: methods, config (naming a bad key), folders, master. */
    @Override
    public void checkBeforeBackend() throws Exception {
        List<String> names = runs.methods();
        master.require();
        ChecksBeforeBackend.requireFile(runs.config(), "--config");
        configText = Files.readString(runs.config(), StandardCharsets.UTF_8);
        plan = Sweep.plan(runs.loadConfig(), names, runs.seeds(), out, resume);
    }

    @Override
    public Integer call() throws Exception {
        if (plan == null) {
            checkBeforeBackend();
        }
        List<Sweep.Outcome> outcomes;
        try (SparkSessions.Opened spark = master.open("sdlora sweep")) {
            outcomes = Sweep.run(JavaSparkContext.fromSparkContext(spark.session().sparkContext()), plan,
                    runs.config().toString(), configText, dataCheck.verifyData(), RunOptions.invocation(spec), out,
                    System.out);
        }
        List<String> failed = outcomes.stream().filter(o -> o.error() != null)
                .map(o -> o.entry().label() + " seed " + o.entry().config().seeds().get(0) + ": " + o.error())
                .toList();
        if (!failed.isEmpty()) {
            throw new IllegalStateException(failed.size() + " of " + outcomes.size() + " runs failed ("
                    + String.join("; ", failed) + "); each run's log is " + Sweep.LAYOUT + SweepTask.LOG
                    + " under --out; fix the cause and rerun with --resume");
        }
        return 0;
    }
}
