package io.github.sdlora4j.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.learner.OptimizerConfig;
import io.github.sdlora4j.transforms.PreprocessingSpec;
import io.github.sdlora4j.vit.VitConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Everything that decides what {@code sdlora pretrain} computes: the ViT's shape, the synthetic data, the budget and
 * the seed. A continued pretraining must use the same settings; where to write, how often to checkpoint and the
 * stored precision may change. Recorded as JSON in the checkpoint and in the written backbone.
 *
 * @param imageSize        input size
 * @param patch            patch size
 * @param dim              embedding width
 * @param depth            transformer blocks
 * @param heads            attention heads
 * @param mlp              MLP hidden width
 * @param classes          pretraining classes
 * @param benchmarkClasses concepts reserved for the synthetic benchmark (pretraining uses those after them)
 * @param trainPerClass    training images per class
 * @param epochs           epochs
 * @param batchSize        batch size
 * @param learningRate     Adam's learning rate, divided by 10 for the last third of the epochs
 * @param seed             seed of the weights, the head, the images and their order
 */
record PretrainSettings(int imageSize, int patch, int dim, int depth, int heads, int mlp, int classes,
                        int benchmarkClasses, int trainPerClass, int epochs, int batchSize, double learningRate,
                        long seed) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The ViT these settings train (its constructor checks the shape). */
    VitConfig vit() {
        return new VitConfig(imageSize, patch, 3, dim, depth, heads, mlp, VitConfig.TIMM_LAYER_NORM_EPS);
    }

    /** Adam with the rate divided by 10 from epoch {@code epochs - epochs / 3} (0-based) when there are 3 or more. */
    OptimizerConfig optimizer() {
        List<Integer> milestones = epochs >= 3 ? List.of(epochs - epochs / 3) : List.of();
        return new OptimizerConfig("adam", learningRate, 0, milestones, 0.1);
    }

    /** The synthetic benchmark's pretraining split as one task of all its classes. */
    DatasetSpec dataset() {
        // Milder crops than the reference's 0.05: at 32x32 a 5% crop leaves a few pixels of a shape.
        PreprocessingSpec pre = PreprocessingSpec.json(imageSize, null, 3, null, null, 0.35, 1.0, null, null, 0.5,
                null, null);
        Map<String, String> options = Map.of("split", "pretrain", "classes", Integer.toString(benchmarkClasses),
                "pretrainClasses", Integer.toString(classes), "trainPerClass", Integer.toString(trainPerClass),
                "testPerClass", "1", "size", Integer.toString(imageSize));
        return DatasetSpec.json("synthetic", null, options, seed, null, classes, classes, pre, false, 4, 1);
    }

    /** Images in one epoch. */
    long imagesPerEpoch() {
        return (long) classes * trainPerClass;
    }

    /** Batches in one epoch (the last may be smaller). */
    long batchesPerEpoch() {
        return (imagesPerEpoch() + batchSize - 1) / batchSize;
    }

    /** Each setting by the command-line option that sets it, in the options' order. */
    Map<String, Object> byOption() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("--image-size", imageSize);
        m.put("--patch", patch);
        m.put("--dim", dim);
        m.put("--depth", depth);
        m.put("--heads", heads);
        m.put("--mlp", mlp);
        m.put("--classes", classes);
        m.put("--benchmark-classes", benchmarkClasses);
        m.put("--train-per-class", trainPerClass);
        m.put("--epochs", epochs);
        m.put("--batch-size", batchSize);
        m.put("--lr", learningRate);
        m.put("--seed", seed);
        return m;
    }

    /**
     * The options among {@code given} whose value differs from these settings, each as
     * "dim 192 in checkpoint, --dim 128 given".
     */
    List<String> conflicts(PretrainSettings requested, Predicate<String> given) {
        List<String> out = new ArrayList<>();
        Map<String, Object> mine = byOption();
        requested.byOption().forEach((option, value) -> {
            if (given.test(option) && !Objects.equals(mine.get(option), value)) {
                out.add(option.substring(2) + " " + mine.get(option) + " in checkpoint, " + option + " " + value
                        + " given");
            }
        });
        return out;
    }

    /** The settings as a line for the backbone's metadata and the log. */
    String describe() {
        return "synthetic split=pretrain classes=" + classes + " benchmarkClasses=" + benchmarkClasses
                + " trainPerClass=" + trainPerClass + " epochs=" + epochs + " batch=" + batchSize + " optimizer="
                + optimizer() + " seed=" + seed;
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException naming what is wrong */
    static PretrainSettings fromJson(String json) {
        try {
            return JSON.readValue(json, PretrainSettings.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid pretraining settings: " + e.getOriginalMessage(), e);
        }
    }
}
