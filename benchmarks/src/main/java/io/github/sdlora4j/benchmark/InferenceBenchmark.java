package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.learner.ClassifierGraph;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.vit.QkvAdapter;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Prediction throughput of a learner at W1's task: adapters as separate low-rank paths (unmerged), folded into
 * W_q and W_v ({@code SdLoraLearner.logits}, merged), a plain ViT of the same size without adapters, the merged
 * model at one thread and on all cores ({@link OursAtThreads}), and PyTorch's eval of the merged model at one thread
 * and on all cores. All variants run in
 * interleaved rounds so noise spreads evenly.
 */
final class InferenceBenchmark {

    /** What is timed, in the order the variants run; {@link #key()} names their figures. */
    enum Variant {
        PLAIN, MERGED, UNMERGED, MERGED_1_THREAD, MERGED_ALL_CORES, PYTORCH_1_THREAD, PYTORCH_ALL_CORES;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private InferenceBenchmark() {
    }

    /** Returns images/s by variant (the PyTorch variants only when it runs). */
    static Map<Variant, Double> run(BenchmarkPlan plan, VitWeights backbone, Optional<PyTorchRuntime> torch,
                                   AllCores cores, BenchmarkReport report) {
        SdLoraFixture fixture = SdLoraFixture.create(backbone, TrainingStepBenchmark.TASK, plan.classesPerTask(),
                plan.rank(), 300);
        // Train a little so the current task's B is non-zero, as at prediction time after a real task.
        var batch = fixture.batch(plan.batch(), 301);
        fixture.step(batch, 0);
        fixture.step(batch, 1);
        SdLoraLearner learner = fixture.learner();
        INDArray images = fixture.batch(plan.inferenceBatch(), 302).getFeatures();
        ClassifierGraph plain = new ClassifierGraph(learner.backbone(), QkvAdapter.NONE, learner.head(),
                SdLoraFixture.TYPE);
        UnaryOperator<INDArray> mergedOne = OursAtThreads.mergedLogits(learner, 1);
        UnaryOperator<INDArray> mergedAll = OursAtThreads.mergedLogits(learner, cores.ours());
        Map<Variant, Runnable> bodies = new EnumMap<>(Variant.class);
        Map<Variant, String> notes = new EnumMap<>(Variant.class);
        bodies.put(Variant.PLAIN, () -> plain.logits(images));
        notes.put(Variant.PLAIN, "ViT without adapters (ClassifierGraph, QkvAdapter.NONE)");
        bodies.put(Variant.MERGED, () -> learner.logits(images));
        notes.put(Variant.MERGED, "SdLoraLearner.logits: adapters folded into W_q, W_v");
        bodies.put(Variant.UNMERGED, () -> learner.logitsUnmerged(images));
        notes.put(Variant.UNMERGED, "SdLoraLearner.logitsUnmerged: adapters as separate low-rank paths");
        bodies.put(Variant.MERGED_1_THREAD, () -> mergedOne.apply(images));
        notes.put(Variant.MERGED_1_THREAD, "merged model, 1 thread");
        bodies.put(Variant.MERGED_ALL_CORES, () -> mergedAll.apply(images));
        notes.put(Variant.MERGED_ALL_CORES, "merged model, " + OursAtThreads.describe(cores.ours()));
        TorchMergedForward theirs = torch.map(rt -> new TorchMergedForward(rt, learner)).orElse(null);
        try {
            if (theirs != null) {
                theirs.setImages(images);
                bodies.put(Variant.PYTORCH_1_THREAD, torch.get().atThreads(1, theirs::predict));
                notes.put(Variant.PYTORCH_1_THREAD, "PyTorch eval of the merged model, no autograd, 1 thread");
                bodies.put(Variant.PYTORCH_ALL_CORES, torch.get().atThreads(cores.pytorch(), theirs::predict));
                notes.put(Variant.PYTORCH_ALL_CORES, "PyTorch eval of the merged model, no autograd, "
                        + cores.pytorch() + " threads");
            }
            Interleaved<Variant> rounds = new Interleaved<>();
            bodies.forEach(rounds::add);
            // One untimed round builds each graph once.
            Map<Variant, Double> medians = rounds.medians(1, plan.inferenceRuns());
            Map<Variant, Double> imagesPerS = new EnumMap<>(Variant.class);
            for (Variant v : bodies.keySet()) {
                double ips = plan.inferenceBatch() * 1e3 / medians.get(v);
                imagesPerS.put(v, ips);
                report.add("inference", "inference_" + v.key() + "_images_per_s", ips, "images/s",
                        notes.get(v) + "; batch " + plan.inferenceBatch() + ", median of " + plan.inferenceRuns());
            }
            report.add("inference", "merged_over_plain", imagesPerS.get(Variant.MERGED) / imagesPerS.get(Variant.PLAIN), "ratio",
                    "merged images/s over plain images/s");
            report.add("inference", "unmerged_over_plain", imagesPerS.get(Variant.UNMERGED) / imagesPerS.get(Variant.PLAIN), "ratio",
                    "unmerged images/s over plain images/s");
            if (theirs != null) {
                report.add("inference", "inference_ratio_vs_pytorch_1_thread",
                        imagesPerS.get(Variant.MERGED_1_THREAD) / imagesPerS.get(Variant.PYTORCH_1_THREAD), "ratio",
                        "merged images/s at 1 thread over PyTorch's at 1 thread");
                report.add("inference", "inference_ratio_vs_pytorch",
                        imagesPerS.get(Variant.MERGED_ALL_CORES) / imagesPerS.get(Variant.PYTORCH_ALL_CORES), "ratio",
                        "merged images/s over PyTorch's, both on all cores");
            }
            return imagesPerS;
        } finally {
            if (theirs != null) {
                theirs.close();
            }
        }
    }
}
