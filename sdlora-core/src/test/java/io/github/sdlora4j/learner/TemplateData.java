package io.github.sdlora4j.learner;

import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * Tensors made in the test: each class is a fixed random smooth pattern; samples add pixel noise and a random
 * brightness shift, so classes are separable but not identical images.
 */
final class TemplateData {

    private final VitConfig c;
    private final int totalClasses;
    private final double[][] templates;

    TemplateData(VitConfig c, int totalClasses, long seed) {
        this.c = c;
        this.totalClasses = totalClasses;
        SplittableRandom rng = new SplittableRandom(seed);
        int px = c.channels() * c.imageSize() * c.imageSize();
        templates = new double[totalClasses][px];
        int cells = 4;
        int cell = c.imageSize() / cells;
        for (int k = 0; k < totalClasses; k++) {
            double[][] grid = new double[c.channels()][cells * cells];
            for (double[] g : grid) {
                for (int i = 0; i < g.length; i++) {
                    g[i] = rng.nextDouble();
                }
            }
            for (int ch = 0; ch < c.channels(); ch++) {
                for (int y = 0; y < c.imageSize(); y++) {
                    for (int x = 0; x < c.imageSize(); x++) {
                        templates[k][(ch * c.imageSize() + y) * c.imageSize() + x] = grid[ch][(y / cell) * cells + x / cell];
                    }
                }
            }
        }
    }

    /** {@code perClass} samples of each class in [from, to), one-hot over all classes, shuffled. */
    DataSet sample(int from, int to, int perClass, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = (to - from) * perClass;
        int px = templates[0].length;
        double[] x = new double[n * px];
        double[] y = new double[n * totalClasses];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int s = 0; s < n; s++) {
            int i = order[s];
            int k = from + s / perClass;
            double shift = (rng.nextDouble() - 0.5) * 0.2;
            for (int p = 0; p < px; p++) {
                x[i * px + p] = Math.min(1, Math.max(0, templates[k][p] + shift + (rng.nextDouble() - 0.5) * 0.3));
            }
            y[i * totalClasses + k] = 1;
        }
        INDArray features = Nd4j.create(x, new long[]{n, c.channels(), c.imageSize(), c.imageSize()}, 'c')
                .castTo(DataType.FLOAT);
        return new DataSet(features, Nd4j.create(y, new long[]{n, totalClasses}, 'c').castTo(DataType.FLOAT));
    }

    /**
     * Trains {@code learner} on {@code tasks} tasks of two classes each: task t learns classes 2t and 2t+1 from
     * {@code perClass} samples of each (drawn with seed {@code firstSeed + t}), {@code epochs} epochs in batches of
     * {@code batch}.
     */
    void trainTasks(ClassIncrementalLearner learner, int tasks, int perClass, long firstSeed, int batch, int epochs) {
        for (int t = 0; t < tasks; t++) {
            learner.beforeTask(2);
            learner.train(iterator(sample(2 * t, 2 * t + 2, perClass, firstSeed + t), batch), epochs, null);
            learner.afterTask();
        }
    }

    private static VitWeights pretrained;

    /** A tiny ViT pretrained on 8 template classes disjoint from those the tests learn (computed once). */
    static synchronized VitWeights pretrainedBackbone() {
        if (pretrained == null) {
            TemplateData pretrainingClasses = new TemplateData(VitConfig.TINY_TEST, 8, 77);
            pretrained = BackbonePretrainer.pretrain(VitWeights.random(VitConfig.TINY_TEST, 3, DataType.FLOAT),
                    iterator(pretrainingClasses.sample(0, 8, 32, 1), 16), 8, 10,
                    new OptimizerConfig("adam", 2e-3, 0, java.util.List.of(), 0.1), 1, null);
        }
        return pretrained;
    }

    static DataSetIterator iterator(DataSet ds, int batch) {
        return new TestDataSetIterator(ds, batch);
    }
}
