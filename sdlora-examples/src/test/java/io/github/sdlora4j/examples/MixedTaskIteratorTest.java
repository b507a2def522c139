package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.transforms.PreprocessingSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MixedTaskIteratorTest {

    @Test
    void everyImageOnceAndBatchesMixTasksDeterministically() {
        DatasetSpec spec = DatasetSpec.json("synthetic", null,
                Map.of("classes", "4", "trainPerClass", "12", "testPerClass", "2", "size", "16"), 5L, null, 2, 2,
                PreprocessingSpec.forSize(16), false, 1, 1);
        try (ClassIncrementalBenchmark bench = ClassIncrementalBenchmark.open(spec)) {
            List<int[]> first = labels(new MixedTaskIterator(List.of(bench.trainIterator(0, 8, 1),
                    bench.trainIterator(1, 8, 2)), 8, 3));
            List<int[]> again = labels(new MixedTaskIterator(List.of(bench.trainIterator(0, 8, 1),
                    bench.trainIterator(1, 8, 2)), 8, 3));
            assertEquals(first.size(), again.size());
            for (int i = 0; i < first.size(); i++) {
                assertEquals(java.util.Arrays.toString(first.get(i)), java.util.Arrays.toString(again.get(i)));
            }
            int[] perClass = new int[4];
            boolean mixed = false;
            for (int[] batch : first) {
                boolean task0 = false;
                boolean task1 = false;
                for (int l : batch) {
                    perClass[l]++;
                    task0 |= l < 2;
                    task1 |= l >= 2;
                }
                assertTrue(batch.length <= 8);
                mixed |= task0 && task1;
            }
            assertEquals("[12, 12, 12, 12]", java.util.Arrays.toString(perClass));
            assertTrue(mixed, "no batch mixes the two tasks");
        }
    }

    private static List<int[]> labels(DataSetIterator it) {
        it.reset();
        List<int[]> out = new ArrayList<>();
        while (it.hasNext()) {
            DataSet d = it.next();
            out.add(d.getLabels().argMax(1).toIntVector());
        }
        return out;
    }
}
