package io.github.sdlora4j.examples;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The options {@code run} and {@code demo} share, and what both do with a config. */
public final class RunOptions {

    @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "sdlora-out")
    Path out;

    @Option(names = "--seed", description = "Run seed; repeat for several (overrides the config's seeds).")
    List<Long> seeds;

    @Option(names = "--method", completionCandidates = Methods.Names.class,
            description = "Overrides the config's method: one of ${COMPLETION-CANDIDATES}.")
    String method;

    @Option(names = "--resume", description = "Continue the interrupted run in --out (same config and options).")
    boolean resume;

    @Mixin
    DataCheckOption dataCheck;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** @return {@code loaded} with the command line's {@code --method} and {@code --seed} applied (validated) */
    RunConfig withOverrides(RunConfig loaded) {
        return withOverrides(loaded, method, seeds);
    }

    /** Runs {@code config} (overrides applied), prints the summary. */
    int execute(RunConfig config, PrintStream console) throws IOException {
        List<SeedResult> results = new ProtocolRunner(config, out, console, invocation(command)).run(resume,
                dataCheck.depth());
        printSummary(results, console);
        console.println("Outputs in " + out.toAbsolutePath() + ": " + String.join(", ", RunOutputs.RESULTS_JSON,
                RunOutputs.RESULTS_CSV, RunOutputs.MANIFEST, RunOutputs.CHART)
                + (MagnitudeChart.applies(results) ? ", " + RunOutputs.MAGNITUDE_CHART : "")
                + (Methods.require(config.method().name()).store() != null ? ", " + RunOutputs.LEARNER : ""));
        return 0;
    }

    /**
     * The command line the tool was started with (its arguments, in this process's working folder), for the manifest.
     *
     * @param command the running command's spec, or null
     * @return null when not parsed from a command line
     */
    public static Invocation invocation(CommandSpec command) {
        CommandLine.ParseResult parsed = command == null ? null : command.root().commandLine().getParseResult();
        return parsed == null ? null : Invocation.here(parsed.originalArgs());
    }

    /**
     * The config a run uses: {@code loaded} with the {@code --method} and {@code --seed} overrides (either may be
     * null or empty for none).
     */
    static RunConfig withOverrides(RunConfig loaded, String method, List<Long> seeds) {
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
            if (r.magnitudes() != null) {
                console.println("  learned magnitudes α_i after each task (row = after task t, column = task i):");
                printTriangle(r.magnitudes().alpha(), console);
                if (r.magnitudes().assimilated() != null) {
                    console.println("  assimilated magnitudes β_i (SD-LoRA-KD; mean over blocks, q and v):");
                    printTriangle(r.magnitudes().assimilated(), console);
                }
            }
        }
        if (results.size() > 1) {
            console.printf(Locale.ROOT, "%nover %d seeds: final accuracy %s  AAA %s  forgetting %s%n", results.size(),
                    meanStd(results, SeedResult::finalAccuracy), meanStd(results, SeedResult::averageAnytimeAccuracy),
                    meanStd(results, SeedResult::forgetting));
        }
    }

    private static void printTriangle(double[][] rows, PrintStream console) {
        for (int t = 0; t < rows.length; t++) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  T%-2d", t + 1));
            for (double v : rows[t]) {
                b.append(String.format(Locale.ROOT, " %7.4f", v));
            }
            console.println(b);
        }
    }

    private static String meanStd(List<SeedResult> results, ToDoubleFunction<SeedResult> figure) {
        return ComparisonTable.meanStd(SeedResult.statistics(results, figure));
    }
}
