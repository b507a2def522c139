package io.github.sdlora4j.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A tiny run config for tests: synthetic 16x16 data, the random tiny-test ViT, 3 tasks of 2 classes. */
public final class TinyRuns {

    private TinyRuns() {
    }

    /** The synthetic reader's options line of {@link #config}: a test that swaps the format drops it. */
    static final String SYNTHETIC_OPTIONS = "  options: {classes: 6, trainPerClass: 24, testPerClass: 8, size: 16}\n";

    /** Writes the config to {@code dir/tiny.yaml}; {@code extra} lines are appended (top-level YAML). */
    public static Path config(Path dir, String extra) throws IOException {
        String yaml = """
                dataset:
                  format: synthetic
                """ + SYNTHETIC_OPTIONS + """
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

    /** Runs {@code sdlora run --config config --out out options...} and fails the test unless it exits with 0. */
    public static void run(Path config, Path out, String... options) {
        List<String> args = new ArrayList<>(List.of("run", "--config", config.toString(), "--out", out.toString()));
        args.addAll(List.of(options));
        assertEquals(0, SdloraCli.commandLine().execute(args.toArray(String[]::new)), "sdlora " + String.join(" ", args));
    }

    /**
     * Writes the {@link #config} with {@code extra} lines to {@code dir} and {@link #run}s it into
     * {@code dir/name}.
     *
     * @return the run's folder
     */
    public static Path runIn(Path dir, String name, String extra, String... options) throws IOException {
        Path out = dir.resolve(name);
        run(config(dir, extra), out, options);
        return out;
    }

    /** @return what {@code body} printed to {@code System.out}, which is restored afterwards */
    public static String capturingStdout(Runnable body) {
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return captured.toString();
    }
}
