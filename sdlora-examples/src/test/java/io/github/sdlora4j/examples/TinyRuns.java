package io.github.sdlora4j.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A tiny run config for tests: synthetic 16x16 data, the random tiny-test ViT, 3 tasks of 2 classes. */
public final class TinyRuns {

    private TinyRuns() {
    }

    /** Writes the config to {@code dir/tiny.yaml}; {@code extra} lines are appended (top-level YAML). */
    /** The synthetic reader's options line of {@link #config}: a test that swaps the format drops it. */
    static final String SYNTHETIC_OPTIONS = "  options: {classes: 6, trainPerClass: 24, testPerClass: 8, size: 16}\n";

    public static Path config(Path dir, String extra) throws IOException {
        String yaml = """
                dataset:
                  format: synthetic
                  options: {classes: 6, trainPerClass: 24, testPerClass: 8, size: 16}
                  initialClasses: 2
                  classesPerTask: 2
                  preprocessing: {imageSize: 16, minScale: 0.5}
                  decodeThreads: 1
                  prefetchBatches: 1
                backbone: tiny-test
                optimizer: {type: sgd, learningRate: 0.05}
                batchSize: 8
                seeds: [1993]
                """ + extra;
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
