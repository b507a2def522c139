package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a CPU user should expect from the paper's backbone: one SD-LoRA step of ViT-B/16 (task index 1, rank 10) on
 * all cores, the process's peak resident memory after our steps, and then our step against PyTorch's, both on all
 * cores, interleaved.
 */
final class VitB16Benchmark {

    private static final double MIB = 1024.0 * 1024.0;

    private VitB16Benchmark() {
    }

    static void run(BenchmarkPlan plan, Optional<PyTorchRuntime> torch, AllCores cores, BenchmarkReport report) {
        OptionalLong before = PeakMemory.residentBytes();
        VitWeights backbone = VitWeights.random(VitConfig.VIT_B16, 16, SdLoraFixture.TYPE);
        SdLoraFixture fixture = SdLoraFixture.create(backbone, TrainingStepBenchmark.TASK, plan.classesPerTask(), 10, 17);
        DataSet batch = fixture.batch(plan.vitB16Batch(), 18);
        // PyTorch copies the state before our first step changes it; its tensors are allocated after our peak is read.
        TorchSdLoraStep theirs = null;
        Runnable step = OursAtThreads.step(fixture, batch, cores.ours());
        String threads = OursAtThreads.describe(cores.ours());
        try {
            report.add("vitb16", "vitb16_first_step_s", StepTimer.timeOnce(step) / 1e3, "s",
                    "graph construction plus one step, batch " + plan.vitB16Batch() + ", " + threads);
            double ms = StepTimer.median(StepTimer.time(0, plan.vitB16Steps(), step));
            report.add("vitb16", "vitb16_s_per_step", ms / 1e3, "s", "median of " + plan.vitB16Steps() + ", " + threads);
            report.add("vitb16", "vitb16_images_per_s", plan.vitB16Batch() * 1e3 / ms, "images/s",
                    "batch " + plan.vitB16Batch());
            report.add("vitb16", "vitb16_gflops", fixture.stepFlops(plan.vitB16Batch()) / (ms * 1e6), "GFLOP/s",
                    "analytic FLOPs / median time");
            OptionalLong peak = PeakMemory.peakResidentBytes();
            if (peak.isPresent()) {
                report.add("vitb16", "vitb16_peak_rss_mib", peak.getAsLong() / MIB, "MiB",
                        "VmHWM of the whole process after our ViT-B/16 steps (JVM, ND4J, weights, activations)");
            } else {
                report.notMeasured("vitb16_peak_rss_mib", "/proc/self/status is not readable on this system");
            }
            before.ifPresent(b -> report.add("vitb16", "vitb16_rss_before_mib", b / MIB, "MiB",
                    "VmRSS before the ViT-B/16 backbone was created"));
            if (torch.isEmpty()) {
                report.notMeasured("vitb16_ratio_vs_pytorch", "PyTorch baseline did not run");
                return;
            }
            theirs = new TorchSdLoraStep(torch.get(), fixture.learner());
            theirs.setBatch(batch, fixture.learner().knownClasses());
            Runnable their = torch.get().atThreads(cores.pytorch(), theirs::step);
            report.add("vitb16", "vitb16_pytorch_first_step_s", StepTimer.timeOnce(their) / 1e3, "s",
                    "first step, " + cores.pytorch() + " threads");
            Map<String, Double> medians = new Interleaved<String>().add("ours", step).add("pytorch", their)
                    .medians(0, plan.vitB16Steps());
            String timing = "median of " + plan.vitB16Steps() + ", interleaved";
            report.add("vitb16", "vitb16_interleaved_s_per_step", medians.get("ours") / 1e3, "s", threads + ", " + timing);
            report.add("vitb16", "vitb16_pytorch_s_per_step", medians.get("pytorch") / 1e3, "s",
                    cores.pytorch() + " threads (libtorch's default), " + timing);
            report.add("vitb16", "vitb16_ratio_vs_pytorch", medians.get("pytorch") / medians.get("ours"), "ratio",
                    "PyTorch step time over ours, both on all cores, batch " + plan.vitB16Batch());
        } finally {
            if (theirs != null) {
                theirs.close();
            }
        }
    }
}
