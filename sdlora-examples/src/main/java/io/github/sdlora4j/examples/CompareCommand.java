package io.github.sdlora4j.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code sdlora compare}: several methods on the same config and seeds, side by side. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run each --method on the config's benchmark and seeds exactly as 'run' does (outputs in"
                + " --out/runs/<method>/) and write comparison.csv, comparison.md (per method: seeds and mean ± std"
                + " of final accuracy, AAA and forgetting) and comparison.png (every method's accuracy curve, mean"
                + " ± std over seeds) to --out.")
final class CompareCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    MethodsOptions runs;

    @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).",
            defaultValue = "sdlora-compare")
    Path out;

    @Option(names = "--resume", description = "Continue the comparison in --out: finished methods are skipped, an"
            + " interrupted one continues (same config and options).")
    boolean resume;

    @Mixin
    DataCheckOption dataCheck;

    @Override
    public Integer call() throws Exception {
        new ComparisonRun(runs.loadConfig(), runs.methods(), runs.seeds(), out, System.out,
                RunOptions.invocation(spec)).run(resume, dataCheck.depth());
        return 0;
    }
}
