package io.github.sdlora4j.benchmark;

import java.util.List;
import java.util.Locale;

/**
 * W1 at 8, 16 and 32 cores projected from this machine's measured 1-thread and all-core steps ({@link CoreScaling}),
 * ours and PyTorch's each from its own scaling. Recorded with {@link BenchmarkReport#project}, apart from the
 * measurements.
 */
final class ScalingProjection {

    /** The core counts projected to. */
    static final List<Integer> CORES = List.of(8, 16, 32);

    private ScalingProjection() {
    }

    static void report(TrainingStepBenchmark.Result w1, AllCores cores, int batch, BenchmarkReport report) {
        if (cores.ours() < 2) {
            report.notMeasured("projection", "one core: no scaling was measured to project from");
            return;
        }
        CoreScaling ours = new CoreScaling(cores.ours(), w1.oursMs() / w1.oursAllMs());
        double oursIps = batch * 1e3 / w1.oursMs();
        CoreScaling theirs = w1.torchMs().isPresent() && cores.pytorch() >= 2
                ? new CoreScaling(cores.pytorch(), w1.torchMs().get() / w1.torchAllMs().orElseThrow()) : null;
        String how = "Amdahl's law, serial fraction %.3f from the measured 1 -> %d thread speed-up %.2f (Karp-Flatt); "
                + "ignores memory bandwidth and topology";
        for (int p : CORES) {
            double oursAt = oursIps * ours.projectedSpeedup(p);
            report.project("projected_w1_ours_images_per_s_" + p + "_cores", oursAt, "images/s",
                    String.format(Locale.ROOT, how, ours.serialFraction(), ours.threads(), ours.speedup()));
            if (theirs != null) {
                double theirsAt = batch * 1e3 / w1.torchMs().get() * theirs.projectedSpeedup(p);
                report.project("projected_w1_pytorch_images_per_s_" + p + "_cores", theirsAt, "images/s",
                        String.format(Locale.ROOT, how, theirs.serialFraction(), theirs.threads(), theirs.speedup()));
                report.project("projected_w1_ratio_vs_pytorch_" + p + "_cores", oursAt / theirsAt, "ratio",
                        "the two projections above");
            }
        }
    }
}
