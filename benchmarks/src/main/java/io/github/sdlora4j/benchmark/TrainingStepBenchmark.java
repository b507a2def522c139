package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.learner.TrainingEngine;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Map;
import java.util.Optional;

/**
 * W1: one SD-LoRA step at task index 1 through {@code SdLoraLearner.trainStep}, ours and PyTorch's (DJL/libtorch) on
 * the same weights and batch, each at one thread and on all cores, with the sgemm limit at one thread and on all
 * cores, all timed in interleaved rounds ({@link Interleaved}) so machine noise hits every variant alike.
 */
final class TrainingStepBenchmark {

    /** The task index W1 trains: one finished task before it. */
    static final int TASK = 1;

    /** What the interleaved rounds time: each step and sgemm probe at one thread and on all cores. */
    private enum Variant { OURS_1, OURS_ALL, TORCH_1, TORCH_ALL, SGEMM_1, SGEMM_THREADED, SGEMM_CONCURRENT }

    /**
     * Results of W1.
     *
     * @param oursMs          median milliseconds per step of ours at one thread
     * @param oursAllMs       the same on all cores
     * @param torchMs         PyTorch at one thread, empty when it could not run
     * @param torchAllMs      PyTorch on all cores, empty when it could not run
     * @param flops           analytic FLOPs of one step
     * @param sgemmGflops     the sgemm probe at one thread, timed between the steps
     * @param sgemmAllGflops  the all-core sgemm limit ({@link AllCoreSgemm}), timed between the steps
     */
    record Result(double oursMs, double oursAllMs, Optional<Double> torchMs, Optional<Double> torchAllMs, double flops,
                  double sgemmGflops, double sgemmAllGflops) {

        double oursGflops() {
            return flops / (oursMs * 1e6);
        }

        double oursAllGflops() {
            return flops / (oursAllMs * 1e6);
        }
    }

    private TrainingStepBenchmark() {
    }

