package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.DatasetSplit;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.learner.EpochLoop;
import io.github.sdlora4j.learner.SimpleCilLearner;
import io.github.sdlora4j.learner.TaskSeeds;
import io.github.sdlora4j.learner.TrainingTransform;
import io.github.sdlora4j.transforms.CenterCropTransform;
import io.github.sdlora4j.transforms.PreprocessingSpec;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitGraph;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SimpleCIL's prototypes come from the test preprocessing of the training images, as in its paper's code. */
class SimpleCilPrototypesTest {

    private static final int TASKS = 2;

    @TempDir
    Path dir;

    @Test
    void prototypesAreClassMeansOfTestTransformedTrainingImages() throws Exception {
        RunConfig config = ConfigLoader.load(TinyRuns.config(dir, "method: simplecil\n"));
        VitWeights backbone = VitWeights.random(VitConfig.TINY_TEST, 3, DataType.FLOAT);
        try (ClassIncrementalBenchmark bench = Benchmarks.open(config.datasetFor(1993), config.trainImagesPerClass())) {
            ClassIncrementalLearner learner = Methods.require("simplecil").factory().create(config, backbone, 1993, 5);
            assertEquals(TrainingTransform.TEST, learner.trainingTransform());
            // The batches the protocol runner hands this learner for each task.
            INDArray viaRunner = prototypes(bench, learner,
                    t -> ProtocolRunner.trainSource(bench, learner, t, config.batchSize(), TaskSeeds.data(1993L, t)));

            INDArray expected = testTransformedClassMeans(bench, backbone);
            assertEquals(0, maxDifference(expected, viaRunner), 1e-5, "prototypes vs test-transformed class means");

            // Augmented batches give other means, so the check above would catch them.
            ClassIncrementalLearner other = Methods.require("simplecil").factory().create(config, backbone, 1993, 5);
            INDArray augmented = prototypes(bench, other,
                    t -> bench.trainIterator(t, config.batchSize(), TaskSeeds.data(1993L, t)));
            assertTrue(maxDifference(expected, augmented) > 1e-3, "augmented crops must change the class means");
        }
    }

    /** Runs the first tasks, one pass over each task's data, and returns every prototype so far. */
    private static INDArray prototypes(ClassIncrementalBenchmark bench, ClassIncrementalLearner learner,
                                       IntFunction<DataSetIterator> data) {
        for (int t = 0; t < TASKS; t++) {
            learner.beforeTask(bench.taskClasses(t).size());
            EpochLoop.run(data.apply(t), 1, t, learner::trainStep, null);
            learner.afterTask();
        }
        return ((SimpleCilLearner) learner).prototypes();
    }

    /** The unit-length mean CLS feature of each class, computed from the raw images through the centre crop. */
    private static INDArray testTransformedClassMeans(ClassIncrementalBenchmark bench, VitWeights backbone) {
        SameDiff sd = SameDiff.create();
        VitGraph.build(sd, backbone, null, DataType.FLOAT);
        PreprocessingSpec pre = bench.preprocessing();
        CenterCropTransform crop = new CenterCropTransform(pre);
        DatasetSplit train = bench.dataset().train();
        int[] order = bench.classOrder();
        int classes = bench.taskClasses(TASKS - 1).end();
        int dim = backbone.config().dim();
        INDArray means = Nd4j.zeros(DataType.DOUBLE, classes, dim);
        for (int k = 0; k < classes; k++) {
            int n = 0;
            for (int i = 0; i < train.size(); i++) {
                if (train.label(i) == order[k]) {
                    float[] img = new float[pre.valuesPerImage()];
                    crop.apply(train.image(i), null, img, 0);
                    INDArray x = Nd4j.create(img, new long[]{1, pre.channels(), pre.imageSize(), pre.imageSize()}, 'c');
                    INDArray f = sd.output(Map.of(VitGraph.INPUT, x), VitGraph.FEATURE).get(VitGraph.FEATURE);
                    means.getRow(k).addi(f.castTo(DataType.DOUBLE).reshape(dim));
                    n++;
                }
            }
            assertEquals(24, n, "training images of class " + k);
            means.getRow(k).divi(means.getRow(k).norm2Number());
        }
        return means.castTo(DataType.FLOAT);
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
    }
}
