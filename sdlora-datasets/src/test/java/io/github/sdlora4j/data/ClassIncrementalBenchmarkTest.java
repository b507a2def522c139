package io.github.sdlora4j.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sdlora4j.transforms.CenterCropTransform;
import io.github.sdlora4j.transforms.PreprocessingSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassIncrementalBenchmarkTest {

    @TempDir
    Path dir;

    private static final Map<String, String> SMALL_SYNTHETIC = Map.of("classes", "10", "trainPerClass", "4",
            "testPerClass", "2", "size", "16", "pretrainClasses", "0");

    private static DatasetSpec synthetic(int decodeThreads) {
        return DatasetSpec.of("synthetic", null, 4, 3, 16).withOptions(SMALL_SYNTHETIC).withThreads(2, decodeThreads)
                .withClassOrderSeed(5);
    }

    private static List<DataSet> drain(DataSetIterator it) {
        List<DataSet> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    /** Labels (argmax of each one-hot row) of all batches, after checking each row is one-hot. */
    private static List<Integer> labels(List<DataSet> batches, int width) {
        List<Integer> out = new ArrayList<>();
        for (DataSet d : batches) {
            INDArray l = d.getLabels();
            assertEquals(DataType.FLOAT, l.dataType());
            assertEquals(width, l.size(1), "one-hot width must be the total class count");
            for (int i = 0; i < l.size(0); i++) {
                float[] row = l.getRow(i).toFloatVector();
                int hot = -1;
                for (int k = 0; k < row.length; k++) {
                    if (row[k] == 1f) {
                        assertEquals(-1, hot, "two hot entries");
                        hot = k;
                    } else {
                        assertEquals(0f, row[k]);
                    }
                }
                assertTrue(hot >= 0, "no hot entry");
                out.add(hot);
            }
        }
        return out;
    }

    @Test
    void cifarBenchmarkMapsLabelsThroughTheClassOrder() throws IOException {
        Fixtures.writeCifar(dir.resolve("train.bin"), 100, 2, true);
        Fixtures.writeCifar(dir.resolve("test.bin"), 100, 1, true);
        try (ClassIncrementalBenchmark b = ClassIncrementalBenchmark.open(DatasetSpec.of("cifar100", dir, 10, 10, 8))) {
            assertEquals(10, b.numTasks());
            assertEquals(100, b.numClasses());
            assertArrayEquals(ClassOrders.forSeed(100, 1993), b.classOrder());
            assertEquals(68, b.classOrder()[0]);
            assertEquals("class_68", b.classNames().get(0));
            assertEquals(new ClassRange(30, 40), b.taskClasses(3));
            assertEquals(30, b.knownClassesBefore(3));
            int[] order = b.classOrder();

            List<DataSet> train = drain(b.trainIterator(3, 7, 1));
            assertEquals(3, train.size(), "20 images in batches of 7");
            assertEquals(20, b.trainSize(3));
            List<Integer> trainLabels = labels(train, 100);
            assertEquals(20, trainLabels.size());
            int row = 0;
            for (DataSet d : train) {
                INDArray f = d.getFeatures();
                assertEquals(DataType.FLOAT, f.dataType());
                assertArrayEquals(new long[] {d.numExamples(), 3, 8, 8}, f.shape());
                for (int i = 0; i < d.numExamples(); i++, row++) {
                    int k = trainLabels.get(row);
                    assertTrue(b.taskClasses(3).contains(k), "label " + k + " is not in task 3");
                    // The fixture image of original class c is constant classValue(c): incremental label k must
                    // carry the image of original class order[k].
                    assertEquals(Fixtures.classValue(order[k]) / 255.0, f.getDouble(i, 1, 4, 4), 1e-5);
                }
            }
            for (int k = 30; k < 40; k++) {
                assertEquals(2, java.util.Collections.frequency(trainLabels, k), "every class of the task, both images");
            }

            List<Integer> seen = labels(drain(b.testIteratorSeen(3, 16)), 100);
            assertEquals(40, seen.size());
            assertEquals(40, b.testSize(new ClassRange(0, 40)));
            for (int k = 0; k < 40; k++) {
                assertTrue(seen.contains(k));
            }
            List<Integer> task1 = labels(drain(b.testIteratorForTask(1, 16)), 100);
            assertEquals(10, task1.size());
            assertTrue(task1.stream().allMatch(k -> k >= 10 && k < 20), task1.toString());
        }
    }

    @Test
    void explicitClassOrderAndValidation() throws IOException {
        Fixtures.writeIdx(dir, "train", new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 6, 6, true);
        Fixtures.writeIdx(dir, "t10k", new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 6, 6, false);
        List<Integer> order = List.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
        DatasetSpec spec = DatasetSpec.of("mnist", dir, 2, 2, 8).withClassOrder(order);
        try (ClassIncrementalBenchmark b = ClassIncrementalBenchmark.open(spec)) {
            assertArrayEquals(new int[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, b.classOrder());
            assertEquals(List.of("9", "8", "7", "6", "5", "4", "3", "2", "1", "0"), b.classNames());
            DataSet d = b.testIteratorForTask(0, 10).next();
            // Grayscale expanded to 3 identical channels; label 0 is digit 9.
            assertArrayEquals(new long[] {2, 3, 8, 8}, d.getFeatures().shape());
            assertEquals(d.getFeatures().getDouble(0, 0, 3, 3), d.getFeatures().getDouble(0, 2, 3, 3), 0.0);
            int first = labels(List.of(d), 10).get(0);
            assertEquals(Fixtures.classValue(order.get(first)) / 255.0, d.getFeatures().getDouble(0, 1, 2, 2), 1e-5);
        }
        try (ClassIncrementalBenchmark b = ClassIncrementalBenchmark.open(
                spec.withPreprocessing(PreprocessingSpec.forSize(8).withChannels(1)))) {
            assertArrayEquals(new long[] {2, 1, 8, 8}, b.testIteratorForTask(0, 10).next().getFeatures().shape());
        }
        assertThrows(IllegalArgumentException.class, () -> ClassIncrementalBenchmark.open(
                spec.withClassOrder(List.of(0, 1, 2))));
        assertThrows(IllegalArgumentException.class, () -> ClassIncrementalBenchmark.open(
                spec.withClassOrder(List.of(0, 0, 1, 2, 3, 4, 5, 6, 7, 8))));
    }

    @Test
    void trainIteratorIsDeterministicPerSeedAndDecodeThreadCount() {
        List<DataSet> a;
        List<DataSet> b;
        List<DataSet> c;
        List<DataSet> serial;
        List<DataSet> secondEpoch;
        try (ClassIncrementalBenchmark bench = ClassIncrementalBenchmark.open(synthetic(3))) {
            assertArrayEquals(new int[] {4, 3, 3}, bench.taskSplit().increments());
            a = drain(bench.trainIterator(1, 5, 11));
            b = drain(bench.trainIterator(1, 5, 11));
            c = drain(bench.trainIterator(1, 5, 12));
            DataSetIterator it = bench.trainIterator(1, 5, 11);
            drain(it);
            it.reset();
            secondEpoch = drain(it);
        }
        try (ClassIncrementalBenchmark bench = ClassIncrementalBenchmark.open(synthetic(1))) {
            serial = drain(bench.trainIterator(1, 5, 11));
        }
        assertEquals(3, a.size(), "12 images in batches of 5");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).getFeatures(), b.get(i).getFeatures());
            assertEquals(a.get(i).getLabels(), b.get(i).getLabels());
            assertEquals(a.get(i).getFeatures(), serial.get(i).getFeatures(), "parallel decode must not change results");
        }
        assertNotEquals(a.get(0).getFeatures(), c.get(0).getFeatures(), "another seed must shuffle/augment differently");
        assertNotEquals(a.get(0).getFeatures(), secondEpoch.get(0).getFeatures(), "a new epoch must re-augment");
        List<Integer> l1 = labels(a, 10);
        List<Integer> l2 = labels(secondEpoch, 10);
        assertEquals(l1.stream().sorted().toList(), l2.stream().sorted().toList());
        assertTrue(l1.stream().allMatch(k -> k >= 4 && k < 7), l1.toString());
        for (DataSet d : a) {
            float[] v = d.getFeatures().data().asFloat();
            for (float x : v) {
                assertTrue(x >= 0f && x <= 1f);
            }
        }
    }

    @Test
    void trainImagesWithTheTestTransformAreCentreCropsInClassOrderEveryEpoch() {
        try (ClassIncrementalBenchmark bench = ClassIncrementalBenchmark.open(synthetic(2))) {
            DataSetIterator it = bench.trainIteratorWithTestTransform(1, 5);
            List<DataSet> first = drain(it);
            it.reset();
            List<DataSet> second = drain(it);
            // Expected: every training image of task 1's classes (incremental 4..6), grouped by class in split order,
            // through the deterministic resize + centre crop, whatever the epoch.
            DatasetSplit train = bench.dataset().train();
            int[] order = bench.classOrder();
            CenterCropTransform test = new CenterCropTransform(bench.preprocessing());
            int per = bench.preprocessing().valuesPerImage();
            List<float[]> expected = new ArrayList<>();
            List<Integer> expectedLabels = new ArrayList<>();
            for (int k = 4; k < 7; k++) {
                for (int i = 0; i < train.size(); i++) {
                    if (train.label(i) == order[k]) {
                        float[] img = new float[per];
                        test.apply(train.image(i), null, img, 0);
                        expected.add(img);
                        expectedLabels.add(k);
                    }
                }
            }
            assertEquals(12, expected.size());
            for (List<DataSet> epoch : List.of(first, second)) {
                assertEquals(expectedLabels, labels(epoch, 10));
                int n = 0;
                for (DataSet d : epoch) {
                    for (int r = 0; r < d.getFeatures().size(0); r++) {
                        assertArrayEquals(expected.get(n++), d.getFeatures().get(
                                org.nd4j.linalg.indexing.NDArrayIndex.point(r)).dup('c').data().asFloat(),
                                "image " + (n - 1));
                    }
                }
                assertEquals(12, n);
            }
        }
    }

    @Test
    void testIteratorsAreDeterministicAndUnshuffled() {
        try (ClassIncrementalBenchmark bench = ClassIncrementalBenchmark.open(synthetic(2))) {
            List<DataSet> a = drain(bench.testIteratorSeen(2, 6));
            List<DataSet> b = drain(bench.testIteratorSeen(2, 6));
            assertEquals(4, a.size(), "20 test images in batches of 6");
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).getFeatures(), b.get(i).getFeatures());
            }
            List<Integer> labels = labels(a, 10);
            List<Integer> sorted = new ArrayList<>(labels);
            sorted.sort(null);
            assertEquals(sorted, labels, "test batches are grouped by incremental label");
            assertEquals(bench.classNames(), a.get(0).getLabelNamesList());
            DataSetIterator it = bench.testIteratorForTask(2, 4);
            assertEquals(4, it.batch());
            assertEquals(10, it.totalOutcomes());
            assertEquals(3 * 16 * 16, it.inputColumns());
            assertFalse(it.asyncSupported());
        }
    }

    @Test
    void rejectsBadArguments() {
        try (ClassIncrementalBenchmark bench = ClassIncrementalBenchmark.open(synthetic(1))) {
            assertThrows(IndexOutOfBoundsException.class, () -> bench.trainIterator(3, 4, 1));
            assertThrows(IllegalArgumentException.class, () -> bench.testIteratorSeen(0, 0));
        }
        assertThrows(IllegalArgumentException.class,
                () -> ClassIncrementalBenchmark.open(DatasetSpec.of("synthetic", null, 11, 3, 16).withOptions(SMALL_SYNTHETIC)));
        assertThrows(IllegalArgumentException.class, () -> DatasetSpec.of("", null, 1, 1, 16));
        assertThrows(IllegalArgumentException.class, () -> DatasetSpec.of("synthetic", null, 0, 1, 16));
        assertThrows(IllegalArgumentException.class, () -> synthetic(1).withThreads(0, 1));
    }

    @Test
    void specReadsFromJsonWithDefaultsAndRoundTrips() throws Exception {
        ObjectMapper om = new ObjectMapper();
        DatasetSpec spec = om.readValue("{\"format\":\"domainnet\",\"root\":\"/data/cifar\",\"initialClasses\":10,"
                + "\"preprocessing\":{\"imageSize\":32,\"mean\":[0.5,0.5,0.5],\"std\":[0.25,0.25,0.25]},"
                + "\"skipCorrupt\":true,\"options\":{\"domains\":\"clipart\"}}", DatasetSpec.class);
        assertEquals(Path.of("/data/cifar"), spec.root());
        assertEquals(10, spec.classesPerTask());
        assertEquals(1993L, spec.classOrderSeed());
        assertEquals(32, spec.preprocessing().imageSize());
        assertEquals(37, spec.preprocessing().resizeSize());
        assertEquals(List.of(0.25, 0.25, 0.25), spec.preprocessing().std());
        assertTrue(spec.skipCorrupt());
        assertEquals(null, spec.classOrder());
        String json = om.writeValueAsString(spec);
        assertEquals(spec, om.readValue(json, DatasetSpec.class));
        DatasetSpec withOrder = spec.withClassOrder(Arrays.asList(2, 1, 0));
        assertEquals(withOrder, om.readValue(om.writeValueAsString(withOrder), DatasetSpec.class));
        assertThrows(Exception.class, () -> om.readValue("{\"format\":\"cifar100\"}", DatasetSpec.class));
    }
}
