package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.DataCheck;
import io.github.sdlora4j.metrics.SeedStatistics;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The options {@code run} and {@code demo} share, and what both do with a config. */
final class RunOptions {

    @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "sdlora-out")
    Path out;

    @Option(names = "--seed", description = "Run seed; repeat for several (overrides the config's seeds).")
    List<Long> seeds;

    @Option(names = "--method", description = "Overrides the config's method: sdlora, sdlora-rr, sdlora-kd, seq-lora,"
            + " simplecil or joint.")
    String method;

    @Option(names = "--resume", description = "Continue the interrupted run in --out (same config and options).")
    boolean resume;

    @Option(names = "--verify-data", description = "Decode every image before training (default: read each file's"
            + " header and check that it is complete).")
    boolean verifyData;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** @return {@code loaded} with the command line's {@code --method} and {@code --seed} applied (validated) */
    RunConfig withOverrides(RunConfig loaded) {
        RunConfig config = loaded;
        if (method != null) {
            Methods.require(method.toLowerCase(Locale.ROOT));
            config = config.withMethod(method);
        }
        if (seeds != null && !seeds.isEmpty()) {
            config = config.withSeeds(seeds);
        }
        return config;
    }

    /** Runs {@code config} (overrides applied), prints the summary. */
    int execute(RunConfig config, PrintStream console) throws IOException {
        List<SeedResult> results = new ProtocolRunner(config, out, console, commandLine()).run(resume,
                verifyData ? DataCheck.Depth.FULL_DECODE : DataCheck.Depth.HEADERS);
        printSummary(results, console);
        console.println("Outputs in " + out.toAbsolutePath() + ": " + String.join(", ", RunOutputs.RESULTS_JSON,
                RunOutputs.RESULTS_CSV, RunOutputs.MANIFEST, RunOutputs.CHART)
                + (Methods.require(config.method()).store() != null ? ", " + RunOutputs.LEARNER : ""));
        return 0;
    }

    /** The arguments the tool was started with, for the manifest; null when not parsed from a command line. */
    private List<String> commandLine() {
        CommandLine.ParseResult parsed = command == null ? null : command.root().commandLine().getParseResult();
        return parsed == null ? null : parsed.originalArgs();
    }

    static void printSummary(List<SeedResult> results, PrintStream console) {
        for (SeedResult r : results) {
            console.printf(Locale.ROOT, "%nseed %d, %s: accuracy matrix (%%; row = after task i, column = task j)%n",
                    r.seed(), r.method());
            double[][] m = r.accuracyMatrix();
            for (int i = 0; i < m.length; i++) {
                StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  T%-2d", i + 1));
                for (double v : m[i]) {
                    b.append(String.format(Locale.ROOT, " %6.2f", v));
                }
                console.println(b);
            }
            console.printf(Locale.ROOT, "  final accuracy %.2f  AAA %.2f  forgetting %.2f  BWT %.2f%n",
                    r.finalAccuracy(), r.averageAnytimeAccuracy(), r.forgetting(), r.bwt());
        }
        if (results.size() > 1) {
            console.printf(Locale.ROOT, "%nover %d seeds: final accuracy %s  AAA %s  forgetting %s%n", results.size(),
                    meanStd(results.stream().mapToDouble(SeedResult::finalAccuracy).toArray()),
                    meanStd(results.stream().mapToDouble(SeedResult::averageAnytimeAccuracy).toArray()),
                    meanStd(results.stream().mapToDouble(SeedResult::forgetting).toArray()));
        }
    }

    private static String meanStd(double[] v) {
        SeedStatistics s = SeedStatistics.of(v);
        return String.format(Locale.ROOT, "%.2f ± %.2f", s.mean(), s.std());
    }
}