    /** @param peakShape the sgemm shape timed between the steps as the limit (the plan's square) */
    static Result run(BenchmarkPlan plan, VitWeights backbone, Optional<PyTorchRuntime> torch, AllCores cores,
                      SgemmProbe.Shape peakShape, BenchmarkReport report) {
        // One learner per thread count: each variant's steps change its own learner.
        SdLoraFixture fixture = SdLoraFixture.create(backbone, TASK, plan.classesPerTask(), plan.rank(), 7);
        SdLoraFixture fixtureAll = SdLoraFixture.create(backbone, TASK, plan.classesPerTask(), plan.rank(), 7);
        DataSet batch = fixture.batch(plan.batch(), 11);
        double flops = fixture.stepFlops(plan.batch());
        report.add("w1", "w1_step_gflop", flops / 1e9, "GFLOP",
                "analytic count (StepFlops), batch " + plan.batch() + ", R=" + fixture.totalRank());
        // The baseline copies the state before our first step changes it, so both start from the same numbers.
        TorchSdLoraStep theirs = torch.map(rt -> new TorchSdLoraStep(rt, fixture.learner())).orElse(null);
        try (AllCoreSgemm allCore = new AllCoreSgemm(peakShape, cores.ours())) {
            Interleaved<Variant> rounds = new Interleaved<>();
            Runnable ours = OursAtThreads.step(fixture, batch, 1);
            report.add("w1", "w1_ours_first_step_ms", StepTimer.timeOnce(ours), "ms", "graph construction plus one step");
            rounds.add(Variant.OURS_1, ours).add(Variant.OURS_ALL, OursAtThreads.step(fixtureAll, batch, cores.ours()));
            if (theirs != null) {
                theirs.setBatch(batch, fixture.learner().knownClasses());
                PyTorchRuntime rt = torch.get();
                Runnable their = rt.atThreads(1, theirs::step);
                report.add("w1", "w1_pytorch_first_step_ms", StepTimer.timeOnce(their), "ms", "first step");
                rounds.add(Variant.TORCH_1, their).add(Variant.TORCH_ALL, rt.atThreads(cores.pytorch(), theirs::step));
            }
            Runnable gemm = SgemmProbe.prepare(peakShape);
            rounds.add(Variant.SGEMM_1, gemm).add(Variant.SGEMM_THREADED, allCore.threaded())
                    .add(Variant.SGEMM_CONCURRENT, allCore.concurrent());
            // The first round is untimed: it builds the all-core learner's training and warms the probes.
            Map<Variant, Double> ms = rounds.medians(plan.warmup() + 1, plan.steps());

            String timing = "median of " + plan.steps() + " after " + plan.warmup() + " warm-up, interleaved with "
                    + (theirs != null ? "PyTorch and " : "") + "the sgemm probes";
            double oursMs = ms.get(Variant.OURS_1);
            double oursAllMs = ms.get(Variant.OURS_ALL);
            report.add("w1", "w1_ours_ms_per_step", oursMs, "ms", "1 thread, " + timing);
            report.add("w1", "w1_ours_images_per_s", plan.batch() * 1e3 / oursMs, "images/s", "batch " + plan.batch());
            report.add("w1", "w1_ours_gflops", flops / (oursMs * 1e6), "GFLOP/s", "analytic FLOPs / median time");
            report.add("w1", "w1_ours_all_cores_ms_per_step", oursAllMs, "ms",
                    OursAtThreads.describe(cores.ours()) + ", " + timing);
            report.add("w1", "w1_ours_all_cores_images_per_s", plan.batch() * 1e3 / oursAllMs, "images/s",
                    "batch " + plan.batch());
            report.add("w1", "w1_ours_all_cores_gflops", flops / (oursAllMs * 1e6), "GFLOP/s",
                    "analytic FLOPs / median time");
            report.add("w1", "w1_core_scaling", oursMs / oursAllMs, "ratio",
                    "our 1-thread step time over our all-core step time");
            Optional<Double> torchMs = Optional.empty();
            Optional<Double> torchAllMs = Optional.empty();
            if (theirs != null) {
                double tms = ms.get(Variant.TORCH_1);
                double tAllMs = ms.get(Variant.TORCH_ALL);
                torchMs = Optional.of(tms);
                torchAllMs = Optional.of(tAllMs);
                report.add("w1", "w1_pytorch_ms_per_step", tms, "ms", "1 thread, " + timing);
                report.add("w1", "w1_pytorch_images_per_s", plan.batch() * 1e3 / tms, "images/s",
                        "batch " + plan.batch());
                report.add("w1", "w1_pytorch_gflops", flops / (tms * 1e6), "GFLOP/s", "same analytic FLOPs");
                report.add("w1", "w1_ratio_vs_pytorch", tms / oursMs, "ratio",
                        "PyTorch step time over ours, both at 1 thread");
                report.add("w1", "w1_pytorch_all_cores_ms_per_step", tAllMs, "ms",
                        cores.pytorch() + " threads (libtorch's default: physical cores), " + timing);
                report.add("w1", "w1_pytorch_all_cores_images_per_s", plan.batch() * 1e3 / tAllMs, "images/s",
                        "batch " + plan.batch());
                report.add("w1", "w1_ratio_vs_pytorch_all_cores", tAllMs / oursAllMs, "ratio",
                        "PyTorch step time over ours, both on all cores");
                report.add("w1", "w1_pytorch_core_scaling", tms / tAllMs, "ratio",
                        "PyTorch's 1-thread step time over its all-core step time");
            }
            double sgemm = peakShape.flops() / (ms.get(Variant.SGEMM_1) * 1e6);
            double threaded = allCore.threadedFlops() / (ms.get(Variant.SGEMM_THREADED) * 1e6);
            double concurrent = allCore.concurrentFlops() / (ms.get(Variant.SGEMM_CONCURRENT) * 1e6);
            double sgemmAll = Math.max(threaded, concurrent);
            report.add("w1", "w1_interleaved_sgemm_gflops", sgemm, "GFLOP/s",
                    peakShape.label() + " f-order, 1 thread, timed between the steps");
            report.add("w1", "w1_fraction_of_sgemm_peak_1_thread", flops / (oursMs * 1e6) / sgemm, "ratio",
                    "W1 GFLOP/s at 1 thread over the interleaved 1-thread sgemm");
            report.add("w1", "w1_sgemm_all_cores_threaded_gflops", threaded, "GFLOP/s",
                    "one " + peakShape.label() + " GEMM with the BLAS at " + cores.ours() + " threads");
            report.add("w1", "w1_sgemm_all_cores_concurrent_gflops", concurrent, "GFLOP/s",
                    cores.ours() + " single-threaded " + peakShape.label() + " GEMMs at once");
            report.add("w1", "w1_sgemm_all_cores_gflops", sgemmAll, "GFLOP/s", "the better of the two above");
            report.add("w1", "w1_fraction_of_sgemm_peak", flops / (oursAllMs * 1e6) / sgemmAll, "ratio",
                    "W1 GFLOP/s on all cores over the interleaved all-core sgemm");
            return new Result(oursMs, oursAllMs, torchMs, torchAllMs, flops, sgemm, sgemmAll);
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
