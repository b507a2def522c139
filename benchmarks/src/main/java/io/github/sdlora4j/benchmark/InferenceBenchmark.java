package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.learner.ClassifierGraph;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.vit.QkvAdapter;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Prediction throughput of a learner at W1's task: adapters as separate low-rank paths (unmerged), folded into
 * W_q and W_v ({@code SdLoraLearner.logits}, merged), a plain ViT of the same size without adapters, the merged
 * model on all cores, and PyTorch's eval of the merged model at one thread and on all cores. All variants run in
 * interleaved rounds so noise spreads evenly.
 */
final class InferenceBenchmark {

    /** Variant names, in the order they run; the values of {@link #run}'s map. */
    static final String PLAIN = "plain";
    static final String MERGED = "merged";
    static final String UNMERGED = "unmerged";
    static final String MERGED_ALL = "merged_all_cores";
    static final String TORCH_1 = "pytorch_1_thread";
    static final String TORCH_ALL = "pytorch_all_cores";

    private InferenceBenchmark() {
    }

    /** Returns images/s by variant name (the PyTorch variants only when it runs). */
    static Map<String, Double> run(BenchmarkPlan plan, VitWeights backbone, Optional<PyTorchRuntime> torch,
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
        UnaryOperator<INDArray> mergedAll = OursAtThreads.mergedLogits(learner, cores.ours());
        Map<String, String> notes = new LinkedHashMap<>();
        Interleaved rounds = new Interleaved();
        rounds.add(PLAIN, () -> plain.logits(images));
        notes.put(PLAIN, "ViT without adapters (ClassifierGraph, QkvAdapter.NONE)");
        rounds.add(MERGED, () -> learner.logits(images));
        notes.put(MERGED, "SdLoraLearner.logits: adapters folded into W_q, W_v");
        rounds.add(UNMERGED, () -> learner.logitsUnmerged(images));
        notes.put(UNMERGED, "SdLoraLearner.logitsUnmerged: adapters as separate low-rank paths");
        rounds.add(MERGED_ALL, () -> mergedAll.apply(images));
        notes.put(MERGED_ALL, "merged model, " + OursAtThreads.describe(cores.ours()));
        TorchMergedForward theirs = torch.map(rt -> new TorchMergedForward(rt, learner)).orElse(null);
        try {
            if (theirs != null) {
                theirs.setImages(images);
                rounds.add(TORCH_1, torch.get().atThreads(1, theirs::predict));
                notes.put(TORCH_1, "PyTorch eval of the merged model, no autograd, 1 thread");
                rounds.add(TORCH_ALL, torch.get().atThreads(cores.pytorch(), theirs::predict));
                notes.put(TORCH_ALL, "PyTorch eval of the merged model, no autograd, " + cores.pytorch() + " threads");
            }
            // One untimed round builds each graph once.
            Map<String, Double> medians = rounds.medians(1, plan.inferenceRuns());
            Map<String, Double> imagesPerS = new LinkedHashMap<>();
            medians.forEach((name, ms) -> {
                double ips = plan.inferenceBatch() * 1e3 / ms;
                imagesPerS.put(name, ips);
                report.add("inference", "inference_" + name + "_images_per_s", ips, "images/s",
                        notes.get(name) + "; batch " + plan.inferenceBatch() + ", median of " + plan.inferenceRuns());
            });
            report.add("inference", "merged_over_plain", imagesPerS.get(MERGED) / imagesPerS.get(PLAIN), "ratio",
                    "merged images/s over plain images/s");
            report.add("inference", "unmerged_over_plain", imagesPerS.get(UNMERGED) / imagesPerS.get(PLAIN), "ratio",
                    "unmerged images/s over plain images/s");
            if (theirs != null) {
                report.add("inference", "inference_ratio_vs_pytorch_1_thread",
                        imagesPerS.get(MERGED) / imagesPerS.get(TORCH_1), "ratio",
                        "merged images/s at 1 thread over PyTorch's at 1 thread");
                report.add("inference", "inference_ratio_vs_pytorch",
                        imagesPerS.get(MERGED_ALL) / imagesPerS.get(TORCH_ALL), "ratio",
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
