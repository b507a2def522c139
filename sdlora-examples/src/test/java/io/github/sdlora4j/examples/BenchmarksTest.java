package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.transforms.PreprocessingSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchmarksTest {

    private static final DatasetSpec SPEC = DatasetSpec.json("synthetic", null,
            Map.of("classes", "4", "trainPerClass", "12", "testPerClass", "3", "size", "16"), 1993L, null, 2, 2,
            PreprocessingSpec.forSize(16), false, 1, 1);

    @Test
    void trainImagesPerClassCutsOnlyTheTrainingSplitAndKeepsTheClassOrder() {
        try (ClassIncrementalBenchmark full = Benchmarks.open(SPEC, null);
             ClassIncrementalBenchmark cut = Benchmarks.open(SPEC, 5)) {
            assertArrayEquals(full.classOrder(), cut.classOrder());
            assertEquals(48, full.dataset().train().size());
            assertEquals(20, cut.dataset().train().size());
            assertEquals(10, count(cut.trainIterator(1, 4, 1)));
            assertEquals(count(full.testIteratorSeen(1, 4)), count(cut.testIteratorSeen(1, 4)));
            assertEquals(12, count(full.testIteratorSeen(1, 4)));
        }
    }

    private static int count(DataSetIterator it) {
        int n = 0;
        while (it.hasNext()) {
            n += it.next().numExamples();
        }
        return n;
    }
}
