package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.DatasetReaders;
import io.github.sdlora4j.data.DatasetSplit;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.data.LabeledDataset;
import io.github.sdlora4j.data.RawImage;

import java.util.Arrays;

/** Opens a run's benchmark, optionally keeping only the first N training images of each class. */
final class Benchmarks {

    private Benchmarks() {
    }

    /**
     * @param trainImagesPerClass keep the first this many training images of each class (file order), or null for
     *                            all; the test split is never cut
     */
    static ClassIncrementalBenchmark open(DatasetSpec spec, Integer trainImagesPerClass) {
        if (trainImagesPerClass == null) {
            return ClassIncrementalBenchmark.open(spec);
        }
        LabeledDataset full = DatasetReaders.forName(spec.format()).read(spec.root(), spec.options(),
                spec.skipCorrupt());
        LabeledDataset data = new LabeledDataset(full.name() + ", first " + trainImagesPerClass
                + " training images per class", full.classNames(),
                FirstPerClass.of(full.train(), full.numClasses(), trainImagesPerClass), full.test(), full.files());
        return ClassIncrementalBenchmark.open(spec, data);
    }

    /** A view of a split holding the first {@code perClass} images of each class. */
    private record FirstPerClass(DatasetSplit base, int[] kept) implements DatasetSplit {

        static FirstPerClass of(DatasetSplit base, int classes, int perClass) {
            int[] counts = new int[classes];
            int[] kept = new int[base.size()];
            int n = 0;
            for (int i = 0; i < base.size(); i++) {
                int c = base.label(i);
                if (c >= 0 && c < classes && counts[c]++ < perClass) {
                    kept[n++] = i;
                }
            }
            return new FirstPerClass(base, Arrays.copyOf(kept, n));
        }

        @Override
        public int size() {
            return kept.length;
        }

        @Override
        public int label(int index) {
            return base.label(kept[index]);
        }

        @Override
        public RawImage image(int index) {
            return base.image(kept[index]);
        }

        @Override
        public void verify(int index, boolean decode) {
            base.verify(kept[index], decode);
        }

        @Override
        public String source(int index) {
            return base.source(kept[index]);
        }
    }
}
