package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.learner.TrainingEngine;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Optional;

/**
 * W1: one SD-LoRA step at task index 1 through {@code SdLoraLearner.trainStep}, and the same step in PyTorch
 * (DJL/libtorch) on the same weights and batch, timed interleaved (ours, theirs, sgemm probe, ours, ...) so machine
 * noise hits all three alike; the fraction of the sgemm limit is taken against the interleaved probe.
 */
final class TrainingStepBenchmark {

    /** The task index W1 trains: one finished task before it. */
    static final int TASK = 1;

    /**
     * Results of W1.
     *
     * @param oursMs  median milliseconds per step of ours
     * @param torchMs median milliseconds per step of PyTorch, empty when it could not run
     * @param flops   analytic FLOPs of one step
     * @param sgemmGflops median GFLOP/s of the sgemm probe timed between the steps
     */
    record Result(double oursMs, Optional<Double> torchMs, double flops, double sgemmGflops) {

        double oursGflops() {
            return flops / (oursMs * 1e6);
        }
    }

    private TrainingStepBenchmark() {
    }

    /** @param peakShape the sgemm shape timed between the steps as the limit (the plan's square) */
    static Result run(BenchmarkPlan plan, VitWeights backbone, Optional<PyTorchRuntime> torch,
                      SgemmProbe.Shape peakShape, BenchmarkReport report) {
        SdLoraFixture fixture = SdLoraFixture.create(backbone, TASK, plan.classesPerTask(), plan.rank(), 7);
        DataSet batch = fixture.batch(plan.batch(), 11);
        double flops = fixture.stepFlops(plan.batch());
        report.add("w1", "w1_step_gflop", flops / 1e9, "GFLOP",
                "analytic count (StepFlops), batch " + plan.batch() + ", R=" + fixture.totalRank());
        // The baseline copies the state before our first step changes it, so both start from the same numbers.
        TorchSdLoraStep theirs = torch.map(rt -> new TorchSdLoraStep(rt, fixture.learner())).orElse(null);
        try {
            int[] iteration = {0};
            Runnable ours = () -> fixture.step(batch, iteration[0]++);
            double firstMs = StepTimer.timeOnce(ours);
            report.add("w1", "w1_ours_first_step_ms", firstMs, "ms", "graph construction plus one step");
            Runnable their = null;
            if (theirs != null) {
                theirs.setBatch(batch, fixture.learner().knownClasses());
                their = theirs::step;
                report.add("w1", "w1_pytorch_first_step_ms", StepTimer.timeOnce(their), "ms", "first step");
            }
            for (int i = 0; i < plan.warmup(); i++) {
                ours.run();
                if (their != null) {
                    their.run();
                }
            }
            Runnable gemm = SgemmProbe.prepare(peakShape);
            gemm.run();
            double[] oursMs = new double[plan.steps()];
            double[] theirMs = new double[plan.steps()];
            double[] gemmMs = new double[plan.steps()];
            for (int i = 0; i < plan.steps(); i++) {
                oursMs[i] = StepTimer.timeOnce(ours);
                if (their != null) {
                    theirMs[i] = StepTimer.timeOnce(their);
                }
                gemmMs[i] = StepTimer.timeOnce(gemm);
            }
            double ms = StepTimer.median(oursMs);
            String timing = "median of " + plan.steps() + " after " + plan.warmup() + " warm-up"
                    + (their != null ? ", interleaved with PyTorch" : "");
            report.add("w1", "w1_ours_ms_per_step", ms, "ms", timing);
            report.add("w1", "w1_ours_images_per_s", plan.batch() * 1e3 / ms, "images/s", "batch " + plan.batch());
            report.add("w1", "w1_ours_gflops", flops / (ms * 1e6), "GFLOP/s", "analytic FLOPs / median time");
            Optional<Double> torchMs = Optional.empty();
            if (their != null) {
                double tms = StepTimer.median(theirMs);
                torchMs = Optional.of(tms);
                report.add("w1", "w1_pytorch_ms_per_step", tms, "ms", timing);
                report.add("w1", "w1_pytorch_images_per_s", plan.batch() * 1e3 / tms, "images/s",
                        "batch " + plan.batch());
                report.add("w1", "w1_pytorch_gflops", flops / (tms * 1e6), "GFLOP/s", "same analytic FLOPs");
                report.add("w1", "w1_ratio_vs_pytorch", tms / ms, "ratio", "ours images/s over PyTorch images/s");
            }
            double sgemm = peakShape.flops() / (StepTimer.median(gemmMs) * 1e6);
            report.add("w1", "w1_interleaved_sgemm_gflops", sgemm, "GFLOP/s",
                    peakShape.label() + " f-order, timed between the steps");
            report.add("w1", "w1_fraction_of_sgemm_peak", flops / (ms * 1e6) / sgemm, "ratio",
                    "W1 GFLOP/s over the interleaved sgemm GFLOP/s");
            return new Result(ms, torchMs, flops, sgemm);
        } finally {
            if (theirs != null) {
                theirs.close();
            }
        }
    }

    /**
     * W1 once more with the SameDiff engine, the reference the fused engine is checked against, so the report shows
     * what the default engine gains. Skipped when SameDiff is already the engine that trained.
     */
    static void sameDiffReference(BenchmarkPlan plan, VitWeights backbone, double oursMs, BenchmarkReport report) {
        if (TrainingEngine.selected(SdLoraFixture.TYPE) == TrainingEngine.SAMEDIFF) {
            report.notMeasured("w1_samediff", "SameDiff is the engine that trained W1");
            return;
        }
        SdLoraFixture fixture = SdLoraFixture.create(backbone, TASK, plan.classesPerTask(), plan.rank(), 7);
        DataSet batch = fixture.batch(plan.batch(), 11);
        int[] iteration = {0};
        Runnable step = () -> fixture.step(batch, iteration[0]++);
        String previous = System.getProperty(TrainingEngine.PROPERTY);
        System.setProperty(TrainingEngine.PROPERTY, "samediff");
        try {
            step.run(); // the task's training, and so its engine, is created on the first step
        } finally {
            if (previous == null) {
                System.clearProperty(TrainingEngine.PROPERTY);
            } else {
                System.setProperty(TrainingEngine.PROPERTY, previous);
            }
        }
        for (int i = 0; i < plan.warmup(); i++) {
            step.run();
        }
        double[] ms = new double[plan.steps()];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = StepTimer.timeOnce(step);
        }
        double median = StepTimer.median(ms);
        report.add("w1", "w1_samediff_ms_per_step", median, "ms", "median of " + ms.length + " after "
                + plan.warmup() + " warm-up, -D" + TrainingEngine.PROPERTY + "=samediff");
        report.add("w1", "w1_fused_speedup_over_samediff", median / oursMs, "ratio",
                "SameDiff engine's step time over the fused engine's (timed in separate loops)");
    }
}
