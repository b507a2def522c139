package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.learner.BackbonePretrainer;
import io.github.sdlora4j.learner.OptimizerConfig;
import io.github.sdlora4j.transforms.PreprocessingSpec;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sdlora pretrain}: trains a small ViT from scratch on the synthetic benchmark's disjoint pretraining split
 * and saves it as a timm-layout backbone. The defaults made the bundled demo backbone.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pretrain a small ViT on the synthetic pretraining split (classes disjoint from the synthetic"
                + " benchmark's) and save it as a timm-layout safetensors backbone.")
final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Backbone file to write (.safetensors).")
    Path out;
    @Option(names = "--image-size", defaultValue = "32", description = "Input size (default: ${DEFAULT-VALUE}).")
    int imageSize;
    @Option(names = "--patch", defaultValue = "8", description = "Patch size (default: ${DEFAULT-VALUE}).")
    int patch;
    @Option(names = "--dim", defaultValue = "96", description = "Embedding width (default: ${DEFAULT-VALUE}).")
    int dim;
    @Option(names = "--depth", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int depth;
    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;
    @Option(names = "--mlp", defaultValue = "384", description = "MLP hidden width (default: ${DEFAULT-VALUE}).")
    int mlp;
    @Option(names = "--classes", defaultValue = "100",
            description = "Pretraining classes (default: ${DEFAULT-VALUE}).")
    int classes;
    @Option(names = "--benchmark-classes", defaultValue = "100",
            description = "Classes reserved for the synthetic benchmark; pretraining uses the concepts after them, so"
                    + " any synthetic benchmark with at most this many classes never sees a pretraining class"
                    + " (default: ${DEFAULT-VALUE}).")
    int benchmarkClasses;
    @Option(names = "--train-per-class", defaultValue = "60",
            description = "Training images per class (default: ${DEFAULT-VALUE}).")
    int trainPerClass;
    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate, divided by 10 for the last"
            + " third of the epochs (default: ${DEFAULT-VALUE}).")
    double learningRate;
    @Option(names = "--seed", defaultValue = "7",
            description = "Seed of weights and data order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        VitConfig vit = new VitConfig(imageSize, patch, 3, dim, depth, heads, mlp, VitConfig.TIMM_LAYER_NORM_EPS);
        if (epochs < 1 || batchSize < 1 || trainPerClass < 1) {
            throw new IllegalArgumentException("--epochs, --batch-size and --train-per-class must be >= 1");
        }
        // Milder crops than the reference's 0.05: at 32x32 a 5% crop leaves a few pixels of a shape.
        PreprocessingSpec pre = PreprocessingSpec.json(imageSize, null, 3, null, null, 0.35, 1.0, null, null, 0.5,
                null, null);
        Map<String, String> options = Map.of("split", "pretrain", "classes", Integer.toString(benchmarkClasses),
                "pretrainClasses", Integer.toString(classes), "trainPerClass", Integer.toString(trainPerClass),
                "testPerClass", "1", "size", Integer.toString(imageSize));
        DatasetSpec spec = DatasetSpec.json("synthetic", null, options, seed, null, classes, classes, pre, false, 4,
                1);
        List<Integer> milestones = epochs >= 3 ? List.of(epochs - epochs / 3) : List.of();
        OptimizerConfig optimizer = new OptimizerConfig("adam", learningRate, 0, milestones, 0.1);
        long start = System.nanoTime();
        VitWeights trained;
        try (ClassIncrementalBenchmark data = ClassIncrementalBenchmark.open(spec)) {
            DataSetIterator it = data.trainIterator(0, batchSize, seed);
            ProgressMonitor monitor = new ProgressMonitor("pretrain", (long) classes * trainPerClass, null);
            try {
                trained = BackbonePretrainer.pretrain(VitWeights.random(vit, seed, DataType.FLOAT), it, classes,
                        epochs, optimizer, seed, monitor);
            } finally {
                monitor.closeQuietly();
            }
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("sdlora.pretraining", "synthetic split=pretrain classes=" + classes + " benchmarkClasses="
                + benchmarkClasses + " trainPerClass=" + trainPerClass + " epochs=" + epochs + " batch=" + batchSize
                + " optimizer=" + optimizer + " seed=" + seed);
        BackboneFiles.write(trained, out, meta);
        System.out.printf("Wrote %s (%s, %,d parameters) after %.1f minutes%n", out, vit, trained.parameterCount(),
                minutes);
        return 0;
    }
}
