package io.github.sdlora4j.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticDatasetTest {

    @Test
    void sameSeedGivesIdenticalBytesAndOtherSeedDiffers() {
        LabeledDataset a = new SyntheticDataset(7, 20, 5, 2, 32, 10).benchmark();
        LabeledDataset b = new SyntheticDataset(7, 20, 5, 2, 32, 10).benchmark();
        LabeledDataset c = new SyntheticDataset(8, 20, 5, 2, 32, 10).benchmark();
        int differing = 0;
        for (int i = 0; i < a.train().size(); i++) {
            assertArrayEquals(a.train().image(i).pixels(), b.train().image(i).pixels(), "image " + i);
            if (!Arrays.equals(a.train().image(i).pixels(), c.train().image(i).pixels())) {
                differing++;
            }
        }
        assertEquals(a.train().size(), differing, "every image must change with the seed");
        assertEquals(a.classNames(), c.classNames(), "the class vocabulary does not depend on the image seed");
    }

    @Test
    void classesAreBalancedAndTrainDiffersFromTest() {
        SyntheticDataset d = new SyntheticDataset(1, 12, 7, 3, 16, 0);
        LabeledDataset ds = d.benchmark();
        assertEquals(12, ds.numClasses());
        int[] train = new int[12];
        int[] test = new int[12];
        for (int i = 0; i < ds.train().size(); i++) {
            train[ds.train().label(i)]++;
        }
        for (int i = 0; i < ds.test().size(); i++) {
            test[ds.test().label(i)]++;
        }
        for (int c = 0; c < 12; c++) {
            assertEquals(7, train[c]);
            assertEquals(3, test[c]);
        }
        assertFalse(Arrays.equals(ds.train().image(0).pixels(), ds.test().image(0).pixels()));
        RawImage img = ds.train().image(5);
        assertEquals(16, img.width());
        assertEquals(3, img.channels());
    }

    @Test
    void pretrainingSplitIsDisjointFromTheBenchmark() {
        SyntheticDataset d = new SyntheticDataset(3, 100, 2, 1, 32, 200);
        Set<Integer> bench = new HashSet<>();
        for (int c : d.benchmarkConcepts()) {
            bench.add(c);
        }
        assertEquals(100, bench.size());
        Set<String> pretrainNames = new HashSet<>(d.pretraining().classNames());
        assertEquals(200, pretrainNames.size());
        for (int c : d.pretrainingConcepts()) {
            assertFalse(bench.contains(c), "concept " + c + " is in both splits");
        }
        for (String n : d.benchmark().classNames()) {
            assertFalse(pretrainNames.contains(n), n);
        }
        // Same vocabulary: every shape kind appears in both splits.
        Set<String> benchShapes = new HashSet<>();
        Set<String> preShapes = new HashSet<>();
        d.benchmark().classNames().forEach(n -> benchShapes.add(n.split("/")[0]));
        pretrainNames.forEach(n -> preShapes.add(n.split("/")[0]));
        assertEquals(benchShapes, preShapes);
        LabeledDataset viaReader = DatasetReaders.forName("synthetic")
                .read(null, Map.of("split", "pretrain", "classes", "100", "pretrainClasses", "200",
                        "trainPerClass", "2", "testPerClass", "1", "seed", "3"), false);
        assertEquals(d.pretraining().classNames(), viaReader.classNames());
        assertArrayEquals(d.pretraining().train().image(3).pixels(), viaReader.train().image(3).pixels());
    }

    @Test
    void rejectsBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> new SyntheticDataset(1, 400, 1, 1, 32, 100));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticDataset(1, 10, 0, 1, 32, 0));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticDataset(1, 10, 1, 1, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> SyntheticDataset.defaults()
                .read(null, Map.of("split", "validation"), false));
        assertThrows(IllegalArgumentException.class, () -> SyntheticDataset.defaults()
                .read(null, Map.of("classes", "many"), false));
    }

    /**
     * Nearest-class-mean on raw pixels, 100 classes (chance 1%): the classes must be learnable from the
     * pixels (well above chance) but not given away by a template (far below 100%).
     */
    @Test
    void nearestClassMeanOnRawPixelsIsAboveChanceButFarFromPerfect() {
        LabeledDataset ds = new SyntheticDataset(11, 100, 40, 10, 32, 0).benchmark();
        double acc = nearestClassMeanAccuracy(ds);
        // Measured 0.053 (seed 11); chance is 0.01.
        assertTrue(acc > 0.025 && acc < 0.25, "nearest-class-mean accuracy " + acc + " outside [0.025, 0.25]");
    }

    static double nearestClassMeanAccuracy(LabeledDataset ds) {
        int k = ds.numClasses();
        int dim = ds.train().image(0).pixels().length;
        double[][] mean = new double[k][dim];
        int[] count = new int[k];
        for (int i = 0; i < ds.train().size(); i++) {
            byte[] px = ds.train().image(i).pixels();
            int c = ds.train().label(i);
            count[c]++;
            for (int j = 0; j < dim; j++) {
                mean[c][j] += px[j] & 0xFF;
            }
        }
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < dim; j++) {
                mean[c][j] /= count[c];
            }
        }
        int correct = 0;
        for (int i = 0; i < ds.test().size(); i++) {
            byte[] px = ds.test().image(i).pixels();
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                double d = 0;
                for (int j = 0; j < dim; j++) {
                    double e = (px[j] & 0xFF) - mean[c][j];
                    d += e * e;
                }
                if (d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            if (best == ds.test().label(i)) {
                correct++;
            }
        }
        return (double) correct / ds.test().size();
    }
}
