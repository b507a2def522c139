package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.learner.ClassifierGraph;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.vit.QkvAdapter;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prediction throughput of a learner at W1's task: adapters as separate low-rank paths (unmerged), folded into
 * W_q and W_v ({@code SdLoraLearner.logits}, merged), and a plain ViT of the same size without adapters. The variants
 * run round-robin so noise spreads evenly.
 */
final class InferenceBenchmark {

    private InferenceBenchmark() {
    }

    /** Returns images/s by variant name ({@code plain}, {@code merged}, {@code unmerged}). */
    static Map<String, Double> run(BenchmarkPlan plan, VitWeights backbone, BenchmarkReport report) {
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
        Map<String, Runnable> variants = new LinkedHashMap<>();
        variants.put("plain", () -> plain.logits(images));
        variants.put("merged", () -> learner.logits(images));
        variants.put("unmerged", () -> learner.logitsUnmerged(images));
        Map<String, double[]> times = new LinkedHashMap<>();
        variants.forEach((name, body) -> {
            body.run(); // warm-up; builds each graph once
            times.put(name, new double[plan.inferenceRuns()]);
        });
        for (int i = 0; i < plan.inferenceRuns(); i++) {
            for (Map.Entry<String, Runnable> v : variants.entrySet()) {
                times.get(v.getKey())[i] = StepTimer.timeOnce(v.getValue());
            }
        }
        Map<String, Double> imagesPerS = new LinkedHashMap<>();
        Map<String, String> notes = Map.of(
                "plain", "ViT without adapters (ClassifierGraph, QkvAdapter.NONE)",
                "merged", "SdLoraLearner.logits: adapters folded into W_q, W_v",
                "unmerged", "SdLoraLearner.logitsUnmerged: adapters as separate low-rank paths");
        for (String name : variants.keySet()) {
            double ms = StepTimer.median(times.get(name));
            double ips = plan.inferenceBatch() * 1e3 / ms;
            imagesPerS.put(name, ips);
            report.add("inference", "inference_" + name + "_images_per_s", ips, "images/s",
                    notes.get(name) + "; batch " + plan.inferenceBatch() + ", median of " + plan.inferenceRuns());
        }
        report.add("inference", "merged_over_plain", imagesPerS.get("merged") / imagesPerS.get("plain"), "ratio",
                "merged images/s over plain images/s");
        report.add("inference", "unmerged_over_plain", imagesPerS.get("unmerged") / imagesPerS.get("plain"), "ratio",
                "unmerged images/s over plain images/s");
        return imagesPerS;
    }
}
